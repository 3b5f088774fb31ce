// Lowers a compiled program (the run config's `graph`: tensors mapped over
// tiles, vertices, compute sets, a control program) onto the tiles of a
// chip. Per tile: the codelets' code (the same on every tile), the tensor
// regions mapped to it, the vertex states of its vertices, a scratch area
// per worker, a supervisor stack, and the control program compiled into
// supervisor code of its own (ipusim's stand-in for the runtime):
//   execute: start the tile's worker vertices of the compute set on free
//            workers (six at a time), call its supervisor vertices, then
//            `sync 2`;
//   sync:    `sync 3`, the internal BSP sync of all tiles;
//   copy:    per round of its schedule: `sync 3`, receivers set
//            $INCOMING_MUX/BASE/DCOUNT while senders wait the same six
//            issues, senders `send`, receivers `sync 0`;
//   repeat:  a counter kept in the tile's memory around the body.
// Every block is placed by the tile's allocator (sim/loader/tile_allocator).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/tile/tile_core.hpp"
#include "sim/assembler/linker.hpp"
#include "sim/config/tree.hpp"
#include "sim/io/npy.hpp"
#include "sim/loader/program_loader.hpp"
#include "sim/loader/tile_allocator.hpp"

namespace ipusim::loader {

struct TensorRegion {
  unsigned tile;
  uint64_t begin, end; // elements of the flattened tensor
  uint32_t address;    // on that tile
};

struct GraphTensor {
  PlacedTensor info; // name, dtype, shape, bytes of the whole tensor, output
  std::vector<TensorRegion> regions;
};

// One send of a copy: words from one tile's region to every receiver listed
// (tile, address); a broadcast costs the sender one send.
struct CopyReceiver {
  unsigned tile;
  uint32_t addr;
};
struct CopyPiece {
  unsigned src_tile;
  uint32_t src_addr;
  uint32_t words;
  std::vector<CopyReceiver> receivers;
};
// A copy scheduled into rounds: in a round each tile sends at most one piece
// and receives at most one, so no receiver ever needs two senders at once.
struct CopyPlan {
  std::string name;
  std::vector<std::vector<CopyPiece>> rounds;
};

struct GraphTile {
  TileAllocator memory{tile::SramParams{}, 0};
  assembler::LinkedProgram control; // the tile's compiled control program
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> vertex_states; // address, bytes
  uint32_t scratch = 0, boot = 0, exit = 0;
};

struct GraphProgram {
  unsigned tiles = 0;
  assembler::LinkedProgram code;
  DecodedCode code_decoded; // the codelets, decoded once for every tile
  std::vector<GraphTensor> tensors;
  std::vector<CopyPlan> copies;
  std::vector<GraphTile> per_tile;
};

// Throws InputError at the offending key's location.
GraphProgram prepare_graph(const config::ConfigNode &graph, unsigned arch_version, const tile::TileParams &tile);
// Writes every tile's part of the program and the tensors' initial data
// (each whole tensor generated once, then scattered), and starts the supervisors.
void install_graph(const GraphProgram &g, const config::ConfigNode &graph, uint64_t seed,
                   const std::vector<tile::TileCore *> &cores);
// A whole tensor gathered from its regions on the tiles.
NpyArray gather_tensor(const GraphTensor &t, const std::vector<tile::TileCore *> &cores);
// Writes the same as an .npy file straight from the tiles' memories, without
// a copy of the whole tensor.
void write_tensor_npy(const std::string &path, const GraphTensor &t, const std::vector<tile::TileCore *> &cores);

} // namespace ipusim::loader
