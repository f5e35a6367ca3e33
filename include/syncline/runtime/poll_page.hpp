// What a poll trigger must provide for the engine to run it: a fetch of one page of records from
// the app's API, starting at a cursor, and the cursor after that page. The engine stores the
// cursor in the same transaction as the page's runs, so a crash or a failed page never skips a
// record (the next poll starts where the last committed page ended).
//
//   struct new_orders : syncline::poll<crm::app, "new_orders", crm::order, "@every 1m"> {
//     static boost::asio::awaitable<syncline::result<syncline::poll_page<crm::order>>>
//     fetch(syncline::run_context& ctx, std::string_view cursor);   // cursor "" = from the start
//     // optional: a key per record, so an overlapping page (updated_at >= cursor) runs nothing
//     // twice within the dedupe window
//     static std::string dedupe_key(const crm::order& o) { return std::to_string(o.id); }
//   };
//
// fetch runs with the tenant's credentials and the engine's HTTP client in `ctx`, like a block.
#pragma once

#include <syncline/core/detail/cron.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/core/trigger.hpp>

#include <boost/asio/awaitable.hpp>

#include <concepts>
#include <string>
#include <string_view>
#include <vector>

namespace syncline {

template <class Item>
struct poll_page {
  std::vector<Item> items{};
  std::string cursor{};  // where the next fetch starts; stored with this page's runs
  bool more = false;     // another page is ready now: fetch it without waiting for the next tick
};

template <class T>
concept pollable_trigger = trigger<T> && T::kind ==
                           trigger_kind::poll&& requires(run_context& ctx, std::string_view c) {
  { T::spec } -> std::convertible_to<schedule_spec>;
  {
    T::fetch(ctx, c)
    } -> std::same_as<boost::asio::awaitable<result<poll_page<typename T::payload_type>>>>;
};

namespace detail {
template <class T>
concept keyed_poll = requires(const typename T::payload_type& item) {
  { T::dedupe_key(item) } -> std::convertible_to<std::string>;
};
}  // namespace detail

}  // namespace syncline
