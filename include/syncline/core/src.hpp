#pragma once
// The bodies of the core layer's non-template functions, for separate compilation: compiled once
// by src/compiled/core.cpp (syncline::compiled), or by <syncline/src.hpp>. See
// <syncline/config.hpp>.
#include <syncline/config.hpp>

#if SYNCLINE_HEADER_ONLY
#error "syncline: <syncline/core/src.hpp> needs SYNCLINE_SEPARATE_COMPILATION defined"
#endif

#include <syncline/core/impl/secret_scrubber.ipp>
