// A small worker codelet in the style of poplibs' Fill.S: cpp register
// aliases used as $NAME, gas macros from a header, an 8-byte aligned entry
// after a leading nop, local labels, a rpt loop over a bundle, .size and a
// data table with a forward reference.
#ifdef __IPU__
#include "poplar/TileConstants.hpp"
#include "poplar/StackSizeDefs.hpp"
#include "codelet_macros.h.S"

#define PTR      m1
#define COUNT    m2
#define VALUE    a2
#define VALUE_HI a3
#define VALUE_64 a2:3
#define SYMBOL   __runCodelet_test__Fill___float

WORKER_ENTRY SYMBOL 8 nop
  ld32     $PTR, $mzero, $mvertex_base, 1
  ld32     $COUNT, $mzero, $mvertex_base, 2
  ld32     $VALUE, $mzero, $mvertex_base, 0
  and      $m0, $PTR, 4
  brz      $m0, 1f
  st32step $VALUE, $mzero, $PTR+=, 1
  add      $COUNT, $COUNT, -1
1:
  {
    shr    $m3, $COUNT, 1
    mov    $VALUE_HI, $VALUE
  }
  { rpt    $m3, (2f - 1f)/8 - 1
    fnop }
1:
  { st64step $VALUE_64, $mzero, $PTR+=, 1
    fnop }
2:
  exitz    $mzero
WORKER_SIZE SYMBOL

.section .data.table, "aw", @progbits
.align 4
table:
  .word SYMBOL, table_end - table
  .word CTXT_WORKERS
table_end:
#endif
