// The http layer of syncline::compiled.
#include <syncline/http/src.hpp>
