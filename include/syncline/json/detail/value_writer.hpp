// value_writer: the DOM target of encoding, with string_writer's interface (writers.hpp); it
// builds a boost::json::value through a value_stack.
#pragma once

#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace syncline::json::detail {

class value_writer {
 public:
  value_writer() { stack_.reset(); }

  void begin_object() { counts_.push_back(0); }
  void end_object() { close(true); }
  void begin_array() { counts_.push_back(0); }
  void end_array() { close(false); }
  void key(std::string_view k) { stack_.push_key(k); }
  void string(std::string_view s) {
    stack_.push_string(s);
    added();
  }
  void int64(std::int64_t v) {
    stack_.push_int64(v);
    added();
  }
  void uint64(std::uint64_t v) {
    stack_.push_uint64(v);
    added();
  }
  void number(double v) {
    if (std::isfinite(v)) {
      stack_.push_double(v);
    } else {
      stack_.push_null();  // as string_writer: JSON has no infinity or NaN
    }
    added();
  }
  void boolean(bool v) {
    stack_.push_bool(v);
    added();
  }
  void null() {
    stack_.push_null();
    added();
  }

  boost::json::value release() { return stack_.release(); }

 private:
  void added() {
    if (!counts_.empty()) ++counts_.back();
  }
  void close(bool object) {
    const std::size_t n = counts_.back();
    counts_.pop_back();
    if (object) {
      stack_.push_object(n);
    } else {
      stack_.push_array(n);
    }
    added();
  }

  boost::json::value_stack stack_;
  std::vector<std::size_t> counts_;  // values in each open container
};

}  // namespace syncline::json::detail
