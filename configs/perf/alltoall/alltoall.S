// ipusim performance workload: an all-to-all exchange over every tile (SPMD).
// Tile t holds one BLOCK-word block for every tile in `sendbuf` (block d for
// tile d) and receives one from every tile into `recvbuf` (block s from tile
// s). In round r = 1 .. ROUNDS, after an internal sync, tile t sends block
// (t + r) mod T while listening to tile (t - r) mod T, then waits in sync 0
// for its BLOCK words: one superstep, one send and one receive per tile per
// round, every route of the chip used once over T - 1 rounds.
#include "poplar/TileConstants.hpp"

#define BLOCK 16   // words per block (the send's count is an immediate)

// Vertex state.
#define VOFF_SEND   0
#define VOFF_RECV   1
#define VOFF_TILES  2
#define VOFF_ROUNDS 3

  .section .text.alltoall, "ax"
  .supervisor
  .align 4
  .globl alltoall
alltoall:
  get     $m0, $TILE_ID
  ld32    $m8, $mvertex_base, VOFF_SEND
  ld32    $m7, $mvertex_base, VOFF_RECV
  ld32    $m9, $mvertex_base, VOFF_TILES
  ld32    $m1, $mvertex_base, VOFF_ROUNDS
  setzi   $m12, BLOCK
  setzi   $m2, 1                      // r
  add     $m1, $m1, -1
round:
  sync    3                           // every tile: the round starts in lockstep
  sub     $m3, $m0, $m2               // the sender: (t - r) mod T
  brpos   $m3, 1f
  add     $m3, $m3, $m9
1:
  put     $INCOMING_MUX, $m3
  mul     $m4, $m3, BLOCK * 4
  add     $m4, $m4, $m7
  put     $INCOMING_BASE, $m4
  put     $INCOMING_DCOUNT, $m12
  add     $m5, $m0, $m2               // the receiver: (t + r) mod T
  cmpult  $m6, $m5, $m9
  brnz    $m6, 2f
  sub     $m5, $m5, $m9
2:
  mul     $m4, $m5, BLOCK * 4
  add     $m4, $m4, $m8
  send    $m4, BLOCK
  sync    0                           // until the block has arrived
  add     $m2, $m2, 1
  brnzdec $m1, round
  br      $lr
