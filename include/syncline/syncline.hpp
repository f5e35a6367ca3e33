// The umbrella header: everything a user of syncline names.
#pragma once

#include <syncline/core/result.hpp>
