// Reads a resolved machine config into the tile model's plain parameters.
#pragma once

#include "models/tile/tile_params.hpp"
#include "sim/config/tree.hpp"

namespace ipusim::loader {

// Reports what the schema cannot know (the 21-bit address space of packed
// addresses) at the key's file:line:column.
tile::TileParams tile_params_from(const config::ConfigTree &machine);

} // namespace ipusim::loader
