#pragma once
// The bodies of the crypto layer's non-template functions, for separate compilation: compiled
// once by src/compiled/crypto.cpp (syncline::compiled), or by <syncline/src.hpp>. See
// <syncline/config.hpp>.
#include <syncline/config.hpp>

#if SYNCLINE_HEADER_ONLY
#error "syncline: <syncline/crypto/src.hpp> needs SYNCLINE_SEPARATE_COMPILATION defined"
#endif

#include <syncline/crypto/impl/keyring.ipp>
#include <syncline/crypto/impl/sealed.ipp>
