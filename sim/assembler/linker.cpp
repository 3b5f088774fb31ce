#include "sim/assembler/linker.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

#include "sim/assembler/expr.hpp"
#include "sim/assembler/operands.hpp"

namespace ipusim::assembler {

namespace {

uint32_t align_up(uint32_t v, uint32_t a) { return a <= 1 ? v : (v + a - 1) / a * a; }

struct Placed {
  const AssemblyUnit *unit;
  std::vector<uint32_t> base; // per section of the unit
};

// Resolve a Value to a final address or number.
int64_t resolve(const Value &v, const Placed &p, const std::map<std::string, uint32_t> &globals,
                const Item &item, const SourcePos &where, std::vector<std::string> *unresolved) {
  if (!v.external.empty()) {
    auto it = globals.find(v.external);
    if (it == globals.end() && unresolved) {
      if (std::find(unresolved->begin(), unresolved->end(), v.external) == unresolved->end())
        unresolved->push_back(v.external);
      return v.offset;
    }
    if (it == globals.end())
      throw item.error(where, "undefined symbol '" + v.external + "' (not defined in any source)");
    return it->second + v.offset;
  }
  if (v.section >= 0) return p.base[static_cast<size_t>(v.section)] + v.offset;
  return v.offset;
}

std::string data_text(const Item &item) {
  std::string s = ".data " + std::to_string(item.bytes.size()) + " bytes";
  return s;
}

} // namespace

LinkedProgram link(const std::vector<AssemblyUnit> &units, const LinkOptions &options) {
  LinkedProgram out;
  std::vector<Placed> placed;
  uint32_t next = options.base_address;

  // 1. Place sections.
  for (const AssemblyUnit &u : units) {
    Placed p{&u, {}};
    for (const Section &s : u.sections) {
      uint32_t align = std::max<uint32_t>(s.alignment, s.code ? 8 : 1);
      uint32_t addr = options.placer ? options.placer(s, next) : align_up(next, align);
      if (addr % align != 0)
        throw InputError(fmt::format("{}: section '{}' placed at 0x{:x}, which is not {}-byte aligned", u.source,
                                     s.name, addr, align));
      if (uint64_t(addr) + s.size > options.limit_address)
        throw InputError(fmt::format("{}: section '{}' ({} bytes at 0x{:x}) does not fit below 0x{:x}", u.source,
                                     s.name, s.size, addr, options.limit_address));
      p.base.push_back(addr);
      next = std::max(next, addr + s.size);
    }
    placed.push_back(std::move(p));
  }
  out.end_address = next;

  // 2. Symbols: every label gets its final address; globals are shared.
  std::map<std::string, uint32_t> globals;
  for (const Placed &p : placed)
    for (const auto &[name, sym] : p.unit->symbols) {
      if (!sym.defined || sym.section < 0) continue;
      uint32_t addr = p.base[static_cast<size_t>(sym.section)] + static_cast<uint32_t>(sym.value);
      if (sym.global) {
        if (globals.count(name))
          throw InputError(sym.pos, "global symbol '" + name + "' is defined in more than one source");
        globals[name] = addr;
      }
      if (name.rfind(".L", 0) != 0) {
        out.symbols[name] = addr;
        out.symbol_context[name] = sym.context;
      }
    }

  // 3. Encode.
  std::vector<std::string> *unresolved = options.allow_undefined ? &out.unresolved : nullptr;
  for (const Placed &p : placed) {
    const AssemblyUnit &u = *p.unit;
    std::multimap<uint32_t, std::string> labels_at;
    for (const auto &[name, sym] : u.symbols)
      if (sym.defined && sym.label && sym.section >= 0 && name.rfind(".L.", 0) != 0)
        labels_at.emplace(p.base[static_cast<size_t>(sym.section)] + static_cast<uint32_t>(sym.value), name);

    for (size_t si = 0; si < u.sections.size(); ++si) {
      const Section &s = u.sections[si];
      LinkedSection ls;
      ls.name = s.name;
      ls.address = p.base[si];
      ls.alignment = s.alignment;
      ls.code = s.code;
      ls.unit = u.source;
      ls.bytes.assign(s.size, 0);
      for (size_t ii = 0; ii < s.items.size(); ++ii) {
        const Item &item = s.items[ii];
        if (item.context != ContextKind::unknown && ls.context == ContextKind::unknown) ls.context = item.context;
        uint32_t addr = ls.address + item.offset;
        ListingLine line;
        line.address = addr;
        line.pos = item.pos;
        line.section = s.name;
        for (auto [it, end] = labels_at.equal_range(addr); it != end; ++it) line.labels.push_back(it->second);
        auto evaluator = [&](std::string_view text, size_t operand_offset) -> int64_t {
          EvalContext ctx = EvalContext::for_item(u, static_cast<int>(si), item, operand_offset);
          ctx.undefined_is_external = true; // resolved against the other sources' globals
          Value v = evaluate(text, ctx);
          return resolve(v, p, globals, item, item.pos_at(operand_offset), unresolved);
        };
        if (item.kind == Item::Kind::data) {
          std::copy(item.bytes.begin(), item.bytes.end(), ls.bytes.begin() + item.offset);
          for (const Fixup &f : item.fixups) {
            EvalContext ctx = EvalContext::for_fixup(u, static_cast<int>(si), item, f);
            ctx.undefined_is_external = true;
            int64_t v = resolve(evaluate(f.expression, ctx), p, globals, item, f.pos, unresolved);
            for (uint32_t b = 0; b < f.size; ++b)
              ls.bytes[item.offset + f.offset + b] = static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * b));
          }
          line.data.assign(ls.bytes.begin() + item.offset, ls.bytes.begin() + item.offset + item.size());
          line.text = data_text(item);
          out.listing.push_back(std::move(line));
          continue;
        }
        if (item.bundle_second) continue; // encoded with its first half
        if (item.mnemonic == "ldconst") {
          std::vector<isa::Instruction> seq = expand_ldconst(item, evaluator);
          std::string text;
          for (size_t k = 0; k < seq.size(); ++k) {
            uint32_t w = isa::encode(seq[k], false);
            std::memcpy(ls.bytes.data() + item.offset + 4 * k, &w, 4);
            line.words.push_back(w);
            text += (k ? " ; " : "") + isa::disassemble(seq[k]);
          }
          line.text = text;
          out.listing.push_back(std::move(line));
          continue;
        }
        isa::Instruction first = parse_instruction(item, evaluator);
        if (!item.bundle_first) {
          uint32_t w = isa::encode(first, false);
          std::memcpy(ls.bytes.data() + item.offset, &w, 4);
          line.words = {w};
          line.text = isa::disassemble(first, item.context == ContextKind::supervisor);
          out.listing.push_back(std::move(line));
          continue;
        }
        if (ii + 1 >= s.items.size() || !s.items[ii + 1].bundle_second)
          throw item.error("bundle has no second instruction");
        const Item &item2 = s.items[ii + 1];
        isa::Instruction second = parse_instruction(item2, [&](std::string_view text, size_t off) -> int64_t {
          EvalContext ctx = EvalContext::for_item(u, static_cast<int>(si), item2, off);
          ctx.undefined_is_external = true;
          return resolve(evaluate(text, ctx), p, globals, item2, item2.pos_at(off), unresolved);
        });
        if (addr % 8 != 0)
          throw item.error(fmt::format("bundle at 0x{:x} is not 8-byte aligned (bundles must start at a multiple of 8)",
                                       addr));
        const isa::Form &f1 = isa::form(first.op), &f2 = isa::form(second.op);
        if (f1.pipe == isa::Pipe::AUX && f2.pipe == isa::Pipe::MAIN) std::swap(first, second);
        const isa::Form &m = isa::form(first.op), &a = isa::form(second.op);
        if (m.pipe != isa::Pipe::MAIN || a.pipe != isa::Pipe::AUX)
          throw item.error(fmt::format("a bundle needs one main-pipeline and one auxiliary-pipeline instruction; "
                                       "'{}' and '{}' are both {}",
                                       m.mnemonic, a.mnemonic, m.pipe == isa::Pipe::MAIN ? "main" : "auxiliary"));
        uint32_t w1 = isa::encode(first, true), w2 = isa::encode(second, false);
        std::memcpy(ls.bytes.data() + item.offset, &w1, 4);
        std::memcpy(ls.bytes.data() + item.offset + 4, &w2, 4);
        line.words = {w1, w2};
        bool sup = item.context == ContextKind::supervisor;
        line.text = "{ " + isa::disassemble(first, sup) + " ; " + isa::disassemble(second, sup) + " }";
        out.listing.push_back(std::move(line));
      }
      out.sections.push_back(std::move(ls));
    }
  }
  return out;
}

} // namespace ipusim::assembler
