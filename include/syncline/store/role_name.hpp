// The name of a role (store::lead): 1 to 64 of [a-z0-9_-]. Every store checks it the same way;
// the SQLite store makes it a file name, so nothing that could leave a folder is a name.
#pragma once

#include <syncline/core/result.hpp>

#include <algorithm>
#include <string>
#include <string_view>

namespace syncline::store {

inline bool valid_role_name(std::string_view role) noexcept {
  return !role.empty() && role.size() <= 64 && std::ranges::all_of(role, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// errc::invalid_input naming the call and (cut to 64 bytes) the name.
inline ::syncline::error invalid_role_name(std::string_view call, std::string_view role) {
  return {errc::invalid_input, std::string(call) + ": a role is 1 to 64 of [a-z0-9_-], not \"" +
                                   std::string(role.substr(0, 64)) + "\""};
}

}  // namespace syncline::store
