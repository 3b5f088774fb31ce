// ipusim microbenchmark: internal (all-tile) sync latency.
// Every tile's supervisor runs K+1 supersteps of trivial work (one add),
// each ending in an internal sync (USE_SYNC=1) or a nop in its place
// (USE_SYNC=0, the control that costs the same issue slot). The driver
// takes the difference per superstep. Each tile stores its superstep count.
#include "poplar/TileConstants.hpp"

#ifndef USE_SYNC
#define USE_SYNC 1
#endif

  .section .text.sync_bench, "ax"
  .supervisor
  .align 4
  .globl sync_bench
sync_bench:
  ld32     $m1, $mvertex_base, 0     // K: supersteps - 1
  ld32     $m2, $mvertex_base, 1     // out
  setzi    $m3, 0
superstep:
  add      $m3, $m3, 1
#if USE_SYNC
  sync     3                         // internal zone: every tile of the IPU
#else
  nop
#endif
  brnzdec  $m1, superstep
  st32     $m3, $mzero, $m2, 0
  br       $lr
