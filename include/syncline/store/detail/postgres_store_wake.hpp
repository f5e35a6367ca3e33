// The bodies of store::postgres_store's waking of idle workers: the announcement that runs were
// queued (pg_notify in the queuing transaction) and the watch that hears it (a
// postgres::listener). Included at the end of store/postgres_store.hpp.
#pragma once

#include <syncline/store/postgres_store.hpp>

#include <cstdio>

namespace syncline::store {

inline std::string postgres_store::new_runs_channel_of(std::string_view schema) {
  // A channel name is an identifier: at most 63 bytes. A longer schema is named by its FNV-1a
  // (the same in every process and build, as the channel must be).
  const std::string prefix = "syncline_new_runs.";
  if (prefix.size() + schema.size() <= 63) return prefix + std::string(schema);
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char ch : schema) h = (h ^ ch) * 1099511628211ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return prefix + hex;
}

inline result<void> postgres_store::announce_new_runs(connection& c) {
  parameters p;
  p.text(channel_);
  if (auto r = exec_prepared(c, "SELECT pg_notify($1, '')", p); !r) return std::move(r).error();
  return {};
}

inline void postgres_store::wake_watcher() {
  std::lock_guard guard(watch_mu_);
  if (wake_) wake_();
}

inline bool postgres_store::watch_new_runs(std::function<void()> wake) {
  if (!wake) return false;
  std::lock_guard guard(watch_mu_);
  wake_ = std::move(wake);
  if (listener_) return true;
  auto l = postgres::listener::start(conninfo_, channel_, [this] { wake_watcher(); });
  if (!l) {
    wake_ = nullptr;
    return false;  // the caller polls, as on a store that cannot tell
  }
  listener_ = std::move(*l);
  return true;
}

inline void postgres_store::unwatch_new_runs() {
  std::unique_ptr<postgres::listener> ending;
  {
    std::lock_guard guard(watch_mu_);
    wake_ = nullptr;  // from here on the listener's callback finds nothing to call
    ending = std::move(listener_);
  }
  // Joined outside watch_mu_: the listener's thread may be waiting for it in wake_watcher.
  ending.reset();
}

}  // namespace syncline::store
