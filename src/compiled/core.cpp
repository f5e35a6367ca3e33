// The core layer of syncline::compiled.
#include <syncline/core/src.hpp>
