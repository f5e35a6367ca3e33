// The bodies of store::postgres_store's roles (store::lead): session advisory locks on the
// connection that holds the store's own lock. Included at the end of store/postgres_store.hpp.
#pragma once

#include <syncline/store/detail/postgres_store_body.hpp>
#include <syncline/store/postgres_store.hpp>
#include <syncline/store/role_name.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace syncline::store {

inline std::string postgres_store::role_lock_keys(std::string_view role) const {
  // FNV-1a: the same keys in every process and build (std::hash promises neither).
  auto fnv = [](std::string_view text) {
    std::uint32_t h = 2166136261u;
    for (unsigned char ch : text) h = (h ^ ch) * 16777619u;
    return static_cast<std::int32_t>(h);
  };
  return std::to_string(fnv(store_id_)) + ", " + std::to_string(fnv(role));
}

inline result<bool> postgres_store::lead(std::string_view role) {
  if (!valid_role_name(role)) return invalid_role_name("lead", role);
  std::lock_guard guard(lock_mu_);
  keep_lock_locked();
  if (roles_.contains(role)) {
    // A session the server ended is not always noticed by then (its last words may still be on
    // their way): one round trip on it tells. A session that answers holds its locks.
    if (lock_connection_.exec("SELECT 1")) return true;
    keep_lock_locked();  // it is broken: the roles went with it; connect again
  }
  if (lock_connection_.broken()) {
    return make_error(errc::storage, "lead " + std::string(role) +
                                         ": the store's session is lost and not back yet");
  }
  auto r = lock_connection_.exec("SELECT pg_try_advisory_lock(" + role_lock_keys(role) + ")");
  if (!r) return std::move(r).error();
  if (postgres::text_at(*r, 0, 0) != "t") return false;
  roles_.emplace(role);
  return true;
}

inline result<void> postgres_store::resign(std::string_view role) {
  if (!valid_role_name(role)) return invalid_role_name("resign", role);
  std::lock_guard guard(lock_mu_);
  auto it = roles_.find(role);
  if (it == roles_.end()) return {};
  roles_.erase(it);
  if (lock_connection_.broken()) return {};  // the lock ended with the session
  auto r = lock_connection_.exec("SELECT pg_advisory_unlock(" + role_lock_keys(role) + ")");
  if (!r) return std::move(r).error();
  return {};
}

}  // namespace syncline::store
