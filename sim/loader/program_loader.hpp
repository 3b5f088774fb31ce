// Loads a run's program onto one tile: assembles the sources, places code,
// the boot stub, the vertex state, the worker scratch areas and the tensors in
// SRAM, fills the tensors' initial data, and starts the supervisor.
//
// Memory map (low to high): code sections; the boot stub; the vertex state;
// 6 worker scratch areas ($WORKERn_BASE); the supervisor stack; tensors in the
// non-interleaved region; tensors in the interleaved region.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/tile/tile_core.hpp"
#include "sim/assembler/assembler.hpp"
#include "sim/assembler/linker.hpp"
#include "sim/config/tree.hpp"
#include "sim/io/npy.hpp"
#include "sim/loader/dtype.hpp"
#include "sim/loader/tile_allocator.hpp"

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
  int fp8_scale = 0; // FP8 dtypes: code c stands for value(c) * 2^fp8_scale
};

// A linked program's code sections, decoded once for every tile that loads
// the program (in section order).
using DecodedCode = std::vector<std::shared_ptr<const tile::CodeSegment>>;
DecodedCode decode_linked(const assembler::LinkedProgram &program);

// A program laid out for a tile, the same for every tile that runs it.
struct LoadedProgram {
  assembler::LinkedProgram code;
  assembler::LinkedProgram stub; // the boot stub
  DecodedCode code_decoded, stub_decoded;
  std::vector<PlacedTensor> tensors;
  TileAllocator memory{tile::SramParams{}, 0}; // where everything went
  std::vector<uint8_t> vertex_state;
  uint32_t entry = 0, boot = 0, exit = 0, vertex = 0, scratch = 0;
  std::string start; // supervisor, worker, all_workers
  unsigned tiles = 1;
};

// Assembles and lays out the run config's "program" node for tiles with this
// SRAM. Throws InputError at the offending key's location.
LoadedProgram prepare_program(const config::ConfigNode &program, unsigned arch_version, const tile::TileParams &tile);

// Writes the program, its vertex state and tile `tile_id`'s tensor data into
// `core` and starts its supervisor. Random data depends on the seed and the
// tile; a .npy input either has the tensor's shape (every tile gets it) or a
// leading dimension of `tiles` (tile t gets slice t).
void install_program(const LoadedProgram &p, const config::ConfigNode &program, uint64_t run_seed, unsigned tile_id,
                     tile::TileCore &core);

// Fills `dst` with a tensor's initial data from its `init` node (npy, fill or
// random; per-tile random data for tile > 0; an npy with a leading `tiles`
// dimension gives tile t its slice). Host streams use it too, with the
// `data` key and one slice per use of the stream.
struct DataSlices {
  const char *key = "init";  // the node's key holding npy/fill/random
  const char *noun = "tile"; // what a slice is for, in messages
};
void fill_tensor(const config::ConfigNode &tensor, const PlacedTensor &pt, uint64_t run_seed, unsigned tile,
                 unsigned tiles, uint8_t *dst, DataSlices slices = {});
// The 32-bit word of a scalar vertex field (uint, int, float, half), range-checked.
uint32_t vertex_scalar_word(const config::ConfigNode &field);

// Shared by the program and graph loaders:
// the assembler options a `sources`/`include_dirs`/`defines` node asks for;
assembler::AssembleOptions assemble_options_from(const config::ConfigNode &node, unsigned arch_version);
// the elements of a tensor of shape `shape`, failing at the node's `shape` key when absurdly large;
uint64_t element_count(const config::ConfigNode &tensor, const std::vector<uint64_t> &shape);
// a linked program written into a tile: code pre-decoded, data copied;
void load_linked(tile::TileCore &core, const assembler::LinkedProgram &program);
// the same with its code decoded beforehand (decode_linked of that program), shared.
void load_linked(tile::TileCore &core, const assembler::LinkedProgram &program, const DecodedCode &decoded);

// prepare_program + install_program for one tile.
LoadedProgram load_program(const config::ConfigNode &program, unsigned arch_version, uint64_t run_seed,
                           tile::TileCore &core);

// The contents of a placed tensor after the run.
NpyArray read_tensor(const tile::TileCore &core, const PlacedTensor &t);

// The tile's memory: every block with the gaps between them, used and free
// bytes, totals by kind.
std::string memory_report(const LoadedProgram &p);

} // namespace ipusim::loader
