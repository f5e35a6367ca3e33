// expect: syncline: engine::install: a poll trigger must provide static fetch\(ctx, cursor\)
// names: poll_cannot_fetch<syncline::fixed_string<9>{"feed_sync"}, syncline::fixed_string<11>{"poll_orders"}, syncline::poll<feed::app, syncline::fixed_string<6>{"orders"}, order> >
// The engine polls by calling the trigger's fetch: a poll trigger provides one. Twin:
// runtime_poll_cannot_fetch_ok.cpp.
#include "runtime_setup.hpp"

constexpr auto poll_orders =
    syncline::workflow<"poll_orders">(syncline::poll<feed::app, "orders", order>{} | save_order{});
constexpr auto feed_sync = syncline::integration<"feed_sync", feed::app>(poll_orders);

int main() { (void)eng.install(feed_sync, syncline::tenant<feed::credentials>{"a"}); }
