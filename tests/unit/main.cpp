// The doctest runner for all unit tests.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

// libsystemc's own main() refers to sc_main; this binary uses doctest's main,
// so the symbol only has to exist.
// SystemC declares it extern "C".
extern "C" int sc_main(int, char **) { return 0; }
