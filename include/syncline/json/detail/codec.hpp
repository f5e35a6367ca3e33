// codec<T>: how one kind of C++ type is read from JSON events and written to a JSON writer.
// There is one codec per kind (integer, string, optional, vector, record, enum, ...), never one
// per user type: a described struct is mapped by record_codec.hpp from its description.
//
// A codec that supports T provides
//   static constexpr bool supported = true;
//   static std::string expected();                           "integer", "object", ... (messages)
//   static bool read(T&, const scalar&, context&);           a scalar JSON value arrives
//   static bool begin(T&, container, frame&, context&);      '{' or '[' arrives
//   template <class W> static void write(W&, const T&);      encode
// read and begin default to "expected <expected()>, got <what came>".
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/json/detail/context.hpp>
#include <syncline/json/detail/event_pump.hpp>
#include <syncline/json/string_coded.hpp>

#include <boost/json/fwd.hpp>

#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace syncline::json::detail {

struct type_ops;

// Where the next value goes. ops == nullptr: a value nobody reads (an unknown key).
struct target {
  void* object = nullptr;
  const type_ops* ops = nullptr;
};

// A described struct being filled.
struct record_ops {
  std::size_t members;
  std::ptrdiff_t (*find)(std::string_view key, std::size_t hint);  // -1: unknown key
  target (*member)(void* record, std::size_t index);
  bool (*finish)(const std::uint64_t* seen, context&);  // reports missing required keys
};

// A vector being filled.
struct sequence_ops {
  target (*element)(void* sequence);  // appends one element
};

// A std::map<std::string, T> being filled.
struct map_ops {
  target (*entry)(void* map, std::string_view key);  // inserts the key
};

// What a '{' or '[' opened. capture: the rest of the container is a boost::json::value.
struct frame {
  enum class kind : std::uint8_t { record, sequence, map, capture };
  kind k = kind::record;
  void* object = nullptr;
  const record_ops* record = nullptr;
  const sequence_ops* sequence = nullptr;
  const map_ops* map = nullptr;
};

// The type-erased face of codec<T> that the typed builder calls through.
struct type_ops {
  bool (*read)(void* object, const scalar&, context&);
  bool (*begin)(void* object, container, frame&, context&);
};

template <class T>
struct codec {
  static constexpr bool supported = false;
};

template <class T>
struct codec_base {
  static bool read(T&, const scalar& s, context& c) { return mismatch(s.describe(), c); }
  static bool begin(T&, container k, frame&, context& c) {
    return mismatch(std::string(to_string(k)), c);
  }
  static bool mismatch(const std::string& got, context& c) {
    return c.fail(errc::decode, "expected " + codec<T>::expected() + ", got " + got);
  }
};

template <class T>
bool read_erased(void* object, const scalar& s, context& c) {
  return codec<T>::read(*static_cast<T*>(object), s, c);
}
template <class T>
bool begin_erased(void* object, container k, frame& f, context& c) {
  return codec<T>::begin(*static_cast<T*>(object), k, f, c);
}
template <class T>
inline constexpr type_ops ops_of{&read_erased<T>, &begin_erased<T>};

template <class T>
struct is_optional : std::false_type {};
template <class U>
struct is_optional<std::optional<U>> : std::true_type {};

// --- scalars ---------------------------------------------------------------------------------

template <>
struct codec<bool> : codec_base<bool> {
  static constexpr bool supported = true;
  static std::string expected() { return "boolean"; }
  static bool read(bool& out, const scalar& s, context& c) {
    if (s.k != scalar::kind::boolean) return mismatch(s.describe(), c);
    out = s.b;
    return true;
  }
  template <class W>
  static void write(W& w, bool v) {
    w.boolean(v);
  }
};

// Plain char (a character or a small number?) and the wide character types are left out.
template <class T>
concept json_integer = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char> &&
                       !std::same_as<T, wchar_t> && !std::same_as<T, char8_t> &&
                       !std::same_as<T, char16_t> && !std::same_as<T, char32_t>;

// Exact: a JSON integer goes into any integer type it fits; a fraction, an exponent or a value
// out of the type's range is an error, never rounded or truncated.
template <json_integer T>
struct codec<T> : codec_base<T> {
  static constexpr bool supported = true;
  static std::string expected() { return "integer"; }
  static bool read(T& out, const scalar& s, context& c) {
    switch (s.k) {
      case scalar::kind::int64:
        if (std::in_range<T>(s.i)) {
          out = static_cast<T>(s.i);
          return true;
        }
        break;
      case scalar::kind::uint64:
        if (std::in_range<T>(s.u)) {
          out = static_cast<T>(s.u);
          return true;
        }
        break;
      case scalar::kind::number:
        // Digits only (no '.', no exponent): an integer past 64 bits, so out of range.
        if (s.text.find_first_of(".eE") == std::string_view::npos && !s.text.empty()) break;
        return codec_base<T>::mismatch(s.describe(), c);
      default: return codec_base<T>::mismatch(s.describe(), c);
    }
    return c.fail(errc::decode,
                  "expected integer in [" + std::to_string(std::numeric_limits<T>::min()) + ", " +
                      std::to_string(std::numeric_limits<T>::max()) + "], got " + s.describe());
  }
  template <class W>
  static void write(W& w, T v) {
    if constexpr (std::is_signed_v<T>) {
      w.int64(v);
    } else {
      w.uint64(v);
    }
  }
};

template <std::floating_point T>
struct codec<T> : codec_base<T> {
  static constexpr bool supported = true;
  static std::string expected() { return "number"; }
  static bool read(T& out, const scalar& s, context& c) {
    T v{};
    switch (s.k) {
      case scalar::kind::int64: v = static_cast<T>(s.i); break;
      case scalar::kind::uint64: v = static_cast<T>(s.u); break;
      case scalar::kind::number: v = static_cast<T>(s.d); break;
      default: return codec_base<T>::mismatch(s.describe(), c);
    }
    if (!std::isfinite(v)) {
      return c.fail(errc::decode, "expected a number within the range of " +
                                      std::string(sizeof(T) == sizeof(float) ? "float" : "double") +
                                      ", got " + s.describe());
    }
    out = v;
    return true;
  }
  // Infinity and NaN are written as null by the writers (and read back as an error).
  template <class W>
  static void write(W& w, T v) {
    w.number(static_cast<double>(v));
  }
};

template <>
struct codec<std::string> : codec_base<std::string> {
  static constexpr bool supported = true;
  static std::string expected() { return "string"; }
  static bool read(std::string& out, const scalar& s, context& c) {
    if (s.k != scalar::kind::string) return mismatch(s.describe(), c);
    out.assign(s.text);
    return true;
  }
  template <class W>
  static void write(W& w, const std::string& v) {
    w.string(v);
  }
};

// money, timestamp and any other type with parse/to_string: a JSON string, never a number (a
// JSON number has already lost the decimal text money must keep).
template <string_coded T>
struct codec<T> : codec_base<T> {
  static constexpr bool supported = true;
  static std::string expected() { return "string"; }
  static bool read(T& out, const scalar& s, context& c) {
    if (s.k != scalar::kind::string) return codec_base<T>::mismatch(s.describe(), c);
    result<T> r = T::parse(s.text);
    if (!r) return c.fail(errc::decode, r.error().message + ", got " + s.describe());
    out = std::move(r).value();
    return true;
  }
  template <class W>
  static void write(W& w, const T& v) {
    w.string(v.to_string());
  }
};

// --- containers ------------------------------------------------------------------------------

// Absent and null both read as nullopt. A record writes nothing for a nullopt member (see
// record_codec.hpp); anywhere else (an array element, the root) nullopt is written as null.
template <class U>
struct codec<std::optional<U>> : codec_base<std::optional<U>> {
  static constexpr bool supported = codec<U>::supported;
  static std::string expected() { return codec<U>::expected() + " or null"; }
  static bool read(std::optional<U>& out, const scalar& s, context& c) {
    if (s.k == scalar::kind::null) {
      out.reset();
      return true;
    }
    if (!out) out.emplace();
    return codec<U>::read(*out, s, c);
  }
  static bool begin(std::optional<U>& out, container k, frame& f, context& c) {
    if (!out) out.emplace();
    return codec<U>::begin(*out, k, f, c);
  }
  template <class W>
  static void write(W& w, const std::optional<U>& v) {
    if (v) {
      codec<U>::write(w, *v);
    } else {
      w.null();
    }
  }
};

// A JSON array.
template <class U, class A>
struct codec<std::vector<U, A>> : codec_base<std::vector<U, A>> {
  static constexpr bool supported = codec<U>::supported;
  static std::string expected() { return "array"; }
  static target element(void* p) {
    auto& v = *static_cast<std::vector<U, A>*>(p);
    return {&v.emplace_back(), &ops_of<U>};
  }
  static bool begin(std::vector<U, A>& out, container k, frame& f, context& c) {
    if (k != container::array) return codec_base<std::vector<U, A>>::mismatch("object", c);
    static constexpr sequence_ops ops{&element};
    out.clear();
    f = frame{frame::kind::sequence, &out, nullptr, &ops, nullptr};
    return true;
  }
  template <class W>
  static void write(W& w, const std::vector<U, A>& v) {
    w.begin_array();
    for (const U& e : v) codec<U>::write(w, e);
    w.end_array();
  }
};

// std::vector<bool> hands out proxies, not addresses: not supported.
template <class A>
struct codec<std::vector<bool, A>> {
  static constexpr bool supported = false;
};

// An object whose keys are data, not names: {"title": ["can't be blank"]}.
template <class U, class C, class A>
struct codec<std::map<std::string, U, C, A>> : codec_base<std::map<std::string, U, C, A>> {
  using map_type = std::map<std::string, U, C, A>;
  static constexpr bool supported = codec<U>::supported;
  static std::string expected() { return "object"; }
  static target entry(void* p, std::string_view key) {
    auto& m = *static_cast<map_type*>(p);
    return {&m.try_emplace(std::string(key)).first->second, &ops_of<U>};
  }
  static bool begin(map_type& out, container k, frame& f, context& c) {
    if (k != container::object) return codec_base<map_type>::mismatch("array", c);
    static constexpr map_ops ops{&entry};
    out.clear();
    f = frame{frame::kind::map, &out, nullptr, nullptr, &ops};
    return true;
  }
  template <class W>
  static void write(W& w, const map_type& v) {
    w.begin_object();
    for (const auto& [key, value] : v) {
      w.key(key);
      codec<U>::write(w, value);
    }
    w.end_object();
  }
};

// Any JSON at all: for parts of a payload whose shape is open (GraphQL variables, extensions).
// A constrained partial specialization, not `codec<boost::json::value>`, so that its body is
// compiled only where a boost::json::value member is encoded or decoded: this header then needs
// only the DOM's forward declaration, and a TU that never names the DOM does not include it.
template <std::same_as<boost::json::value> V>
struct codec<V> : codec_base<V> {
  static constexpr bool supported = true;
  static std::string expected() { return "any JSON value"; }
  static bool read(V& out, const scalar& s, context&) {
    switch (s.k) {
      case scalar::kind::string: out.emplace_string().assign(s.text.data(), s.text.size()); break;
      case scalar::kind::int64: out = s.i; break;
      case scalar::kind::uint64: out = s.u; break;
      case scalar::kind::number: out = s.d; break;
      case scalar::kind::boolean: out = s.b; break;
      case scalar::kind::null: out = nullptr; break;
    }
    return true;
  }
  static bool begin(V& out, container, frame& f, context&) {
    f = frame{frame::kind::capture, &out, nullptr, nullptr, nullptr};
    return true;
  }
  template <class W>
  static void write(W& w, const V& v) {
    using kind = decltype(v.kind());
    switch (v.kind()) {
      case kind::object:
        w.begin_object();
        for (const auto& m : v.get_object()) {
          w.key(std::string_view(m.key().data(), m.key().size()));
          write(w, m.value());
        }
        w.end_object();
        break;
      case kind::array:
        w.begin_array();
        for (const auto& e : v.get_array()) write(w, e);
        w.end_array();
        break;
      case kind::string:
        w.string(std::string_view(v.get_string().data(), v.get_string().size()));
        break;
      case kind::int64: w.int64(v.get_int64()); break;
      case kind::uint64: w.uint64(v.get_uint64()); break;
      case kind::double_: w.number(v.get_double()); break;
      case kind::bool_: w.boolean(v.get_bool()); break;
      case kind::null: w.null(); break;
    }
  }
};

}  // namespace syncline::json::detail
