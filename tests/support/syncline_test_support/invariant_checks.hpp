// syncline::testing::invariant_checks: how a program that checks itself (the seed example,
// scale_out) reports: one line per invariant, "  ok      <invariant>" or
// "  FAILED  <invariant> (<detail>)", then a verdict and the exit code that CTest reads.
#pragma once

#include <cstdint>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::testing {

class invariant_checks {
 public:
  void operator()(bool ok, std::string_view invariant, const std::string& detail = {}) {
    std::cout << (ok ? "  ok      " : "  FAILED  ") << invariant;
    if (!ok && !detail.empty()) std::cout << " (" << detail << ")";
    std::cout << "\n";
    if (!ok) ++failures_;
  }

  // A detail naming the ids a check found: the first eight, then how many in all.
  static std::string sample(const std::vector<std::int64_t>& ids) {
    std::string out;
    for (std::size_t i = 0; i < ids.size() && i < 8; ++i)
      out += (out.empty() ? "" : ", ") + std::to_string(ids[i]);
    if (ids.size() > 8) out += ", ... (" + std::to_string(ids.size()) + ")";
    return out.empty() ? "none" : out;
  }

  // Prints the verdict; 0 when every invariant held, 1 otherwise.
  int verdict() const {
    std::cout << (failures_ == 0 ? "all checks passed\n" : "some checks FAILED\n");
    return failures_ == 0 ? 0 : 1;
  }

 private:
  int failures_ = 0;
};

}  // namespace syncline::testing
