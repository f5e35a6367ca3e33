// syncline::result<T>: the value or the error of one step. Errors are values across the
// pipeline; exceptions never cross a block boundary (STYLE.md, habit 8).
#pragma once

#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/diagnostic.hpp>

#include <cassert>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace syncline {

// What went wrong, coarse enough for a retry policy to decide on, fine enough for a person.
enum class errc {
  invalid_input,   // malformed or rejected input (bad JSON, failed validation, bad signature)
  decode,          // a value did not have the expected shape or type
  limit_exceeded,  // a configured size/depth/length limit was hit
  unauthorized,    // credentials missing or refused
  not_found,       //
  conflict,        // the write clashes with existing state (duplicate key, ...)
  rate_limited,    // the peer asked us to slow down (429, THROTTLED)
  connect,         // could not open a connection
  tls,             // handshake or certificate verification failed
  timeout,         // a deadline passed
  http_status,     // the peer answered with an unexpected status
  body_too_large,  // a body exceeded its limit
  unavailable,     // the peer or a local resource is temporarily unavailable (5xx, full queue)
  storage,         // the store failed
  cancelled,       // the operation was stopped on purpose
  internal,        // a bug in syncline or in user code (an exception caught at a boundary)
};

constexpr std::string_view to_string(errc c) noexcept {
  switch (c) {
    case errc::invalid_input: return "invalid_input";
    case errc::decode: return "decode";
    case errc::limit_exceeded: return "limit_exceeded";
    case errc::unauthorized: return "unauthorized";
    case errc::not_found: return "not_found";
    case errc::conflict: return "conflict";
    case errc::rate_limited: return "rate_limited";
    case errc::connect: return "connect";
    case errc::tls: return "tls";
    case errc::timeout: return "timeout";
    case errc::http_status: return "http_status";
    case errc::body_too_large: return "body_too_large";
    case errc::unavailable: return "unavailable";
    case errc::storage: return "storage";
    case errc::cancelled: return "cancelled";
    case errc::internal: return "internal";
  }
  return "unknown";
}

// Transient conditions that a later attempt may get past. A retry policy may widen this set.
constexpr bool is_transient(errc c) noexcept {
  return c == errc::rate_limited || c == errc::connect || c == errc::timeout ||
         c == errc::unavailable || c == errc::storage;
}

struct error {
  errc category = errc::internal;
  std::string message;  // what happened and where, for a person; never contains a secret
  int status = 0;       // the HTTP status when category == http_status (or any HTTP answer), else 0

  friend bool operator==(const error&, const error&) = default;
};

inline std::string to_string(const error& e) {
  std::string s(to_string(e.category));
  s += ": ";
  s += e.message;
  return s;
}

inline error make_error(errc c, std::string message, int status = 0) {
  return error{c, std::move(message), status};
}

template <class T>
class result;

namespace detail {
// What a result<T> may be built from as a value: anything T is constructible from, except a
// result itself (copy/move) or an error (the error constructor).
template <class U, class T>
concept value_source =
    std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, result<T>> &&
    !std::is_same_v<std::remove_cvref_t<U>, error>;

// What result<T> and outcome<T> may hold, reported through one diagnostic each (one error).
template <class T>
consteval bool check_held_type() {
  if constexpr (std::is_reference_v<T>)
    return diagnostic::holds_a_reference<T>::value;
  else
    return true;
}
template <class T>
consteval bool check_result_type() {
  if constexpr (std::is_same_v<std::remove_cvref_t<T>, ::syncline::error>)
    return diagnostic::result_of_error<T>::value;
  else
    return check_held_type<T>();
}
}  // namespace detail

template <class T>
class [[nodiscard]] result {
  static_assert(detail::checked(detail::check_result_type<T>()));

 public:
  using value_type = T;

  template <detail::value_source<T> U = T>
  result(U&& v) : v_(std::in_place_index<0>, std::forward<U>(v)) {}  // NOLINT: implicit by design
  result(::syncline::error e)
      : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT: implicit by design

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    assert(has_value());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(has_value());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(has_value());
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const ::syncline::error& error() const& {
    assert(!has_value());
    return std::get<1>(v_);
  }
  ::syncline::error&& error() && {
    assert(!has_value());
    return std::get<1>(std::move(v_));
  }

  friend bool operator==(const result&, const result&) = default;

 private:
  std::variant<T, ::syncline::error> v_;
};

// Success with nothing to carry.
// result<T&>: only the diagnostic, so that no member forming a T* or a variant of references
// adds errors after it.
template <class T>
requires std::is_reference_v<T>
class result<T> {
  static_assert(detail::checked(detail::check_held_type<T>()));
};

template <>
class [[nodiscard]] result<void> {
 public:
  using value_type = void;
  result() = default;
  result(::syncline::error e) : e_(std::move(e)), ok_(false) {}  // NOLINT: implicit by design

  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  void value() const { assert(ok_); }
  const ::syncline::error& error() const& {
    assert(!ok_);
    return e_;
  }
  ::syncline::error&& error() && {
    assert(!ok_);
    return std::move(e_);
  }

 private:
  ::syncline::error e_{};
  bool ok_ = true;
};

template <class T>
struct is_result : std::false_type {};
template <class T>
struct is_result<result<T>> : std::true_type {};
template <class T>
inline constexpr bool is_result_v = is_result<std::remove_cvref_t<T>>::value;

}  // namespace syncline
