#pragma once
// Compile this header in exactly one translation unit of a program built with
// SYNCLINE_SEPARATE_COMPILATION (syncline::compiled does): it holds the bodies of every
// non-template function the headers declare. See <syncline/config.hpp>.
#include <syncline/config.hpp>

#if SYNCLINE_HEADER_ONLY
#error "syncline: <syncline/src.hpp> needs SYNCLINE_SEPARATE_COMPILATION"
#endif

// One line per layer; each layer's src.hpp lists that layer's impl/*.ipp files.
#include <syncline/connectors/src.hpp>
#include <syncline/core/src.hpp>
#include <syncline/crypto/src.hpp>
#include <syncline/http/src.hpp>
#include <syncline/json/src.hpp>
#include <syncline/runtime/src.hpp>
#include <syncline/sqlite/src.hpp>
#include <syncline/store/src.hpp>
