// Includes a header with an error: the message must name the header.
#include "bad_header.h.S"
