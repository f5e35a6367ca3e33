// The server's machinery: shared state, the accept loop and one connection's request loop.
// Users name http::server; nothing here is part of the API. Included by impl/server.ipp only,
// so in separate compilation Beast is parsed where the library is compiled, not by its users.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/http/detail/connection_registry.hpp>
#include <syncline/http/detail/connection_state.hpp>
#include <syncline/http/detail/nothrow.hpp>
#include <syncline/http/incoming.hpp>
#include <syncline/http/json_answer.hpp>
#include <syncline/http/message.hpp>
#include <syncline/http/router.hpp>
#include <syncline/http/server_options.hpp>
#include <syncline/http/tls.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <limits>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <type_traits>
#include <utility>

namespace syncline::http::detail {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct server_state : std::enable_shared_from_this<server_state> {
  server_state(net::any_io_executor ex, server_options o)
      : executor(std::move(ex)),
        options(std::move(o)),
        accept_strand(net::make_strand(executor)),
        acceptor(accept_strand),
        connections({options.max_connections, options.max_connections_per_peer}) {}

  net::any_io_executor executor;
  server_options options;
  router routes;
  std::shared_ptr<ssl::context> tls;
  net::strand<net::any_io_executor> accept_strand;
  tcp::acceptor acceptor;
  net::ip::address address;
  std::uint16_t port = 0;
  std::atomic<bool> stopping{false};
  connection_registry connections;                // for the limits, the reaper and stop()
  net::steady_timer reaper_timer{accept_strand};  // used on accept_strand only

  // How often the reaper looks: a quarter of the shortest timeout (so a timeout fires at most a
  // quarter late), at least every second, at most every 5 ms.
  clock::duration reaper_period() const {
    clock::duration shortest = std::min({options.header_timeout, options.body_timeout,
                                         options.idle_timeout, options.write_timeout});
    return std::clamp<clock::duration>(shortest / 4, std::chrono::milliseconds(5),
                                       std::chrono::seconds(1));
  }

  void log(std::string_view line) const {
    if (options.log) options.log(line);
  }

  result<void> listen(std::string_view address_text, std::uint16_t wanted_port) {
    if (acceptor.is_open()) return make_error(errc::invalid_input, "server is already listening");
    if (stopping) return make_error(errc::invalid_input, "server was stopped; make a new one");
    boost::system::error_code ec;
    auto addr = net::ip::make_address(address_text, ec);
    if (ec)
      return make_error(errc::invalid_input,
                        "listen: '" + std::string(address_text) + "' is not an IP address");
    if (options.tls) {
      auto ctx = make_server_tls_context(*options.tls);
      if (!ctx) return std::move(ctx).error();
      tls = std::move(*ctx);
    }
    tcp::endpoint ep(addr, wanted_port);
    auto where = [&] { return ep.address().to_string() + ":" + std::to_string(wanted_port); };
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      boost::system::error_code ignored;
      acceptor.close(ignored);
      return make_error(errc::connect, "cannot listen on " + where() + ": " + ec.message());
    }
    address = addr;
    port = acceptor.local_endpoint().port();
    net::co_spawn(accept_strand, accept_loop(shared_from_this()), rethrow_on_exception{});
    net::co_spawn(accept_strand, reaper(shared_from_this()), rethrow_on_exception{});
    return {};
  }

  void stop() {
    if (stopping.exchange(true)) return;
    net::post(accept_strand, [self = shared_from_this()] {
      boost::system::error_code ignored;
      self->acceptor.close(ignored);
      self->reaper_timer.cancel();  // let it see `stopping` (and end when the last one closes)
    });
    connections.for_each([](connection_state& c) {
      // Between requests nothing is in flight: the connection may close now. A connection that
      // becomes busy meanwhile sees `stopping` before its next read.
      if (!c.busy.load()) c.interrupt(false);
    });
  }

  // Enforces every connection's deadline; ends after stop() once no connection is left.
  static net::awaitable<void> reaper(std::shared_ptr<server_state> self) {
    const auto period = self->reaper_period();
    for (;;) {
      if (self->stopping && self->connections.empty()) co_return;
      const auto now = clock::now().time_since_epoch().count();
      self->connections.for_each([now](connection_state& c) { c.reap(now); });
      self->reaper_timer.expires_after(period);
      co_await self->reaper_timer.async_wait(use_nothrow);
    }
  }

  static net::awaitable<void> accept_loop(std::shared_ptr<server_state> self) {
    while (!self->stopping) {
      auto [ec, socket] = co_await self->acceptor.async_accept(self->executor, use_nothrow);
      if (self->stopping) break;
      if (ec) {
        if (ec == net::error::operation_aborted || ec == net::error::bad_descriptor) break;
        // Out of descriptors or memory: pause instead of spinning on the same failure.
        self->log("accept failed: " + ec.message());
        net::steady_timer pause(self->accept_strand, std::chrono::milliseconds(50));
        co_await pause.async_wait(use_nothrow);
        continue;
      }
      boost::system::error_code ec_remote;
      const auto remote = socket.remote_endpoint(ec_remote);
      if (ec_remote) {  // reset before we got to it: nobody to serve or answer
        socket.close(ec_remote);
        continue;
      }
      // Registered here, on the accept strand, not in the connection's coroutine: a burst from
      // one peer is counted as it is accepted, so it cannot overshoot its limit meanwhile.
      auto c = std::make_shared<connection_state>();
      c->attach(socket.native_handle());
      auto d = self->connections.admit(remote.address(), c);
      if (d.verdict == connection_registry::admission::peer_full) {
        if (d.first_refusal) {
          self->log("connections from " +
                    connection_registry::peer_key(remote.address()).to_string() +
                    " reached max_connections_per_peer (" +
                    std::to_string(self->options.max_connections_per_peer) +
                    "): more are answered 429 until it closes some");
        }
        refuse(socket, self->tls != nullptr, too_many_from_peer);
        continue;
      }
      if (d.verdict == connection_registry::admission::server_full) {
        refuse(socket, self->tls != nullptr, server_busy);
        continue;
      }
      net::co_spawn(self->executor,
                    run_connection(self, std::move(socket), std::move(c), d.where, remote),
                    rethrow_on_exception{});
    }
  }

  // Over a connection limit: answer at once without reading, from the accept loop, with one
  // non-blocking write that a fresh socket's send buffer always takes. Nothing is kept. A peer
  // over its own share gets 429 (it can fix that by closing connections), the server at its cap
  // 503 (nobody can); both say when to try again. A TLS port closes without an answer: the
  // handshake would cost more than the connection is worth.
  static constexpr std::string_view server_busy =
      "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
      "Connection: close\r\n\r\n";
  static constexpr std::string_view too_many_from_peer =
      "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
      "Connection: close\r\n\r\n";

  template <class Socket>
  static void refuse(Socket& socket, bool tls_port, std::string_view answer) {
    boost::system::error_code ignored;
    if (!tls_port) {
      socket.non_blocking(true, ignored);
      socket.write_some(net::buffer(answer.data(), answer.size()), ignored);
      socket.shutdown(tcp::socket::shutdown_both, ignored);
    }
    socket.close(ignored);
  }

  static net::awaitable<void> run_connection(std::shared_ptr<server_state> self, tcp::socket socket,
                                             std::shared_ptr<connection_state> c,
                                             connection_registry::registration registered,
                                             tcp::endpoint remote) {
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    try {
      if (self->tls) {
        beast_ssl_stream stream(std::move(socket), *self->tls);
        c->arm(self->options.header_timeout);
        auto [hs] = co_await stream.async_handshake(ssl::stream_base::server, use_nothrow);
        if (!hs) {
          co_await self->serve(stream, *c, remote);
          c->arm(std::chrono::seconds(1), false);
          co_await stream.async_shutdown(use_nothrow);  // close_notify; errors do not matter
        }
        c->detach();
      } else {
        co_await self->serve(socket, *c, remote);
        c->detach();
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
      }
    } catch (const std::exception& e) {
      // serve() handles every expected failure; this is a bug, but not one worth a crash.
      c->detach();
      self->log(std::string("connection ended by an unexpected exception: ") + e.what());
    }
    const bool last = self->connections.release(registered) && self->stopping;
    if (last)  // the reaper may end now instead of at its next tick
      net::post(self->accept_strand, [self] { self->reaper_timer.cancel(); });
  }

  using beast_ssl_stream = boost::beast::ssl_stream<tcp::socket>;

  static response error_response(unsigned status, std::string_view message) {
    auto res = json_response(status, error_answer{std::string(message)});
    res.keep_alive(false);
    return res;
  }

  // Drops leading CR/LF bytes; true when nothing else is left (keep waiting).
  static bool skip_empty_lines(boost::beast::flat_buffer& buffer) {
    auto data = static_cast<const char*>(buffer.data().data());
    std::size_t n = 0;
    while (n < buffer.size() && (data[n] == '\r' || data[n] == '\n')) ++n;
    buffer.consume(n);
    return n > 0 && buffer.size() == 0;
  }

  // The request loop of one connection. Returns when the connection should close.
  template <class Stream>
  net::awaitable<void> serve(Stream& stream, connection_state& c, tcp::endpoint remote) {
    namespace bhttp = boost::beast::http;
    const auto& o = options;
    // Holds what the parser has not consumed yet: the rest of a pipelined request sequence.
    boost::beast::flat_buffer buffer(o.max_header_bytes + 64 * 1024);
    bool first = true;
    for (;;) {
      c.busy = false;
      if (stopping) co_return;
      if (buffer.size() == 0) {
        // Wait for the next request's first byte: the idle period of a keep-alive connection.
        c.arm(first ? o.header_timeout : o.idle_timeout);
        auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_nothrow);
        buffer.commit(n);
        if (ec) co_return;  // closed by the peer, idle for too long, or stop(): all quiet
      }
      // RFC 9112 §2.2: ignore empty lines before a request line (some clients send a CRLF
      // after a POST body). Bounded by what one read brought in.
      if (skip_empty_lines(buffer)) continue;
      c.busy = true;
      first = false;

      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(o.max_header_bytes));
      parser.body_limit(o.max_body_bytes);
      c.arm(o.header_timeout);
      // A webhook usually arrives whole in the first read: parse it from the buffer at once,
      // and start (costlier) asynchronous reads only for what is still missing.
      auto hec = parse_buffered(parser, buffer, true);
      if (!hec && !parser.is_header_done()) {
        auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, use_nothrow);
        (void)n;
        hec = ec;
      }
      if (hec) {
        co_await fail(stream, c, hec, "request header");
        co_return;
      }
      // RFC 9112 §6.3: with a transfer coding other than a final "chunked" the body length is
      // unknowable, and guessing it is how request smuggling starts.
      if (parser.get().find(field::transfer_encoding) != parser.get().end() && !parser.chunked()) {
        co_await answer_and_close(stream, c, error_response(400, "unsupported transfer coding"));
        co_return;
      }
      if (const auto& req = parser.get();
          beast_http::token_list(req[field::expect]).exists("100-continue") &&
          req.version() >= 11) {
        static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
        c.arm(o.write_timeout, false);
        auto [wec, wn] =
            co_await net::async_write(stream, net::buffer(go_on.data(), go_on.size()), use_nothrow);
        (void)wn;
        if (wec) co_return;
      }
      if (!parser.is_done()) {
        c.arm(o.body_timeout);
        auto bec = parse_buffered(parser, buffer, false);
        if (!bec && !parser.is_done()) {
          auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, use_nothrow);
          (void)n;
          bec = ec;
        }
        if (bec) {
          co_await fail(stream, c, bec, "request body");
          co_return;
        }
      }

      c.disarm();  // the handler's time is its own business
      request req = parser.release();
      // Routing and the handler call are inline: one coroutine frame fewer per request.
      std::string_view target = req.target();
      const auto q = target.find('?');
      const std::string_view path = target.substr(0, q);
      auto m = routes.find(req.method(), path);
      response res;
      if (m.result != router::outcome::matched) {
        res = route_failure(m);
      } else {
        incoming in{req, path,
                    q == std::string_view::npos ? std::string_view{} : target.substr(q + 1),
                    std::move(m.params), remote};
        std::exception_ptr failure;
        try {
          res = co_await (*m.target)(in);
        } catch (...) {
          failure = std::current_exception();
        }
        if (failure) res = handler_failure(failure, req.method(), path);
      }
      const bool keep = req.keep_alive() && res.keep_alive() && !stopping;
      res.version(req.version() == 10 ? 10 : 11);
      res.keep_alive(keep);
      res.prepare_payload();
      if (req.method() == verb::head) res.body().clear();  // Content-Length stays, body goes

      c.arm(o.write_timeout, false);
      auto [wec, wn] = co_await bhttp::async_write(stream, res, use_nothrow);
      (void)wn;
      if (wec || !keep) co_return;
    }
  }

  // Answers a request that could not be read, when an answer still makes sense.
  template <class Stream>
  net::awaitable<void> fail(Stream& stream, connection_state& c, boost::system::error_code ec,
                            std::string_view phase) {
    namespace bhttp = boost::beast::http;
    response res;
    if (c.expired.load()) {  // the reaper ended the read: the peer was too slow
      res = error_response(408, std::string(phase) + " was not received in time");
    } else if (ec == bhttp::error::header_limit) {
      res = error_response(431, "request header is larger than the server accepts");
    } else if (ec == bhttp::error::body_limit) {
      res = error_response(413, "request body is larger than the server accepts");
    } else if (ec == bhttp::error::end_of_stream || ec == net::error::eof ||
               ec == net::error::operation_aborted || ec == net::error::connection_reset ||
               ec == net::ssl::error::stream_truncated || ec == bhttp::error::partial_message) {
      co_return;  // the peer went away (or stop()): nobody to answer
    } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
      res = error_response(400, "malformed request");
    } else {
      co_return;  // transport failure: the connection is unusable
    }
    co_await answer_and_close(stream, c, std::move(res));
  }

  // Sends an error answer, then drains briefly (lingering close) so the peer reads the answer
  // instead of a reset caused by the bytes it sent that we did not read.
  template <class Stream>
  net::awaitable<void> answer_and_close(Stream& stream, connection_state& c, response res) {
    namespace bhttp = boost::beast::http;
    c.arm(options.write_timeout, false);
    auto [wec, wn] = co_await bhttp::async_write(stream, res, use_nothrow);
    (void)wn;
    if (wec) co_return;
    if constexpr (std::is_same_v<Stream, tcp::socket>) {
      boost::system::error_code ignored;
      stream.shutdown(tcp::socket::shutdown_send, ignored);
      // Lingering close: read and drop what the peer still sends, for a short while. The sink
      // lives in this coroutine's frame, not in shared storage that other reads could share.
      c.arm(std::chrono::milliseconds(500));
      std::array<char, 4096> sink;
      std::size_t drained = 0;
      while (drained < (1u << 20)) {
        auto [rec, rn] = co_await stream.async_read_some(net::buffer(sink), use_nothrow);
        if (rec) break;
        drained += rn;
      }
    }
  }

  // Feeds what is already buffered to the parser (up to the end of the header when
  // `header_only`). need_more is not an error: the caller reads on.
  template <class Parser>
  static boost::system::error_code parse_buffered(Parser& parser, boost::beast::flat_buffer& buffer,
                                                  bool header_only) {
    namespace bhttp = boost::beast::http;
    boost::system::error_code ec;
    while (buffer.size() > 0 && !(header_only ? parser.is_header_done() : parser.is_done())) {
      const auto n = parser.put(buffer.data(), ec);
      buffer.consume(n);
      if (ec == bhttp::error::need_more) return {};
      if (ec || n == 0) break;
    }
    return ec;
  }

  static response route_failure(const router::match& m) {
    switch (m.result) {
      case router::outcome::bad_path: return error_response(400, "malformed request target");
      case router::outcome::method_not_allowed: {
        static const std::string body =
            json::encode(error_answer{"method not allowed on this path"});
        auto res = make_response(405, body);
        res.set(field::allow, m.allow);
        return res;
      }
      default: {
        static const std::string body = json::encode(error_answer{"no route for this path"});
        return make_response(404, body);
      }
    }
  }

  response handler_failure(std::exception_ptr failure, verb method, std::string_view path) const {
    const std::string where = "handler for " + std::string(beast_http::to_string(method)) + " " +
                              std::string(path) + " threw";
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      log(where + ": " + e.what());
    } catch (...) {
      log(where + " a non-standard exception");
    }
    static const std::string body = json::encode(error_answer{"internal error"});
    return make_response(500, body);
  }
};

}  // namespace syncline::http::detail
