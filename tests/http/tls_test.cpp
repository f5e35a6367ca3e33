// TLS between the client and the server with a CA made at test time: verification that
// succeeds, fails on an unknown CA and on a wrong host name, SNI, the explicit opt-out.
#include <syncline/http/client.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/http/server.hpp>

#include <boost/asio/ssl/context.hpp>
#include <catch2/catch.hpp>

#include <mutex>
#include <openssl/ssl.h>
#include <string>

#include "test_support.hpp"

namespace unity_http_tls_test {

using namespace syncline;
using namespace syncline::http;
using namespace syncline::http::test;

namespace {

// One CA and two leaves for the whole file: generating keys is the slow part.
test_pki& pki() {
  static test_pki p;
  return p;
}
const test_pki::leaf& localhost_leaf() {
  static auto l = pki().issue("localhost", "localhost", "DNS:localhost,IP:127.0.0.1");
  return l;
}
const test_pki::leaf& other_leaf() {
  static auto l = pki().issue("other", "other.example", "DNS:other.example");
  return l;
}

server_options tls_server(const test_pki::leaf& leaf) {
  server_options o;
  o.tls = server_tls_options{leaf.cert_pem, leaf.key_pem, nullptr};
  return o;
}

client_options trusting_test_ca() {
  client_options o;
  o.tls.extra_ca_pem = pki().ca_pem;
  o.retry = request_retry::none();
  return o;
}

std::string https_url(const std::string& host, const server& s, std::string_view path) {
  return "https://" + host + ":" + std::to_string(s.port()) + std::string(path);
}

net::awaitable<response> hello(incoming&) { co_return make_response(200, "{\"tls\":true}"); }

}  // namespace

TEST_CASE("TLS: a certificate from a trusted CA for the right name is accepted", "[http][tls]") {
  io_threads threads(2);
  server srv(threads.executor(), tls_server(localhost_leaf()));
  srv.route(verb::get, "/hello", hello);
  REQUIRE(srv.listen());
  CHECK(srv.url().rfind("https://127.0.0.1:", 0) == 0);
  client c(threads.executor(), trusting_test_ca());
  for (const char* host : {"localhost", "127.0.0.1"}) {
    INFO(host);
    auto r = run(threads, c.get(https_url(host, srv, "/hello")));
    INFO((r ? std::string() : r.error().message));
    REQUIRE(r);
    CHECK(r->result_int() == 200);
    CHECK(r->body() == "{\"tls\":true}");
  }
  // Pooled TLS connections are reused (one per host spelling: two pools).
  for (int i = 0; i < 3; ++i) {
    auto r = run(threads, c.get(https_url("localhost", srv, "/hello")));
    REQUIRE(r);
  }
  CHECK(c.statistics().connections_opened == 2);
}

TEST_CASE("TLS: the client sends SNI with the host name", "[http][tls]") {
  io_threads threads(1);
  // A server context of our own, to see the name the client asks for.
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->use_certificate_chain(net::buffer(localhost_leaf().cert_pem));
  ctx->use_private_key(net::buffer(localhost_leaf().key_pem), ssl::context::pem);
  static std::mutex m;
  static std::string seen;
  SSL_CTX_set_tlsext_servername_callback(
      ctx->native_handle(), +[](SSL* ssl, int*, void*) -> int {
        const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        std::lock_guard lock(m);
        seen = name ? name : "(none)";
        return SSL_TLSEXT_ERR_OK;
      });
  server_options o;
  o.tls = server_tls_options{{}, {}, ctx};
  server srv(threads.executor(), o);
  srv.route(verb::get, "/hello", hello);
  REQUIRE(srv.listen());
  client c(threads.executor(), trusting_test_ca());
  auto r = run(threads, c.get(https_url("localhost", srv, "/hello")));
  REQUIRE(r);
  {
    std::lock_guard lock(m);
    CHECK(seen == "localhost");
  }
  // No SNI for an IP address (RFC 6066 forbids it).
  auto ip = run(threads, c.get(https_url("127.0.0.1", srv, "/hello")));
  REQUIRE(ip);
  std::lock_guard lock(m);
  CHECK(seen == "(none)");
}

TEST_CASE("TLS: an unknown CA is refused by default", "[http][tls]") {
  io_threads threads(2);
  server srv(threads.executor(), tls_server(localhost_leaf()));
  srv.route(verb::get, "/hello", hello);
  REQUIRE(srv.listen());
  client_options o;  // system trust store only: it does not know the test CA
  client c(threads.executor(), o);
  auto r = run(threads, c.get(https_url("localhost", srv, "/hello")));
  REQUIRE_FALSE(r);
  CHECK(r.error().category == errc::tls);
  CHECK(r.error().message.find("GET https://localhost:") == 0);
  CHECK(r.error().message.find("certificate verification failed") != std::string::npos);
  CHECK(c.statistics().attempts == 0);  // not retried: a certificate does not fix itself
}

TEST_CASE("TLS: a certificate for another host name is refused", "[http][tls]") {
  io_threads threads(2);
  server srv(threads.executor(), tls_server(other_leaf()));
  srv.route(verb::get, "/hello", hello);
  REQUIRE(srv.listen());
  client c(threads.executor(), trusting_test_ca());
  auto r = run(threads, c.get(https_url("localhost", srv, "/hello")));
  REQUIRE_FALSE(r);
  CHECK(r.error().category == errc::tls);
  INFO(r.error().message);
  CHECK(r.error().message.find("hostname mismatch") != std::string::npos);
}

TEST_CASE("TLS: the explicit opt-out accepts any certificate", "[http][tls]") {
  io_threads threads(2);
  server srv(threads.executor(), tls_server(other_leaf()));
  srv.route(verb::get, "/hello", hello);
  REQUIRE(srv.listen());
  client_options o;
  o.tls.insecure_skip_certificate_verification = true;
  client c(threads.executor(), o);
  auto r = run(threads, c.get(https_url("localhost", srv, "/hello")));
  REQUIRE(r);
  CHECK(r->result_int() == 200);
}

TEST_CASE("TLS: bad server key material fails listen(), plain HTTP on a TLS port fails cleanly",
          "[http][tls]") {
  io_threads threads(2);
  server_options broken;
  broken.tls = server_tls_options{"not a certificate", "not a key", nullptr};
  server bad(threads.executor(), broken);
  auto l = bad.listen();
  REQUIRE_FALSE(l);
  CHECK(l.error().category == errc::tls);

  server_options mismatched;
  mismatched.tls = server_tls_options{localhost_leaf().cert_pem, other_leaf().key_pem, nullptr};
  server mm(threads.executor(), mismatched);
  auto m = mm.listen();
  REQUIRE_FALSE(m);
  INFO(m.error().message);
  CHECK(m.error().message.find("mismatch") != std::string::npos);
  CHECK(m.error().message.find("PRIVATE KEY") == std::string::npos);

  server srv(threads.executor(), tls_server(localhost_leaf()));
  srv.route(verb::get, "/hello", hello);
  REQUIRE(srv.listen());
  client plain(threads.executor(), trusting_test_ca());
  auto r = run(threads, plain.get("http://127.0.0.1:" + std::to_string(srv.port()) + "/hello"));
  REQUIRE_FALSE(r);
  // The TLS server still works afterwards.
  client c(threads.executor(), trusting_test_ca());
  auto ok = run(threads, c.get(https_url("localhost", srv, "/hello")));
  REQUIRE(ok);
  CHECK(ok->result_int() == 200);
}

TEST_CASE("TLS: server limits apply over TLS too", "[http][tls]") {
  io_threads threads(2);
  auto o = tls_server(localhost_leaf());
  o.max_body_bytes = 100;
  server srv(threads.executor(), o);
  srv.route(verb::post, "/hook", hello);
  REQUIRE(srv.listen());
  client c(threads.executor(), trusting_test_ca());
  auto r = run(threads, c.post(https_url("localhost", srv, "/hook"), std::string(500, 'x')));
  REQUIRE(r);
  CHECK(r->result_int() == 413);
}

}  // namespace unity_http_tls_test
