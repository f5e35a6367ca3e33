// syncline::services(a, b, ...): the services an installation's runs find in their run context
// (ctx.service<T>()), given to engine::install. Their types are what install checks the
// integration's needs against (see core/needs.hpp), so a forgotten one is a compile error:
//
//   const auto shared = syncline::services(shopify_connector, orders_stream, warehouse);
//   eng.install(shop_sync, syncline::tenant{"shop-a", creds}, shared);   // once per tenant
//
// It holds references: the services must outlive the engine's runs (the caller owns them, and
// one service may serve every installation). Each is found by its type without const; to hand a
// derived object to parts that ask for its base, pass it as the base (static_cast<base&>(x)).
#pragma once

#include <syncline/core/needs.hpp>
#include <syncline/core/run_context.hpp>

#include <tuple>
#include <type_traits>

namespace syncline {

template <class... S>
class services {
 public:
  // With no argument: an installation whose parts need nothing but what the engine provides.
  constexpr services(S&... given) noexcept : given_(&given...) {}

  using types = needs<std::remove_cv_t<S>...>;

  // Puts every service into the context of one run.
  void provide_to(run_context& ctx) const {
    std::apply([&](S*... s) { (ctx.provide(*s), ...); }, given_);
  }

  // Calls f(service) for each service, in the order given.
  template <class F>
  void for_each(F&& f) const {
    std::apply([&](S*... s) { (f(*s), ...); }, given_);
  }

 private:
  std::tuple<S*...> given_;
};

template <class... S>
services(S&...) -> services<S...>;

}  // namespace syncline
