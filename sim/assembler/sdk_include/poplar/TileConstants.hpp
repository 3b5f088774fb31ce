// ipusim's version of the Poplar SDK header `poplar/TileConstants.hpp`
// (not public). Sources of values are marked as in arch/gc_tile_defines.h.
#ifndef IPUSIM_POPLAR_TILE_CONSTANTS_HPP
#define IPUSIM_POPLAR_TILE_CONSTANTS_HPP

// The older open-source poplibs TileConstants.hpp pulled the tile defines in
// and defined the memory-element size itself ([names]).
#include "arch/gc_tile_defines.h"

// Memory-element size in bytes as poplibs uses it: 16 KiB ([names]; the old
// poplibs header). The Mk2/Bow value is not public: ipusim assumes the same
// ([ipusim]).
#define TMEM_ELEMSIZE 0x4000

#endif // IPUSIM_POPLAR_TILE_CONSTANTS_HPP
