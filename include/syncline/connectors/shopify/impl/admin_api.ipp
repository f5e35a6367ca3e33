// The bodies of shopify::admin_api: the retry, throttle and error handling of every Admin API
// call. Compiled once in separate mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/connectors/http_answer.hpp>
#include <syncline/connectors/shopify/admin_api.hpp>
#include <syncline/connectors/shopify/detail/query_text.hpp>
#include <syncline/core/backoff.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/request_retry.hpp>
#include <syncline/http/url.hpp>
#include <syncline/json/parse.hpp>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>

namespace syncline::shopify {

SYNCLINE_DECL result<admin_api> admin_api::from(const run_context& ctx, std::string_view action) {
  auto* client = ctx.service<http::client>();
  auto* creds = ctx.service<credentials>();
  auto* conn = ctx.service<connector>();
  std::string missing;
  auto need = [&](bool present, std::string_view what) {
    if (present) return;
    if (!missing.empty()) missing += ", ";
    missing += what;
  };
  need(client != nullptr, "syncline::http::client");
  need(creds != nullptr, "syncline::shopify::credentials");
  need(conn != nullptr, "syncline::shopify::connector");
  if (!missing.empty()) {
    return make_error(errc::internal,
                      "shopify::" + std::string(action) + " needs " + missing +
                          " in the run context: the engine provides the HTTP client and the "
                          "tenant's credentials, and install is given the connector "
                          "(syncline::services(connector)); outside the engine, provide all "
                          "three (run_context::provide)");
  }
  return admin_api(*client, *creds, *conn, ctx.service<store::store>());
}

SYNCLINE_DECL boost::asio::awaitable<result<rest_answer>> admin_api::rest(http::verb method,
                                                                          std::string path,
                                                                          std::string body,
                                                                          repeat mode) {
  const std::string url = creds_->admin_url() + "/" + path;
  const std::string label = std::string(http::beast_http::to_string(method)) + " " +
                            path.substr(0, path.find('?')) + " (" + shop() + ")";
  int failures = 0, throttled = 0;
  bool asked_renewal = false;
  for (;;) {
    co_await pacer_->acquire_rest(shared_);
    const secret token = access_token();
    auto r = co_await client_->send(method, url, body, headers(token), call_options());
    if (!r) {
      if (!may_retry(mode, r.error().category, failures)) co_return failed(r.error(), failures);
      co_await sleep(backoff(failures - 1));
      continue;
    }
    http::response& res = *r;
    if (auto it = res.find("X-Shopify-Shop-Api-Call-Limit"); it != res.end()) {
      pacer_->observe_rest(it->value(), shared_);
    }
    const unsigned status = res.result_int();
    if (status == 429) {
      if (++throttled > options().max_throttled_waits) co_return too_many_throttles(label);
      pacer_->count_throttled();
      // Shopify's REST 429 says "Retry-After: 2.0"; without one, the time for one call to leak.
      const auto wait = retry_after(res).value_or(std::chrono::milliseconds{
          static_cast<std::int64_t>(1000.0 / std::max(creds_->plan.rest_leak_per_second, 0.1)) +
          1});
      pacer_->rest().pause_for(wait);
      continue;
    }
    if (status >= 500) {
      auto e = status_error(res, label, url);
      if (!may_retry(mode, e.category, failures)) co_return failed(std::move(e), failures);
      co_await sleep(retry_after(res).value_or(backoff(failures - 1)));
      continue;
    }
    if (status == 401 && co_await renewed(token, asked_renewal)) continue;
    if (status < 200 || status > 299) co_return status_error(res, label, url);
    rest_answer out;
    out.status = status;
    out.body = std::move(res.body());  // parsed once, by the decoder of the record it holds
    if (auto it = res.find(http::field::link); it != res.end()) {
      out.next_page_info = detail::next_page_info(it->value());
    }
    co_return out;
  }
}

SYNCLINE_DECL boost::asio::awaitable<result<boost::json::object>> admin_api::graphql(
    std::string operation, std::string query, boost::json::object variables, repeat mode,
    double first_cost) {
  const std::string url = creds_->admin_url() + "/graphql.json";
  const std::string label = "GraphQL " + std::string(operation) + " (" + shop() + ")";
  std::string body = boost::json::serialize(
      boost::json::object{{"query", query}, {"variables", std::move(variables)}});
  int failures = 0, throttled = 0;
  bool asked_renewal = false;
  for (;;) {
    const double cost = pacer_->graphql_cost(operation, first_cost);
    co_await pacer_->acquire_graphql(cost, shared_);
    const secret token = access_token();
    auto r = co_await client_->send(http::verb::post, url, body, headers(token), call_options());
    if (!r) {
      if (!may_retry(mode, r.error().category, failures)) co_return failed(r.error(), failures);
      co_await sleep(backoff(failures - 1));
      continue;
    }
    http::response& res = *r;
    const unsigned status = res.result_int();
    if (status >= 500) {
      auto e = status_error(res, label, url);
      if (!may_retry(mode, e.category, failures)) co_return failed(std::move(e), failures);
      co_await sleep(retry_after(res).value_or(backoff(failures - 1)));
      continue;
    }
    if (status == 401 && co_await renewed(token, asked_renewal)) continue;
    if (status != 200 && status != 429) co_return status_error(res, label, url);
    auto parsed = json::parse(res.body());
    if (!parsed || !parsed->is_object()) {
      if (status == 429) {  // a proxy's 429 without Shopify's body: wait as told
        if (++throttled > options().max_throttled_waits) co_return too_many_throttles(label);
        pacer_->count_throttled();
        pacer_->graphql().pause_for(retry_after(res).value_or(std::chrono::seconds{1}));
        continue;
      }
      co_return make_error(errc::decode, label +
                                             " answered with a body that is not a JSON "
                                             "object: " +
                                             excerpt(res.body()));
    }
    const boost::json::object& answer = parsed->get_object();
    const throttle_state t = observe_cost(operation, answer);
    if (status == 429 || is_throttled(answer)) {
      if (++throttled > options().max_throttled_waits) co_return too_many_throttles(label);
      pacer_->count_throttled();
      auto wait = pacer_->graphql_refill_time(t.requested > 0 ? t.requested : cost,
                                              t.available >= 0 ? t.available : 0);
      if (auto ra = retry_after(res)) wait = std::max(wait, *ra);
      pacer_->graphql().pause_for(wait);
      continue;
    }
    if (auto e = graphql_errors(answer, label)) co_return std::move(*e);
    const auto* data = answer.if_contains("data");
    if (!data || !data->is_object()) {
      co_return make_error(errc::decode, label + " answered without a data object");
    }
    co_return data->get_object();
  }
}

SYNCLINE_DECL std::chrono::milliseconds admin_api::backoff(int retry_index) const {
  thread_local std::minstd_rand rng{std::random_device{}()};
  return full_jitter_backoff(options().initial_backoff, options().max_backoff, retry_index, rng);
}

SYNCLINE_DECL boost::asio::awaitable<void> admin_api::sleep(std::chrono::milliseconds d) {
  if (d <= std::chrono::milliseconds::zero()) co_return;
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, d);
  boost::system::error_code ec;  // a cancelled wait just ends early
  co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
}

SYNCLINE_DECL secret admin_api::access_token() const {
  if (creds_->tokens) {
    secret t = creds_->tokens->current();
    if (!t.empty()) return t;
  }
  return creds_->access_token;
}

SYNCLINE_DECL boost::asio::awaitable<bool> admin_api::renewed(const secret& refused,
                                                              bool& asked) const {
  // Once per call: a token refused again after a renewal is not an expiry but a revocation.
  if (!creds_->tokens || asked) co_return false;
  asked = true;
  auto fresh = co_await creds_->tokens->renew(refused);
  co_return fresh && !fresh->empty() && *fresh != refused;
}

SYNCLINE_DECL http::fields admin_api::headers(const secret& token) const {
  http::fields h;
  h.set("X-Shopify-Access-Token", token.reveal());
  h.set(http::field::content_type, "application/json");
  h.set(http::field::accept, "application/json");
  return h;
}

SYNCLINE_DECL http::request_options admin_api::call_options() const {
  http::request_options o;
  o.timeout = options().request_timeout;
  o.retry = http::request_retry::none();  // retries are decided here, where 429s are understood
  return o;
}

SYNCLINE_DECL bool admin_api::may_retry(repeat mode, errc category, int& failures) const {
  if (mode == repeat::unsafe || !is_transient(category)) return false;
  return ++failures < options().max_attempts;
}

SYNCLINE_DECL ::syncline::error admin_api::failed(::syncline::error e, int failures) {
  if (failures > 1) e.message += " (after " + std::to_string(failures) + " attempts)";
  return e;
}

SYNCLINE_DECL std::optional<std::chrono::milliseconds> admin_api::retry_after(
    const http::response& res) {
  auto it = res.find(http::field::retry_after);
  if (it == res.end()) return std::nullopt;
  return http::parse_retry_after(it->value());
}

SYNCLINE_DECL std::string admin_api::excerpt(std::string_view body) {
  return connectors::body_excerpt(body, 300);
}

SYNCLINE_DECL ::syncline::error admin_api::too_many_throttles(const std::string& label) const {
  return make_error(errc::rate_limited,
                    label + ": still throttled after " +
                        std::to_string(options().max_throttled_waits) +
                        " waits; the shop's API budget is being used by something else");
}

SYNCLINE_DECL ::syncline::error admin_api::status_error(const http::response& res,
                                                        const std::string& label,
                                                        std::string_view url) const {
  const unsigned status = res.result_int();
  const int code = static_cast<int>(status);
  if (status == 401 || status == 403) {
    return make_error(errc::unauthorized,
                      label + " answered " + std::to_string(status) +
                          ": the access token was refused (is the app still installed, with "
                          "the scopes it needs?)",
                      code);
  }
  if (status == 422) return validation_error(res.body(), label);
  std::string message = label + " answered " + std::to_string(status);
  // A 404 of a whole API usually means a wrong base URL (e.g. one that already ends in
  // /admin/api/<version>): name what was asked for. redacted() drops the query, which may hold
  // a secret; the token itself travels in a header.
  if (status == 404) {
    auto asked = http::parse_url(url);
    message += " for " + (asked ? asked->redacted() : std::string("an unparsable URL"));
  }
  if (!res.body().empty()) message += ": " + excerpt(res.body());
  return make_error(connectors::status_category(status), std::move(message), code);
}

// 422 {"errors": {"field": ["message", ...]}} (or {"errors": "message"}) ->
// "line_items: can't be blank; email: is invalid".
SYNCLINE_DECL ::syncline::error admin_api::validation_error(std::string_view body,
                                                            const std::string& label) {
  std::string what;
  auto parsed = json::parse(body);
  const boost::json::value* errors =
      parsed && parsed->is_object() ? parsed->get_object().if_contains("errors") : nullptr;
  if (errors && errors->is_object()) {
    for (const auto& [field, messages] : errors->get_object()) {
      auto add = [&](std::string_view m) {
        if (!what.empty()) what += "; ";
        what.append(field.data(), field.size());
        what += ": ";
        what += m;
      };
      if (messages.is_array()) {
        for (const auto& m : messages.get_array())
          if (m.is_string()) add(m.get_string());
      } else if (messages.is_string()) {
        add(messages.get_string());
      }
    }
  } else if (errors && errors->is_string()) {
    what = errors->get_string();
  }
  if (what.empty()) what = excerpt(body);
  return make_error(errc::invalid_input, label + " was refused (422): " + what, 422);
}

SYNCLINE_DECL admin_api::throttle_state admin_api::observe_cost(std::string_view operation,
                                                                const boost::json::object& answer) {
  throttle_state t;
  const auto* ext = answer.if_contains("extensions");
  const auto* cost = ext && ext->is_object() ? ext->get_object().if_contains("cost") : nullptr;
  if (!cost || !cost->is_object()) return t;
  auto number = [](const boost::json::object& o, std::string_view key) -> double {
    const auto* v = o.if_contains(key);
    return v && v->is_number() ? v->to_number<double>() : -1;
  };
  t.requested = number(cost->get_object(), "requestedQueryCost");
  pacer_->remember_graphql_cost(operation, t.requested);
  const auto* status = cost->get_object().if_contains("throttleStatus");
  if (status && status->is_object()) {
    const auto& s = status->get_object();
    t.available = number(s, "currentlyAvailable");
    const double max = number(s, "maximumAvailable");
    if (max > 0 && t.available >= 0)
      pacer_->observe_graphql(max, t.available, number(s, "restoreRate"), shared_);
  }
  return t;
}

SYNCLINE_DECL std::string_view admin_api::error_code(const boost::json::value& e) {
  if (!e.is_object()) return {};
  const auto* ext = e.get_object().if_contains("extensions");
  const auto* code = ext && ext->is_object() ? ext->get_object().if_contains("code") : nullptr;
  return code && code->is_string() ? std::string_view(code->get_string()) : std::string_view{};
}

SYNCLINE_DECL bool admin_api::is_throttled(const boost::json::object& answer) {
  const auto* errors = answer.if_contains("errors");
  if (!errors || !errors->is_array()) return false;
  for (const auto& e : errors->get_array())
    if (error_code(e) == "THROTTLED") return true;
  return false;
}

// Top-level GraphQL errors (the query could not run): ACCESS_DENIED -> unauthorized,
// MAX_COST_EXCEEDED -> limit_exceeded, anything else -> invalid_input with the messages.
SYNCLINE_DECL std::optional<::syncline::error> admin_api::graphql_errors(
    const boost::json::object& answer, const std::string& label) {
  const auto* errors = answer.if_contains("errors");
  if (!errors) return std::nullopt;
  if (!errors->is_array()) return make_error(errc::decode, label + ": malformed \"errors\"");
  if (errors->get_array().empty()) return std::nullopt;
  errc category = errc::invalid_input;
  std::string what;
  for (const auto& e : errors->get_array()) {
    const std::string_view code = error_code(e);
    if (code == "ACCESS_DENIED") category = errc::unauthorized;
    if (code == "MAX_COST_EXCEEDED") category = errc::limit_exceeded;
    const auto* m = e.is_object() ? e.get_object().if_contains("message") : nullptr;
    if (!what.empty()) what += "; ";
    what += m && m->is_string() ? std::string(m->get_string()) : std::string("(no message)");
    if (!code.empty()) what += " [" + std::string(code) + "]";
  }
  return make_error(category, label + " failed: " + excerpt(what));
}

}  // namespace syncline::shopify
