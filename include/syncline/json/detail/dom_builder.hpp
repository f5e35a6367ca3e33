// An event_pump consumer that builds a boost::json::value: json::parse uses it for a whole
// document, the typed decoder for a member declared as boost::json::value.
#pragma once

#include <syncline/json/detail/event_pump.hpp>

#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>

#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>

namespace syncline::json::detail {

class dom_builder {
 public:
  dom_builder() : stack_({}, temp_, sizeof temp_) { stack_.reset(); }
  dom_builder(const dom_builder&) = delete;
  dom_builder& operator=(const dom_builder&) = delete;

  bool begin(context&, container) { return true; }  // value_stack counts nothing: end says
  key_check key(context&, std::string_view k) {
    stack_.push_key(k);
    return key_check::unchecked;
  }
  bool end(context&, container k, std::size_t n) {
    if (k == container::object) {
      stack_.push_object(n);
    } else {
      stack_.push_array(n);
    }
    return true;
  }
  bool value(context& ctx, const scalar& s) {
    switch (s.k) {
      case scalar::kind::string: stack_.push_string(s.text); break;
      case scalar::kind::int64: stack_.push_int64(s.i); break;
      case scalar::kind::uint64: stack_.push_uint64(s.u); break;
      case scalar::kind::number:
        // Boost.JSON reads 1e400 as infinity, which JSON cannot write back.
        if (!std::isfinite(s.d)) {
          return ctx.fail(errc::invalid_input,
                          "number out of the range of a double, got " + s.describe());
        }
        stack_.push_double(s.d);
        break;
      case scalar::kind::boolean: stack_.push_bool(s.b); break;
      case scalar::kind::null: stack_.push_null(); break;
    }
    return true;
  }

  // The completed value; the builder is ready for the next one.
  boost::json::value release() {
    boost::json::value v = stack_.release();
    stack_.reset();
    return v;
  }

 private:
  // The stack's working space for small documents, as boost::json::parse has: it saves the
  // allocations that otherwise dominate parsing a 1 KB body.
  unsigned char temp_[4096];
  boost::json::value_stack stack_;
};

}  // namespace syncline::json::detail
