// syncline::pipeline: a trigger (or none) followed by blocks, built with `|`. Building it
// checks nothing and runs nothing — it only records the parts. The checks run where the
// pipeline is named: `workflow<"name">(...)`, so every message can say which workflow it is.
//
//   app_event<"order.placed", order_placed>{} | filter<"has_email">(...) | to_crm{}
//
// A pipeline without a trigger is an arm: the body of a branch, route or for_each.
#pragma once

#include <syncline/core/detail/flow.hpp>
#include <syncline/core/trigger.hpp>

#include <boost/hana/basic_tuple.hpp>
#include <boost/hana/unpack.hpp>

#include <type_traits>

namespace syncline {

// The trigger slot of an arm.
struct no_trigger {};

template <class Trigger, class... Blocks>
struct pipeline {
  // Empty parts take no space, so a pipeline of stateless blocks is itself empty.
  [[no_unique_address]] Trigger trigger;
  [[no_unique_address]] boost::hana::basic_tuple<Blocks...> blocks;
};

namespace detail {
// syncline's standard blocks say `static constexpr bool syncline_pipeable = true;`, which lets
// `map(f) | tap(g)` start an arm with `|`. A member, not a common empty base: two subobjects of
// one base type may not share an address, so a base would make pipelines of them non-empty.
template <class T>
concept pipeable = requires {
  requires T::syncline_pipeable;
};

template <class T>
struct is_pipeline : std::false_type {};
template <class T, class... B>
struct is_pipeline<pipeline<T, B...>> : std::true_type {};
template <class T>
inline constexpr bool is_pipeline_v = is_pipeline<std::remove_cvref_t<T>>::value;

template <class T>
struct is_arm : std::false_type {};
template <class... B>
struct is_arm<pipeline<no_trigger, B...>> : std::true_type {};
template <class T>
inline constexpr bool is_arm_v = is_arm<std::remove_cvref_t<T>>::value;

template <class T>
concept starts_pipeline =
    is_pipeline_v<T> || trigger<std::remove_cvref_t<T>> || pipeable<std::remove_cvref_t<T>>;

template <class T, class... B, class... C>
constexpr pipeline<T, B..., C...> append(const pipeline<T, B...>& p, const C&... c) {
  return boost::hana::unpack(p.blocks, [&](const B&... b) {
    return pipeline<T, B..., C...>{p.trigger, boost::hana::make_basic_tuple(b..., c...)};
  });
}

// Any block or pipeline as a trigger-less pipeline (arms accept either).
template <class X>
constexpr auto as_arm(const X& x) {
  if constexpr (is_arm_v<X>)
    return x;
  else
    return pipeline<no_trigger, X>{{}, boost::hana::make_basic_tuple(x)};
}
template <class X>
using as_arm_t = decltype(as_arm(std::declval<const X&>()));

template <class... B, class In>
struct arm_flow<pipeline<no_trigger, B...>, In> {
  using type = flow<In, B...>;
};
template <class Arm, class In>
using arm_flow_t = typename arm_flow<Arm, In>::type;
}  // namespace detail

// `pipeline | block` appends; `pipeline | arm` appends the arm's blocks; a trigger or a block on
// the left starts a pipeline. (For `|` to be found, one side must be syncline's: a trigger, a
// pipeline or a standard block. Two blocks of your own start an arm with `chain(a, b)`.)
template <class L, class R>
requires detail::starts_pipeline<L> || detail::pipeable<std::remove_cvref_t<R>>
constexpr auto operator|(const L& l, const R& r) {
  if constexpr (!detail::is_pipeline_v<L>) {
    if constexpr (trigger<L>)
      return pipeline<L>{l, boost::hana::basic_tuple<>{}} | r;
    else
      return pipeline<no_trigger, L>{{}, boost::hana::make_basic_tuple(l)} | r;
  } else if constexpr (detail::is_arm_v<R>) {
    return boost::hana::unpack(r.blocks, [&](const auto&... b) { return detail::append(l, b...); });
  } else {
    return detail::append(l, r);
  }
}

// An arm from blocks of any kind, for when the first is not one of syncline's (whose `|` is
// found by argument-dependent lookup): `chain(my_block{}, syncline::tap(log))`.
template <class... B>
constexpr auto chain(const B&... b) {
  return pipeline<no_trigger, B...>{{}, boost::hana::make_basic_tuple(b...)};
}

// The arm that passes its input on unchanged: `branch(pred, to_vip, pass)`.
inline constexpr pipeline<no_trigger> pass{};

}  // namespace syncline
