// syncline::integration<"crm_sync", crm::app>(push, pull): the workflows that connect your
// product to one app. It checks what only the set can show: every workflow is about this app
// (or your platform), and no two share a name. It exposes its name, app and workflows (a
// boost::hana::tuple) to the runtime and to the diagrams.
#pragma once

#include <syncline/core/app.hpp>
#include <syncline/core/block.hpp>
#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/detail/part_tree.hpp>
#include <syncline/core/detail/type_list.hpp>
#include <syncline/core/diagnostic.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/workflow.hpp>

#include <boost/hana/at.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <utility>

namespace syncline {

template <fixed_string Name, class App, class... Workflows>
struct integration_definition {
  static constexpr std::string_view name = Name;
  static constexpr auto fixed_name = Name;
  using app_type = App;
  static constexpr std::size_t size = sizeof...(Workflows);
  static constexpr std::array<std::string_view, size> workflow_names{Workflows::name...};
  static constexpr std::array<std::uint32_t, size> workflow_versions{Workflows::version.number...};

  boost::hana::tuple<Workflows...> workflows;

  // Whether the k-th workflow is the live version of its name (the highest number): the one new
  // events start. The others only run what their versions queued (version.hpp).
  static constexpr bool is_live(std::size_t k) noexcept {
    for (std::size_t j = 0; j != size; ++j)
      if (workflow_names[j] == workflow_names[k] && workflow_versions[j] > workflow_versions[k])
        return false;
    return true;
  }

  // The live workflow of that name, found by the compiler: `crm_sync.get<"push_orders">()`.
  template <fixed_string Workflow>
  constexpr decltype(auto) get() const {
    constexpr std::size_t i = [] {
      for (std::size_t k = 0; k != size; ++k)
        if (workflow_names[k] == Workflow.view() && is_live(k)) return k;
      return size;
    }();
    if constexpr (i == size) {
      static_cast<void>(diagnostic::no_such_workflow<Name, Workflow>::value);
      return detail::rejected_workflow<Workflow>{};
    } else {
      return (boost::hana::at_c<i>(workflows));
    }
  }
};

// An integration's parts: its workflows'. What they need from their run contexts is what
// engine::install must be given besides what the engine provides itself (needs.hpp).
namespace detail {
template <fixed_string Name, class App, class... W>
struct part_tree<integration_definition<Name, App, W...>> {
  using type = concat_t<part_tree_t<W>...>;
};
}  // namespace detail

// Calls f(workflow) for each workflow of the integration, in declaration order.
template <class Integration, class F>
constexpr void for_each_workflow(const Integration& integration, F&& f) {
  boost::hana::for_each(integration.workflows, std::forward<F>(f));
}

namespace detail {

// What an integration<...>() with a broken rule gives back (after the one error).
template <fixed_string Name>
struct rejected_integration {
  static constexpr std::string_view name = Name;
};

// The apps a block declares, its own and those of blocks nested in its arms.
template <class B>
struct own_apps {
  using type = type_list<>;
};
template <class B>
requires has_app_type<B>
struct own_apps<B> {
  using type = type_list<typename B::app_type>;
};
template <class Parts>
struct apps_of_all;
template <class... P>
struct apps_of_all<type_list<P...>> {
  using type = concat_t<typename own_apps<P>::type...>;
};
template <class B>
struct apps_of : apps_of_all<part_tree_t<B>> {};

template <class App, class List>
struct first_foreign_app {
  using type = void;
};
template <class App, class A, class... Rest>
struct first_foreign_app<App, type_list<A, Rest...>> {
  using type = std::conditional_t<std::is_same_v<A, App> || is_platform_v<A>,
                                  typename first_foreign_app<App, type_list<Rest...>>::type, A>;
};

// Rule 3 for one part at `Position` of workflow `Workflow`.
template <fixed_string Integration, class App, fixed_string Workflow, std::size_t Position,
          fixed_string Part, class Apps>
consteval bool check_part_apps() {
  using foreign = typename first_foreign_app<App, Apps>::type;
  if constexpr (std::is_void_v<foreign>)
    return true;
  else
    return diagnostic::workflow_about_another_app<Integration, Workflow, Position, Part, App,
                                                  foreign>::value;
}

template <fixed_string Integration, class App, std::size_t Position, fixed_string Workflow,
          class... B>
consteval bool check_block_apps() {
  if constexpr (sizeof...(B) == 0) {
    return true;
  } else {
    return []<class First, class... Rest>(type_list<First, Rest...>) {
      if constexpr (!check_part_apps<Integration, App, Workflow, Position, fixed_block_name<First>,
                                     typename apps_of<First>::type>())
        return false;
      else
        return check_block_apps<Integration, App, Position + 1, Workflow, Rest...>();
    }(type_list<B...>{});
  }
}

template <fixed_string Integration, class App, fixed_string N, error_policy P, version V, class T,
          class... B>
consteval bool check_workflow_apps(const workflow_definition<N, P, V, T, B...>*) {
  if constexpr (!check_part_apps<Integration, App, N, 0, fixed_name_of<T>,
                                 type_list<typename T::app_type>>())
    return false;
  else
    return check_block_apps<Integration, App, 1, N, B...>();
}

// Two workflows of one name must be versions whose ranges do not meet (rule 4): otherwise a run
// of one version would have two definitions to run it. {first, second}; second == size if none.
template <class... W>
consteval std::array<std::size_t, 2> first_duplicate_name() {
  constexpr std::array<std::string_view, sizeof...(W)> names{W::name...};
  constexpr std::array<version, sizeof...(W)> versions{W::version...};
  for (std::size_t j = 1; j < names.size(); ++j)
    for (std::size_t i = 0; i != j; ++i)
      if (names[i] == names[j] && versions[i].oldest() <= versions[j].number &&
          versions[j].oldest() <= versions[i].number)
        return {i, j};
  return {0, sizeof...(W)};
}

template <fixed_string Name, class App, std::size_t Index, class... W>
consteval bool check_members() {
  if constexpr (sizeof...(W) == 0) {
    return true;
  } else {
    return []<class First, class... Rest>(type_list<First, Rest...>) {
      if constexpr (!is_workflow_v<First>)
        return diagnostic::not_a_workflow<Name, Index, First>::value;
      else
        return check_members<Name, App, Index + 1, Rest...>();
    }(type_list<W...>{});
  }
}

template <fixed_string Name, class App, class... W>
consteval bool check_integration() {
  if constexpr (!check_name<name_kind::identifier, "integration", Name>()) {
    return false;
  } else if constexpr (!app<App>) {
    return diagnostic::not_an_app<Name, App>::value;
  } else if constexpr (!check_name<name_kind::identifier, "app", fixed_name_of<App>>()) {
    return false;
  } else if constexpr (!check_members<Name, App, 0, W...>()) {
    return false;
  } else if constexpr (constexpr auto d = first_duplicate_name<W...>(); d[1] != sizeof...(W)) {
    using first = type_at_t<d[0], type_list<W...>>;
    using dup = type_at_t<d[1], type_list<W...>>;
    return diagnostic::duplicate_workflow_name<Name, dup::fixed_name, first::version.number,
                                               dup::version.number>::value;
  } else {
    return (check_workflow_apps<Name, App>(static_cast<const W*>(nullptr)) && ...);
  }
}

}  // namespace detail

// Groups workflows about one app. Checks rules 3 (apps) and 4 (names) and the names themselves.
template <fixed_string Name, class App, class... W>
constexpr auto integration(const W&... workflows) {
  if constexpr ((detail::is_rejected_workflow_v<W> || ...)) {
    return detail::rejected_integration<Name>{};  // a workflow already reported its error
  } else if constexpr (!detail::check_integration<Name, App, W...>()) {
    return detail::rejected_integration<Name>{};
  } else {
    return integration_definition<Name, App, W...>{boost::hana::make_tuple(workflows...)};
  }
}

}  // namespace syncline
