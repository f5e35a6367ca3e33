#pragma once
// The bodies of the connectors layer's non-template functions, for separate compilation: compiled once
// by src/compiled/connectors.cpp (syncline::compiled), or by <syncline/src.hpp>. See <syncline/config.hpp>.
#include <syncline/config.hpp>

#if SYNCLINE_HEADER_ONLY
#error "syncline: <syncline/connectors/src.hpp> needs SYNCLINE_SEPARATE_COMPILATION defined"
#endif

