#pragma once
// The bodies of the runtime layer's non-template functions, for separate compilation: compiled once
// by src/compiled/runtime.cpp (syncline::compiled), or by <syncline/src.hpp>. See
// <syncline/config.hpp>.
#include <syncline/config.hpp>

#if SYNCLINE_HEADER_ONLY
#error "syncline: <syncline/runtime/src.hpp> needs SYNCLINE_SEPARATE_COMPILATION defined"
#endif

#include <syncline/runtime/impl/engine.ipp>
#include <syncline/runtime/impl/redactor.ipp>
