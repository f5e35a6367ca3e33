// The bodies of <syncline/http/client.hpp>: connecting (TCP, TLS), one request/response
// exchange on a pooled connection, and the retry loop around it.
#pragma once

#include <syncline/http/client.hpp>
#include <syncline/http/detail/client_state.hpp>
#include <syncline/http/detail/connection_pool.hpp>
#include <syncline/http/detail/nothrow.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <openssl/ssl.h>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

namespace syncline::http {
namespace detail {

// How one attempt ended.
struct client_attempt_result {
  std::optional<response> answer;
  ::syncline::error failure;
  bool may_have_reached_server = false;  // the request was (maybe partly) written
};

SYNCLINE_DECL std::string milliseconds_text(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

SYNCLINE_DECL bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

// Resolves (bounded by the deadline: getaddrinfo has no timeout of its own) and connects;
// then the TLS handshake, with SNI and host-name verification unless opted out.
SYNCLINE_DECL boost::asio::awaitable<result<std::unique_ptr<pooled_connection>>> client_connect(
    std::shared_ptr<client_state> st, const client_call& c, pool_clock::time_point deadline) {
  using namespace boost::asio::experimental::awaitable_operators;
  auto ex = co_await boost::asio::this_coro::executor;
  const auto budget = std::chrono::round<std::chrono::milliseconds>(deadline - pool_clock::now());
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;
  boost::system::error_code aec;
  auto literal = boost::asio::ip::make_address(c.where.host, aec);
  if (!aec) {
    endpoints.emplace_back(literal, c.where.port);
  } else {
    boost::asio::ip::tcp::resolver resolver(ex);
    boost::asio::steady_timer timer(ex, deadline);
    auto r =
        co_await (resolver.async_resolve(c.where.host, std::to_string(c.where.port), use_nothrow) ||
                  timer.async_wait(use_nothrow));
    if (r.index() == 1)
      co_return make_error(errc::timeout, c.label + ": resolving the host name took longer than " +
                                              milliseconds_text(budget));
    auto& [rec, results] = std::get<0>(r);
    if (rec || results.empty())
      co_return make_error(errc::connect, c.label + ": cannot resolve host '" + c.where.host +
                                              "': " + rec.message());
    for (const auto& e : results) endpoints.push_back(e.endpoint());
  }

  auto conn = std::make_unique<pooled_connection>();
  auto stream = std::make_unique<boost::beast::tcp_stream>(ex);
  stream->expires_at(deadline);
  auto [cec, ep] = co_await stream->async_connect(endpoints, use_nothrow);
  (void)ep;
  if (cec == boost::beast::error::timeout)
    co_return make_error(errc::timeout,
                         c.label + ": connect timed out after " + milliseconds_text(budget));
  if (cec) co_return make_error(errc::connect, c.label + ": cannot connect: " + cec.message());
  boost::system::error_code ignored;
  stream->socket().set_option(boost::asio::ip::tcp::no_delay(true), ignored);
  ++st->stats.connections_opened;

  if (!c.where.tls()) {
    conn->plain = std::move(stream);
    co_return conn;
  }
  auto ctx = st->tls_context();
  if (!ctx) co_return make_error(errc::tls, c.label + ": " + ctx.error().message);
  conn->tls = std::make_unique<boost::beast::ssl_stream<boost::beast::tcp_stream>>(
      std::move(*stream), **ctx);
  auto& s = *conn->tls;
  // SNI carries names only (RFC 6066 §3): never an IP address.
  if (!is_ip_literal(c.where.host) &&
      !SSL_set_tlsext_host_name(s.native_handle(), c.where.host.c_str()))
    co_return make_error(errc::tls, c.label + ": cannot set the TLS server name");
  if (!st->options.tls.insecure_skip_certificate_verification)
    s.set_verify_callback(host_name_check(c.where.host));
  s.next_layer().expires_at(deadline);
  auto [hec] = co_await s.async_handshake(ssl::stream_base::client, use_nothrow);
  if (hec == boost::beast::error::timeout)
    co_return make_error(errc::timeout,
                         c.label + ": TLS handshake timed out after " + milliseconds_text(budget));
  if (hec)
    co_return make_error(errc::tls, c.label + ": TLS handshake failed: " +
                                        describe_tls_failure(hec, s.native_handle()));
  co_return conn;
}

struct client_exchange_result {
  boost::system::error_code ec;
  bool expired = false;   // the deadline passed (the pool shut the connection down)
  bool writing = false;   // failed while sending the request
  bool got_some = false;  // any byte of an answer arrived
  std::optional<response> answer;
  bool reusable = false;
};

template <class Stream>
boost::asio::awaitable<client_exchange_result> client_exchange(
    Stream& stream, pooled_connection& conn, host_pool& pool, const client_call& c,
    std::size_t max_header, pool_clock::time_point deadline) {
  namespace bhttp = boost::beast::http;
  client_exchange_result out;
  conn.tcp().expires_never();  // the pool's deadline watch bounds this exchange
  auto watch = pool.watch(conn.tcp().socket().native_handle(), deadline, out.expired);
  auto [wec, wn] = co_await bhttp::async_write(stream, c.req, use_nothrow);
  (void)wn;
  if (wec) {
    out.ec = wec;
    out.writing = true;
    co_return out;
  }
  for (;;) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(max_header, UINT32_MAX)));
    parser.body_limit(c.max_body);
    if (c.req.method() == verb::head) parser.skip(true);  // the answer has no body to read
    auto [rec, rn] = co_await bhttp::async_read(stream, conn.buffer, parser, use_nothrow);
    (void)rn;
    if (rec) {
      out.ec = rec;
      out.got_some = parser.got_some();
      co_return out;
    }
    // 1xx answers (other than 101) are interim: the real one follows.
    const unsigned status = parser.get().result_int();
    if (status >= 100 && status < 200 && status != 101) continue;
    out.reusable = parser.keep_alive() && !parser.need_eof();
    out.answer.emplace(parser.release());
    co_return out;
  }
}

SYNCLINE_DECL ::syncline::error describe_exchange_failure(const client_call& c,
                                                          const client_exchange_result& x,
                                                          std::chrono::milliseconds timeout) {
  namespace bhttp = boost::beast::http;
  const auto& ec = x.ec;
  if (x.expired || ec == boost::beast::error::timeout)
    return make_error(errc::timeout,
                      c.label + ": no complete response within " + milliseconds_text(timeout));
  if (ec == bhttp::error::body_limit)
    return make_error(errc::body_too_large, c.label + ": response body is larger than the " +
                                                std::to_string(c.max_body) + "-byte limit");
  if (ec == bhttp::error::header_limit)
    return make_error(errc::limit_exceeded, c.label + ": response header is too large");
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
      ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset ||
      ec == boost::asio::error::broken_pipe || ec == boost::asio::ssl::error::stream_truncated)
    return make_error(
        errc::unavailable,
        c.label + ": the server closed the connection before the response was complete");
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category())
    return make_error(errc::invalid_input, c.label + ": malformed response: " + ec.message());
  if (ec.category() == boost::asio::error::get_ssl_category() ||
      ec.category() == boost::asio::ssl::error::get_stream_category())
    return make_error(errc::tls, c.label + ": TLS failure: " + ec.message());
  return make_error(errc::unavailable, c.label + ": " + (x.writing ? "sending" : "receiving") +
                                           " failed: " + ec.message());
}

SYNCLINE_DECL bool is_dead_connection(const boost::system::error_code& ec) {
  namespace bhttp = boost::beast::http;
  return ec == bhttp::error::end_of_stream || ec == boost::asio::error::eof ||
         ec == boost::asio::error::connection_reset || ec == boost::asio::error::broken_pipe ||
         ec == boost::asio::error::connection_aborted ||
         ec == boost::asio::ssl::error::stream_truncated;
}

// One attempt: a connection from the pool (or a new one), the request, the answer. A pooled
// connection found dead before any answer byte is replaced once by a fresh one: the server
// closed it while idle, so the request never got there (or, when it may have, only a method
// safe to repeat is repeated).
SYNCLINE_DECL boost::asio::awaitable<client_attempt_result> client_attempt(
    std::shared_ptr<client_state> st, std::shared_ptr<host_pool> pool, const client_call& c,
    pool_clock::time_point deadline) {
  client_attempt_result out;
  for (int replaced = 0;; ++replaced) {
    auto lease = co_await pool->acquire(deadline);
    if (!lease) {
      out.failure = make_error(errc::timeout, c.label + ": " + lease.error().message);
      co_return out;
    }
    if (!lease->connection()) {
      auto connect_deadline = std::min(deadline, pool_clock::now() + c.connect_timeout);
      auto conn = co_await client_connect(st, c, connect_deadline);
      if (!conn) {
        out.failure = std::move(conn).error();
        co_return out;
      }
      lease->set_connection(std::move(*conn));
    } else {
      ++st->stats.connections_reused;
    }
    ++st->stats.attempts;
    auto& conn = *lease->connection();
    // Not a ?: with two co_awaits: g++ 12 miscompiles co_await inside a conditional operator.
    client_exchange_result x;
    if (conn.tls)
      x = co_await client_exchange(*conn.tls, conn, *pool, c, st->options.max_response_header,
                                   deadline);
    else
      x = co_await client_exchange(*conn.plain, conn, *pool, c, st->options.max_response_header,
                                   deadline);
    if (x.answer) {
      // Bytes after the answer would be read as the next one: such a connection is not kept.
      if (x.reusable && conn.buffer.size() == 0) lease->keep();
      out.answer = std::move(x.answer);
      co_return out;
    }
    const bool reused = lease->reused();
    *lease = pool_lease{};  // closes the connection and frees its slot
    if (reused && replaced == 0 && !x.expired && !x.got_some && is_dead_connection(x.ec) &&
        (x.writing || is_idempotent(c.req.method()) || c.options.retry_unsafe)) {
      ++st->stats.stale_retries;
      st->log(c.label + ": pooled connection was closed by the server; retrying on a new one");
      continue;
    }
    out.failure = describe_exchange_failure(c, x, c.timeout);
    out.may_have_reached_server = true;
    co_return out;
  }
}

SYNCLINE_DECL boost::asio::awaitable<std::optional<result<response>>> client_run(
    std::shared_ptr<client_state> st, std::shared_ptr<host_pool> pool,
    std::shared_ptr<client_call> cp) {
  const client_call& c = *cp;
  const auto start = pool_clock::now();
  const auto budget_end = start + c.policy.max_elapsed;
  const bool repeatable = is_idempotent(c.req.method()) || c.options.retry_unsafe;
  const int max_attempts = std::max(1, c.policy.max_attempts);
  for (int n = 1;; ++n) {
    if (c.options.limiter) co_await c.options.limiter->acquire(c.options.cost);
    // The first attempt gets its full timeout; later ones end with the retry budget.
    auto deadline = pool_clock::now() + c.timeout;
    if (n > 1) deadline = std::min(deadline, budget_end);
    auto a = co_await client_attempt(st, pool, c, deadline);
    std::chrono::milliseconds wait{0};
    std::string why;
    if (a.answer) {
      const unsigned status = a.answer->result_int();
      // 429 means "not processed, slow down" (RFC 6585), so even a POST may be repeated.
      if (n >= max_attempts || !c.policy.retries_status(status) || !(repeatable || status == 429))
        co_return std::move(*a.answer);
      wait = c.policy.backoff(n - 1, pool->rng());
      if (c.policy.honour_retry_after) {
        auto it = a.answer->find(field::retry_after);
        if (it != a.answer->end())
          if (auto ra = parse_retry_after(it->value())) wait = *ra;
      }
      if (status == 429 && c.options.limiter) c.options.limiter->pause_for(wait);
      if (pool_clock::now() + wait >= budget_end) co_return std::move(*a.answer);
      why = "status " + std::to_string(status);
    } else {
      const bool transient = is_transient(a.failure.category);
      // A request that never left (no connection) may always be repeated.
      if (n >= max_attempts || !transient || (a.may_have_reached_server && !repeatable)) {
        if (n > 1) a.failure.message += " (after " + std::to_string(n) + " attempts)";
        co_return std::move(a.failure);
      }
      wait = c.policy.backoff(n - 1, pool->rng());
      if (pool_clock::now() + wait >= budget_end) {
        a.failure.message += " (after " + std::to_string(n) + " attempts; retry time budget spent)";
        co_return std::move(a.failure);
      }
      why = std::string(to_string(a.failure.category));
    }
    ++st->stats.retries;
    st->log(c.label + ": " + why + "; attempt " + std::to_string(n + 1) + " of " +
            std::to_string(max_attempts) + " in " + milliseconds_text(wait));
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, wait);
    co_await timer.async_wait(use_nothrow);
  }
}

SYNCLINE_DECL boost::asio::awaitable<result<response>> client_send(std::shared_ptr<client_state> st,
                                                                   verb method, std::string url,
                                                                   std::string body, fields headers,
                                                                   request_options options) {
  auto target = parse_url(url);
  if (!target) co_return std::move(target).error();
  auto plan = std::make_shared<client_call>(
      st->make_call(method, std::move(*target), std::move(body), headers, std::move(options)));
  auto pool = st->pool_for(plan->where);
  auto out = co_await boost::asio::co_spawn(pool->strand(), client_run(st, pool, plan),
                                            boost::asio::use_awaitable);
  co_return std::move(*out);
}

}  // namespace detail

SYNCLINE_DECL client::client(boost::asio::any_io_executor ex, client_options options)
    : state_(std::make_shared<detail::client_state>(std::move(ex), std::move(options))) {}

SYNCLINE_DECL boost::asio::awaitable<result<response>> client::send(
    verb method, std::string_view url, std::string body, fields headers, request_options options) {
  // Not a coroutine itself: the URL is copied now, so a temporary string passed as `url`
  // may die before the returned awaitable first runs (e.g. when handed to co_spawn).
  return detail::client_send(state_, method, std::string(url), std::move(body), std::move(headers),
                             std::move(options));
}

SYNCLINE_DECL boost::asio::awaitable<result<response>> client::get(std::string_view url,
                                                                   fields headers,
                                                                   request_options options) {
  return send(verb::get, url, {}, std::move(headers), std::move(options));
}

SYNCLINE_DECL boost::asio::awaitable<result<response>> client::post(std::string_view url,
                                                                    std::string body,
                                                                    fields headers,
                                                                    request_options options) {
  return send(verb::post, url, std::move(body), std::move(headers), std::move(options));
}

SYNCLINE_DECL client_statistics client::statistics() const {
  const auto& s = state_->stats;
  return {s.attempts.load(), s.connections_opened.load(), s.connections_reused.load(),
          s.stale_retries.load(), s.retries.load()};
}

SYNCLINE_DECL void client::close_idle() {
  std::lock_guard lock(state_->pools_mutex);
  for (auto& [key, pool] : state_->pools)
    boost::asio::post(pool->strand(), [p = pool] { p->close_idle(); });
}

SYNCLINE_DECL const client_options& client::options() const noexcept { return state_->options; }

}  // namespace syncline::http
