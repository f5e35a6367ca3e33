// OK twin of runtime_poll_cannot_fetch.cpp: the poll trigger fetches pages from a cursor.
#include "runtime_setup.hpp"

struct feed_orders : syncline::poll<feed::app, "orders", order> {
  static boost::asio::awaitable<syncline::result<syncline::poll_page<order>>> fetch(
      syncline::run_context&, std::string_view cursor) {
    co_return syncline::poll_page<order>{{}, std::string(cursor), false};
  }
};

constexpr auto poll_orders = syncline::workflow<"poll_orders">(feed_orders{} | save_order{});
constexpr auto feed_sync = syncline::integration<"feed_sync", feed::app>(poll_orders);

int main() { (void)eng.install(feed_sync, syncline::tenant<feed::credentials>{"a"}); }
