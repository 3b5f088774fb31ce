// ipusim's version of the Poplar SDK header `poplar/StackSizeDefs.hpp` (not
// public). Sources of values are marked as in arch/gc_tile_defines.h.
#ifndef IPUSIM_POPLAR_STACK_SIZE_DEFS_HPP
#define IPUSIM_POPLAR_STACK_SIZE_DEFS_HPP

// Section flags of a worker function: `.section .text.X, FUNCTION_IS_WORKER`
// ([names]: "ax" is a safe expansion). Whether code runs as a worker is
// taken from `.worker` / `.supervisor`, not from the flags.
#define FUNCTION_IS_WORKER "ax"

#ifdef __ASSEMBLER__
// `DEF_STACK_USAGE <bytes> <symbol>` and `DEF_STACK_SIZE_OWN <bytes> <symbol>`
// record a function's stack needs for Poplar's linker ([names]: gas macros,
// arguments separated by blanks). ipusim gives every context its stack from
// the machine configuration, so these record nothing ([ipusim]).
.macro DEF_STACK_USAGE size:req, name:vararg
.endm
.macro DEF_STACK_SIZE_OWN size:req, name:vararg
.endm
#endif

#endif // IPUSIM_POPLAR_STACK_SIZE_DEFS_HPP
