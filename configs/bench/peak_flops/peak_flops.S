// ipusim microbenchmark: peak vector arithmetic of one tile without the AMP.
// All six workers run one aux-pipeline multiply per issue in a
// zero-overhead loop: x = x * y on an fp32 pair (f32v2mul, HALF=0) or on
// four halves (f16v4mul, HALF=1), N times, then store x at out[worker].
// The chain is dependent on purpose: the result is x0 * y^N rounded at
// every step, which the driver recomputes on the host.
#include "poplar/TileConstants.hpp"

#ifndef HALF
#define HALF 0
#endif

#define VOFF_X0   0   // x: two 32-bit words (a pair of fp32 or four fp16)
#define VOFF_X1   1
#define VOFF_Y0   2   // y: likewise
#define VOFF_Y1   3
#define VOFF_OUT  4
#define VOFF_N    5   // multiplies per worker

  .section .text.peak_flops, "ax"
  .worker
  .align 8
  .globl peak_flops
peak_flops:
  get      $m0, $WSR
  and      $m0, $m0, CSR_W_WSR__CTXTID_M1__MASK
  ld32     $a0, $mvertex_base, VOFF_X0
  ld32     $a1, $mvertex_base, VOFF_X1
  ld32     $a2, $mvertex_base, VOFF_Y0
  ld32     $a3, $mvertex_base, VOFF_Y1
  ld32     $m1, $mvertex_base, VOFF_OUT
  ld32     $m2, $mvertex_base, VOFF_N
  rpt      $m2, (2f - 1f) / 8 - 1
1:
  { nop
#if HALF
    f16v4mul $a0:1, $a0:1, $a2:3 }
#else
    f32v2mul $a0:1, $a0:1, $a2:3 }
#endif
2:
  shl      $m3, $m0, 3
  st64     $a0:1, $m1, $m3, 0
  exitz    $mzero
