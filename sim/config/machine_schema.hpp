// The schema of a machine description (configs/machines/*.yaml): what one
// IPU's tiles look like and cost. Defaults are the Colossus GC200 (Mk2).
#pragma once

#include "sim/config/schema.hpp"

namespace ipusim::config {

const Schema &machine_schema();

} // namespace ipusim::config
