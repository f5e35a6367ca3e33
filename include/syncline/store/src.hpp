#pragma once
// The bodies of the store layer's non-template functions, for separate compilation: compiled once
// by src/compiled/store.cpp (syncline::compiled), or by <syncline/src.hpp>. See
// <syncline/config.hpp>.
#include <syncline/config.hpp>

#if SYNCLINE_HEADER_ONLY
#error "syncline: <syncline/store/src.hpp> needs SYNCLINE_SEPARATE_COMPILATION defined"
#endif

#include <syncline/store/impl/group_commit.ipp>
#include <syncline/store/impl/role_lock.ipp>
#include <syncline/store/impl/sqlite_store.ipp>
#include <syncline/store/impl/sqlite_store_claim.ipp>
#include <syncline/store/impl/sqlite_store_erasure.ipp>
#include <syncline/store/impl/sqlite_store_installations.ipp>
#include <syncline/store/impl/worker_lock.ipp>
