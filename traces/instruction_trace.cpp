#include "traces/instruction_trace.hpp"

#include <fmt/format.h>

namespace ipusim::traces {

InstructionTrace::InstructionTrace(PerfettoJsonWriter &writer, TraceWindow window, unsigned tile_id, unsigned workers)
    : writer_(writer), window_(window), pid_(static_cast<int>(tile_id)), slots_(workers) {
  writer_.process_name(pid_, fmt::format("tile {}", tile_id));
  writer_.thread_name(pid_, 0, "supervisor");
  writer_.thread_sort_index(pid_, 0, 0);
  for (unsigned w = 1; w <= workers; ++w) {
    writer_.thread_name(pid_, static_cast<int>(w), fmt::format("worker {}", w - 1));
    writer_.thread_sort_index(pid_, static_cast<int>(w), static_cast<int>(w));
  }
  writer_.thread_name(pid_, kStallTrack, "pipeline stalls");
  writer_.thread_sort_index(pid_, kStallTrack, kStallTrack);
}

const InstructionTrace::Text &InstructionTrace::text_of(uint32_t pc, bool sup, const tile::DecodedWord &first,
                                                       const tile::DecodedWord *second) {
  uint64_t key = (uint64_t(pc) << 1) | (sup ? 1u : 0u);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  std::string text = isa::disassemble(first.insn, sup);
  std::string name(isa::form(first.insn.op).mnemonic);
  if (second) {
    text = "{ " + text + " ; " + isa::disassemble(second->insn, sup) + " }";
    name += " + ";
    name += isa::form(second->insn.op).mnemonic;
  }
  Text t{PerfettoJsonWriter::json_string(name), PerfettoJsonWriter::json_string(text), PerfettoJsonWriter::pc_text(pc)};
  return cache_.emplace(key, std::move(t)).first->second;
}

void InstructionTrace::on_issue(uint64_t cycle, unsigned context, uint32_t pc, const tile::DecodedWord &first,
                                const tile::DecodedWord *second, uint64_t thread_cycles) {
  if (!window_.contains(cycle)) return; // cheap rejection before any formatting
  const Text &t = text_of(pc, context == 0, first, second);
  writer_.complete_preformatted(pid_, static_cast<int>(context), t.name, cycle, thread_cycles * slots_, t.pc, t.text);
}

void InstructionTrace::on_stall(uint64_t cycle, uint64_t cycles, const char *reason) {
  if (!window_.contains(cycle)) return;
  writer_.complete(pid_, kStallTrack, reason, cycle, cycles, 0, fmt::format("{} cycle(s)", cycles));
}

} // namespace ipusim::traces
