// ipusim's version of the Poplar SDK header `poplar/AvailableVTypes.h` (not
// public): which compact vertex-field encodings the codelets may use.
// Sources of values are marked as in arch/gc_tile_defines.h.
//
// Defined-or-not switches. [names] gives the Mk2 assumption: short spans
// only, no scaled pointers and no DeltaN lists. ipusim uses that choice for
// every architecture ([ipusim]), so the vertex-state layout ipusim's loader
// builds is the same everywhere.
#ifndef IPUSIM_POPLAR_AVAILABLE_VTYPES_H
#define IPUSIM_POPLAR_AVAILABLE_VTYPES_H

#define VECTOR_AVAIL_SHORT_SPAN
// Not defined: VECTOR_AVAIL_SCALED_PTR32, VECTOR_AVAIL_SCALED_PTR64,
// VECTORLIST_AVAIL_DELTAN.

#endif // IPUSIM_POPLAR_AVAILABLE_VTYPES_H
