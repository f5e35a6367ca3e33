// syncline::for_each<"each_line">(arm): runs the arm once per element of a range (the input),
// in order. It produces a std::vector of what the arm produced, leaving out elements the arm
// skipped; if the arm ends in a destination, the for_each is a destination. The first element
// whose arm fails fails the block (put a recover block in the arm to decide per element).
// Each element has its own idempotency keys (the element index follows the for_each's name).
#pragma once

#include <syncline/core/awaitable.hpp>
#include <syncline/core/detail/check.hpp>
#include <syncline/core/detail/composite.hpp>
#include <syncline/core/detail/flow.hpp>
#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/detail/signature.hpp>
#include <syncline/core/diagnostic.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/outcome.hpp>
#include <syncline/core/parts.hpp>
#include <syncline/core/pipeline.hpp>
#include <syncline/core/run_context.hpp>

#include <cstddef>
#include <ranges>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace syncline {

namespace detail {
template <class In>
struct element_of {
  using type = poison;
};
template <class In>
requires std::ranges::input_range<In>
struct element_of<In> {
  using type = std::ranges::range_value_t<In>;
};

template <class Out>
struct collected {
  using type = std::vector<Out>;
};
template <>
struct collected<void> {
  using type = void;
};
template <>
struct collected<poison> {
  using type = poison;
};
}  // namespace detail

template <fixed_string Name, class Arm>
struct for_each_block {
  static constexpr bool syncline_pipeable = true;
  static_assert(detail::checked(detail::check_name<name_kind::identifier, "block", Name>()));

  static constexpr std::string_view name = Name;
  static constexpr std::string_view kind = "for_each";
  static constexpr detail::protocol block_protocol = detail::protocol::composite;
  static constexpr bool has_own_checks = true;
  static constexpr fixed_string arm_names = "each";
  using nested_blocks = detail::arm_blocks_t<Arm>;

  [[no_unique_address]] Arm arm;

  template <class In>
  struct signature : detail::signature_defaults {
    using element = typename detail::element_of<In>::type;
    using arm_flow = detail::arm_flow_t<Arm, element>;
    static constexpr bool accepted = !std::is_same_v<element, detail::poison> && arm_flow::ok;
    using output =
        std::conditional_t<accepted, typename detail::collected<typename arm_flow::output>::type,
                           detail::poison>;
    static constexpr bool async = arm_flow::async;
    using returned_type = detail::composite_returned<output, async>;
    static constexpr bool may_fail = arm_flow::may_fail;
    static constexpr bool may_skip = false;  // a skipped element is left out, the run goes on
    static constexpr bool needs_context = arm_flow::needs_context;
    static constexpr bool is_destination = accepted && std::is_void_v<output>;
    static constexpr bool unhandled = arm_flow::unhandled_at != 0;
    static constexpr std::size_t depth = 1 + arm_flow::depth;
    static constexpr std::size_t part_count = 1 + arm_flow::part_count;
  };

  template <class Site, std::size_t Position, class In>
  static consteval bool check() {
    using element = typename signature<In>::element;
    if constexpr (std::is_same_v<element, detail::poison>) {
      using got = std::conditional_t<std::is_void_v<In>, diagnostic::nothing, In>;
      return diagnostic::block_does_not_accept<Site::workflow, Site::template position<Position>,
                                               Site::template label<Position, Name>(),
                                               diagnostic::a_range, got>::value;
    } else {
      return check_arm<typename Site::template arm<Position, Name, "each">, element>(
          static_cast<const Arm*>(nullptr));
    }
  }

  template <class In>
  static constexpr void describe(part_info* out, std::size_t& n, std::size_t self) {
    detail::describe_arm<typename signature<In>::element>(static_cast<const Arm*>(nullptr), out, n,
                                                          self, "each");
  }

  template <class V>
  auto operator()(V&& range, run_context& ctx) const {
    using In = std::remove_cvref_t<V>;
    if constexpr (!signature<In>::async)
      return run_sync_over(std::forward<V>(range), ctx);
    else
      return run_async_over(In(std::forward<V>(range)), ctx);
  }

 private:
  template <class V>
  auto run_sync_over(V&& range, run_context& ctx) const
      -> outcome<typename signature<std::remove_cvref_t<V>>::output> {
    using sig = signature<std::remove_cvref_t<V>>;
    using E = typename sig::element;
    using Out = typename sig::arm_flow::output;
    std::size_t index = 0;
    if constexpr (std::is_void_v<Out>) {
      for (auto&& e : range) {
        auto o = detail::run_arm_sync<void, typename sig::arm_flow>(arm, E(std::move(e)), ctx,
                                                                    {{}, index++});
        if (o.is_failed()) return std::move(o).error();
      }
      return {};
    } else {
      std::vector<Out> out;
      if constexpr (std::ranges::sized_range<V>) out.reserve(std::ranges::size(range));
      for (auto&& e : range) {
        auto o = detail::run_arm_sync<Out, typename sig::arm_flow>(arm, E(std::move(e)), ctx,
                                                                   {{}, index++});
        if (o.is_failed()) return std::move(o).error();
        if (o.has_value()) out.push_back(std::move(o).value());
      }
      return out;
    }
  }

  template <class In>
  syncline::awaitable<outcome<typename signature<In>::output>> run_async_over(
      In range, run_context& ctx) const {
    using sig = signature<In>;
    using E = typename sig::element;
    using Out = typename sig::arm_flow::output;
    std::size_t index = 0;
    if constexpr (std::is_void_v<Out>) {
      for (auto&& e : range) {
        auto o = co_await detail::run_arm_async<void, typename sig::arm_flow>(arm, E(std::move(e)),
                                                                              ctx, {{}, index++});
        if (o.is_failed()) co_return std::move(o).error();
      }
      co_return outcome<void>{};
    } else {
      std::vector<Out> out;
      if constexpr (std::ranges::sized_range<In>) out.reserve(std::ranges::size(range));
      for (auto&& e : range) {
        auto o = co_await detail::run_arm_async<Out, typename sig::arm_flow>(arm, E(std::move(e)),
                                                                             ctx, {{}, index++});
        if (o.is_failed()) co_return std::move(o).error();
        if (o.has_value()) out.push_back(std::move(o).value());
      }
      co_return out;
    }
  }

  template <class Site, class In, class... B>
  static consteval bool check_arm(const pipeline<no_trigger, B...>*) {
    return detail::check_arm_blocks<Site, In, B...>();
  }
};

template <fixed_string Name = "for_each", class Arm>
constexpr auto for_each(const Arm& arm) {
  return for_each_block<Name, detail::as_arm_t<Arm>>{detail::as_arm(arm)};
}

}  // namespace syncline
