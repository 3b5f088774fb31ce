// The host-link benchmark moves data only: no codelet runs. The graph
// format asks for at least one source.
  .section .text.idle, "ax"
  .worker
  .align 8
idle:
  exitz $mzero
