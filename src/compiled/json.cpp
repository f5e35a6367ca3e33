// The json layer of syncline::compiled.
#include <syncline/json/src.hpp>
