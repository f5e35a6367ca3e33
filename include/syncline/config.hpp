#pragma once
// How syncline's non-template code is compiled, chosen by the user as Beast does.
//
// Header-only (the default): every function body is in the headers, `inline`, and compiled in
// each translation unit that includes it. Nothing to link but the dependencies.
//
// Separate compilation: define SYNCLINE_SEPARATE_COMPILATION for every translation unit (link
// `syncline::compiled`, which defines it and holds the bodies, compiled once), or compile
// <syncline/src.hpp> in exactly one translation unit of your own. Headers then declare what the
// library compiles once, so a translation unit that declares workflows or runs the engine parses
// no Beast or Asio function bodies: a user's build pays for its own code only.
#if defined(SYNCLINE_SEPARATE_COMPILATION)
#define SYNCLINE_HEADER_ONLY 0
// A function compiled once in the library.
#define SYNCLINE_DECL
#else
#define SYNCLINE_HEADER_ONLY 1
#define SYNCLINE_DECL inline
#endif
