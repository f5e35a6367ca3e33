// postgres::parameters: the text parameters of one statement ($1, $2, ...) and the placeholders
// that name them, so a statement with a row count known only at run time (a multi-row INSERT)
// is written in one pass. libpq takes text parameters as C strings, so a value holding a NUL
// byte cannot be sent: it is remembered and refused before the statement runs, never cut short.
#pragma once

#include <syncline/core/result.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::postgres {

class parameters {
 public:
  // Each adds one parameter and answers its placeholder ("$3").
  std::string text(std::string_view v) {
    if (v.find('\0') != std::string_view::npos && refused_.empty()) {
      refused_ = "a text value holds a NUL byte, which PostgreSQL text cannot store";
    }
    return add(std::string(v));
  }
  std::string int64(std::int64_t v) { return add(std::to_string(v)); }
  // Integer nanoseconds since the Unix epoch: how syncline's PostgreSQL tables keep times.
  std::string time(std::chrono::system_clock::time_point t) {
    return int64(
        std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
  }
  std::string null() {
    values_.emplace_back();
    pointers_.push_back(nullptr);
    return "$" + std::to_string(pointers_.size());
  }
  // A bigint[] literal ('{1,2,3}') as one parameter.
  std::string int64_array(std::span<const std::int64_t> vs) {
    std::string literal = "{";
    for (std::size_t i = 0; i < vs.size(); ++i) {
      if (i > 0) literal += ',';
      literal += std::to_string(vs[i]);
    }
    return add(literal + "}");
  }

  std::size_t size() const noexcept { return pointers_.size(); }
  std::span<const char* const> view() const noexcept { return pointers_; }
  // Fails (errc::invalid_input) when a value could not be sent.
  result<void> check() const {
    if (refused_.empty()) return {};
    return make_error(errc::invalid_input, refused_);
  }

 private:
  std::string add(std::string v) {
    values_.push_back(std::move(v));  // a deque: earlier values never move
    pointers_.push_back(values_.back().c_str());
    return "$" + std::to_string(pointers_.size());
  }

  std::deque<std::string> values_;
  std::vector<const char*> pointers_;
  std::string refused_;
};

}  // namespace syncline::postgres
