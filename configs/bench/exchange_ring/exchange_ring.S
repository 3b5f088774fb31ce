// ipusim microbenchmark: every tile sends N words to the next tile at once.
// After an internal sync every tile resumes at the same cycle R, arms its
// receive from the previous tile (tile t listens to t - 1, tile 0 to the
// last tile), sends the N words of `src` to tile t + 1 and waits in `sync 0`
// until the previous tile's N words are in `buf`. Each tile stores its
// $COUNT_L readings in `times`:
//   {R, R + 12 (the `get` before the send), R + 24 (the `get` after it),
//    cycle at which its `sync 0` released (its last word + 1)}
// The send issues one thread cycle after the `get` before it (R + 18).
// Tile t's words reach t + 1 after latency(t, t + 1): every fourth link
// crosses a column, and the wrap from the last tile to tile 0 also crosses
// every supertile, so that link sets the end of the exchange. `sync 0`
// issues at R + 30 and cannot release before R + 36, so the release marks the
// last arrival only for N >= 8 (the driver uses 2048 and 4096).
#include "poplar/TileConstants.hpp"

#ifndef N
#define N 1                       // words each tile sends (send takes a 16-bit count)
#endif

#define VOFF_SRC   0              // N words to send (random data, different on every tile)
#define VOFF_BUF   1              // N words received from the previous tile
#define VOFF_TIMES 2              // 4 words: the $COUNT_L readings
#define VOFF_TILES 3              // tiles in the run (program.tiles)

  .section .text.exchange_ring, "ax"
  .supervisor
  .align 8
  .globl exchange_ring
// Registers: $m0-$m8 only ($m9-$m13 are $fp, $lr, $sp and the base pointers).
exchange_ring:
  get      $m0, $TILE_ID
  ld32     $m2, $mvertex_base, VOFF_SRC
  ld32     $m3, $mvertex_base, VOFF_BUF
  ld32     $m4, $mvertex_base, VOFF_TIMES
  ld32     $m1, $mvertex_base, VOFF_TILES
  add      $m5, $m0, -1           // previous tile, wrapping at 0
  brpos    $m5, 1f
  add      $m5, $m1, -1
1:
  put      $INCOMING_MUX, $m5     // listen to the previous tile's bus
  put      $INCOMING_BASE, $m3    // (no words expected yet: nothing is taken)
  setzi    $m6, N
  sync     3                      // release R: every tile in lockstep
  get      $m7, $COUNT_L          // R
  put      $INCOMING_DCOUNT, $m6  // R + 6: armed before any word can arrive
  get      $m8, $COUNT_L          // R + 12
  send     $m2, N                 // R + 18: the first word leaves now
  get      $m0, $COUNT_L          // R + 24 (the driver checks the gaps)
  sync     0                      // until the previous tile's N words have arrived
  get      $m1, $COUNT_L          // the release of sync 0
  st32     $m7, $mzero, $m4, 0
  st32     $m8, $mzero, $m4, 1
  st32     $m0, $mzero, $m4, 2
  st32     $m1, $mzero, $m4, 3
  br       $lr
