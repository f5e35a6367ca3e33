// syncline::json::mappable<T>: the types decode and encode accept.
#pragma once

#include <syncline/json/detail/codec.hpp>
#include <syncline/json/detail/enum_codec.hpp>
#include <syncline/json/detail/record_codec.hpp>

namespace syncline::json {

// bool; integers (not plain char); float and double; std::string; a string_coded type
// (syncline::money, syncline::timestamp, ...); a BOOST_DESCRIBE_ENUM enum; std::optional<M>;
// std::vector<M>; std::map<std::string, M>; boost::json::value; a struct described with
// BOOST_DESCRIBE_STRUCT whose members are all mappable. (A struct that contains itself, even
// through a vector, is not.)
template <class T>
concept mappable = detail::codec<T>::supported;

}  // namespace syncline::json
