// The server's admission rules without a network: each peer's share, and who gives way at the
// overall cap. Peers are addresses the tests make up; "told to close" is observed on a socket
// pair, whose read side the registry shuts down as the server's stop() does.
#include <syncline/http/detail/connection_registry.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string_view>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace unity_http_connection_registry_test {

using syncline::http::detail::connection_registry;
using syncline::http::detail::connection_state;
using admission = connection_registry::admission;

namespace {

boost::asio::ip::address ip(std::string_view text) { return boost::asio::ip::make_address(text); }

// A connection's state attached to one end of a socket pair.
struct fake_connection {
  int fds[2] = {-1, -1};
  std::shared_ptr<connection_state> state = std::make_shared<connection_state>();
  std::optional<connection_registry::registration> registered;

  fake_connection() {
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    state->attach(fds[0]);
  }
  ~fake_connection() {
    state->detach();
    ::close(fds[0]);
    ::close(fds[1]);
  }
  // The registry shut its read side down: a read returns end-of-stream at once.
  bool told_to_close() const {
    char byte;
    return ::recv(fds[0], &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
  }
};

struct registry_under_test {
  connection_registry reg;
  std::vector<std::unique_ptr<fake_connection>> conns;

  explicit registry_under_test(connection_registry::limits l) : reg(l) {}

  // Admits a new connection from `peer`; returns the verdict.
  admission connect(std::string_view peer, bool busy = false) {
    auto c = std::make_unique<fake_connection>();
    c->state->busy = busy;
    auto d = reg.admit(ip(peer), c->state);
    if (d.verdict == admission::admitted) {
      c->registered = d.where;
      conns.push_back(std::move(c));
    }
    return d.verdict;
  }
  // Connections still registered that were told to close.
  std::size_t told_to_close() const {
    std::size_t n = 0;
    for (const auto& c : conns) n += c->registered && c->told_to_close() ? 1 : 0;
    return n;
  }
  // Closes the connections told to close, as their coroutines do.
  void finish_evictions() {
    for (auto& c : conns) {
      if (c->registered && c->told_to_close()) {
        reg.release(*c->registered);
        c->registered.reset();
      }
    }
  }
};

}  // namespace

TEST_CASE("registry refuses a peer's connections over its share and admits others",
          "[http][server][registry]") {
  registry_under_test t({100, 2});
  CHECK(t.connect("10.0.0.1") == admission::admitted);
  CHECK(t.connect("10.0.0.1") == admission::admitted);
  auto d = t.reg.admit(ip("10.0.0.1"), std::make_shared<connection_state>());
  CHECK(d.verdict == admission::peer_full);
  CHECK(d.first_refusal);
  d = t.reg.admit(ip("10.0.0.1"), std::make_shared<connection_state>());
  CHECK(d.verdict == admission::peer_full);
  CHECK_FALSE(d.first_refusal);  // reported once until the peer drops below its limit
  CHECK(t.connect("10.0.0.2") == admission::admitted);
  CHECK(t.reg.held_by(ip("10.0.0.1")) == 2);
  CHECK(t.reg.size() == 3);

  // Closing one makes room for one more; the next refusal is reported again.
  CHECK_FALSE(t.reg.release(*t.conns[0]->registered));
  t.conns[0]->registered.reset();
  CHECK(t.connect("10.0.0.1") == admission::admitted);
  d = t.reg.admit(ip("10.0.0.1"), std::make_shared<connection_state>());
  CHECK(d.verdict == admission::peer_full);
  CHECK(d.first_refusal);
  CHECK(t.told_to_close() == 0);  // a peer over its share never costs anyone a connection
}

TEST_CASE("registry at the cap closes idle connections of the heaviest peer, down to a fair share",
          "[http][server][registry]") {
  registry_under_test t({6, 0});
  for (int i = 0; i < 4; ++i) REQUIRE(t.connect("10.0.0.1") == admission::admitted);
  for (int i = 0; i < 2; ++i) REQUIRE(t.connect("10.0.0.2") == admission::admitted);

  // A newcomer takes a slot of the heaviest peer (10.0.0.1: 4), not of the lighter one.
  CHECK(t.connect("10.0.0.3") == admission::admitted);
  CHECK(t.told_to_close() == 1);
  CHECK(t.reg.held_by(ip("10.0.0.1")) == 3);
  CHECK(t.reg.held_by(ip("10.0.0.2")) == 2);
  CHECK(t.reg.size() == 7);  // over the cap only while the evicted one closes
  t.finish_evictions();
  CHECK(t.reg.size() == 6);

  CHECK(t.connect("10.0.0.3") == admission::admitted);  // 10.0.0.1: 3 > 2
  t.finish_evictions();
  CHECK(t.reg.held_by(ip("10.0.0.1")) == 2);
  // Now 2, 2, 2: a third from anyone would make its peer the heaviest, so nobody gives way.
  CHECK(t.connect("10.0.0.3") == admission::server_full);
  CHECK(t.connect("10.0.0.1") == admission::server_full);
  CHECK(t.told_to_close() == 0);
  // A new peer with none still gets in (it would hold 1; the others hold 2).
  CHECK(t.connect("10.0.0.4") == admission::admitted);
  CHECK(t.told_to_close() == 1);
}

TEST_CASE("registry never closes a connection with a request in progress",
          "[http][server][registry]") {
  registry_under_test t({3, 0});
  for (int i = 0; i < 3; ++i) REQUIRE(t.connect("10.0.0.1", true) == admission::admitted);
  CHECK(t.connect("10.0.0.2") == admission::server_full);
  CHECK(t.told_to_close() == 0);
  t.conns[1]->state->busy = false;  // its request is answered; it waits for the next one
  CHECK(t.connect("10.0.0.2") == admission::admitted);
  CHECK(t.conns[1]->told_to_close());
  CHECK(t.told_to_close() == 1);
}

TEST_CASE("registry counts IPv6 peers by /64 and IPv4-mapped addresses as IPv4",
          "[http][server][registry]") {
  CHECK(connection_registry::peer_key(ip("203.0.113.7")) == ip("203.0.113.7"));
  CHECK(connection_registry::peer_key(ip("::ffff:203.0.113.7")) == ip("203.0.113.7"));
  CHECK(connection_registry::peer_key(ip("2001:db8:1:2:aaaa::1")) == ip("2001:db8:1:2::"));
  CHECK(connection_registry::peer_key(ip("2001:db8:1:2:bbbb::9")) == ip("2001:db8:1:2::"));
  CHECK(connection_registry::peer_key(ip("2001:db8:1:3::1")) == ip("2001:db8:1:3::"));

  registry_under_test t({100, 2});
  CHECK(t.connect("2001:db8:1:2::1") == admission::admitted);
  CHECK(t.connect("2001:db8:1:2::2") == admission::admitted);
  CHECK(t.connect("2001:db8:1:2:ffff::3") == admission::peer_full);  // same /64
  CHECK(t.connect("2001:db8:1:3::1") == admission::admitted);
  CHECK(t.connect("::ffff:10.0.0.1") == admission::admitted);
  CHECK(t.connect("10.0.0.1") == admission::admitted);
  CHECK(t.connect("10.0.0.1") == admission::peer_full);
}

}  // namespace unity_http_connection_registry_test
