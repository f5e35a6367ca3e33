// syncline::testing::invariant_checks: how a program that checks itself (the seed example,
// scale_out) reports: one line per invariant, "  ok      <invariant>" or
// "  FAILED  <invariant> (<detail>)", then a verdict and the exit code that CTest reads.
#pragma once

#include <iostream>
#include <string>
#include <string_view>

namespace syncline::testing {

class invariant_checks {
 public:
  void operator()(bool ok, std::string_view invariant, const std::string& detail = {}) {
    std::cout << (ok ? "  ok      " : "  FAILED  ") << invariant;
    if (!ok && !detail.empty()) std::cout << " (" << detail << ")";
    std::cout << "\n";
    if (!ok) ++failures_;
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
