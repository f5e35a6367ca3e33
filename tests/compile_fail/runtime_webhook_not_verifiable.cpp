// expect: syncline: engine::install: the app of a webhook trigger must provide static identify\(delivery\) and verify\(delivery, credentials\)
// names: webhook_not_verifiable<syncline::fixed_string<9>{"feed_sync"}, syncline::fixed_string<11>{"pull_orders"}, syncline::webhook<feed::app, syncline::fixed_string<13>{"orders/create"}, order> >
// The engine authenticates every delivery, so a webhook trigger's app says how. Twin:
// runtime_webhook_not_verifiable_ok.cpp.
#include "runtime_setup.hpp"

constexpr auto pull = syncline::workflow<"pull_orders">(
    syncline::webhook<feed::app, "orders/create", order>{} | save_order{});
constexpr auto feed_sync = syncline::integration<"feed_sync", feed::app>(pull);

int main() { (void)eng.install(feed_sync, syncline::tenant<feed::credentials>{"a"}); }
