// What engine::install requires of an integration and its tenant, checked at the call. Each
// check names the first broken rule through its syncline::diagnostic type and answers false, so
// install compiles nothing else of the integration then: one mistake, one error.
#pragma once

#include <syncline/core/delivery.hpp>
#include <syncline/core/detail/check.hpp>
#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/detail/type_list.hpp>
#include <syncline/core/diagnostic.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/trigger.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/runtime/detail/payload_codec.hpp>
#include <syncline/runtime/detail/runner.hpp>
#include <syncline/runtime/poll_page.hpp>
#include <syncline/runtime/tenant.hpp>

#include <boost/hana/tuple.hpp>

#include <string>
#include <string_view>
#include <type_traits>

namespace syncline {
class echo_memory;
namespace http {
class client;
}
namespace store {
class store;
}
}  // namespace syncline

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

template <class I>
using workflows_of = std::remove_cvref_t<decltype(std::declval<const I&>().workflows)>;

template <class I, class Workflows>
struct all_workflows_runnable : std::true_type {};  // an integration without workflows
template <class I, class W, class... Rest>
struct all_workflows_runnable<I, boost::hana::tuple<W, Rest...>>
    : std::bool_constant<workflows_runnable<I, W, Rest...>()> {};

// What the engine puts into the context of a poll's fetch itself (engine_context::provide_to
// and the installation's credentials and settings, in sources.hpp), and into every run's (the
// same and the echo memory, in executor.hpp): keep these in step with them.
template <class Credentials>
using source_services = needs<http::client, store::store, Credentials, tenant_settings>;
template <class Credentials>
using run_services = needs<http::client, store::store, echo_memory, Credentials, tenant_settings>;

template <class Available, class Given>
struct and_given;
template <class... A, class... G>
struct and_given<needs<A...>, needs<G...>> {
  using type = needs<A..., G...>;
};

// A service type given to install a second time, or one the engine provides itself (rule
// service_given_twice); void when there is none.
template <class Credentials, class Given>
using given_twice_t = first_repeated_t<typename and_given<run_services<Credentials>, Given>::type>;

// The parts of workflow W from `Position` on, stopping at the first that needs a service
// `Available` lacks.
template <class I, class W, std::size_t Position, class Available, class... Parts>
consteval bool parts_given_services() {
  if constexpr (sizeof...(Parts) == 0) {
    return true;
  } else {
    return []<class First, class... Rest>(type_list<First, Rest...>) {
      using missing = first_missing_t<services_needed_t<First>, Available>;
      if constexpr (!std::is_void_v<missing>)
        return diagnostic::service_not_provided<I::fixed_name, W::fixed_name, Position,
                                                fixed_block_name<First>, missing>::value;
      else
        return parts_given_services<I, W, Position + 1, Available, Rest...>();
    }(type_list<Parts...>{});
  }
}

template <class I, class Credentials, class Given, fixed_string N, error_policy P, version V,
          class T, class... B>
consteval bool workflow_given_services(const workflow_definition<N, P, V, T, B...>*) {
  using W = workflow_definition<N, P, V, T, B...>;
  using at_source = typename and_given<source_services<Credentials>, Given>::type;
  using at_run = typename and_given<run_services<Credentials>, Given>::type;
  using missing = first_missing_t<services_needed_t<T>, at_source>;
  if constexpr (!std::is_void_v<missing>)
    return diagnostic::service_not_provided<I::fixed_name, N, 0, fixed_name_of<T>, missing>::value;
  else
    return parts_given_services<I, W, 1, at_run, B...>();
}

// Every service the integration's parts name is the engine's own or given to install (rule
// service_not_provided). The walk, which finds the part to name, runs only when one is missing.
template <class I, class Credentials, class Given, class Workflows>
struct services_given;
template <class I, class Credentials, class Given, class... W>
struct services_given<I, Credentials, Given, boost::hana::tuple<W...>> {
  static consteval bool check() {
    using available = typename and_given<source_services<Credentials>, Given>::type;
    if constexpr (std::is_void_v<first_missing_t<services_needed_t<I>, available>>)
      return true;
    else
      return walk<W...>();
  }
  // One workflow after the other, so that only the first part missing a service is named.
  template <class First, class... Rest>
  static consteval bool walk() {
    if constexpr (!workflow_given_services<I, Credentials, Given>(
                      static_cast<const First*>(nullptr)))
      return false;
    else if constexpr (sizeof...(Rest) == 0)
      return true;
    else
      return walk<Rest...>();
  }
};

template <class I, class Credentials, class Given = needs<>>
consteval bool installable() {
  if constexpr (!runnable_integration<I>) {
    return diagnostic::not_an_integration<I>::value;
  } else {
    using app = typename I::app_type;
    if constexpr (!credentials_fit<app, Credentials>)
      return diagnostic::tenant_credentials_mismatch<I::fixed_name, typename app::credentials,
                                                     Credentials>::value;
    else if constexpr (!all_workflows_runnable<I, workflows_of<I>>::value)
      return false;
    else if constexpr (!std::is_void_v<given_twice_t<Credentials, Given>>)
      return diagnostic::service_given_twice<I::fixed_name,
                                             given_twice_t<Credentials, Given>>::value;
    else
      return services_given<I, Credentials, Given, workflows_of<I>>::check();
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
