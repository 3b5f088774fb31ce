// ipusim microbenchmark: load-to-use latency.
// One worker chases pointers through a ring of K words (word i holds the
// address of word (i+1) mod K): every ld32 takes its address from the result
// of the previous one, so the loop runs at one load per max(load latency,
// thread cycle). MODE 1 instead reloads from a fixed address (independent
// loads), the control. The worker stores {final pointer, ring base}; after N
// dependent loads the pointer is base + 4 * (N mod K).
#include "poplar/TileConstants.hpp"

#define VOFF_RING  0
#define VOFF_OUT   1
#define VOFF_N     2   // loads to time
#define VOFF_K     3   // ring length in words (>= 2)
#define VOFF_MODE  4   // 0 = dependent chain, 1 = independent loads

  .section .text.load_latency, "ax"
  .worker
  .align 8
  .globl load_latency
load_latency:
  ld32     $m1, $mvertex_base, VOFF_RING
  ld32     $m2, $mvertex_base, VOFF_OUT
  ld32     $m3, $mvertex_base, VOFF_N
  ld32     $m4, $mvertex_base, VOFF_K
  ld32     $m8, $mvertex_base, VOFF_MODE
  // Build the ring: K-1 links p -> p+4, then the last word -> base.
  add      $m5, $m1, 0
  add      $m6, $m4, -2
1:
  add      $m7, $m5, 4
  st32     $m7, $mzero, $m5, 0
  add      $m5, $m7, 0
  brnzdec  $m6, 1b
  st32     $m1, $mzero, $m5, 0
  add      $m0, $m1, 0
  brnz     $m8, independent

  rpt      $m3, (2f - 1f) / 8 - 1
1:
  { ld32     $m0, $m0, $mzero, 0            // address = previous result
    fnop }
2:
  bri      done

independent:
  rpt      $m3, (2f - 1f) / 8 - 1
1:
  { ld32     $m9, $m1, $mzero, 0            // same address every time
    fnop }
2:
  add      $m0, $m9, 0

done:
  st32     $m0, $mzero, $m2, 0
  st32     $m1, $mzero, $m2, 1
  exitz    $mzero
