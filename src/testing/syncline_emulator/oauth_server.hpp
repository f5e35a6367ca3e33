// testing::detail::oauth_server: Shopify's app-install side for the emulator's registered apps —
// /admin/oauth/authorize with a headless merchant, /admin/oauth/access_token (authorization code,
// refresh with rotation, token exchange), the installations and every token they issued, and the
// check of an Admin API token by the emulator clock. Not thread-safe: shopify_emulator_state calls
// it under its own lock.
#pragma once

#include <syncline/connectors/shopify/session_token.hpp>
#include <syncline/connectors/shopify/signed_query.hpp>
#include <syncline/core/result.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline/http/message.hpp>
#include <syncline/http/url.hpp>
#include <syncline/testing/emulated_app.hpp>
#include <syncline_emulator/rest_api.hpp>
#include <syncline_emulator/session_token_signer.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::testing::detail {

// An Admin API token the OAuth side issued, as the API sees it.
struct oauth_identity {
  std::string shop;
  std::string client_id;
  std::vector<std::string> scopes;
};

// The parameters of a token request: a form or JSON body (a JSON number or boolean as its text),
// then those of the query string. nullopt for a body that is neither.
inline std::optional<query_params> token_request_params(const http::request& req,
                                                        const query_params& query) {
  query_params out;
  const auto ct = req.find(http::field::content_type);
  if (ct != req.end() && std::string_view(ct->value()).starts_with("application/json")) {
    boost::system::error_code ec;
    auto v = boost::json::parse(req.body(), ec);
    if (ec || !v.is_object()) return std::nullopt;
    for (const auto& [k, x] : v.get_object())
      out.emplace_back(std::string(k),
                       x.is_string() ? std::string(x.get_string()) : boost::json::serialize(x));
  } else if (auto form = parse_query(req.body())) {
    out = std::move(*form);
  } else {
    return std::nullopt;
  }
  out.insert(out.end(), query.begin(), query.end());
  return out;
}

class oauth_server {
 public:
  using time_point = std::chrono::system_clock::time_point;

  // Session tokens may be this far off the emulator clock (exp, nbf), as Shopify allows.
  static constexpr std::chrono::seconds session_token_skew{5};

  oauth_server(std::vector<emulated_app> apps, std::mt19937_64& rng) : rng_(rng) {
    for (auto& a : apps) {
      std::string problem;
      if (a.client_id.empty())
        problem = "an emulated app needs a client_id";
      else if (a.client_secret.empty())
        problem = "app " + a.client_id + " needs a client secret";
      else if (apps_.count(a.client_id))
        problem = "two apps have the client id " + a.client_id;
      for (const auto& s : a.scopes)
        if (problem.empty() && !valid_scope(s))
          problem = "app " + a.client_id + " declares an invalid scope " + s;
      if (!problem.empty()) {
        if (configuration_) configuration_ = make_error(errc::invalid_input, problem);
        continue;
      }
      const std::string id = a.client_id;
      apps_.emplace(id, std::move(a));
    }
  }

  const result<void>& configuration() const noexcept { return configuration_; }

  const emulated_app* app(std::string_view client_id) const {
    auto it = apps_.find(std::string(client_id));
    return it == apps_.end() ? nullptr : &it->second;
  }

  // The apps installed in `shop` (client ids).
  std::vector<std::string> installed_apps(const std::string& shop) const {
    std::vector<std::string> out;
    for (const auto& [key, scopes] : installations_)
      if (key.first == shop) out.push_back(key.second);
    return out;
  }
  // Every app that ever held a token of `shop`, installed now or not (shop/redact comes after
  // the uninstall).
  std::vector<std::string> apps_ever_installed(const std::string& shop) const {
    std::set<std::string> out;
    for (const auto& [k, t] : tokens_)
      if (t.shop == shop) out.insert(t.client_id);
    return {out.begin(), out.end()};
  }
  std::optional<std::vector<std::string>> installed_scopes(const std::string& shop,
                                                           const std::string& client_id) const {
    auto it = installations_.find({shop, client_id});
    return it == installations_.end() ? std::nullopt : std::optional{it->second};
  }

  // ---- /admin/oauth/authorize --------------------------------------------------------------

  // The merchant of `shop` ("acme.myshopify.com", already known to exist) is shown the install
  // screen and answers as `merchant` says: a 302 to redirect_uri with code, hmac, host, shop,
  // state and timestamp (hmac: hex HMAC-SHA256 with the client secret over the other parameters,
  // sorted by name, joined as k=v with &, values decoded), or Shopify's error page.
  http::response authorize(const std::string& shop, const query_params& q,
                           const merchant_approval& merchant, time_point now) {
    auto page = [](unsigned status, std::string text) {
      return http::make_response(status, std::move(text), "text/plain; charset=utf-8");
    };
    const std::string* client_id = param(q, "client_id");
    const emulated_app* a = client_id ? app(*client_id) : nullptr;
    if (!a)
      return page(400, "Oauth error invalid_request: The client_id is missing or names no app");
    const std::string* redirect = param(q, "redirect_uri");
    if (!redirect || !http::parse_url(*redirect))
      return page(400, "Oauth error invalid_request: The redirect_uri is missing or not a URL");
    const std::string bare = redirect->substr(0, redirect->find('?'));
    if (!a->redirect_urls.empty() &&
        std::find(a->redirect_urls.begin(), a->redirect_urls.end(), bare) == a->redirect_urls.end())
      return page(400, "Oauth error invalid_request: The redirect_uri is not whitelisted");
    std::vector<std::string> requested = split_scopes(param(q, "scope") ? *param(q, "scope") : "");
    for (const auto& s : requested)
      if (!valid_scope(s))
        return page(400, "Oauth error invalid_scope: The access scope is invalid: " + s);
    const std::string* grant = param(q, "grant_options[]");
    if (grant && *grant != "per-user")
      return page(400, "Oauth error invalid_request: grant_options[] must be per-user");
    if (!merchant.approve)
      return page(403, "The merchant declined to install " + a->client_id + " in " + shop);

    code_grant c;
    c.shop = shop;
    c.client_id = a->client_id;
    for (const auto& s : requested)
      if (std::find(merchant.withheld_scopes.begin(), merchant.withheld_scopes.end(), s) ==
          merchant.withheld_scopes.end())
        c.scopes.push_back(s);
    c.online = grant != nullptr;
    c.expires_at = now + a->authorization_code_lifetime;
    const std::string code = random_hex(16);
    codes_[code] = std::move(c);

    std::vector<std::pair<std::string, std::string>> params{
        {"code", code},
        {"host", host_param(shop)},
        {"shop", shop},
        {"timestamp", std::to_string(unix_seconds(now))}};
    if (const std::string* state = param(q, "state")) params.push_back({"state", *state});
    std::sort(params.begin(), params.end());
    std::string query;
    for (const auto& [k, v] : params)
      query += (query.empty() ? "" : "&") + k + "=" + http::percent_encode(v);
    // Signed as the library verifies it (one implementation of Shopify's message, escaping
    // included, so a state holding '%' or '&' verifies too).
    const std::string hmac = shopify::signed_query_hmac(params, a->client_secret.reveal());
    query = "code=" + http::percent_encode(code) + "&hmac=" + hmac +
            query.substr(query.find('&'));  // hmac goes after code, as Shopify sorts it
    auto res = page(302, "");
    res.set(http::field::location,
            *redirect + (redirect->find('?') == std::string::npos ? "?" : "&") + query);
    return res;
  }

  // ---- /admin/oauth/access_token -----------------------------------------------------------

  http::response access_token(const std::string& shop, const query_params& p, time_point now) {
    const std::string* client_id = param(p, "client_id");
    const std::string* client_secret = param(p, "client_secret");
    if (!client_id || !client_secret)
      return oauth_error(400, "invalid_request", "client_id and client_secret are required");
    const emulated_app* a = app(*client_id);
    if (!a || !http::constant_time_equal(a->client_secret.reveal(), *client_secret))
      return oauth_error(401, "invalid_client", "Client authentication failed");
    const std::string* grant_type = param(p, "grant_type");
    const bool expiring = param(p, "expiring") && *param(p, "expiring") == "1";
    if (!grant_type || *grant_type == "authorization_code")
      return by_code(shop, *a, param(p, "code"), expiring, now);
    if (*grant_type == "refresh_token") return by_refresh(shop, *a, param(p, "refresh_token"), now);
    if (*grant_type == "urn:ietf:params:oauth:grant-type:token-exchange")
      return by_exchange(shop, *a, p, expiring, now);
    return oauth_error(400, "unsupported_grant_type",
                       "grant_type " + *grant_type + " is not supported");
  }

  // ---- the Admin API's check ---------------------------------------------------------------

  enum class check { not_issued, valid, expired, revoked };

  // Whether `token` is an access token this server issued and may be used now. The first use of
  // a refreshed token retires the refresh token that produced it.
  check authenticate(std::string_view token, time_point now, oauth_identity* who = nullptr) {
    auto it = tokens_.find(std::string(token));
    if (it == tokens_.end()) return check::not_issued;
    auto& t = it->second;
    if (t.revoked) return check::revoked;
    if (t.expires_at && now >= *t.expires_at) return check::expired;
    if (!t.retires_refresh.empty()) {
      retire(t.retires_refresh);
      t.retires_refresh.clear();
    }
    if (who) *who = {t.shop, t.client_id, t.scopes};
    return check::valid;
  }

  // Uninstalls `client_id` (every app when empty) from `shop`: every token it holds stops
  // working at once. Returns the client ids that were installed.
  std::vector<std::string> uninstall(const std::string& shop, std::string_view client_id) {
    std::vector<std::string> removed;
    for (auto it = installations_.begin(); it != installations_.end();) {
      if (it->first.first == shop && (client_id.empty() || it->first.second == client_id)) {
        removed.push_back(it->first.second);
        it = installations_.erase(it);
      } else {
        ++it;
      }
    }
    auto ours = [&](const std::string& s, const std::string& c) {
      return s == shop && (client_id.empty() || c == client_id);
    };
    for (auto& [k, t] : tokens_)
      if (ours(t.shop, t.client_id)) t.revoked = true;
    for (auto& [k, r] : refresh_tokens_)
      if (ours(r.shop, r.client_id)) r.revoked = true;
    std::erase_if(codes_,
                  [&](const auto& kv) { return ours(kv.second.shop, kv.second.client_id); });
    return removed;
  }

  // A session token as App Bridge would hand the app's frontend in `shop`, signed with the app's
  // secret; `overrides` replace or add claims (to make a wrong or expired one on purpose).
  result<std::string> mint_session_token(const std::string& shop, std::string_view client_id,
                                         std::string_view user_id, std::chrono::seconds lifetime,
                                         const boost::json::object& overrides, time_point now) {
    const emulated_app* a = app(client_id);
    if (!a) return make_error(errc::not_found, "the emulator has no app " + std::string(client_id));
    const auto t = unix_seconds(now);
    boost::json::object claims{{"iss", "https://" + shop + "/admin"},
                               {"dest", "https://" + shop},
                               {"aud", a->client_id},
                               {"sub", user_id},
                               {"exp", t + lifetime.count()},
                               {"nbf", t},
                               {"iat", t},
                               {"jti", random_hex(16)},
                               {"sid", random_hex(16)}};
    for (const auto& [k, v] : overrides) claims[k] = v;
    return sign_session_token(claims, a->client_secret.reveal());
  }

  static bool valid_scope(std::string_view s) {
    if (s.starts_with("unauthenticated_")) s.remove_prefix(16);
    if (s.starts_with("read_"))
      s.remove_prefix(5);
    else if (s.starts_with("write_"))
      s.remove_prefix(6);
    else
      return false;
    return !s.empty() && std::all_of(s.begin(), s.end(),
                                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
  }

  // "read_orders, write_orders" -> {"read_orders", "write_orders"}: trimmed, no duplicates.
  static std::vector<std::string> split_scopes(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
      auto comma = text.find(',');
      std::string_view s = text.substr(0, comma);
      text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
      while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
      if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end()) out.emplace_back(s);
    }
    return out;
  }

  // The `scope` Shopify answers: write_X implies read_X, so read_X is not listed beside it.
  static std::string scope_text(const std::vector<std::string>& scopes) {
    std::string out;
    for (const auto& s : scopes) {
      if (s.starts_with("read_") &&
          std::find(scopes.begin(), scopes.end(), "write_" + s.substr(5)) != scopes.end())
        continue;
      out += (out.empty() ? "" : ",") + s;
    }
    return out;
  }

  // Shopify's OAuth error answer: {"error", "error_description"}.
  static http::response oauth_error(unsigned status, std::string_view error,
                                    std::string description) {
    return http::make_response(
        status,
        boost::json::serialize(
            boost::json::object{{"error", error}, {"error_description", std::move(description)}}),
        "application/json; charset=utf-8");
  }

 private:
  struct code_grant {
    std::string shop, client_id;
    std::vector<std::string> scopes;
    bool online = false;
    time_point expires_at{};
  };
  struct access_grant {
    std::string shop, client_id;
    std::vector<std::string> scopes;
    bool online = false;
    std::optional<time_point> expires_at;  // none: a non-expiring offline token
    bool revoked = false;
    std::string retires_refresh;  // the refresh token that issued it, retired on first use
  };
  struct refresh_grant {
    std::string shop, client_id;
    std::vector<std::string> scopes;
    time_point expires_at{};
    bool revoked = false;
    std::string predecessor;                    // retired once this one is used
    std::string issued_access, issued_refresh;  // what it issued (a lost answer's pair)
  };

  static std::int64_t unix_seconds(time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  }
  // Base64 of the shop's admin host, as the `host` parameter App Bridge needs.
  static std::string host_param(const std::string& shop) {
    std::string b =
        http::base64_encode("admin.shopify.com/store/" + shop.substr(0, shop.find('.')));
    while (!b.empty() && b.back() == '=') b.pop_back();
    return b;
  }

  std::string random_hex(std::size_t bytes) {
    std::string raw;
    for (std::size_t i = 0; i < bytes; ++i) raw += static_cast<char>(rng_() & 0xff);
    return http::hex_encode(raw);
  }

  static http::response json(boost::json::object body) {
    return http::make_response(200, boost::json::serialize(body),
                               "application/json; charset=utf-8");
  }

  void retire(const std::string& refresh) {
    if (auto it = refresh_tokens_.find(refresh); it != refresh_tokens_.end())
      it->second.revoked = true;
  }

  // Issues an access token (and with `expiring` a refresh token) and answers as Shopify does.
  // `refreshed_by`: the refresh token this pair replaces, which lasts until the pair is used.
  http::response issue(const std::string& shop, const emulated_app& a,
                       std::vector<std::string> scopes, bool online, bool expiring, time_point now,
                       const std::string* refreshed_by = nullptr) {
    installations_[{shop, a.client_id}] = scopes;
    const std::string scope = scope_text(scopes);
    if (!online && !expiring) {
      // Shopify hands the same non-expiring offline token back on every install of the app.
      for (auto& [k, t] : tokens_)
        if (t.shop == shop && t.client_id == a.client_id && !t.online && !t.expires_at &&
            !t.revoked) {
          t.scopes = scopes;
          return json({{"access_token", k}, {"scope", scope}});
        }
    }
    access_grant g{shop, a.client_id, scopes, online, std::nullopt, false, {}};
    if (online)
      g.expires_at = now + a.online_token_lifetime;
    else if (expiring)
      g.expires_at = now + a.access_token_lifetime;
    const std::string token = (online ? "shpua_" : "shpat_") + random_hex(16);
    boost::json::object body{{"access_token", token}, {"scope", scope}};
    if (online) {
      body["expires_in"] = a.online_token_lifetime.count();
      body["associated_user_scope"] = scope;
      body["associated_user"] = boost::json::object{
          {"id", 902541635},          {"first_name", "Merchant"}, {"last_name", "Owner"},
          {"email", "owner@" + shop}, {"email_verified", true},   {"account_owner", true},
          {"locale", "en"},           {"collaborator", false}};
    } else if (expiring) {
      const std::string refresh = "shprt_" + random_hex(16);
      refresh_grant r{shop, a.client_id, scopes, now + a.refresh_token_lifetime, false, {}, {}, {}};
      if (refreshed_by) {
        r.predecessor = g.retires_refresh = *refreshed_by;
        auto& old = refresh_tokens_.at(*refreshed_by);
        old.issued_access = token;
        old.issued_refresh = refresh;
      }
      body["expires_in"] = a.access_token_lifetime.count();
      body["refresh_token"] = refresh;
      body["refresh_token_expires_in"] = a.refresh_token_lifetime.count();
      refresh_tokens_[refresh] = std::move(r);
    }
    tokens_[token] = std::move(g);
    return json(std::move(body));
  }

  http::response by_code(const std::string& shop, const emulated_app& a, const std::string* code,
                         bool expiring, time_point now) {
    if (!code) return oauth_error(400, "invalid_request", "code is required");
    auto it = codes_.find(*code);
    if (it == codes_.end() || it->second.shop != shop || it->second.client_id != a.client_id)
      return oauth_error(400, "invalid_grant",
                         "The authorization code was not found or was already used");
    code_grant c = std::move(it->second);
    codes_.erase(it);  // single use, also when it has expired
    if (now >= c.expires_at)
      return oauth_error(400, "invalid_grant", "The authorization code has expired");
    return issue(shop, a, std::move(c.scopes), c.online, expiring, now);
  }

  http::response by_refresh(const std::string& shop, const emulated_app& a,
                            const std::string* refresh, time_point now) {
    if (!refresh) return oauth_error(400, "invalid_request", "refresh_token is required");
    auto it = refresh_tokens_.find(*refresh);
    if (it == refresh_tokens_.end() || it->second.shop != shop ||
        it->second.client_id != a.client_id || it->second.revoked)
      return oauth_error(400, "invalid_grant", "Token has been expired or revoked.");
    if (now >= it->second.expires_at)
      return oauth_error(400, "invalid_grant", "Token has been expired or revoked.");
    auto& r = it->second;
    // A refresh token used a second time before its replacement was used: the first answer was
    // lost, so the pair it carried is replaced by this one.
    if (!r.issued_access.empty()) {
      if (auto t = tokens_.find(r.issued_access); t != tokens_.end()) t->second.revoked = true;
      retire(r.issued_refresh);
    }
    if (!r.predecessor.empty()) {
      retire(r.predecessor);
      r.predecessor.clear();
    }
    return issue(shop, a, r.scopes, false, true, now, refresh);
  }

  http::response by_exchange(const std::string& shop, const emulated_app& a, const query_params& p,
                             bool expiring, time_point now) {
    const std::string* subject = param(p, "subject_token");
    const std::string* subject_type = param(p, "subject_token_type");
    const std::string* requested = param(p, "requested_token_type");
    if (!subject || !subject_type || !requested)
      return oauth_error(400, "invalid_request",
                         "subject_token, subject_token_type and requested_token_type are required");
    if (*subject_type != "urn:ietf:params:oauth:token-type:id_token")
      return oauth_error(400, "invalid_request",
                         "subject_token_type must be urn:ietf:params:oauth:token-type:id_token");
    const bool online = *requested == "urn:shopify:params:oauth:token-type:online-access-token";
    if (!online && *requested != "urn:shopify:params:oauth:token-type:offline-access-token")
      return oauth_error(400, "invalid_request",
                         "requested_token_type must be an offline or online access token");
    auto claims = shopify::verify_session_token(
        *subject,
        shopify::app_credentials{.client_id = a.client_id, .client_secret = a.client_secret}, now,
        session_token_skew);
    if (!claims) return oauth_error(400, "invalid_subject_token", claims.error().message);
    if (claims->shop_domain != shop)
      return oauth_error(400, "invalid_subject_token",
                         "the session token's dest names another shop than the one exchanging it");
    // Shopify-managed install: the app gets the scopes its configuration declares.
    auto scopes = installed_scopes(shop, a.client_id).value_or(a.scopes);
    return issue(shop, a, std::move(scopes), online, expiring, now);
  }

  std::mt19937_64& rng_;
  std::map<std::string, emulated_app> apps_;
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> installations_;
  std::map<std::string, code_grant> codes_;
  std::map<std::string, access_grant> tokens_;
  std::map<std::string, refresh_grant> refresh_tokens_;
  result<void> configuration_;
};

}  // namespace syncline::testing::detail
