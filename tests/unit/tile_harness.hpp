// Test harness: assemble a small program from text (no cpp), load it on a
// TileCore with default GC2-like parameters and run the supervisor from
// `main` until it branches to `done`.
#pragma once

#include <cstring>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <memory>
#include <string>

#include "models/tile/tile_core.hpp"
#include "sim/assembler/assembler.hpp"
#include "sim/assembler/linker.hpp"
#include "sim/assembler/unit.hpp"
#include "sim/loader/program_loader.hpp"

namespace ipusim::test {

struct TileRun {
  tile::TileCore core;
  assembler::LinkedProgram program;

  explicit TileRun(const tile::TileParams &p) : core(p) {}
  uint32_t sym(const std::string &name) const { return program.symbols.at(name); }
  uint32_t word(const std::string &name, unsigned index = 0) const {
    return core.sram().read<uint32_t>(sym(name) + 4 * index);
  }
};

inline tile::TileParams default_params() {
  tile::TileParams p; // Mk1 map: 256 KiB at 0x40000, interleaved from 0x60000
  p.watchdog_cycles = 10000;
  p.max_cycles = 1000000;
  return p;
}

// Assembles `text` (through cpp, as real sources go, so // comments work) for
// a tile with parameters `p`.
inline assembler::LinkedProgram assemble_program(const std::string &text, const tile::TileParams &p) {
  static int counter = 0;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "ipusim_tile_tests";
  std::filesystem::create_directories(dir);
  std::filesystem::path file = dir / ("t" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".S");
  std::ofstream(file) << text;
  assembler::FrontEndOptions fe;
  fe.source = file.string();
  fe.layout = assembler::layout_options();
  std::vector<assembler::AssemblyUnit> units{assembler::assemble_front_end(fe)};
  std::filesystem::remove(file);
  assembler::LinkOptions lo;
  lo.base_address = p.sram.base_address;
  lo.limit_address = p.sram.base_address + p.sram.size_bytes;
  return assembler::link(units, lo);
}

// Puts a program in a tile and starts its supervisor at `main`; it ends at `done`.
inline void load_into(tile::TileCore &core, const assembler::LinkedProgram &program) {
  loader::load_linked(core, program);
  for (unsigned w = 0; w < 6; ++w) core.set_worker_base(w, 0x5F000 + 0x100 * w);
  core.start_supervisor(program.symbols.at("main"), program.symbols.at("done"));
}

// Loads without running (call run.core.run(...) yourself).
inline std::unique_ptr<TileRun> load(const std::string &text, tile::TileParams p = default_params()) {
  auto r = std::make_unique<TileRun>(p);
  r->program = assemble_program(text, p);
  load_into(r->core, r->program);
  return r;
}

inline std::unique_ptr<TileRun> run(const std::string &text, tile::TileParams p = default_params()) {
  auto r = load(text, p);
  r->core.run(p.max_cycles);
  return r;
}

// A program whose single worker runs `body` (then exitz); data labels may follow in `data`.
inline std::string worker_program(const std::string &body, const std::string &data = "") {
  return ".section .text.sup, \"ax\"\n.supervisor\n.align 8\nmain:\n  setzi $m0, worker\n  setzi $m1, vstate\n"
         "  run $m0, $m1, 0\n  sync 2\n  bri done\ndone:\n  nop\n"
         ".section .text.w, \"ax\"\n.worker\n.align 8\nworker:\n" +
         body + "\n  exitz $mzero\n.section .data, \"aw\"\n.align 16\nvstate:\n  .word 0\n" + data + "\n";
}

} // namespace ipusim::test
