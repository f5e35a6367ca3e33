// The open connections of an http::server, grouped by peer, and the rules that admit a new one:
// the server-wide cap (server_options::max_connections) and each peer's share of it
// (max_connections_per_peer), so that one client holding thousands of connections cannot make
// every other client's delivery wait for a free slot. No sockets here: the accept loop asks
// admit() and acts on the answer, which keeps the rules testable without a network.
#pragma once

#include <syncline/http/detail/connection_state.hpp>

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace syncline::http::detail {

class connection_registry {
 public:
  using address = boost::asio::ip::address;

  struct limits {
    std::size_t max_connections = 0;
    std::size_t max_per_peer = 0;  // 0: no per-peer limit
  };

  enum class admission : std::uint8_t {
    admitted,
    peer_full,    // the peer already holds max_per_peer connections
    server_full,  // at max_connections and no heavier peer has an idle connection to give up
  };

 private:
  struct member {
    std::shared_ptr<connection_state> state;
    bool evicted = false;  // told to close to make room; still open until it unregisters
  };
  struct peer {
    std::list<member> members;
    std::size_t evicted = 0;
    bool refusal_reported = false;  // since it last dropped below its limit
    std::size_t holding() const { return members.size() - evicted; }
  };

 public:
  // Where an admitted connection is registered; handed back to release().
  struct registration {
    address peer;
    std::list<member>::iterator at;
  };

  struct decision {
    admission verdict = admission::admitted;
    registration where{};  // when admitted
    // peer_full for the first time since the peer was last below its limit: worth one log line
    // (a misbehaving peer would otherwise flood the log with one line per attempt).
    bool first_refusal = false;
  };

  explicit connection_registry(limits l) : limits_(l) {}

  // The key connections are counted under: the address itself for IPv4 (an IPv4-mapped IPv6
  // address counts as the IPv4 one: a dual-stack listener sees IPv4 clients that way), and the
  // /64 network for IPv6, because one IPv6 host commonly owns a whole /64 and could otherwise
  // open its connections from as many addresses as it likes.
  static address peer_key(const address& remote) {
    if (!remote.is_v6()) return remote;
    const auto v6 = remote.to_v6();
    if (v6.is_v4_mapped()) return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6);
    auto bytes = v6.to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return boost::asio::ip::address_v6(bytes);
  }

  // Decides on a new connection from `remote` and registers it when admitted. `c` must already
  // be attached to its socket: it may be interrupted from the moment it is registered.
  //
  // At the server-wide cap a newcomer is not simply turned away: if another peer holds more
  // connections than the newcomer's peer would hold with it, one of that peer's idle connections
  // (between requests, or connected without having sent anything) is told to close, heaviest peer
  // first, and the newcomer takes its place. So whoever fills the server from a few addresses
  // gives way to everyone else, down to an equal share, while a request in progress is never
  // cut. ("More than it would hold with it" rather than "more than it holds" keeps two peers of
  // equal weight from evicting each other in turn.) The server may hold a few connections over
  // the cap while evicted ones finish closing, never more than the evictions under way.
  decision admit(const address& remote, std::shared_ptr<connection_state> c) {
    std::lock_guard lock(m_);
    const address key = peer_key(remote);
    auto it = peers_.find(key);
    const std::size_t mine = it == peers_.end() ? 0 : it->second.holding();
    if (limits_.max_per_peer != 0 && mine >= limits_.max_per_peer) {
      const bool first = !std::exchange(it->second.refusal_reported, true);
      return {admission::peer_full, {}, first};
    }
    if (open_.load(std::memory_order_relaxed) - evicted_ >= limits_.max_connections &&
        !evict_one_heavier_than(key, mine + 1)) {
      return {admission::server_full, {}, false};
    }
    if (it == peers_.end()) it = peers_.try_emplace(key).first;
    auto& members = it->second.members;
    members.push_back(member{std::move(c)});
    open_.fetch_add(1, std::memory_order_relaxed);
    return {admission::admitted, {key, std::prev(members.end())}, false};
  }

  // Unregisters a connection that has closed. Returns true when none is left.
  bool release(const registration& r) {
    std::lock_guard lock(m_);
    auto it = peers_.find(r.peer);
    peer& p = it->second;
    if (r.at->evicted) {
      --p.evicted;
      --evicted_;
    }
    p.members.erase(r.at);
    open_.fetch_sub(1, std::memory_order_relaxed);
    if (p.members.empty()) {
      peers_.erase(it);
    } else if (p.holding() < limits_.max_per_peer) {
      p.refusal_reported = false;
    }
    return peers_.empty();
  }

  // Calls f(connection_state&) for every open connection, under the registry's lock (so f must
  // not call back into the registry).
  template <class F>
  void for_each(F&& f) {
    std::lock_guard lock(m_);
    for (auto& [key, p] : peers_) {
      for (auto& m : p.members) f(*m.state);
    }
  }

  bool empty() const {
    std::lock_guard lock(m_);
    return peers_.empty();
  }

  // Open connections, evicted ones still closing included; lock-free for monitoring.
  std::size_t size() const noexcept { return open_.load(std::memory_order_relaxed); }

  // Connections counted against `remote`'s peer key (evicted ones still closing excluded).
  std::size_t held_by(const address& remote) const {
    std::lock_guard lock(m_);
    auto it = peers_.find(peer_key(remote));
    return it == peers_.end() ? 0 : it->second.holding();
  }

 private:
  // Tells one idle connection of the heaviest peer that holds more than `newcomer_after` (what the
  // newcomer's peer would hold with it) to close. Runs only at the cap; the scan is over peers and
  // then over one peer's connections, never over every connection.
  bool evict_one_heavier_than(const address& newcomer, std::size_t newcomer_after) {
    std::vector<peer*> heavier;
    for (auto& [key, p] : peers_) {
      if (key != newcomer && p.holding() > newcomer_after) heavier.push_back(&p);
    }
    std::sort(heavier.begin(), heavier.end(),
              [](const peer* a, const peer* b) { return a->holding() > b->holding(); });
    for (peer* p : heavier) {
      for (auto& m : p->members) {
        if (m.evicted || m.state->busy.load()) continue;
        m.evicted = true;
        ++p->evicted;
        ++evicted_;
        // As stop() does: ends the wait for the next request; the connection then closes.
        m.state->interrupt(false);
        return true;
      }
    }
    return false;
  }

  const limits limits_;
  mutable std::mutex m_;
  std::unordered_map<address, peer> peers_;  // guarded by m_
  std::size_t evicted_ = 0;                  // guarded by m_
  std::atomic<std::size_t> open_{0};         // written under m_
};

}  // namespace syncline::http::detail
