// A worker codelet for the compiled-program example: multiplies n pairs of
// floats at `ptr` by `scale` in place.
#include "poplar/TileConstants.hpp"

  .section .text.scale_f32, "ax"
  .worker
  .align 8
  .globl scale_f32
scale_f32:
  ld32     $m0, $mvertex_base, 0          // ptr
  ld32     $m1, $mvertex_base, 1          // pairs
  ld32     $a0, $mzero, $mvertex_base, 2  // scale
  setzi    $m2, 0
  rpt      $m1, (2f - 1f) / 8 - 1
1:
  { ld64     $a2:3, $m0, $m2, 0
    fnop }
  { nop
    f32v2mul $a2:3, $a0:B, $a2:3 }
  { st64step $a2:3, $m0, $m2+=, 1
    fnop }
2:
  exitz    $mzero
