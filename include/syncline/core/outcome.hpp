// syncline::outcome<T>: what one block hands on — a value, a deliberate "skip this run", or an
// error. A filter or guard that says no is not a failure: the run ends as skipped, is not
// retried and is logged with the block that decided it.
#pragma once

#include <syncline/core/result.hpp>

#include <cassert>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace syncline {

// Returned by a block (as `return syncline::skip("already synced");`) to end the run quietly.
// The reason is kept as a string_view: pass a string literal.
struct skip_t {
  std::string_view reason;
};
constexpr skip_t skip(std::string_view reason = {}) noexcept { return skip_t{reason}; }

// Where and why a run was skipped. The runner fills position and block; a block gives the reason.
struct skipped {
  std::size_t position = 0;  // position of the top-level part that decided (trigger = 0)
  std::string_view block;    // name of the innermost block that decided
  std::string_view reason;

  friend bool operator==(const skipped&, const skipped&) = default;
};

namespace detail {
template <class T>
using outcome_storage = std::variant<std::conditional_t<std::is_void_v<T>, std::monostate, T>,
                                     skipped, ::syncline::error>;
}

template <class T>
class [[nodiscard]] outcome {
 public:
  using value_type = T;

  template <class U = T>
  requires std::is_constructible_v<T, U&&> &&(!std::is_same_v<std::remove_cvref_t<U>, outcome>)&&(
      !std::is_same_v<
          std::remove_cvref_t<U>,
          ::syncline::error>)&&(!std::is_same_v<std::remove_cvref_t<U>,
                                                skip_t>)&&(!std::is_same_v<std::remove_cvref_t<U>,
                                                                           skipped>)outcome(U&& v)
      : v_(std::in_place_index<0>, std::forward<U>(v)) {}                      // NOLINT: implicit
  outcome(::syncline::error e) : v_(std::in_place_index<2>, std::move(e)) {}   // NOLINT
  outcome(skip_t s) : v_(std::in_place_index<1>, skipped{0, {}, s.reason}) {}  // NOLINT
  outcome(skipped s) : v_(std::in_place_index<1>, s) {}                        // NOLINT
  outcome(result<T> r)  // NOLINT: a fallible step's result is an outcome that never skips
      : v_(r ? detail::outcome_storage<T>(std::in_place_index<0>, std::move(r).value())
             : detail::outcome_storage<T>(std::in_place_index<2>, std::move(r).error())) {}

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  bool is_skipped() const noexcept { return v_.index() == 1; }
  bool is_failed() const noexcept { return v_.index() == 2; }

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
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const skipped& skip_info() const& {
    assert(is_skipped());
    return std::get<1>(v_);
  }
  skipped& skip_info() & {
    assert(is_skipped());
    return std::get<1>(v_);
  }
  const ::syncline::error& error() const& {
    assert(is_failed());
    return std::get<2>(v_);
  }
  ::syncline::error&& error() && {
    assert(is_failed());
    return std::get<2>(std::move(v_));
  }

 private:
  detail::outcome_storage<T> v_;
};

// outcome<T&>: only the diagnostic, so that no member forming a T* or a variant of references
// adds errors after it.
template <class T>
requires std::is_reference_v<T>
class outcome<T> {
  static_assert(detail::checked(detail::check_held_type<T>()));
};

template <>
class [[nodiscard]] outcome<void> {
 public:
  using value_type = void;
  outcome() = default;
  outcome(::syncline::error e) : v_(std::in_place_index<2>, std::move(e)) {}   // NOLINT
  outcome(skip_t s) : v_(std::in_place_index<1>, skipped{0, {}, s.reason}) {}  // NOLINT
  outcome(skipped s) : v_(std::in_place_index<1>, s) {}                        // NOLINT
  outcome(result<void> r) {  // NOLINT: a fallible step's result is an outcome that never skips
    if (!r) v_.emplace<2>(std::move(r).error());
  }

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }
  bool is_skipped() const noexcept { return v_.index() == 1; }
  bool is_failed() const noexcept { return v_.index() == 2; }
  void value() const { assert(has_value()); }

  const skipped& skip_info() const& {
    assert(is_skipped());
    return std::get<1>(v_);
  }
  skipped& skip_info() & {
    assert(is_skipped());
    return std::get<1>(v_);
  }
  const ::syncline::error& error() const& {
    assert(is_failed());
    return std::get<2>(v_);
  }
  ::syncline::error&& error() && {
    assert(is_failed());
    return std::get<2>(std::move(v_));
  }

 private:
  detail::outcome_storage<void> v_;
};

template <class T>
struct is_outcome : std::false_type {};
template <class T>
struct is_outcome<outcome<T>> : std::true_type {};
template <class T>
inline constexpr bool is_outcome_v = is_outcome<std::remove_cvref_t<T>>::value;

}  // namespace syncline
