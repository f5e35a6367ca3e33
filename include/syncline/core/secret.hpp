// syncline::secret: a credential (access token, client secret, signing key, password).
// It prints as "***" wherever it is formatted, so a token cannot reach a log line, an error
// message or the run log by accident; code that needs the bytes asks for them by name.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace syncline {

class secret {
 public:
  secret() = default;
  explicit secret(std::string value) : value_(std::move(value)) {}

  // The only way to the bytes: greppable, and obvious in review.
  std::string_view reveal() const noexcept { return value_; }
  bool empty() const noexcept { return value_.empty(); }

  friend bool operator==(const secret&, const secret&) = default;
  friend std::ostream& operator<<(std::ostream& os, const secret&) { return os << "***"; }
  friend std::string to_string(const secret&) { return "***"; }

 private:
  std::string value_;
};

}  // namespace syncline
