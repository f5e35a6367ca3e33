// The crypto layer of syncline::compiled.
#include <syncline/crypto/src.hpp>
