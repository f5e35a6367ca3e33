// The events every reader produces (object/array begin and end, key, scalar value) and the
// pump that keeps the context (pointer, depth, duplicate keys) in step with them before a
// consumer (the typed decoder or the DOM builder) sees them.
#pragma once

#include <syncline/json/detail/context.hpp>
#include <syncline/json/detail/quote.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace syncline::json::detail {

enum class container : std::uint8_t { object, array };

inline std::string_view to_string(container k) noexcept {
  return k == container::object ? "object" : "array";
}

// One JSON scalar. `text` is the string's contents, or the number as written in the JSON text
// (so an integer that does not fit in 64 bits can still be quoted in a message).
struct scalar {
  enum class kind : std::uint8_t { string, int64, uint64, number, boolean, null };
  kind k = kind::null;
  std::string_view text;
  std::int64_t i = 0;
  std::uint64_t u = 0;
  double d = 0;
  bool b = false;

  static scalar string(std::string_view s) { return make(kind::string, s); }
  static scalar int64(std::int64_t i, std::string_view text) {
    scalar v = make(kind::int64, text);
    v.i = i;
    return v;
  }
  static scalar uint64(std::uint64_t u, std::string_view text) {
    scalar v = make(kind::uint64, text);
    v.u = u;
    return v;
  }
  static scalar number(double d, std::string_view text) {
    scalar v = make(kind::number, text);
    v.d = d;
    return v;
  }
  static scalar boolean(bool b) {
    scalar v = make(kind::boolean, {});
    v.b = b;
    return v;
  }
  static scalar null() { return make(kind::null, {}); }

  // For "got ..." in messages.
  std::string describe() const {
    switch (k) {
      case kind::string: return "string " + quoted(text);
      case kind::int64:
      case kind::uint64:
      case kind::number: {
        std::string s = "number ";
        if (append_printable(s, text, 40)) s += "...";
        return s;
      }
      case kind::boolean: return b ? "true" : "false";
      case kind::null: return "null";
    }
    return "value";
  }

 private:
  static scalar make(kind k, std::string_view text) {
    scalar v;
    v.k = k;
    v.text = text;
    return v;
  }
};

// What a consumer says about a key it was given.
enum class key_check : std::uint8_t {
  failed,     // it reported an error through the context
  unique,     // it made sure the key is new in its object (the context need not check)
  unchecked,  // the context checks it for duplicates when the object closes
};

// Consumer: bool begin(context&, container), key_check key(context&, string_view),
// bool end(context&, container, size_t members_or_elements), bool value(context&, const scalar&).
// Each returns false (key_check::failed) after reporting through the context.
template <class Consumer>
class event_pump {
 public:
  template <class... Args>
  explicit event_pump(std::size_t max_depth, Args&&... args)
      : ctx(max_depth), out(std::forward<Args>(args)...) {}

  bool begin(container k) {
    ctx.begin_value();
    return out.begin(ctx, k) && ctx.push(k == container::object);
  }
  // stable: `k` stays valid until the document is read (it points into the input or a DOM).
  bool key(std::string_view k, bool stable) {
    const key_check c = out.key(ctx, k);
    if (c == key_check::failed) return false;
    ctx.key(k, stable, c == key_check::unchecked);
    return true;
  }
  bool end(container k) {
    if (k == container::object && !ctx.check_unique_keys()) return false;
    if (!out.end(ctx, k, ctx.size())) return false;
    ctx.pop();
    return true;
  }
  bool value(const scalar& s) {
    ctx.begin_value();
    return out.value(ctx, s);
  }

  context ctx;
  Consumer out;
};

}  // namespace syncline::json::detail
