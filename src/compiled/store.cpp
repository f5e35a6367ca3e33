// The store layer of syncline::compiled.
#include <syncline/store/src.hpp>
