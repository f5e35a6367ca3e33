// What engine::install requires of an integration and its tenant, checked at the call. Each
// check names the first broken rule through its syncline::diagnostic type and answers false, so
// install compiles nothing else of the integration then: one mistake, one error.
#pragma once

#include <syncline/core/delivery.hpp>
#include <syncline/core/diagnostic.hpp>
#include <syncline/core/trigger.hpp>
#include <syncline/runtime/detail/payload_codec.hpp>
#include <syncline/runtime/detail/runner.hpp>
#include <syncline/runtime/poll_page.hpp>

#include <boost/hana/tuple.hpp>

#include <string>
#include <string_view>
#include <type_traits>

namespace syncline::detail {

template <class I>
concept runnable_integration = requires(const I& i) {
  typename I::app_type;
  { I::name } -> std::convertible_to<std::string_view>;
  I::fixed_name;
  i.workflows;
};

// A tenant's credentials are its app's, when the app has any.
template <class App, class Credentials>
concept credentials_fit =
    !has_credentials<App> || std::is_same_v<Credentials, typename App::credentials>;

// What the engine needs of one workflow's trigger and payload.
template <class I, class W>
consteval bool workflow_runnable() {
  using T = typename W::trigger_type;
  using P = typename W::payload_type;
  if constexpr (!payload_codec<P>::supported)
    return diagnostic::payload_not_storable<I::fixed_name, W::fixed_name, P>::value;
  else if constexpr (T::kind == trigger_kind::webhook && !verifiable_webhook<T>)
    return diagnostic::webhook_not_verifiable<I::fixed_name, W::fixed_name, T>::value;
  else if constexpr (T::kind == trigger_kind::poll && !pollable_trigger<T>)
    return diagnostic::poll_cannot_fetch<I::fixed_name, W::fixed_name, T>::value;
  else
    return true;
}

// The workflows in order, stopping at the first that breaks a rule.
template <class I, class W, class... Rest>
consteval bool workflows_runnable() {
  if constexpr (!workflow_runnable<I, W>())
    return false;
  else if constexpr (sizeof...(Rest) == 0)
    return true;
  else
    return workflows_runnable<I, Rest...>();
}

template <class I, class Workflows>
struct all_workflows_runnable : std::true_type {};  // an integration without workflows
template <class I, class W, class... Rest>
struct all_workflows_runnable<I, boost::hana::tuple<W, Rest...>>
    : std::bool_constant<workflows_runnable<I, W, Rest...>()> {};

template <class I, class Credentials>
consteval bool installable() {
  if constexpr (!runnable_integration<I>) {
    return diagnostic::not_an_integration<I>::value;
  } else {
    using app = typename I::app_type;
    if constexpr (!credentials_fit<app, Credentials>)
      return diagnostic::tenant_credentials_mismatch<I::fixed_name, typename app::credentials,
                                                     Credentials>::value;
    else
      return all_workflows_runnable<
          I, std::remove_cvref_t<decltype(std::declval<const I&>().workflows)>>::value;
  }
}

// An emitted or manual run's payload, encoded for the run queue.
template <class T>
std::string encode_event_payload(const T& payload) {
  if constexpr (payload_codec<T>::supported) {
    return payload_codec<T>::encode(payload);
  } else {
    static_cast<void>(diagnostic::event_payload_not_storable<T>::value);
    return {};
  }
}

}  // namespace syncline::detail
