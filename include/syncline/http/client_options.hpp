// Settings of an http::client, and the per-call overrides a request may carry.
#pragma once

#include <syncline/http/rate_limiter.hpp>
#include <syncline/http/request_retry.hpp>
#include <syncline/http/tls.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace syncline::http {

struct client_options {
  std::chrono::milliseconds connect_timeout{5'000};   // name resolution + TCP + TLS handshake
  std::chrono::milliseconds request_timeout{30'000};  // one attempt, connect to last body byte
  std::size_t max_connections_per_host = 8;           // per (scheme, host, port)
  std::chrono::milliseconds idle_timeout{30'000};     // a pooled connection unused this long closes
  std::size_t max_response_body = 8u << 20;           // over it: errc::body_too_large
  std::size_t max_response_header = 64u << 10;        // over it: errc::limit_exceeded
  request_retry retry;
  tls_options tls;
  std::string user_agent = "syncline/0.1";  // sent unless the request sets its own
  // Receives one line per retry and per dropped stale connection: method and URL without its
  // query, never a header value or a body.
  std::function<void(std::string_view)> log;
};

// Every member has a default initialiser, so that `{.retry_unsafe = true}` compiles under
// -Wmissing-field-initializers.
struct request_options {
  std::optional<std::chrono::milliseconds> timeout{};          // instead of request_timeout
  std::optional<std::chrono::milliseconds> connect_timeout{};  // instead of connect_timeout
  std::optional<request_retry> retry{};                        // instead of the client's policy
  // POST and PATCH are not retried after they may have reached the server, unless the caller
  // says a repeat is harmless (the request carries an idempotency key, or the server dedupes).
  bool retry_unsafe = false;
  // When set, every attempt first waits for room in this bucket, and a 429's Retry-After
  // pauses it, so the other calls sharing it slow down too.
  rate_limiter* limiter = nullptr;
  double cost = 1;                                 // what one attempt costs in `limiter`'s units
  std::optional<std::size_t> max_response_body{};  // instead of the client's limit
};

}  // namespace syncline::http
