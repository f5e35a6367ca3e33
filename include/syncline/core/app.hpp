// Apps: the third-party systems integrations talk to (`struct shopify_app { static constexpr
// std::string_view name = "shopify"; };`), and syncline::platform, your own product.
#pragma once

#include <concepts>
#include <cstddef>
#include <string_view>
#include <type_traits>

namespace syncline {

// An app is a type that names itself at compile time. Triggers, blocks and destinations declare
// the app they are about with `using app_type = ...;`, and an integration checks that all its
// workflows are about its app (or the platform).
template <class A>
concept app = requires {
  { A::name } -> std::convertible_to<std::string_view>;
  typename std::integral_constant<std::size_t, std::string_view(A::name).size()>;
};

// Your own product: the source of app_event triggers and the target of the data stream.
struct platform {
  static constexpr std::string_view name = "platform";
};

template <class A>
inline constexpr bool is_platform_v = std::is_same_v<A, platform>;

}  // namespace syncline
