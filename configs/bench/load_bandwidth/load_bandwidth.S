// ipusim microbenchmark: load bandwidth of one tile.
// All six workers stream their own chunk of `in` with one 128-bit load per
// issue (ld128step, interleaved region), N loads each in a zero-overhead
// loop. The aux pipeline of the same bundle adds the low 64 bits of the
// previous load into an fp32 pair, so the data are used and checkable:
// out[w] = {sum of in[w*stride*4 + 4i], sum of in[w*stride*4 + 4i + 1]}.
#include "poplar/TileConstants.hpp"

#define VOFF_IN      0
#define VOFF_OUT     1
#define VOFF_N       2   // 128-bit loads per worker (>= 1)
#define VOFF_STRIDE  3   // 128-bit words from one worker's chunk to the next

  .section .text.load_bandwidth, "ax"
  .worker
  .align 8
  .globl load_bandwidth
load_bandwidth:
  get      $m0, $WSR
  and      $m0, $m0, CSR_W_WSR__CTXTID_M1__MASK
  ld32     $m1, $mvertex_base, VOFF_IN
  ld32     $m2, $mvertex_base, VOFF_OUT
  ld32     $m3, $mvertex_base, VOFF_N
  ld32     $m4, $mvertex_base, VOFF_STRIDE
  mul      $m5, $m0, $m4
  shl      $m5, $m5, 4                 // this worker's chunk, in bytes
  add      $m1, $m1, $m5
  setzi    $m6, 0
  add      $m3, $m3, -1
  setzi    $a4, 0
  setzi    $a5, 0
  ld128step $a0:3, $m1, $m6+=, 1
  rpt      $m3, (2f - 1f) / 8 - 1
1:
  { ld128step $a0:3, $m1, $m6+=, 1
    f32v2add $a4:5, $a4:5, $a0:1 }     // reads the previous load's data
2:
  f32v2add $a4:5, $a4:5, $a0:1
  shl      $m7, $m0, 3
  st64     $a4:5, $m2, $m7, 0
  exitz    $mzero
