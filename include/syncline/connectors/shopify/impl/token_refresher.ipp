#pragma once

#include <syncline/connectors/shopify/token_refresher.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline/runtime/sealed_credentials.hpp>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <utility>

namespace syncline::shopify {

namespace detail {

inline boost::asio::awaitable<void> pause(std::chrono::milliseconds d) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, d);
  boost::system::error_code ec;  // cancelled: just go on
  co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

inline constexpr std::chrono::milliseconds refresh_poll{25};

// A store role held until the end of a scope. (A named class: a local one in a coroutine frame
// has no linkage.)
struct role_held {
  store::store& st;
  const std::string& role;
  role_held(store::store& s, const std::string& r) : st(s), role(r) {}
  role_held(const role_held&) = delete;
  role_held& operator=(const role_held&) = delete;
  ~role_held() { (void)st.resign(role); }
};

}  // namespace detail

// The token source of one shop: what admin_api asks. It holds a weak hold on its refresher, so
// credentials kept by an engine after the refresher went answer an error, never a dangling call.
class token_refresher::shop_tokens final : public token_source {
 public:
  shop_tokens(token_refresher& r, std::weak_ptr<void> alive, std::string shop)
      : refresher_(r), alive_(std::move(alive)), shop_(std::move(shop)) {}

  secret current() const override {
    if (alive_.expired()) return {};
    auto t = refresher_.current(shop_);
    return t ? *t : secret{};
  }

  boost::asio::awaitable<result<secret>> renew(secret refused) override {
    if (alive_.expired())
      co_return make_error(errc::unavailable, "the token refresher of " + shop_ + " has stopped");
    auto now = refresher_.current(shop_);
    if (!now) co_return std::move(now).error();
    if (*now != refused) co_return *now;  // another call refreshed it meanwhile
    auto r = co_await refresher_.refresh(shop_, true);
    if (!r) co_return std::move(r).error();
    co_return refresher_.current(shop_);
  }

  std::vector<secret> secrets() const override {
    if (alive_.expired()) return {};
    return refresher_.secrets_of(shop_);
  }

 private:
  token_refresher& refresher_;
  std::weak_ptr<void> alive_;
  std::string shop_;
};

SYNCLINE_DECL token_refresher::token_refresher(store::store& st,
                                               std::shared_ptr<const crypto::keyring> ring,
                                               std::string integration, token_endpoint& endpoint,
                                               token_refresher_options options)
    : store_(st),
      ring_(std::move(ring)),
      integration_(std::move(integration)),
      endpoint_(endpoint),
      options_(std::move(options)) {}

std::chrono::system_clock::time_point token_refresher::now() const {
  return options_.now ? options_.now() : std::chrono::system_clock::now();
}

bool token_refresher::due(const credentials& c) const {
  if (!c.expires_at || c.refresh_token.empty()) return false;  // a token that does not expire
  const auto expires =
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(c.expires_at->instant());
  return expires - options_.refresh_before <= now();
}

std::string token_refresher::role_of(const std::string& shop) const {
  // A digest keeps the role within [a-z0-9_-]{1,64} whatever the shop's name.
  const auto d = http::hmac_sha256("syncline token refresh", integration_ + "/" + shop);
  return "token-" +
         http::hex_encode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()))
             .substr(0, 40);
}

SYNCLINE_DECL credentials token_refresher::track(credentials c, std::int64_t revision) {
  const std::string shop = c.tenant_key();
  c.tokens = std::make_shared<shop_tokens>(*this, alive_, shop);
  std::lock_guard lock(mu_);
  auto& t = shops_[shop];
  if (!t.creds.access_token.empty() && t.creds.access_token != c.access_token)
    t.retired.push_back(t.creds.access_token);
  t.creds = c;
  t.revision = revision;
  ++t.generation;
  return c;
}

SYNCLINE_DECL void token_refresher::forget(const std::string& shop) {
  std::lock_guard lock(mu_);
  shops_.erase(shop);
}

SYNCLINE_DECL result<secret> token_refresher::current(const std::string& shop) const {
  std::lock_guard lock(mu_);
  auto it = shops_.find(shop);
  if (it == shops_.end())
    return make_error(errc::not_found, "no tokens of " + shop + " (not installed)");
  return it->second.creds.access_token;
}

SYNCLINE_DECL std::vector<secret> token_refresher::secrets_of(const std::string& shop) const {
  std::lock_guard lock(mu_);
  std::vector<secret> out;
  auto it = shops_.find(shop);
  if (it == shops_.end()) return out;
  out = it->second.retired;
  out.push_back(it->second.creds.access_token);
  out.push_back(it->second.creds.refresh_token);
  return out;
}

SYNCLINE_DECL std::vector<secret> token_refresher::secrets() const {
  std::lock_guard lock(mu_);
  std::vector<secret> out;
  for (const auto& [shop, t] : shops_) {
    out.insert(out.end(), t.retired.begin(), t.retired.end());
    out.push_back(t.creds.access_token);
    out.push_back(t.creds.refresh_token);
  }
  return out;
}

SYNCLINE_DECL void token_refresher::adopt(const std::string& shop, credentials c,
                                          std::int64_t revision) {
  std::lock_guard lock(mu_);
  auto it = shops_.find(shop);
  if (it == shops_.end()) return;  // forgotten meanwhile (uninstalled)
  auto& t = it->second;
  if (revision <= t.revision) return;
  c.tokens = t.creds.tokens;
  if (t.creds.access_token != c.access_token) t.retired.push_back(t.creds.access_token);
  if (t.retired.size() > 4) t.retired.erase(t.retired.begin());
  t.creds = std::move(c);
  t.revision = revision;
  ++t.generation;
}

// Takes the shop's row as it is in the store now. True when it is newer than what was held.
SYNCLINE_DECL result<bool> token_refresher::adopt_stored(const std::string& shop) {
  auto row = store_.get_installation(integration_, shop);
  if (!row) return std::move(row).error();
  if (!*row) {
    return make_error(errc::not_found,
                      "token refresh: " + integration_ + "/" + shop + " is no longer installed");
  }
  std::int64_t held = 0;
  {
    std::lock_guard lock(mu_);
    auto it = shops_.find(shop);
    if (it == shops_.end()) return make_error(errc::not_found, "no tokens of " + shop);
    held = it->second.revision;
  }
  if ((*row)->revision <= held) return false;
  auto c =
      unseal_credentials<credentials>(*ring_, integration_, shop, (*row)->credentials.reveal());
  if (!c) return std::move(c).error();
  adopt(shop, std::move(*c), (*row)->revision);
  return true;
}

SYNCLINE_DECL boost::asio::awaitable<result<bool>> token_refresher::refresh(std::string shop,
                                                                            bool force) {
  // 1. One refresh of a shop at a time in this process; the others wait for its outcome.
  std::uint64_t seen = 0;
  for (auto deadline = std::chrono::steady_clock::now() + options_.wait_for_other;;) {
    {
      std::lock_guard lock(mu_);
      auto it = shops_.find(shop);
      if (it == shops_.end())
        co_return make_error(errc::not_found, "no tokens of " + shop + " (not installed)");
      if (seen == 0) seen = it->second.generation;
      if (!it->second.refreshing) {
        if (it->second.generation != seen) co_return true;  // refreshed while this call waited
        if (!force && !due(it->second.creds)) co_return false;
        it->second.refreshing = true;
        break;
      }
    }
    if (std::chrono::steady_clock::now() > deadline) {
      co_return make_error(errc::unavailable, "token refresh of " + shop + " is taking too long");
    }
    co_await detail::pause(detail::refresh_poll);
  }
  auto r = co_await refresh_as_holder(shop, force);
  {
    std::lock_guard lock(mu_);
    if (auto it = shops_.find(shop); it != shops_.end()) it->second.refreshing = false;
  }
  // Uninstalled meanwhile (app/uninstalled, by any process): nothing left to refresh.
  if (!r && r.error().category == errc::not_found) forget(shop);
  co_return r;
}

SYNCLINE_DECL boost::asio::awaitable<result<bool>> token_refresher::refresh_as_holder(
    std::string shop, bool force) {
  std::int64_t held_revision = 0;
  {
    std::lock_guard lock(mu_);
    held_revision = shops_.at(shop).revision;
  }
  // 2. One process at a time per shop: the store's role.
  const std::string role = role_of(shop);
  auto lead = store_.lead(role);
  if (!lead) co_return std::move(lead).error();
  if (!*lead) co_return co_await wait_for_store(shop, held_revision);
  const detail::role_held held{store_, role};

  // 3. The row as it is now: another process may have refreshed it since this one read it.
  auto newer = adopt_stored(shop);
  if (!newer) co_return std::move(newer).error();
  if (*newer) co_return true;

  credentials creds;
  std::int64_t revision = 0;
  {
    std::lock_guard lock(mu_);
    auto it = shops_.find(shop);
    if (it == shops_.end()) co_return make_error(errc::not_found, "no tokens of " + shop);
    creds = it->second.creds;
    revision = it->second.revision;
  }
  if (!force && !due(creds)) co_return false;
  if (creds.refresh_token.empty()) {
    co_return make_error(
        errc::unauthorized,
        "the token of " + shop + " does not expire and cannot be refreshed: install the app again");
  }
  auto fresh = co_await endpoint_.refresh(shop, creds.refresh_token);
  if (!fresh) co_return std::move(fresh).error();

  credentials next = creds;
  next.tokens.reset();
  next.access_token = fresh->access_token;
  if (!fresh->refresh_token.empty()) next.refresh_token = fresh->refresh_token;
  next.expires_at = detail::timestamp_of(fresh->expires_at);
  next.refresh_token_expires_at = detail::timestamp_of(fresh->refresh_token_expires_at);
  auto envelope = seal_credentials(*ring_, integration_, shop, next);
  if (!envelope) co_return std::move(envelope).error();
  auto row = store_.get_installation(integration_, shop);
  if (!row) co_return std::move(row).error();
  if (!*row) {
    co_return make_error(errc::not_found,
                         "token refresh: " + integration_ + "/" + shop + " is no longer installed");
  }
  store::installation_record updated = **row;
  updated.credentials = secret{std::move(*envelope)};
  // 4. Committed before it is used. A failure here leaves the new pair unused: the stored
  // refresh token stays valid until the new one is first used, so the next refresh recovers.
  auto committed = store_.replace_installation(updated, revision);
  if (!committed) co_return std::move(committed).error();
  adopt(shop, std::move(next), *committed);
  co_return true;
}

SYNCLINE_DECL boost::asio::awaitable<result<bool>> token_refresher::wait_for_store(
    std::string shop, std::int64_t revision) {
  for (auto deadline = std::chrono::steady_clock::now() + options_.wait_for_other;
       std::chrono::steady_clock::now() < deadline;) {
    co_await detail::pause(detail::refresh_poll * 4);
    auto newer = adopt_stored(shop);
    if (!newer) co_return std::move(newer).error();
    if (*newer) co_return true;
    std::lock_guard lock(mu_);
    if (auto it = shops_.find(shop); it != shops_.end() && it->second.revision > revision)
      co_return true;
  }
  co_return make_error(errc::unavailable, "another process is refreshing the token of " + shop +
                                              " and has not committed it yet");
}

SYNCLINE_DECL boost::asio::awaitable<result<std::size_t>> token_refresher::refresh_due() {
  std::vector<std::string> due_shops;
  {
    std::lock_guard lock(mu_);
    for (const auto& [shop, t] : shops_)
      if (due(t.creds)) due_shops.push_back(shop);
  }
  std::size_t refreshed = 0;
  std::optional<error> first;
  for (auto& shop : due_shops) {
    auto r = co_await refresh(shop, false);
    if (!r) {
      if (!first) first = std::move(r).error();
    } else if (*r) {
      ++refreshed;
    }
  }
  if (first) co_return *first;
  co_return refreshed;
}

}  // namespace syncline::shopify
