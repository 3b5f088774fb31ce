// ipusim performance workload: STREAM triad a[i] = b[i] + s * c[i] in fp32,
// repeated REPS times over the same arrays (configs/bench/triad/triad.S, the
// microbenchmark, runs it once). Six workers, each on its own chunk; the
// inner loop is two bundles per float pair, software-pipelined as in triad.S.
#include "poplar/TileConstants.hpp"

#define VOFF_A      0
#define VOFF_B      1
#define VOFF_C      2
#define VOFF_S      3   // the scalar, fp32
#define VOFF_N      4   // pairs computed per worker (>= 1)
#define VOFF_CHUNK  5   // pairs from one worker's chunk to the next
#define VOFF_REPS   6   // passes over the arrays (>= 1)

  .section .text.triad_loop, "ax"
  .worker
  .align 8
  .globl triad_loop
triad_loop:
  get      $m0, $WSR
  and      $m0, $m0, CSR_W_WSR__CTXTID_M1__MASK
  ld32     $m1, $mvertex_base, VOFF_A
  ld32     $m2, $mvertex_base, VOFF_B
  ld32     $m3, $mvertex_base, VOFF_C
  ld32     $a6, $mvertex_base, VOFF_S
  ld32     $m6, $mvertex_base, VOFF_N
  ld32     $m7, $mvertex_base, VOFF_CHUNK
  ld32     $m10, $mvertex_base, VOFF_REPS
  mul      $m8, $m0, $m7
  shl      $m8, $m8, 3                  // this worker's chunk, in bytes
  add      $m1, $m1, $m8
  add      $m2, $m2, $m8
  add      $m3, $m3, $m8
  add      $m6, $m6, -1
  add      $m10, $m10, -1
pass:
  tapack   $m4:5, $m3, $m2, $mzero      // address 0 = c, address 1 = b
  setzi    $m9, 0
  ld2x64pace $a0:1, $a2:3, $m4:5+=, $mzero, 0
  f32v2mul $a4:5, $a6:B, $a0:1
  rpt      $m6, (2f - 1f) / 8 - 1
1:
  { ld2x64pace $a0:1, $a2:3, $m4:5+=, $mzero, 0
    f32v2add $a8:9, $a4:5, $a2:3 }
  { st64step $a8:9, $m1, $m9+=, 1
    f32v2mul $a4:5, $a6:B, $a0:1 }
2:
  f32v2add $a8:9, $a4:5, $a2:3
  st64step $a8:9, $m1, $m9+=, 1
  brnzdec  $m10, pass
  exitz    $mzero
