// The bodies of <syncline/http/server.hpp>; the machinery is in detail/server_connection.hpp.
#pragma once

#include <syncline/http/detail/server_connection.hpp>
#include <syncline/http/server.hpp>

#include <utility>

namespace syncline::http {

SYNCLINE_DECL server::server(boost::asio::any_io_executor ex, server_options options)
    : state_(std::make_shared<detail::server_state>(std::move(ex), std::move(options))) {}

SYNCLINE_DECL server::~server() { stop(); }

SYNCLINE_DECL void server::route(verb method, std::string pattern, handler h) {
  state_->routes.add(method, pattern, std::move(h));
}

SYNCLINE_DECL result<void> server::listen(std::string_view address, std::uint16_t port) {
  return state_->listen(address, port);
}

SYNCLINE_DECL std::uint16_t server::port() const noexcept { return state_->port; }

SYNCLINE_DECL std::string server::url() const {
  std::string host = state_->address.is_v6() ? "[" + state_->address.to_string() + "]"
                                             : state_->address.to_string();
  return std::string(state_->tls ? "https://" : "http://") + host + ":" +
         std::to_string(state_->port);
}

SYNCLINE_DECL void server::stop() { state_->stop(); }

SYNCLINE_DECL std::size_t server::connections() const noexcept {
  return state_->connections.size();
}

SYNCLINE_DECL const server_options& server::options() const noexcept { return state_->options; }

}  // namespace syncline::http
