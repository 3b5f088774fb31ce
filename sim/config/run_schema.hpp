// The schema of a run description (configs/runs/*.yaml): which machine, which
// program with which data, and what to write out. The program section is
// only structure here; the program loader gives it meaning.
#pragma once

#include "sim/config/schema.hpp"

namespace ipusim::config {

const Schema &run_schema();

} // namespace ipusim::config
