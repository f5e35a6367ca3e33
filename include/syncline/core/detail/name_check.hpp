// Compile-time checks of names (rule 10): each reports through its diagnostic, then yields
// whether the name was valid, so callers can stop before a cascade of follow-up errors.
#pragma once

#include <syncline/core/diagnostic.hpp>
#include <syncline/core/fixed_string.hpp>

#include <string_view>

namespace syncline::detail {

template <name_kind Kind, fixed_string What, fixed_string Name>
consteval bool check_name() {
  if constexpr (is_valid_name(Kind, Name.view())) {
    return true;
  } else if constexpr (Kind == name_kind::identifier) {
    return diagnostic::invalid_identifier<What, Name>::value;
  } else if constexpr (Kind == name_kind::event) {
    return diagnostic::invalid_event_name<Name>::value;
  } else {
    return diagnostic::invalid_topic<Name>::value;
  }
}

// Used as `static_assert(detail::checked(check_name<...>()))` in class bodies: the check runs
// (and reports) but the static_assert itself never adds a second error.
consteval bool checked(bool) { return true; }

// A name declared as `static constexpr std::string_view name` turned into a fixed_string, so it
// can be a template argument of a diagnostic.
template <class T>
inline constexpr auto fixed_name_of = fixed_string<std::string_view(T::name).size()>(T::name);

}  // namespace syncline::detail
