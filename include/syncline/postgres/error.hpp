// syncline::postgres errors: a SQLSTATE becomes an errc. Chosen per connection
// (connection_options::classify), because what a failure means depends on who owns the data, as
// for SQLite (sqlite/error.hpp).
#pragma once

#include <syncline/core/result.hpp>

#include <string_view>

namespace syncline::postgres {

using error_classifier = errc (*)(std::string_view sqlstate) noexcept;

// The state a failure is classified by when the server sent none because the connection is gone
// (08006, connection_failure), and when connecting was refused for its credentials (28000).
inline constexpr std::string_view connection_lost_state = "08006";
inline constexpr std::string_view authorization_state = "28000";

// For data that arrives from outside (a warehouse row): the SQLSTATE class (PostgreSQL manual,
// appendix A) says what a retry may fix (connection, resources, serialization) against what it
// will not (bad data, bad schema).
inline errc classify_by_sqlstate(std::string_view sqlstate) noexcept {
  const std::string_view cls = sqlstate.substr(0, 2);
  if (cls == "08") return errc::unavailable;                   // connection exception
  if (cls == "28") return errc::unauthorized;                  // invalid authorization
  if (cls == "22" || cls == "23") return errc::invalid_input;  // data / integrity violation
  if (cls == "42") return errc::invalid_input;                 // schema or syntax: not transient
  if (cls == "3D" || cls == "3F") return errc::not_found;      // database / schema missing
  return errc::storage;  // 40 serialization, 53 resources, 57 shutdown, ...: worth a retry
}

// For a database whose every statement the owner writes (the store): a failure is the storage's,
// transient, except a value the server refuses as data (class 22: text that is not valid UTF-8),
// which is the caller's input.
inline errc classify_as_storage(std::string_view sqlstate) noexcept {
  return sqlstate.substr(0, 2) == "22" ? errc::invalid_input : errc::storage;
}

}  // namespace syncline::postgres
