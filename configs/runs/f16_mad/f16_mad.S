// ipusim demo: out = a * b + c over half vectors, split across the six
// workers of one tile by a supervisor codelet. Written in the style of
// poplibs' codelets (C-preprocessed, gas directives, bundles, rpt loops).
#include "poplar/TileConstants.hpp"

// Vertex state (one 32-bit word per field, see run.yaml).
#define VOFF_A       0
#define VOFF_B       1
#define VOFF_C       2
#define VOFF_OUT     3
#define VOFF_GROUPS  4   // groups of 4 halves per worker

// Worker registers.
#define wID        m0
#define A_PTR      m1
#define B_PTR      m2
#define C_PTR      m3
#define OUT_PTR    m4
#define GROUPS     m5
#define OFFSET     m6
#define aA         a0:1
#define aB         a2:3
#define aC         a4:5

  .section .text.f16_mad_worker, "ax"
  .worker
  .align 8
f16_mad_worker:
  get      $wID, $WSR
  and      $wID, $wID, CSR_W_WSR__CTXTID_M1__MASK
  ld32     $A_PTR, $mvertex_base, VOFF_A
  ld32     $B_PTR, $mvertex_base, VOFF_B
  ld32     $C_PTR, $mvertex_base, VOFF_C
  ld32     $OUT_PTR, $mvertex_base, VOFF_OUT
  ld32     $GROUPS, $mvertex_base, VOFF_GROUPS
  // This worker's first byte: id * groups * 8.
  mul      $OFFSET, $wID, $GROUPS
  shl      $OFFSET, $OFFSET, 3
  rpt      $GROUPS, (2f - 1f) / 8 - 1
1:
  { ld64     $aA, $A_PTR, $OFFSET, 0
    fnop }
  { ld64     $aB, $B_PTR, $OFFSET, 0
    fnop }
  { ld64     $aC, $C_PTR, $OFFSET, 0
    f16v4mul $aA, $aA, $aB }
  { nop
    f16v4add $aA, $aA, $aC }
  { st64step $aA, $OUT_PTR, $OFFSET+=, 1
    fnop }
2:
  exitz    $mzero

  .section .text.f16_mad_supervisor, "ax"
  .supervisor
  .align 4
  .globl f16_mad_supervisor
f16_mad_supervisor:
  setzi    $m1, f16_mad_worker
  runall   $m1, $mvertex_base, 0
  sync     TEXCH_SYNCZONE_LOCAL
  br       $lr
