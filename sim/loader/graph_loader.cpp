#include "sim/loader/graph_loader.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>
#include <fmt/format.h>

#include "sim/assembler/assembler.hpp"
#include "sim/isa/registers.hpp"

namespace ipusim::loader {

namespace {

struct Vertex {
  uint32_t entry;
  bool supervisor;
  uint32_t state; // address of its vertex state on its tile
};

// Generates one tile's supervisor control code.
class ControlWriter {
public:
  ControlWriter(const config::ConfigNode &graph, const std::vector<std::vector<std::vector<Vertex>>> &by_cs_tile,
                const std::vector<CopyPlan> &copies, unsigned tile, const std::vector<uint32_t> &counters)
      : graph_(graph), by_cs_tile_(by_cs_tile), copies_(copies), tile_(tile), counters_(counters) {}

  std::string write(uint32_t stack_top) {
    out_ = ".section .text.__ipusim_control, \"ax\"\n.supervisor\n.align 8\n__ipusim_boot:\n";
    out_ += fmt::format("  setzi $m{}, {}\n", isa::kMStackPointer, stack_top);
    steps(graph_.node("control"));
    out_ += "  bri __ipusim_exit\n__ipusim_exit:\n  nop\n";
    return out_;
  }

private:
  void steps(const config::ConfigNode &list) {
    for (const config::ConfigNode &st : list) {
      if (st.has("execute")) execute(st);
      else if (st.has("copy")) copy(st);
      else if (st.has("sync")) out_ += "  sync 3\n";
      else if (st.has("stream")) stream(st);
      else repeat(st.node("repeat"));
    }
  }
  void execute(const config::ConfigNode &st) {
    const std::string &name = st.get_string("execute");
    const config::ConfigNode &sets = graph_.node("compute_sets");
    size_t cs = sets.size();
    for (size_t k = 0; k < sets.size(); ++k)
      if (sets[k].get_string("name") == name) cs = k;
    if (cs == sets.size()) st.fail("execute", "no compute set named '" + name + "'");
    unsigned running = 0;
    for (const Vertex &v : by_cs_tile_[cs][tile_]) {
      if (v.supervisor) {
        out_ += fmt::format("  setzi $m{}, {}\n  call $m{}, {}\n", isa::kMVertexBase, v.state, isa::kMLinkRegister,
                            v.entry);
        continue;
      }
      if (running == 6) { // every worker busy: wait for them before starting more
        out_ += "  sync 2\n";
        running = 0;
      }
      out_ += fmt::format("  setzi $m0, {}\n  setzi $m1, {}\n  run $m0, $m1, 0\n", v.entry, v.state);
      ++running;
    }
    out_ += "  sync 2\n";
  }
  void copy(const config::ConfigNode &st) {
    const std::string &name = st.get_string("copy");
    const CopyPlan *plan = nullptr;
    for (const CopyPlan &c : copies_)
      if (c.name == name) plan = &c;
    if (!plan) st.fail("copy", "no copy named '" + name + "'");
    for (const auto &round : plan->rounds) {
      const CopyPiece *in = nullptr, *outp = nullptr;
      uint32_t in_addr = 0;
      for (const CopyPiece &p : round) {
        for (const CopyReceiver &rc : p.receivers)
          if (rc.tile == tile_) {
            in = &p;
            in_addr = rc.addr;
          }
        if (p.src_tile == tile_) outp = &p;
      }
      out_ += "  sync 3\n"; // every tile starts the round in the same cycle
      if (in)
        out_ += fmt::format("  setzi $m0, {}\n  put $INCOMING_MUX, $m0\n  setzi $m0, {}\n  put $INCOMING_BASE, $m0\n"
                            "  setzi $m0, {}\n  put $INCOMING_DCOUNT, $m0\n",
                            in->src_tile, in_addr, in->words);
      else if (outp)
        out_ += "  nop\n  nop\n  nop\n  nop\n  nop\n  nop\n"; // until every receiver listens
      if (outp) out_ += fmt::format("  setzi $m0, {}\n  send $m0, {}\n", outp->src_addr, outp->words);
      if (in) out_ += "  sync 0\n";
    }
  }
  // The host moves the data while every tile waits in the sync that includes
  // the host (zone 5); see sim/loader/host_streams.
  void stream(const config::ConfigNode &st) {
    const std::string &name = st.get_string("stream");
    bool known = false;
    for (const config::ConfigNode &s : graph_.node("streams")) known = known || s.get_string("name") == name;
    if (!known) st.fail("stream", "no stream named '" + name + "'");
    out_ += "  sync 5\n";
  }
  void repeat(const config::ConfigNode &r) {
    unsigned id = next_counter_++;
    uint32_t ctr = counters_.at(id);
    out_ += fmt::format("  setzi $m1, {}\n  setzi $m2, {}\n  st32 $m1, $mzero, $m2, 0\n", r.get_uint("count"), ctr);
    out_ += fmt::format(".Lrepeat{0}:\n  setzi $m2, {1}\n  ld32 $m1, $mzero, $m2, 0\n  brz $m1, .Lrepeat_end{0}\n"
                        "  add $m1, $m1, -1\n  st32 $m1, $mzero, $m2, 0\n",
                        id, ctr);
    steps(r.node("body"));
    out_ += fmt::format("  bri .Lrepeat{0}\n.Lrepeat_end{0}:\n", id);
  }

  const config::ConfigNode &graph_;
  const std::vector<std::vector<std::vector<Vertex>>> &by_cs_tile_;
  const std::vector<CopyPlan> &copies_;
  unsigned tile_;
  const std::vector<uint32_t> &counters_;
  unsigned next_counter_ = 0;
  std::string out_;
};

unsigned count_repeats(const config::ConfigNode &list) {
  unsigned n = 0;
  for (const config::ConfigNode &st : list)
    if (st.has("repeat")) n += 1 + count_repeats(st.node("repeat").node("body"));
  return n;
}

} // namespace

GraphProgram prepare_graph(const config::ConfigNode &graph, unsigned arch_version, const tile::TileParams &tp) {
  GraphProgram g;
  g.tiles = static_cast<unsigned>(graph.get_uint("tiles"));
  const tile::SramParams &sp = tp.sram;

  // 1. The codelets, linked once from the SRAM base: the same on every tile.
  std::vector<assembler::AssemblyUnit> units =
      assembler::assemble_sources(assemble_options_from(graph, arch_version));
  assembler::LinkOptions lo;
  lo.base_address = sp.base_address;
  lo.limit_address = sp.base_address + sp.size_bytes;
  g.code = assembler::link(units, lo);
  g.code_decoded = decode_linked(g.code);
  g.per_tile.resize(g.tiles);
  for (unsigned t = 0; t < g.tiles; ++t) {
    GraphTile &gt = g.per_tile[t];
    gt.memory = TileAllocator(sp, t);
    for (const auto &s : g.code.sections)
      gt.memory.reserve(s.name, s.code ? "code" : "data", s.address, static_cast<uint32_t>(s.bytes.size()));
    auto runtime = [&](const char *what, const char *kind, uint32_t bytes, uint32_t &addr) {
      if (!gt.memory.allocate(what, kind, bytes, 8, MemoryRegion::any, addr))
        graph.fail("sources", fmt::format("the {} ({} bytes) does not fit on tile {}: {}", what, bytes, t,
                                          gt.memory.shortfall(bytes, 8, MemoryRegion::any)));
    };
    uint32_t stack = 0;
    runtime("worker scratch", "scratch", 6 * kWorkerScratchBytes, gt.scratch);
    runtime("supervisor stack", "stack", kSupervisorStackBytes, stack);
  }

  // 2. Tensors: every region on its tile; the mapping must cover each element once.
  for (const config::ConfigNode &t : graph.node("tensors")) {
    GraphTensor gtn;
    PlacedTensor &pt = gtn.info;
    pt.name = t.get_string("name");
    pt.dtype = *dtype_named(t.get_string("dtype"));
    pt.fp8_scale = static_cast<int>(t.get_int("scale"));
    pt.shape = t.get_uint_list("shape");
    pt.output = t.get_bool("output");
    uint64_t count = element_count(t, pt.shape);
    pt.bytes = static_cast<uint32_t>(std::min<uint64_t>(count * pt.dtype.size, UINT32_MAX));
    for (const GraphTensor &other : g.tensors)
      if (other.info.name == pt.name) t.fail("name", "tensor '" + pt.name + "' is defined twice");
    uint32_t align = static_cast<uint32_t>(std::min<uint64_t>(t.get_uint("align"), sp.size_bytes));
    uint32_t a = std::max<uint32_t>(align, pt.dtype.size);
    MemoryRegion region = memory_region_named(t.get_string("region"));
    std::vector<std::pair<uint64_t, const config::ConfigNode *>> order;
    for (const config::ConfigNode &r : t.node("mapping")) {
      uint64_t tile = r.get_uint("tile"), b = r.get_uint("begin"), e = r.get_uint("end");
      if (tile >= g.tiles)
        r.fail("tile", fmt::format("tile {} is not one of the program's {} tiles", tile, g.tiles));
      if (b >= e || e > count)
        r.fail("end", fmt::format("region [{}, {}) is empty or past the end of tensor '{}' ({} elements)", b, e,
                                  pt.name, count));
      order.push_back({b, &r});
      TensorRegion reg{static_cast<unsigned>(tile), b, e, 0};
      GraphTile &gt = g.per_tile[tile];
      uint64_t bytes = (e - b) * pt.dtype.size;
      std::string what = fmt::format("{}[{}:{}]", pt.name, b, e);
      if (!gt.memory.allocate(what, "tensor", bytes, a, region, reg.address))
        r.fail("end", fmt::format("{} ({} bytes) does not fit: {}", what, bytes, gt.memory.shortfall(bytes, a, region)));
      gtn.regions.push_back(reg);
    }
    std::sort(order.begin(), order.end(), [](const auto &x, const auto &y) { return x.first < y.first; });
    uint64_t covered = 0;
    for (const auto &[b, node] : order) {
      if (b != covered)
        node->fail("begin", b > covered ? fmt::format("elements [{}, {}) of tensor '{}' are mapped to no tile",
                                                      covered, b, pt.name)
                                        : fmt::format("element {} of tensor '{}' is mapped twice", b, pt.name));
      covered = node->get_uint("end");
    }
    if (covered != count)
      t.fail("mapping", fmt::format("elements [{}, {}) of tensor '{}' are mapped to no tile", covered, count, pt.name));
    g.tensors.push_back(std::move(gtn));
  }

  // 3. Vertices: their state words, on their tiles.
  const config::ConfigNode &sets = graph.node("compute_sets");
  std::vector<std::vector<std::vector<Vertex>>> by_cs_tile(sets.size(), std::vector<std::vector<Vertex>>(g.tiles));
  for (size_t cs = 0; cs < sets.size(); ++cs) {
    for (size_t other = 0; other < cs; ++other)
      if (sets[other].get_string("name") == sets[cs].get_string("name"))
        sets[cs].fail("name", "compute set '" + sets[cs].get_string("name") + "' is defined twice");
    for (const config::ConfigNode &v : sets[cs].node("vertices")) {
      uint64_t tile = v.get_uint("tile");
      if (tile >= g.tiles) v.fail("tile", fmt::format("tile {} is not one of the program's {} tiles", tile, g.tiles));
      const std::string &codelet = v.get_string("codelet");
      auto sym = g.code.symbols.find(codelet);
      if (sym == g.code.symbols.end()) v.fail("codelet", "codelet '" + codelet + "' is not defined by the sources");
      bool sup = v.get_string("kind") == "supervisor";
      auto ctx = g.code.symbol_context[codelet];
      if (sup && ctx == assembler::ContextKind::worker)
        v.fail("kind", "'" + codelet + "' is worker code (.worker); use kind: worker");
      if (!sup && ctx == assembler::ContextKind::supervisor)
        v.fail("kind", "'" + codelet + "' is supervisor code (.supervisor); use kind: supervisor");
      std::vector<uint8_t> state;
      for (const config::ConfigNode &f : v.node("fields")) {
        uint32_t word = 0;
        if (f.get_string("kind") == "tensor") {
          const std::string &tn = f.get_string("tensor");
          auto it = std::find_if(g.tensors.begin(), g.tensors.end(),
                                 [&](const GraphTensor &x) { return x.info.name == tn; });
          if (it == g.tensors.end()) f.fail("tensor", "vertex field names unknown tensor '" + tn + "'");
          uint64_t e = f.get_uint("offset_elems");
          const TensorRegion *here = nullptr;
          for (const TensorRegion &r : it->regions)
            if (e >= r.begin && e < r.end) here = &r;
          if (!here || here->tile != tile)
            f.fail("offset_elems", here ? fmt::format("element {} of tensor '{}' is on tile {}, not on this vertex's "
                                                      "tile {}",
                                                      e, tn, here->tile, tile)
                                        : fmt::format("element {} is past the end of tensor '{}'", e, tn));
          word = here->address + static_cast<uint32_t>((e - here->begin) * it->info.dtype.size);
        } else {
          word = vertex_scalar_word(f);
        }
        for (unsigned k = 0; k < 4; ++k) state.push_back(static_cast<uint8_t>(word >> (8 * k)));
      }
      GraphTile &gt = g.per_tile[tile];
      uint32_t addr = 0;
      uint32_t bytes = std::max<uint32_t>(4, static_cast<uint32_t>(state.size()));
      if (!gt.memory.allocate("vertex " + codelet, "vertex", bytes, 8, MemoryRegion::any, addr))
        v.fail("fields", fmt::format("the vertex state ({} bytes) does not fit: {}", bytes,
                                     gt.memory.shortfall(bytes, 8, MemoryRegion::any)));
      gt.vertex_states.push_back({addr, state});
      by_cs_tile[cs][tile].push_back({sym->second, sup, addr});
    }
  }

  // 4. Copies: split at region boundaries into pieces, scheduled greedily into
  // rounds where each tile sends at most one piece and receives at most one.
  for (const config::ConfigNode &c : graph.node("copies")) {
    CopyPlan plan;
    plan.name = c.get_string("name");
    for (const CopyPlan &other : g.copies)
      if (other.name == plan.name) c.fail("name", "copy '" + plan.name + "' is defined twice");
    auto find = [&](const config::ConfigNode &slice) -> const GraphTensor & {
      const std::string &tn = slice.get_string("tensor");
      for (const GraphTensor &t : g.tensors)
        if (t.info.name == tn) return t;
      slice.fail("tensor", "unknown tensor '" + tn + "'");
    };
    auto region_at = [](const GraphTensor &t, uint64_t byte) -> const TensorRegion & {
      uint64_t e = byte / t.info.dtype.size;
      for (const TensorRegion &r : t.regions)
        if (e >= r.begin && e < r.end) return r;
      return t.regions.front(); // unreachable: the mapping covers the tensor
    };
    // Pieces: for each source and each of its destinations, walk both sides
    // in bytes, cutting at every region boundary; pieces with the same source
    // words merge into one send with several receivers (a broadcast).
    std::vector<CopyPiece> pieces;
    std::unordered_map<uint64_t, size_t> piece_of; // (source tile, address, words) -> its piece
    auto add_pieces = [&](const config::ConfigNode &part) {
      const config::ConfigNode &src = part.node("source");
      const GraphTensor &st = find(src);
      uint64_t sb = src.get_uint("begin"), se = src.get_uint("end");
      uint64_t ssize = st.info.dtype.size, scount = st.info.bytes / ssize;
      if (sb >= se || se > scount)
        src.fail("end", fmt::format("[{}, {}) is empty or past the end of '{}'", sb, se, st.info.name));
      std::vector<const config::ConfigNode *> dests;
      if (part.has("destination")) dests.push_back(&part.node("destination"));
      else
        for (const config::ConfigNode &d : part.node("destinations")) dests.push_back(&d);
      for (const config::ConfigNode *dp : dests) {
        const config::ConfigNode &dst = *dp;
        const GraphTensor &dt = find(dst);
        uint64_t db = dst.get_uint("begin"), de = dst.get_uint("end");
        uint64_t dsize = dt.info.dtype.size, dcount = dt.info.bytes / dsize;
        if (db >= de || de > dcount)
          dst.fail("end", fmt::format("[{}, {}) is empty or past the end of '{}'", db, de, dt.info.name));
        if ((se - sb) * ssize != (de - db) * dsize)
          dst.fail(fmt::format("the source has {} bytes, the destination {}", (se - sb) * ssize, (de - db) * dsize));
        uint64_t total = (se - sb) * ssize;
        for (uint64_t done = 0; done < total;) {
          uint64_t sbyte = sb * ssize + done, dbyte = db * dsize + done;
          const TensorRegion &sr = region_at(st, sbyte), &dr = region_at(dt, dbyte);
          uint64_t n = std::min({total - done, sr.end * ssize - sbyte, dr.end * dsize - dbyte, uint64_t(4) * 65535});
          uint32_t sa = static_cast<uint32_t>(sr.address + (sbyte - sr.begin * ssize));
          uint32_t da = static_cast<uint32_t>(dr.address + (dbyte - dr.begin * dsize));
          if ((n | sa | da) & 3)
            src.fail(fmt::format("the exchange moves whole 32-bit words: a piece of {} bytes from 0x{:x} on tile {} "
                                 "to 0x{:x} on tile {} is not word-aligned",
                                 n, sa, sr.tile, da, dr.tile));
          if (sr.tile == dr.tile)
            dst.fail(fmt::format("a piece of {} bytes goes from tile {} to itself: the exchange moves data between "
                                 "tiles (copy within a tile with a vertex)",
                                 n, sr.tile));
          uint32_t words = static_cast<uint32_t>(n / 4);
          // The same source words sent before: one more receiver of that send.
          // (Addresses are 21 bits and a piece at most 65,535 words: the key is exact.)
          uint64_t key = (uint64_t(sr.tile) << 42) | (uint64_t(sa) << 21) | words;
          auto [it, fresh] = piece_of.try_emplace(key, pieces.size());
          if (fresh) pieces.push_back({sr.tile, sa, words, {{dr.tile, da}}});
          else pieces[it->second].receivers.push_back({dr.tile, da});
          done += n;
        }
      }
    };
    if (c.has("parts"))
      for (const config::ConfigNode &part : c.node("parts")) add_pieces(part);
    else
      add_pieces(c);
    // Rounds, greedily: a piece joins the first round in which its sender
    // sends nothing and none of its receivers receives anything.
    std::vector<std::vector<unsigned char>> busy_send, busy_recv; // [round][tile]
    for (CopyPiece &p : pieces) {
      size_t r = 0;
      for (; r < plan.rounds.size(); ++r) {
        bool busy = busy_send[r][p.src_tile];
        for (const CopyReceiver &rc : p.receivers) busy = busy || busy_recv[r][rc.tile];
        if (!busy) break;
      }
      if (r == plan.rounds.size()) {
        plan.rounds.emplace_back();
        busy_send.emplace_back(g.tiles, 0);
        busy_recv.emplace_back(g.tiles, 0);
      }
      busy_send[r][p.src_tile] = 1;
      for (const CopyReceiver &rc : p.receivers) {
        if (busy_recv[r][rc.tile])
          c.fail(fmt::format("tile {} would receive two pieces of this copy at once from tile {}", rc.tile, p.src_tile));
        busy_recv[r][rc.tile] = 1;
      }
      plan.rounds[r].push_back(std::move(p));
    }
    g.copies.push_back(std::move(plan));
  }

  // 5. Each tile's control program, placed and linked on that tile.
  unsigned repeats = count_repeats(graph.node("control"));
  for (unsigned t = 0; t < g.tiles; ++t) {
    GraphTile &gt = g.per_tile[t];
    std::vector<uint32_t> counters(repeats);
    for (unsigned k = 0; k < repeats; ++k)
      if (!gt.memory.allocate(fmt::format("repeat counter {}", k), "control", 4, 4, MemoryRegion::any, counters[k]))
        graph.fail("control", fmt::format("tile {} has no room for a repeat counter", t));
    uint32_t stack_top = 0;
    for (const MemoryBlock &b : gt.memory.blocks())
      if (b.kind == "stack") stack_top = b.address + b.bytes;
    std::string text = ControlWriter(graph, by_cs_tile, g.copies, t, counters).write(stack_top);
    std::vector<assembler::AssemblyUnit> unit{assembler::assemble_text(text, "<ipusim control program>")};
    // Size it, then place it where the allocator says and link it there.
    uint32_t size = 0;
    for (const auto &s : unit[0].sections) size += s.size;
    uint32_t addr = 0;
    if (!gt.memory.allocate("control program", "control", size, 8, MemoryRegion::any, addr))
      graph.fail("control", fmt::format("tile {}'s control program ({} bytes) does not fit: {}", t, size,
                                        gt.memory.shortfall(size, 8, MemoryRegion::any)));
    assembler::LinkOptions co;
    co.base_address = addr;
    co.limit_address = addr + size;
    gt.control = assembler::link(unit, co);
    gt.boot = gt.control.symbols.at("__ipusim_boot");
    gt.exit = gt.control.symbols.at("__ipusim_exit");
  }
  return g;
}

void install_graph(const GraphProgram &g, const config::ConfigNode &graph, uint64_t seed,
                   const std::vector<tile::TileCore *> &cores) {
  // Tensor data: each whole tensor is generated once (as on the host), each
  // tile takes its regions.
  auto tensor_nodes = graph.node("tensors").children();
  for (size_t k = 0; k < g.tensors.size(); ++k) {
    const GraphTensor &tn = g.tensors[k];
    if (!tensor_nodes[k].has("init")) continue;
    std::vector<uint8_t> whole(static_cast<size_t>(tn.info.bytes));
    fill_tensor(tensor_nodes[k], tn.info, seed, 0, 1, whole.data());
    for (const TensorRegion &r : tn.regions)
      std::memcpy(cores[r.tile]->sram().ptr(r.address), whole.data() + r.begin * tn.info.dtype.size,
                  (r.end - r.begin) * tn.info.dtype.size);
  }
  for (unsigned t = 0; t < g.tiles; ++t) {
    tile::TileCore &core = *cores[t];
    const GraphTile &gt = g.per_tile[t];
    for (const auto &[addr, bytes] : gt.vertex_states) std::copy(bytes.begin(), bytes.end(), core.sram().ptr(addr));
    load_linked(core, g.code, g.code_decoded); // decoded once, shared by every tile
    load_linked(core, gt.control);
    for (unsigned w = 0; w < 6; ++w) core.set_worker_base(w, gt.scratch + w * kWorkerScratchBytes);
    core.start_supervisor(gt.boot, gt.exit);
  }
}

NpyArray gather_tensor(const GraphTensor &t, const std::vector<tile::TileCore *> &cores) {
  NpyArray a;
  a.dtype = t.info.dtype.npy;
  a.shape.assign(t.info.shape.begin(), t.info.shape.end());
  a.data.assign(t.info.bytes, 0);
  for (const TensorRegion &r : t.regions)
    std::memcpy(a.data.data() + r.begin * t.info.dtype.size, cores[r.tile]->sram().ptr(r.address),
                (r.end - r.begin) * t.info.dtype.size);
  return a;
}

void write_tensor_npy(const std::string &path, const GraphTensor &t, const std::vector<tile::TileCore *> &cores) {
  // The regions cover the tensor once each (prepare_graph checks): in element
  // order they are the file's data, piece by piece.
  std::vector<const TensorRegion *> order;
  for (const TensorRegion &r : t.regions) order.push_back(&r);
  std::sort(order.begin(), order.end(), [](const TensorRegion *a, const TensorRegion *b) { return a->begin < b->begin; });
  std::vector<NpyPiece> pieces;
  for (const TensorRegion *r : order)
    pieces.push_back({cores[r->tile]->sram().ptr(r->address), static_cast<size_t>((r->end - r->begin) * t.info.dtype.size)});
  write_npy_pieces(path, t.info.dtype.npy, std::vector<size_t>(t.info.shape.begin(), t.info.shape.end()), pieces);
}

} // namespace ipusim::loader
