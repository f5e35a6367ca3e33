// The one HTTP client every connector talks through: HTTP/1.1 over a keep-alive pool per
// (scheme, host, port), TLS verified by default, deadlines, retries with backoff and
// Retry-After, optional rate limiting, and errors whose messages never carry a secret.
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/result.hpp>
#include <syncline/http/client_options.hpp>
#include <syncline/http/message.hpp>
#include <syncline/http/rate_limiter.hpp>
#include <syncline/http/request_retry.hpp>
#include <syncline/http/tls.hpp>
#include <syncline/http/url.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace syncline::http {

// Counters over the client's life, for monitoring and for tests of pooling and retries.
struct client_statistics {
  std::uint64_t attempts = 0;            // requests written to a connection (retries included)
  std::uint64_t connections_opened = 0;  // TCP (+TLS) connections established
  std::uint64_t connections_reused = 0;  // attempts that ran on a pooled connection
  std::uint64_t stale_retries = 0;       // attempts repeated because a pooled connection was dead
  std::uint64_t retries = 0;             // attempts made after a retryable failure or status
};

namespace detail {
// Options, counters, the connection pools and the TLS context (detail/client_state.hpp): Beast
// streams and Asio sockets stay out of the translation units that only name the client.
struct client_state;
}  // namespace detail

class client {
 public:
  SYNCLINE_DECL explicit client(boost::asio::any_io_executor ex, client_options options = {});

  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // `url` is absolute ("https://host[:port]/path?query"). Headers given by the caller are sent
  // as they are; Host, User-Agent and Content-Length are added when absent. Any answer is a
  // value, whatever its status, once retries are done; errors are failures to get an answer
  // (connect, tls, timeout, body_too_large, limit_exceeded, unavailable, invalid_input).
  // The URL is copied before this returns, so a temporary string may be passed.
  SYNCLINE_DECL boost::asio::awaitable<result<response>> send(verb method, std::string_view url,
                                                              std::string body = {},
                                                              fields headers = {},
                                                              request_options options = {});

  SYNCLINE_DECL boost::asio::awaitable<result<response>> get(std::string_view url,
                                                             fields headers = {},
                                                             request_options options = {});

  SYNCLINE_DECL boost::asio::awaitable<result<response>> post(std::string_view url,
                                                              std::string body, fields headers = {},
                                                              request_options options = {});

  SYNCLINE_DECL client_statistics statistics() const;

  // Closes every pooled connection that is not in use (e.g. before a long pause).
  SYNCLINE_DECL void close_idle();

  SYNCLINE_DECL const client_options& options() const noexcept;

 private:
  std::shared_ptr<detail::client_state> state_;
};

}  // namespace syncline::http

#if SYNCLINE_HEADER_ONLY
#include <syncline/http/impl/client.ipp>
#endif
