// The connectors layer of syncline::compiled.
#include <syncline/connectors/src.hpp>
