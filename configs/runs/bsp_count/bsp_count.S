// ipusim example: every tile of the chip runs this supervisor codelet (SPMD).
// Each superstep, tile t adds t to a running sum, finds t mod 7 by repeated
// subtraction (t / 7 iterations) and spins t mod 7 times, so the tiles are
// unevenly loaded; then all tiles synchronise on the internal zone. After REPEATS+1 supersteps each tile stores {sum, tile id}.
#include "poplar/TileConstants.hpp"

#define REPEATS 3

  .section .text.bsp_count, "ax"
  .supervisor
  .align 4
  .globl bsp_count
bsp_count:
  get     $m0, $TILE_ID
  setzi   $m1, REPEATS
  ld32    $m2, $mvertex_base, 0     // out
  setzi   $m3, 0                    // sum
superstep:
  add     $m3, $m3, $m0
  // m4 = t mod 7 by repeated subtraction, then spin m4 times
  add     $m4, $m0, 0
1:
  cmpult  $m5, $m4, 7
  brnz    $m5, 2f
  add     $m4, $m4, -7
  bri     1b
2:
  brz     $m4, 4f
3:
  brnzdec $m4, 3b
4:
  sync    3                         // TEXCH_SYNCZONE_INTERNAL: every tile of the IPU
  brnzdec $m1, superstep
  st32    $m3, $mzero, $m2, 0
  st32    $m0, $mzero, $m2, 1
  br      $lr
