// The webhook listener: an asynchronous HTTP/1.1 server with the limits a public endpoint needs
// (header and body size, slow-client timeouts, a connection cap and each peer's share of it),
// routing by method and path, optional TLS, and a graceful stop that lets in-flight requests
// finish.
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/result.hpp>
#include <syncline/http/incoming.hpp>
#include <syncline/http/message.hpp>
#include <syncline/http/router.hpp>
#include <syncline/http/server_options.hpp>

#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace syncline::http {

namespace detail {
// The acceptor, the connections and their coroutines (detail/server_connection.hpp): Beast and
// Asio's socket machinery stay out of the translation units that only name the server.
struct server_state;
}  // namespace detail

class server {
 public:
  SYNCLINE_DECL explicit server(boost::asio::any_io_executor ex, server_options options = {});

  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Stops accepting; requests already being handled still get their answer.
  SYNCLINE_DECL ~server();

  // Adds a route; see router::add for the pattern syntax. Routes are set up before listen():
  // the table is read without a lock while requests are served.
  SYNCLINE_DECL void route(verb method, std::string pattern, handler h);

  // Binds and starts accepting. Port 0 picks a free port (see port()).
  SYNCLINE_DECL result<void> listen(std::string_view address = "127.0.0.1", std::uint16_t port = 0);

  SYNCLINE_DECL std::uint16_t port() const noexcept;

  // "http://127.0.0.1:<port>" ("https://" with TLS); IPv6 addresses are bracketed.
  SYNCLINE_DECL std::string url() const;

  // Graceful stop, callable from any thread, more than once: no new connections; idle
  // keep-alive connections close now; a request already being received or handled gets its
  // answer (with "Connection: close"). The io_context runs out of server work once they are
  // done, so `server.stop(); threads.join();` is a complete graceful shutdown.
  SYNCLINE_DECL void stop();

  // Open connections (evicted ones still closing included), for monitoring and for tests of the
  // connection caps and of stop().
  SYNCLINE_DECL std::size_t connections() const noexcept;

  SYNCLINE_DECL const server_options& options() const noexcept;

 private:
  std::shared_ptr<detail::server_state> state_;
};

}  // namespace syncline::http

#if SYNCLINE_HEADER_ONLY
#include <syncline/http/impl/server.ipp>
#endif
