// shopify::connector: what the Shopify actions share across runs — one pacer per shop, and how
// calls are made (timeouts, attempts). Give one to engine::install (or to a run_context, next to
// the HTTP client): the actions need it, so install does not compile without it. Each shop gets
// its own buckets, so one tenant's traffic never slows another, and by default every engine
// process on one database shares them (connector_options::share_rate_limits).
//
//   syncline::shopify::connector shopify;
//   eng.install(shopify_sync, tenant, syncline::services(shopify));
#pragma once

#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/pacer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace syncline::shopify {

struct connector_options {
  // One attempt of one call, connect to last byte. A create whose answer does not come in time
  // is looked up by its source_identifier before it is sent again.
  std::chrono::milliseconds request_timeout{30'000};
  // Attempts of one action (creates, reads, lookups after a lost answer together). 429s and
  // THROTTLED answers are waited out and do not count: pacing makes them rare, and Shopify says
  // when to come back.
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{200};  // after a 5xx or a lost answer; doubles
  std::chrono::milliseconds max_backoff{10'000};
  // A run of 429s/THROTTLED answers longer than this ends the action with errc::rate_limited.
  int max_throttled_waits = 20;
  double headroom = 0.05;  // the share of each rate bucket left unused (see pacer)
  // REST has no search by source_identifier: after a lost answer, the orders created this long
  // before are scanned for it (GraphQL searches directly).
  std::chrono::hours rest_lookup_window{24};
  // Shopify meters a shop, not a process: with this on, every call is also counted in a bucket
  // kept in the run's store (store::reserve_rate), which every engine process on the same
  // database shares, so N processes together stay inside the shop's limits. It costs a store
  // transaction per call (two when Shopify counts calls this process has not seen); a single
  // engine process that is the only client of its shops may turn it off.
  bool share_rate_limits = true;
  // Where the pacers say that the shared buckets failed (and pacing fell back to this
  // process's own) and came back; empty: stderr.
  log_sink log{};
};

class connector {
 public:
  explicit connector(connector_options options = {}) : options_(options) {}
  connector(const connector&) = delete;
  connector& operator=(const connector&) = delete;

  const connector_options& options() const noexcept { return options_; }

  // The pacer of the shop these credentials are for, made from their plan on first use. It
  // lives as long as the connector.
  pacer& pacer_for(const credentials& c) {
    const std::string shop = c.tenant_key();
    std::lock_guard lock(m_);
    auto& p = pacers_[shop];
    if (!p) p = std::make_unique<pacer>(c.plan, options_.headroom, shop, options_.log);
    return *p;
  }

 private:
  connector_options options_;
  std::mutex m_;
  std::map<std::string, std::unique_ptr<pacer>> pacers_;
};

}  // namespace syncline::shopify
