#pragma once
// The bodies of the sqlite layer's non-template functions, for separate compilation: compiled once
// by src/compiled/sqlite.cpp (syncline::compiled), or by <syncline/src.hpp>. See
// <syncline/config.hpp>.
#include <syncline/config.hpp>

#if SYNCLINE_HEADER_ONLY
#error "syncline: <syncline/sqlite/src.hpp> needs SYNCLINE_SEPARATE_COMPILATION defined"
#endif

#include <syncline/sqlite/impl/database.ipp>
#include <syncline/sqlite/impl/statement.ipp>
