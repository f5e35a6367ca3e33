// The webhook listener: an asynchronous HTTP/1.1 server with the limits a public endpoint needs
// (header and body size, slow-client timeouts, connection cap), routing by method and path,
// optional TLS, and a graceful stop that lets in-flight requests finish.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/http/detail/server_connection.hpp>
#include <syncline/http/incoming.hpp>
#include <syncline/http/message.hpp>
#include <syncline/http/router.hpp>
#include <syncline/http/server_options.hpp>
#include <syncline/http/tls.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace syncline::http {

class server {
 public:
  explicit server(boost::asio::any_io_executor ex, server_options options = {})
      : state_(std::make_shared<detail::server_state>(std::move(ex), std::move(options))) {}

  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Stops accepting; requests already being handled still get their answer.
  ~server() { stop(); }

  // Adds a route; see router::add for the pattern syntax. Routes are set up before listen():
  // the table is read without a lock while requests are served.
  void route(verb method, std::string pattern, handler h) {
    state_->routes.add(method, pattern, std::move(h));
  }

  // Binds and starts accepting. Port 0 picks a free port (see port()).
  result<void> listen(std::string_view address = "127.0.0.1", std::uint16_t port = 0) {
    return state_->listen(address, port);
  }

  std::uint16_t port() const noexcept { return state_->port; }

  // "http://127.0.0.1:<port>" ("https://" with TLS); IPv6 addresses are bracketed.
  std::string url() const {
    std::string host = state_->address.is_v6() ? "[" + state_->address.to_string() + "]"
                                               : state_->address.to_string();
    return std::string(state_->tls ? "https://" : "http://") + host + ":" +
           std::to_string(state_->port);
  }

  // Graceful stop, callable from any thread, more than once: no new connections; idle
  // keep-alive connections close now; a request already being received or handled gets its
  // answer (with "Connection: close"). The io_context runs out of server work once they are
  // done, so `server.stop(); threads.join();` is a complete graceful shutdown.
  void stop() { state_->stop(); }

  // Open connections, for monitoring and for tests of the connection cap and of stop().
  std::size_t connections() const noexcept { return state_->open_connections.load(); }

  const server_options& options() const noexcept { return state_->options; }

 private:
  std::shared_ptr<detail::server_state> state_;
};

}  // namespace syncline::http
