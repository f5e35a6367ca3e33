// The state an http::client shares with its calls, and what one call of send() carries.
// Included by impl/client.ipp only: users name http::client, and Beast stays out of their
// translation units in separate compilation.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/http/client_options.hpp>
#include <syncline/http/detail/connection_pool.hpp>
#include <syncline/http/message.hpp>
#include <syncline/http/request_retry.hpp>
#include <syncline/http/tls.hpp>
#include <syncline/http/url.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace syncline::http::detail {

// One call of send(): what every attempt needs.
struct client_call {
  request req;
  url where;
  std::string label;  // "GET https://host/path": the only way messages name the request
  request_options options;
  request_retry policy;
  std::chrono::milliseconds timeout;
  std::chrono::milliseconds connect_timeout;
  std::size_t max_body;
};

struct client_counters {
  std::atomic<std::uint64_t> attempts{0}, connections_opened{0}, connections_reused{0},
      stale_retries{0}, retries{0};
};

struct client_state {
  client_state(boost::asio::any_io_executor e, client_options o)
      : executor(std::move(e)), options(std::move(o)) {}

  boost::asio::any_io_executor executor;
  client_options options;
  client_counters stats;
  std::mutex pools_mutex;
  std::map<std::string, std::shared_ptr<host_pool>> pools;
  std::mutex tls_mutex;
  std::optional<result<std::shared_ptr<ssl::context>>> tls;  // built on first https call

  void log(const std::string& line) const {
    if (options.log) options.log(line);
  }

  std::shared_ptr<host_pool> pool_for(const url& u) {
    std::string key = u.scheme + "://" + u.host + ":" + std::to_string(u.port);
    std::lock_guard lock(pools_mutex);
    auto& p = pools[key];
    if (!p)
      p = std::make_shared<host_pool>(executor, options.max_connections_per_host,
                                      options.idle_timeout);
    return p;
  }

  result<std::shared_ptr<ssl::context>> tls_context() {
    std::lock_guard lock(tls_mutex);
    if (!tls) tls.emplace(make_client_tls_context(options.tls));
    return *tls;
  }

  client_call make_call(verb method, url u, std::string body, const fields& headers,
                        request_options ro) const {
    client_call c{request{method, u.target, 11},
                  u,
                  std::string(beast_http::to_string(method)) + " " + u.redacted(),
                  std::move(ro),
                  {},
                  {},
                  {},
                  0};
    for (const auto& f : headers) c.req.insert(f.name_string(), f.value());
    if (c.req.find(field::host) == c.req.end()) c.req.set(field::host, u.authority());
    if (c.req.find(field::user_agent) == c.req.end() && !options.user_agent.empty())
      c.req.set(field::user_agent, options.user_agent);
    c.req.body() = std::move(body);
    c.req.prepare_payload();
    c.policy = c.options.retry.value_or(options.retry);
    c.timeout = c.options.timeout.value_or(options.request_timeout);
    c.connect_timeout = c.options.connect_timeout.value_or(options.connect_timeout);
    c.max_body = c.options.max_response_body.value_or(options.max_response_body);
    return c;
  }
};

}  // namespace syncline::http::detail
