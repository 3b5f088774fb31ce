// Entry-point macros for the assembler front-end tests (written for ipusim,
// in the style the poplibs codelets use: defaults, quoted defaults, \(),
// a string comparison and a section named after the function).
.macro WORKER_ENTRY NAME ALIGN=4 LEAD="" STACK=0
.ifnc "\STACK", "NONE"
  DEF_STACK_USAGE \STACK \NAME
.endif
  .section .text.\NAME, FUNCTION_IS_WORKER
  .globl \NAME
  .type \NAME, @function
  .align \ALIGN
  .worker
\NAME\()_START:
  \LEAD
\NAME:
.endm

.macro WORKER_SIZE NAME
  .size \NAME, . - \NAME\()_START
.endm
