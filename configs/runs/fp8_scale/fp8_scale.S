// ipusim example for the C600's FP8: one worker reads an FP8 tensor (1.4.3,
// scale -2), writes its values doubled as halves, and stores those as a
// second FP8 tensor (1.5.2, scale 3). The format and scale come from each
// tensor's metadata byte, set up the way poplibs' cast codelets do it
// (lib/popops/codelets/inlineAssemblerCast.hpp): the broadcast byte goes to
// $FP_SCL, its sign to $FP_NFMT, and the scale is negated for fp16 -> FP8.
#include "poplar/TileConstants.hpp"

// Vertex state (one 32-bit word per field, see run.yaml).
#define VOFF_X         0
#define VOFF_DOUBLED   1
#define VOFF_Y         2
#define VOFF_GROUPS_M1 3   // groups of 8 elements, minus 1
#define VOFF_X_META    4   // metadata bytes, in the low byte of a word
#define VOFF_Y_META    5

  .section .text.fp8_scale, "ax"
  .worker
  .align 8
  .globl fp8_scale
fp8_scale:
  ld32     $m0, $mvertex_base, $mzero, VOFF_X
  ld32     $m1, $mvertex_base, $mzero, VOFF_DOUBLED
  ld32     $m3, $mvertex_base, $mzero, VOFF_GROUPS_M1
  // FP8 -> half: $FP_SCL = the byte (scale in its low 6 bits), $FP_NFMT =
  // all-ones for 1.4.3 (the broadcast byte's bit 7 is the word's sign bit;
  // bit 6 is clear, so the word is never a NaN).
  ldb8     $a6, $mvertex_base, $mzero, 4 * VOFF_X_META
  uput     $FP_SCL, $a6
  f32cmplt $a7, $a6, $azero
  uput     $FP_NFMT, $a7
1:
  ld64step  $a0:1, $mzero, $m0+=, 1
  f8v4tof16 $a2:3, $a0
  f8v4tof16 $a4:5, $a1
  f16v4add  $a2:3, $a2:3, $a2:3
  f16v4add  $a4:5, $a4:5, $a4:5
  st64step  $a2:3, $mzero, $m1+=, 1
  st64step  $a4:5, $mzero, $m1+=, 1
  brnzdec   $m3, 1b

  // half -> FP8: the same, with $FP_SCL = -scale (0x80 - scale as a denormal
  // half subtraction leaves -scale in the low 6 bits).
  ld32     $m1, $mvertex_base, $mzero, VOFF_DOUBLED
  ld32     $m2, $mvertex_base, $mzero, VOFF_Y
  ld32     $m3, $mvertex_base, $mzero, VOFF_GROUPS_M1
  ldb8     $a6, $mvertex_base, $mzero, 4 * VOFF_Y_META
  f32cmplt $a7, $a6, $azero
  uput     $FP_NFMT, $a7
  and      $a6, $a6, 0x3f
  setzi    $a5, 0x80
  f16v2sub $a6, $a5, $a6
  uput     $FP_SCL, $a6
2:
  ld64step  $a0:1, $mzero, $m1+=, 1
  ld64step  $a2:3, $mzero, $m1+=, 1
  f16v8tof8 $a0:1, $aq0
  st64step  $a0:1, $mzero, $m2+=, 1
  brnzdec   $m3, 2b
  exitz     $mzero
