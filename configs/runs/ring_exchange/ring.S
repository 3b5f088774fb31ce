// ipusim example: a ring exchange over every tile of the chip (SPMD).
// Each tile starts with local = {t, t, t, t}. In each of ROUNDS rounds, after
// an internal sync, every tile sends its four words to the next tile and
// receives the previous tile's, then sets local = received + 1. After the
// rounds, local = ((t - ROUNDS) mod tiles) + ROUNDS on every tile.
//
// Exchange in ipusim's model (docs/model.md): the receiver selects its sender
// with $INCOMING_MUX, says where and how much with $INCOMING_BASE and
// $INCOMING_DCOUNT, and `sync 0` waits for the words; `send` puts words on
// the sender's own bus. Every tile runs the same code from the same release
// cycle, so each receiver is listening before its sender's words arrive.
#include "poplar/TileConstants.hpp"

#define ROUNDS 3

// Vertex state: local (4 words), number of tiles, receive buffer (4 words).
#define VOFF_LOCAL 0
#define VOFF_TILES 1
#define VOFF_INBUF 2

  .section .text.ring, "ax"
  .supervisor
  .align 4
  .globl ring
ring:
  get     $m0, $TILE_ID
  ld32    $m8, $mvertex_base, VOFF_LOCAL
  ld32    $m9, $mvertex_base, VOFF_TILES
  ld32    $m7, $mvertex_base, VOFF_INBUF
  add     $m6, $m0, -1                // previous tile, wrapping at 0
  brpos   $m6, 1f
  add     $m6, $m9, -1
1:
  st32    $m0, $mzero, $m8, 0
  st32    $m0, $mzero, $m8, 1
  st32    $m0, $mzero, $m8, 2
  st32    $m0, $mzero, $m8, 3
  setzi   $m1, ROUNDS - 1
round:
  sync    3                           // every tile: the exchange starts in lockstep
  put     $INCOMING_MUX, $m6
  put     $INCOMING_BASE, $m7
  setzi   $m2, 4
  put     $INCOMING_DCOUNT, $m2
  send    $m8, 4
  sync    0                           // until the four words have arrived
  ld32    $m3, $m7, $mzero, 0
  add     $m3, $m3, 1
  st32    $m3, $mzero, $m8, 0
  ld32    $m3, $m7, $mzero, 1
  add     $m3, $m3, 1
  st32    $m3, $mzero, $m8, 1
  ld32    $m3, $m7, $mzero, 2
  add     $m3, $m3, 1
  st32    $m3, $mzero, $m8, 2
  ld32    $m3, $m7, $mzero, 3
  add     $m3, $m3, 1
  st32    $m3, $mzero, $m8, 3
  brnzdec $m1, round
  br      $lr
