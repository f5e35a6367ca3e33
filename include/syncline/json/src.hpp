#pragma once
// The bodies of the json layer's non-template functions, for separate compilation: compiled once
// by src/compiled/json.cpp (syncline::compiled), or by <syncline/src.hpp>. See
// <syncline/config.hpp>.
#include <syncline/config.hpp>

#if SYNCLINE_HEADER_ONLY
#error "syncline: <syncline/json/src.hpp> needs SYNCLINE_SEPARATE_COMPILATION defined"
#endif

#include <syncline/json/impl/decode.ipp>
#include <syncline/json/impl/parse.ipp>
