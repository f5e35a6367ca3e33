// The warehouse erasure tests' view of an erase_keys / erase_tenant answer.
#pragma once

#include <syncline/core/result.hpp>

#include <cstdint>
#include <string>

namespace syncline::test {

// The count of erased rows, or the error, as text, so that a failed CHECK shows the message.
inline std::string outcome(const result<std::int64_t>& r) {
  return r ? std::to_string(*r) : "error: " + r.error().message;
}

}  // namespace syncline::test
