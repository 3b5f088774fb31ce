// ipusim performance workload: sparse matrix-vector product y = A x in fp32,
// A in a padded row format (ELLPACK with row lengths): row r keeps up to K
// values and their column indices at [r * K, r * K + len[r]). Columns are
// random, so the loads of x are irregular gathers, and the row lengths are
// random, so the inner loop's trip count varies row by row. Six workers,
// each on ROWS consecutive rows, REPS passes.
#include "poplar/TileConstants.hpp"

// Vertex state.
#define VOFF_VALS 0
#define VOFF_COLS 1
#define VOFF_LENS 2
#define VOFF_X    3
#define VOFF_Y    4
#define VOFF_ROWS 5   // rows per worker
#define VOFF_K    6   // slots per row
#define VOFF_REPS 7

  .section .text.spmv, "ax"
  .worker
  .align 8
  .globl spmv
spmv:
  ld32     $m10, $mvertex_base, VOFF_REPS
  add      $m10, $m10, -1
pass:
  get      $m0, $WSR
  and      $m0, $m0, CSR_W_WSR__CTXTID_M1__MASK
  ld32     $m1, $mvertex_base, VOFF_ROWS
  mul      $m2, $m0, $m1                // first row
  ld32     $m3, $mvertex_base, VOFF_K
  ld32     $m4, $mvertex_base, VOFF_VALS
  ld32     $m5, $mvertex_base, VOFF_COLS
  ld32     $m6, $mvertex_base, VOFF_LENS
  ld32     $m7, $mvertex_base, VOFF_X
  ld32     $m8, $mvertex_base, VOFF_Y
  mul      $m9, $m2, $m3
  shl      $m9, $m9, 2
  add      $m4, $m4, $m9                // vals of the first row
  add      $m5, $m5, $m9                // cols of the first row
  shl      $m9, $m2, 2
  add      $m6, $m6, $m9
  add      $m8, $m8, $m9
  shl      $m3, $m3, 2                  // bytes from one row to the next
  add      $m1, $m1, -1
row:
  ld32step $m0, $mzero, $m6+=, 1        // len
  setzi    $a0, 0                       // the row's sum
  add      $m11, $m4, 0
  add      $m12, $m5, 0
  brz      $m0, 2f
  add      $m0, $m0, -1
1:
  ld32step $m9, $mzero, $m12+=, 1       // column
  shl      $m9, $m9, 2
  ld32     $a1, $m7, $m9, 0             // x[column]
  ld32step $a2, $mzero, $m11+=, 1       // value
  f32mul   $a1, $a1, $a2
  f32add   $a0, $a0, $a1
  brnzdec  $m0, 1b
2:
  st32step $a0, $mzero, $m8+=, 1
  add      $m4, $m4, $m3
  add      $m5, $m5, $m3
  brnzdec  $m1, row
  brnzdec  $m10, pass
  exitz    $mzero
