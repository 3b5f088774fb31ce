// Includes a header that does not exist (line 2, column 10).
#include "does_not_exist.h"
