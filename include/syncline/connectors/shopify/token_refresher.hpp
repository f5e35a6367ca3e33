// shopify::token_refresher: keeps the expiring offline tokens of one integration's shops fresh,
// durably, with any number of engine processes on one store.
//
// An expiring offline token lives an hour; its refresh token renews it once and is replaced by
// the new one Shopify answers. So a refresh must be done by one process at a time per shop, and
// the new pair must be committed before it is used:
//
//   1. In this process, one refresh per shop at a time; the calls that need it meanwhile wait
//      for its outcome (a 401 seen by ten runs is one refresh).
//   2. Among processes, the shop's store role (store::lead, a lock the store drops when its
//      holder dies): a process that does not get it waits until the holder committed, and
//      takes the new pair from the store.
//   3. The holder reads the installation row again (another process may have refreshed since
//      this one read it), calls Shopify, seals the new pair and replaces the row only if it is
//      still the revision it read (store::replace_installation). Only then is the new token used.
//   4. A crash (or a failed commit) between Shopify's answer and the commit loses the new pair,
//      never the shop: Shopify keeps the previous refresh token valid until the new one is first
//      used, so the next refresh starts again from the stored pair.
//
// Store calls are short and synchronous; Shopify is called asynchronously.
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/token_endpoint.hpp>
#include <syncline/connectors/shopify/token_source.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/timestamp.hpp>
#include <syncline/crypto/keyring.hpp>
#include <syncline/store/store.hpp>

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace syncline::shopify {

namespace detail {
// An expiry as credentials keep it.
inline std::optional<timestamp> timestamp_of(
    const std::optional<std::chrono::system_clock::time_point>& t) {
  if (!t) return std::nullopt;
  return timestamp::from_time_point(std::chrono::time_point_cast<std::chrono::nanoseconds>(*t));
}
}  // namespace detail

struct token_refresher_options {
  // A token is refreshed this long before it expires (runs then never meet an expired one).
  std::chrono::seconds refresh_before{300};
  // How long a process waits for another one's refresh of the same shop before it gives up
  // (errc::unavailable; the call that needed the token is retried by its run's policy).
  std::chrono::milliseconds wait_for_other{30'000};
  // The clock that says when a token is due; empty: the system clock. Tests: the emulator's.
  std::function<std::chrono::system_clock::time_point()> now{};
};

class token_refresher {
 public:
  // `integration` names the installations' rows (their tenant id is the shop domain). The
  // store, the keyring and the endpoint must outlive the refresher.
  SYNCLINE_DECL token_refresher(store::store& st, std::shared_ptr<const crypto::keyring> ring,
                                std::string integration, token_endpoint& endpoint,
                                token_refresher_options options = {});
  token_refresher(const token_refresher&) = delete;
  token_refresher& operator=(const token_refresher&) = delete;

  // Adopts the credentials of a shop as stored at `revision` (just installed or restored), and
  // answers them with their token source set to this refresher's.
  SYNCLINE_DECL credentials track(credentials c, std::int64_t revision);
  // Forgets a shop (uninstalled): its source answers errc::not_found from now on.
  SYNCLINE_DECL void forget(const std::string& shop);

  // Refreshes the shop's token if it expires within refresh_before (`force`: whatever its
  // expiry, e.g. after a 401). True when the shop has a newer token than before the call (this
  // process refreshed it, or another one did and it was taken from the store).
  SYNCLINE_DECL boost::asio::awaitable<result<bool>> refresh(std::string shop, bool force = false);
  // refresh() of every tracked shop that is due; answers how many got a new token. The first
  // error is answered after the others were tried.
  SYNCLINE_DECL boost::asio::awaitable<result<std::size_t>> refresh_due();

  // The access token a tracked shop uses now.
  SYNCLINE_DECL result<secret> current(const std::string& shop) const;
  // Every token held, for the redactor.
  SYNCLINE_DECL std::vector<secret> secrets() const;
  SYNCLINE_DECL std::vector<secret> secrets_of(const std::string& shop) const;

 private:
  class shop_tokens;
  struct tracked {
    credentials creds;
    std::int64_t revision = 0;
    bool refreshing = false;
    std::uint64_t generation = 0;  // +1 at each new token
    std::vector<secret> retired;   // tokens used until lately, still scrubbed
  };

  std::chrono::system_clock::time_point now() const;
  bool due(const credentials& c) const;
  // The store role of one shop's refresh: [a-z0-9_-], whatever the shop's name.
  std::string role_of(const std::string& shop) const;
  SYNCLINE_DECL result<bool> adopt_stored(const std::string& shop);
  SYNCLINE_DECL boost::asio::awaitable<result<bool>> refresh_as_holder(std::string shop,
                                                                       bool force);
  SYNCLINE_DECL boost::asio::awaitable<result<bool>> wait_for_store(std::string shop,
                                                                    std::int64_t revision);
  SYNCLINE_DECL void adopt(const std::string& shop, credentials c, std::int64_t revision);

  store::store& store_;
  std::shared_ptr<const crypto::keyring> ring_;
  std::string integration_;
  token_endpoint& endpoint_;
  token_refresher_options options_;
  mutable std::mutex mu_;
  std::map<std::string, tracked, std::less<>> shops_;
  // What the shops' token sources hold weakly: gone with the refresher, so that credentials an
  // engine still holds answer an error instead of calling a refresher that no longer exists.
  std::shared_ptr<void> alive_ = std::make_shared<int>(0);
};

}  // namespace syncline::shopify

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/shopify/impl/token_refresher.ipp>
#endif
