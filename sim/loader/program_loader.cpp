#include "sim/loader/program_loader.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fmt/format.h>

#include "sim/assembler/assembler.hpp"
#include "sim/isa/registers.hpp"

namespace ipusim::loader {

namespace {

std::string boot_stub(const std::string &start, uint32_t entry, uint32_t vertex, uint32_t sup_stack_top) {
  // ipusim's own supervisor code: sets up what the runtime would and ends at
  // __ipusim_exit; reaching that address ends the supervisor's program.
  std::string s = ".section .text.__ipusim_boot, \"ax\"\n.supervisor\n.align 8\n__ipusim_boot:\n";
  s += fmt::format("  setzi $m{}, {}\n", isa::kMStackPointer, sup_stack_top);
  if (start == "supervisor") {
    s += fmt::format("  setzi $m{}, {}\n", isa::kMVertexBase, vertex);
    s += fmt::format("  setzi $m{}, __ipusim_exit\n", isa::kMLinkRegister);
    s += fmt::format("  bri {}\n", entry);
  } else {
    s += fmt::format("  setzi $m0, {}\n  setzi $m1, {}\n", entry, vertex);
    s += start == "worker" ? "  run $m0, $m1, 0\n" : "  runall $m0, $m1, 0\n";
    s += "  sync 2\n  bri __ipusim_exit\n";
  }
  s += "__ipusim_exit:\n  nop\n";
  return s;
}

// The seed of tile `tile`'s random data: tile 0 uses `seed` itself.
uint64_t tile_seed(uint64_t seed, unsigned tile) {
  if (tile == 0) return seed;
  SplitMix64 mix(seed ^ (0x9E3779B97F4A7C15ull * tile));
  return mix.next();
}

} // namespace

void fill_tensor(const config::ConfigNode &t, const PlacedTensor &pt, uint64_t run_seed, unsigned tile,
                 unsigned tiles, uint8_t *dst, DataSlices slices) {
  size_t count = pt.bytes / pt.dtype.size;
  if (!t.has(slices.key)) return; // zero
  const config::ConfigNode &init = t.node(slices.key);
  if (init.has("fill")) {
    double v = init.get_float("fill");
    std::string why = check_element(pt.dtype, v, pt.fp8_scale);
    if (!why.empty()) init.fail("fill", fmt::format("fill value {} {} (tensor '{}')", v, why, pt.name));
    for (size_t i = 0; i < count; ++i) encode_element(pt.dtype, v, dst + i * pt.dtype.size, pt.fp8_scale);
  } else if (init.has("random")) {
    const config::ConfigNode &r = init.node("random");
    uint64_t seed = r.has("seed") ? r.get_uint("seed") : run_seed ^ fnv1a(pt.name);
    SplitMix64 gen(tile_seed(seed, tile));
    double lo = r.get_float("min"), hi = r.get_float("max");
    for (size_t i = 0; i < count; ++i) {
      double v = gen.uniform(lo, hi);
      if (!pt.dtype.is_float) v = std::floor(v);
      encode_element(pt.dtype, v, dst + i * pt.dtype.size, pt.fp8_scale);
    }
  } else if (init.has("npy")) {
    const std::string &path = init.get_path("npy");
    NpyArray a;
    try {
      a = read_npy(path);
    } catch (const Error &e) {
      std::string msg = e.what(); // "path: error: what" -> "path: what"
      auto at = msg.find(": error: ");
      if (at != std::string::npos) msg.replace(at, 9, ": ");
      init.fail("npy", msg);
    }
    if (a.dtype != pt.dtype.npy)
      init.fail("npy", fmt::format("{} has dtype '{}' but tensor '{}' is {} ('{}')", path, a.dtype, pt.name,
                                   pt.dtype.name, pt.dtype.npy));
    std::vector<uint64_t> shape(a.shape.begin(), a.shape.end());
    std::vector<uint64_t> per_tile = pt.shape;
    per_tile.insert(per_tile.begin(), tiles);
    if (shape == pt.shape) {
      std::copy(a.data.begin(), a.data.end(), dst);
    } else if (shape == per_tile) {
      std::copy(a.data.begin() + static_cast<std::ptrdiff_t>(size_t(tile) * pt.bytes),
                a.data.begin() + static_cast<std::ptrdiff_t>(size_t(tile + 1) * pt.bytes), dst);
    } else {
      init.fail("npy", fmt::format("{} has shape ({}) but tensor '{}' has shape ({}){}", path,
                                   fmt::join(shape, ", "), pt.name, fmt::join(pt.shape, ", "),
                                   tiles > 1 ? fmt::format(" (or ({}) with one slice per {})", fmt::join(per_tile, ", "), slices.noun)
                                             : std::string()));
    }
  }
}



assembler::AssembleOptions assemble_options_from(const config::ConfigNode &node, unsigned arch_version) {
  assembler::AssembleOptions ao;
  ao.sources = node.get_string_list("sources");
  ao.include_dirs = node.get_string_list("include_dirs");
  for (const std::string &k : node.node("defines").keys()) {
    const std::string &v = node.node("defines").get_string(k);
    ao.defines.push_back(v.empty() ? k : k + "=" + v);
  }
  ao.arch_version = arch_version;
  return ao;
}

uint64_t element_count(const config::ConfigNode &tensor, const std::vector<uint64_t> &shape) {
  uint64_t count = 1;
  for (uint64_t d : shape) {
    if (d != 0 && count > (uint64_t(1) << 40) / d)
      tensor.fail("shape", fmt::format("tensor '{}' is far larger than a tile's memory", tensor.get_string("name")));
    count *= d;
  }
  return count;
}

DecodedCode decode_linked(const assembler::LinkedProgram &program) {
  DecodedCode out;
  for (const auto &s : program.sections) {
    if (!s.code || s.bytes.size() < 4) continue;
    std::vector<uint32_t> words(s.bytes.size() / 4);
    std::memcpy(words.data(), s.bytes.data(), words.size() * 4);
    out.push_back(std::make_shared<const tile::CodeSegment>(s.address, std::move(words)));
  }
  return out;
}

void load_linked(tile::TileCore &core, const assembler::LinkedProgram &program, const DecodedCode &decoded) {
  for (const auto &s : program.sections)
    if (!s.code) std::copy(s.bytes.begin(), s.bytes.end(), core.sram().ptr(s.address));
  for (const auto &seg : decoded) core.load_code(seg);
}

void load_linked(tile::TileCore &core, const assembler::LinkedProgram &program) {
  load_linked(core, program, decode_linked(program));
}

uint32_t vertex_scalar_word(const config::ConfigNode &f) {
  const std::string &kind = f.get_string("kind");
  double v = f.get_float("value");
  DType dt = *dtype_named(kind == "half" ? "half" : kind == "float" ? "float" : kind == "int" ? "int" : "uint");
  std::string why = check_element(dt, v);
  if (!why.empty()) f.fail("value", fmt::format("vertex field '{}': {} {}", f.get_string("name"), v, why));
  uint8_t b[4] = {0, 0, 0, 0};
  encode_element(dt, v, b);
  return b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
}

LoadedProgram prepare_program(const config::ConfigNode &program, unsigned arch_version, const tile::TileParams &tp) {
  LoadedProgram out;
  out.start = program.get_string("start");
  out.tiles = static_cast<unsigned>(program.get_uint("tiles"));
  const tile::SramParams &sp = tp.sram;
  const uint32_t sram_base = sp.base_address, sram_end = sp.base_address + sp.size_bytes;

  // 1. Assemble and place the user's code.
  std::vector<assembler::AssemblyUnit> units =
      assembler::assemble_sources(assemble_options_from(program, arch_version));
  assembler::LinkOptions lo;
  lo.base_address = sram_base;
  lo.limit_address = sram_end;
  out.code = assembler::link(units, lo);
  out.memory = TileAllocator(sp, tp.tile_id);
  for (const auto &s : out.code.sections)
    out.memory.reserve(s.name, s.code ? "code" : "data", s.address, static_cast<uint32_t>(s.bytes.size()));

  const std::string entry_name = program.get_string("entry");
  auto entry_it = out.code.symbols.find(entry_name);
  if (entry_it == out.code.symbols.end())
    program.fail("entry", "entry symbol '" + entry_name + "' is not defined by the sources");
  out.entry = entry_it->second;
  auto ctx = out.code.symbol_context[entry_name];
  if (out.start == "supervisor" && ctx == assembler::ContextKind::worker)
    program.fail("start", "'" + entry_name + "' is worker code (.worker); use start: worker or all_workers");
  if (out.start != "supervisor" && ctx == assembler::ContextKind::supervisor)
    program.fail("start", "'" + entry_name + "' is supervisor code (.supervisor); use start: supervisor");

  // 2. The runtime areas after the code: boot stub, vertex state, six worker
  // scratch areas, the supervisor stack.
  const config::ConfigNode &vfields = program.node("vertex");
  const uint32_t stub_bytes = 64;
  const uint32_t vertex_bytes = static_cast<uint32_t>(4 * vfields.size());
  uint32_t stub_addr = 0, vertex_addr = 0, scratch_addr = 0, stack_addr = 0;
  auto runtime = [&](const char *name, const char *kind, uint32_t bytes, uint32_t &addr) {
    if (!out.memory.allocate(name, kind, bytes, 8, MemoryRegion::any, addr))
      program.fail("sources", fmt::format("the {} ({} bytes) does not fit after the code: {}", name, bytes,
                                          out.memory.shortfall(bytes, 8, MemoryRegion::any)));
  };
  runtime("boot stub", "stub", stub_bytes, stub_addr);
  runtime("vertex state", "vertex", vertex_bytes, vertex_addr);
  runtime("worker scratch", "scratch", 6 * kWorkerScratchBytes, scratch_addr);
  runtime("supervisor stack", "stack", kSupervisorStackBytes, stack_addr);
  const uint32_t stack_top = stack_addr + kSupervisorStackBytes;
  out.scratch = scratch_addr;

  // 3. Tensors.
  for (const config::ConfigNode &t : program.node("tensors")) {
    PlacedTensor pt;
    pt.name = t.get_string("name");
    pt.dtype = *dtype_named(t.get_string("dtype"));
    pt.fp8_scale = static_cast<int>(t.get_int("scale"));
    pt.shape = t.get_uint_list("shape");
    pt.output = t.get_bool("output");
    uint64_t bytes = element_count(t, pt.shape) * pt.dtype.size;
    for (const PlacedTensor &other : out.tensors)
      if (other.name == pt.name) t.fail("name", "tensor '" + pt.name + "' is defined twice");
    if (t.get_uint("align") > sp.size_bytes)
      t.fail("align", fmt::format("alignment {} is larger than the tile's memory", t.get_uint("align")));
    uint32_t align = static_cast<uint32_t>(t.get_uint("align"));
    if (align % pt.dtype.size != 0 && pt.dtype.size % align != 0)
      t.fail("align", fmt::format("alignment {} does not suit {}-byte {} elements", align, pt.dtype.size,
                                  pt.dtype.name));
    MemoryRegion region = memory_region_named(t.get_string("region"));
    uint32_t a = std::max<uint32_t>(align, pt.dtype.size);
    if (!out.memory.allocate(pt.name, "tensor", bytes, a, region, pt.address))
      t.fail("shape", fmt::format("tensor '{}' ({} bytes) does not fit: {}", pt.name, bytes,
                                  out.memory.shortfall(bytes, a, region)));
    pt.bytes = static_cast<uint32_t>(bytes);
    out.tensors.push_back(pt);
  }

  // 4. Vertex state: one 32-bit word per field.
  out.vertex = vertex_addr;
  for (const config::ConfigNode &f : vfields) {
    const std::string &kind = f.get_string("kind");
    uint32_t word = 0;
    if (kind == "tensor") {
      const std::string &tn = f.get_string("tensor");
      auto it = std::find_if(out.tensors.begin(), out.tensors.end(), [&](const PlacedTensor &p) { return p.name == tn; });
      if (it == out.tensors.end()) f.fail("tensor", "vertex field '" + f.get_string("name") + "' names unknown tensor '" + tn + "'");
      uint64_t off = f.get_uint("offset_elems") * it->dtype.size;
      if (off > it->bytes) f.fail("offset_elems", "offset is past the end of tensor '" + tn + "'");
      word = it->address + static_cast<uint32_t>(off);
    } else {
      word = vertex_scalar_word(f);
    }
    for (unsigned k = 0; k < 4; ++k) out.vertex_state.push_back(static_cast<uint8_t>(word >> (8 * k)));
  }

  // 5. The boot stub, linked at its own address.
  std::vector<assembler::AssemblyUnit> stub_units{
      assembler::assemble_text(boot_stub(out.start, out.entry, vertex_addr, stack_top), "<ipusim boot stub>")};
  assembler::LinkOptions so;
  so.base_address = stub_addr;
  so.limit_address = stub_addr + stub_bytes;
  out.stub = assembler::link(stub_units, so);
  out.boot = out.stub.symbols.at("__ipusim_boot");
  out.exit = out.stub.symbols.at("__ipusim_exit");
  out.code_decoded = decode_linked(out.code);
  out.stub_decoded = decode_linked(out.stub);
  return out;
}

void install_program(const LoadedProgram &p, const config::ConfigNode &program, uint64_t run_seed, unsigned tile_id,
                     tile::TileCore &core) {
  tile::Sram &mem = core.sram();
  auto tensor_nodes = program.node("tensors").children();
  for (size_t i = 0; i < p.tensors.size(); ++i)
    fill_tensor(tensor_nodes[i], p.tensors[i], run_seed, tile_id, p.tiles, mem.ptr(p.tensors[i].address));
  std::copy(p.vertex_state.begin(), p.vertex_state.end(), mem.ptr(p.vertex));
  load_linked(core, p.code, p.code_decoded);
  load_linked(core, p.stub, p.stub_decoded);
  for (unsigned w = 0; w < 6; ++w) core.set_worker_base(w, p.scratch + w * kWorkerScratchBytes);
  core.start_supervisor(p.boot, p.exit);
}

LoadedProgram load_program(const config::ConfigNode &program, unsigned arch_version, uint64_t run_seed,
                           tile::TileCore &core) {
  LoadedProgram p = prepare_program(program, arch_version, core.params());
  install_program(p, program, run_seed, core.params().tile_id, core);
  return p;
}

NpyArray read_tensor(const tile::TileCore &core, const PlacedTensor &t) {
  NpyArray a;
  a.dtype = t.dtype.npy;
  a.shape.assign(t.shape.begin(), t.shape.end());
  const uint8_t *p = core.sram().ptr(t.address);
  a.data.assign(p, p + t.bytes);
  return a;
}

std::string memory_report(const LoadedProgram &p) { return p.memory.report(); }

} // namespace ipusim::loader
