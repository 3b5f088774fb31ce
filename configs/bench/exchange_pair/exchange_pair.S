// ipusim microbenchmark: one exchange transfer, tile 0 -> tile DEST.
// Every tile runs this (SPMD, program.tiles >= DEST + 1). After an internal
// sync every tile resumes at the same cycle R; tile 0 sends the N words of
// `src` to tile DEST, which stores them in `buf`; the other tiles only sync.
// Both tiles read $COUNT_L (the tile's cycle counter, the same on every
// tile in ipusim) around the transfer and store the readings in `times`:
//   sender:   {R, R + 6 (the `get` before the send), R + 18 (the `get` after it), 0}
//   receiver: {R, cycle at which its `sync 0` released (last word + 1), 0, 1}
// so the driver can check the lockstep, find the send's issue cycle (one
// thread cycle after the `get` before it: R + 12) and derive latency (N = 1)
// and bandwidth (two values of N). The send waits one extra thread cycle so
// that the receiver is already waiting in `sync 0` (issued at R + 12, so it
// cannot release before R + 18) when even the closest word arrives (R + 12 +
// send_cycles + receive_cycles): the release then marks the arrival.
//
// Exchange in ipusim's model (docs/model.md): the receiver selects the
// sender's bus ($INCOMING_MUX) and the destination ($INCOMING_BASE) before
// the sync (no words are expected yet, so nothing is taken), arms
// $INCOMING_DCOUNT right after it (R + 6), before the first word can arrive,
// and waits with `sync 0`.
#include "poplar/TileConstants.hpp"

#ifndef N
#define N 1                       // words to send (send takes a 16-bit count)
#endif

#define VOFF_DEST  0              // receiving tile id
#define VOFF_SRC   1              // N words to send (random data)
#define VOFF_BUF   2              // N words received
#define VOFF_TIMES 3              // 4 words: three $COUNT_L readings and the role (1 = receiver)

  .section .text.exchange_pair, "ax"
  .supervisor
  .align 8
  .globl exchange_pair
// Registers: $m0-$m8 only ($m9-$m13 are $fp, $lr, $sp and the base pointers).
exchange_pair:
  get      $m0, $TILE_ID
  ld32     $m1, $mvertex_base, VOFF_DEST
  ld32     $m2, $mvertex_base, VOFF_SRC
  ld32     $m3, $mvertex_base, VOFF_BUF
  ld32     $m4, $mvertex_base, VOFF_TIMES
  brz      $m0, sender
  cmpeq    $m5, $m0, $m1
  brnz     $m5, receiver
  sync     3                      // bystanders: take part in the sync only
  br       $lr

receiver:
  setzi    $m5, 0
  put      $INCOMING_MUX, $m5     // listen to tile 0's bus
  put      $INCOMING_BASE, $m3
  setzi    $m6, N
  setzi    $m5, 1                 // role: receiver
  sync     3                      // release R: sender and receiver in lockstep
  get      $m7, $COUNT_L          // R
  put      $INCOMING_DCOUNT, $m6  // R + 6
  sync     0                      // until the N words have arrived
  get      $m8, $COUNT_L          // the release of sync 0
  st32     $m7, $mzero, $m4, 0
  st32     $m8, $mzero, $m4, 1
  st32     $m5, $mzero, $m4, 3
  br       $lr

sender:
  sync     3                      // release R
  get      $m7, $COUNT_L          // R
  get      $m8, $COUNT_L          // R + 6
  send     $m2, N                 // R + 12: the first word leaves now
  get      $m5, $COUNT_L          // R + 18 (the driver checks the gaps)
  st32     $m7, $mzero, $m4, 0
  st32     $m8, $mzero, $m4, 1
  st32     $m5, $mzero, $m4, 2
  br       $lr
