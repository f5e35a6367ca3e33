// syncline::json::name_of(e): the name an enumerator has in JSON (its described name, or the
// one json::enum_names<E> gives it), for places that store the same text outside JSON, such as a
// warehouse column; nullopt for a value outside the description (a cast integer).
#pragma once

#include <syncline/json/detail/enum_codec.hpp>

#include <optional>
#include <string_view>

namespace syncline::json {

template <detail::described_enum E>
std::optional<std::string_view> name_of(E value) {
  return detail::codec<E>::name_of(value);
}

}  // namespace syncline::json
