// `ipusim describe`: the config keys, the instruction table, the CSRs and the
// statistics, all printed from the declarations the code itself uses.
#pragma once

#include <string>

namespace ipusim::cli {

// what: "all", "machine", "run", "isa", "csr", "stats"; markdown selects tables for docs/.
std::string describe(const std::string &what, bool markdown);

} // namespace ipusim::cli
