// A list of types, indexed at compile time.
#pragma once

#include <cstddef>
#include <tuple>

namespace syncline::detail {

template <class... T>
struct type_list {
  static constexpr std::size_t size = sizeof...(T);
};

template <std::size_t I, class List>
struct type_at;
template <std::size_t I, class... T>
struct type_at<I, type_list<T...>> {
  using type = std::tuple_element_t<I, std::tuple<T...>>;
};
template <std::size_t I, class List>
using type_at_t = typename type_at<I, List>::type;

template <class T, class List>
struct prepend;
template <class T, class... U>
struct prepend<T, type_list<U...>> {
  using type = type_list<T, U...>;
};

template <class... Lists>
struct concat;
template <>
struct concat<> {
  using type = type_list<>;
};
template <class... T>
struct concat<type_list<T...>> {
  using type = type_list<T...>;
};
template <class... T, class... U, class... Rest>
struct concat<type_list<T...>, type_list<U...>, Rest...> : concat<type_list<T..., U...>, Rest...> {
};
template <class... Lists>
using concat_t = typename concat<Lists...>::type;

}  // namespace syncline::detail
