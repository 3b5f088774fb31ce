// Loads a run's program onto one tile: assembles the sources, places code,
// the boot stub, the vertex state, the worker scratch areas and the tensors in
// SRAM, fills the tensors' initial data, and starts the supervisor.
//
// Memory map (low to high): code sections; the boot stub; the vertex state;
// 6 worker scratch areas ($WORKERn_BASE); the supervisor stack; tensors in the
// non-interleaved region; tensors in the interleaved region.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/tile/tile_core.hpp"
#include "sim/assembler/linker.hpp"
#include "sim/config/tree.hpp"
#include "sim/io/npy.hpp"
#include "sim/loader/dtype.hpp"

namespace ipusim::loader {

constexpr uint32_t kWorkerScratchBytes = 256;  // per worker ($WORKERn_BASE)
constexpr uint32_t kSupervisorStackBytes = 1024;

struct PlacedTensor {
  std::string name;
  DType dtype;
  std::vector<uint64_t> shape;
  uint32_t address = 0;
  uint32_t bytes = 0;
  bool output = false;
};

struct Allocation {
  std::string name;
  std::string kind; // code, stub, vertex, scratch, stack, tensor
  uint32_t address;
  uint32_t bytes;
};

struct LoadedProgram {
  assembler::LinkedProgram code;
  std::vector<PlacedTensor> tensors;
  std::vector<Allocation> allocations;
  uint32_t entry = 0, boot = 0, exit = 0, vertex = 0;
  std::string start; // supervisor, worker, all_workers
};

// `program` is the run config's "program" node. Throws InputError at the
// offending key's location.
LoadedProgram load_program(const config::ConfigNode &program, unsigned arch_version, uint64_t run_seed,
                           tile::TileCore &core);

// The contents of a placed tensor after the run.
NpyArray read_tensor(const tile::TileCore &core, const PlacedTensor &t);

// A per-region usage report: every allocation, used and free bytes.
std::string memory_report(const LoadedProgram &p, const tile::TileCore &core);

} // namespace ipusim::loader
