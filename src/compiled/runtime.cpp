// The runtime layer of syncline::compiled.
#include <syncline/runtime/src.hpp>
