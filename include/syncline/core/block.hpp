// What a block is. A block is a small value, usually empty, with a const call operator taking
// `(In)` or `(In, run_context&)` and returning one of
//   Out                                  pure: cannot fail
//   result<Out>                          fallible: a value or an error
//   outcome<Out>                         fallible, and may skip the run (guards)
//   boost::asio::awaitable<result<Out>>  asynchronous (awaitable<Out>, awaitable<outcome<Out>>
//                                        too)
// A destination is a block that derives from syncline::destination and returns void,
// result<void> or awaitable<result<void>>: it is where a workflow's data ends. A guard derives
// from syncline::guard and has `inspect` instead of a call operator.
//
// A block names itself with `static constexpr std::string_view name = "...";` (checked as an
// identifier); without one it is called by its type's name ("lambda" for lambdas). It may say
// which app it talks to with `using app_type = ...;`. A block's idempotency key ends with its
// name, so two blocks of one list that take the run context need two names, unless they take
// it for services only and say `static constexpr bool reads_idempotency_key = false;`.
//
//   struct normalise_email {
//     static constexpr std::string_view name = "normalise_email";
//     crm_contact operator()(crm_contact c) const { lower_case(c.email); return c; }
//   };
#pragma once

#include <syncline/core/detail/text.hpp>
#include <syncline/core/type_name.hpp>

#include <concepts>
#include <cstddef>
#include <string_view>
#include <type_traits>

namespace syncline {

// Base of every destination: marks the block as an end of a workflow (rule 9). (syncline's own
// `to` block says `static constexpr bool syncline_destination = true;` instead, which keeps
// workflows with several of them empty; a user type may do the same.)
struct destination {};

// Base of a guard: a block that passes its input on and decides whether the run goes on, with
// `inspect(const In&[, run_context&])` returning bool (false skips), result<bool>, result<void>,
// outcome<void>, or an awaitable of those. Dedupe and echo guards are guards.
struct guard {};

template <class B>
inline constexpr bool is_destination_v =
    std::is_base_of_v<destination, std::remove_cvref_t<B>> || requires {
  requires std::remove_cvref_t<B>::syncline_destination;
};

// What running a part costs: nothing that can fail, a possible error, or a suspension.
enum class effect { pure, fallible, async };

constexpr std::string_view to_string(effect e) noexcept {
  switch (e) {
    case effect::pure: return "pure";
    case effect::fallible: return "fallible";
    case effect::async: return "async";
  }
  return "unknown";
}

namespace detail {
template <class B>
concept has_static_name = requires {
  { B::name } -> std::convertible_to<std::string_view>;
  typename std::integral_constant<std::size_t, std::string_view(B::name).size()>;
};
template <class B>
concept has_static_kind = requires {
  { B::kind } -> std::convertible_to<std::string_view>;
  typename std::integral_constant<std::size_t, std::string_view(B::kind).size()>;
};
template <class B>
concept has_app_type = requires {
  typename B::app_type;
};

template <class B>
constexpr std::string_view default_block_name() noexcept {
  constexpr std::string_view t = type_name<B>();
  if constexpr (find_text(t, "<lambda") != not_found)
    return "lambda";
  else
    return t;
}
}  // namespace detail

// The name of a block, a trigger or a destination, for diagnostics, the run log and diagrams.
template <class B>
constexpr std::string_view block_name() noexcept {
  if constexpr (detail::has_static_name<B>)
    return B::name;
  else
    return detail::default_block_name<B>();
}

// A short word for what kind of part it is ("map", "filter", "branch", ...): `kind` if the block
// has one, else "destination" or "block".
template <class B>
constexpr std::string_view block_kind() noexcept {
  if constexpr (detail::has_static_kind<B>)
    return B::kind;
  else if constexpr (is_destination_v<B>)
    return "destination";
  else
    return "block";
}

}  // namespace syncline
