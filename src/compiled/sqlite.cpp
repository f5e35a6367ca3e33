// The sqlite layer of syncline::compiled.
#include <syncline/sqlite/src.hpp>
