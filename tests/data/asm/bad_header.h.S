// A header with an out-of-range value on line 3.
.data
  .byte 300
