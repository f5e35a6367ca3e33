// Helpers shared by the HTTP tests: run a coroutine to completion, talk raw bytes to a
// server, make a throw-away CA and certificates.
#pragma once

#include <syncline/http/io_threads.hpp>
#include <syncline_test_support/temp_dir.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <sys/time.h>
#include <thread>
#include <unistd.h>

namespace syncline::http::test {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

// Runs `task` on the threads' context and waits for its value; exceptions propagate.
// (co_spawn needs a default-constructible value type, which result<T> is not: hence optional.)
template <class T>
T run(io_threads& threads, net::awaitable<T> task) {
  auto wrapped = [](net::awaitable<T> t) -> net::awaitable<std::optional<T>> {
    co_return co_await std::move(t);
  };
  return *net::co_spawn(threads.executor(), wrapped(std::move(task)), net::use_future).get();
}
inline void run(io_threads& threads, net::awaitable<void> task) {
  net::co_spawn(threads.executor(), std::move(task), net::use_future).get();
}

inline net::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  net::steady_timer t(co_await net::this_coro::executor, d);
  co_await t.async_wait(net::use_awaitable);
}

// A blocking loopback socket with a receive timeout, for byte-level tests of the server.
class raw_connection {
 public:
  explicit raw_connection(std::uint16_t port, std::chrono::milliseconds read_timeout = 3000ms)
      : raw_connection(port, "127.0.0.1", read_timeout) {}

  // From a given local address: Linux routes all of 127.0.0.0/8 to the loopback interface, so
  // a test can be several peers (127.0.0.2, 127.0.0.3, ...) of a server on 127.0.0.1.
  raw_connection(std::uint16_t port, std::string_view from,
                 std::chrono::milliseconds read_timeout = 3000ms)
      : socket_(ctx_) {
    socket_.open(tcp::v4());
    socket_.bind(tcp::endpoint(net::ip::make_address(from), 0));
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(read_timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((read_timeout.count() % 1000) * 1000);
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }

  // False when the peer has already reset the connection.
  bool send(std::string_view bytes) {
    boost::system::error_code ec;
    net::write(socket_, net::buffer(bytes.data(), bytes.size()), ec);
    return !ec;
  }

  // Reads until the peer closes, an error, or the receive timeout; `closed` tells which.
  std::string read_all() {
    std::string out;
    char buf[4096];
    for (;;) {
      auto n = ::recv(socket_.native_handle(), buf, sizeof buf, 0);
      if (n > 0) {
        out.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      closed_ = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
      return out;
    }
  }

  // Reads until `count` complete responses (by "HTTP/1." status lines) are seen, or timeout.
  std::string read_responses(std::size_t count) {
    std::string out;
    char buf[4096];
    while (count_responses(out) < count) {
      auto n = ::recv(socket_.native_handle(), buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
        break;
      }
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

  bool closed() const { return closed_; }

  // Without waiting: true when the server has closed its end and nothing is left to read.
  bool closed_by_server() {
    char byte;
    return ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
  }
  tcp::socket& socket() { return socket_; }

  static std::size_t count_responses(std::string_view text) {
    std::size_t n = 0, pos = 0;
    while ((pos = text.find("HTTP/1.", pos)) != std::string_view::npos) {
      ++n;
      pos += 7;
    }
    return n;
  }

 private:
  net::io_context ctx_;
  tcp::socket socket_;
  bool closed_ = false;
};

// The status code of the first response in `raw`, 0 when there is none.
inline unsigned first_status(std::string_view raw) {
  if (raw.size() < 12 || raw.substr(0, 7) != "HTTP/1.") return 0;
  return static_cast<unsigned>(std::atoi(std::string(raw.substr(9, 3)).c_str()));
}

// A loopback listener whose accept queue is full, so a new TCP handshake never completes:
// the way to make a connect time out without leaving the machine.
class saturated_listener {
 public:
  saturated_listener() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listen_fd_, 0) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    for (int& fd : fillers_) {
      fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      (void)::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ~saturated_listener() {
    for (int fd : fillers_) ::close(fd);
    ::close(listen_fd_);
  }
  std::uint16_t port() const { return port_; }

 private:
  int listen_fd_ = -1;
  int fillers_[3] = {-1, -1, -1};
  std::uint16_t port_ = 0;
};

// Bytes as a readable one-line string for test output.
inline std::string printable(std::string_view bytes) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char ch : bytes.substr(0, 200)) {
    if (ch >= 0x20 && ch < 0x7f) {
      out += static_cast<char>(ch);
    } else {
      out += "\\x";
      out += hex[ch >> 4];
      out += hex[ch & 15];
    }
  }
  return out;
}

using temp_dir = syncline::testing::temp_dir;

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A CA made at test time with the openssl command line, and leaf certificates it signs.
struct test_pki {
  temp_dir dir;
  std::string ca_pem;

  test_pki() {
    sh("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2"
       " -keyout ca.key -out ca.pem -subj '/CN=syncline test CA'"
       " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign");
    ca_pem = read_file(dir.path() / "ca.pem");
  }

  struct leaf {
    std::string cert_pem;
    std::string key_pem;
  };

  // A server certificate for `san` (e.g. "DNS:localhost,IP:127.0.0.1"), signed by the CA.
  leaf issue(const std::string& name, const std::string& cn, const std::string& san) {
    std::ofstream(dir.path() / (name + ".ext"))
        << "subjectAltName=" << san << "\nextendedKeyUsage=serverAuth\n";
    sh("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + name +
       ".key -out " + name + ".csr -subj '/CN=" + cn + "'");
    sh("openssl x509 -req -in " + name + ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2" +
       " -out " + name + ".pem -extfile " + name + ".ext");
    return {read_file(dir.path() / (name + ".pem")), read_file(dir.path() / (name + ".key"))};
  }

 private:
  void sh(const std::string& cmd) {
    const std::string full = "cd '" + dir.path().string() + "' && " + cmd + " >/dev/null 2>&1";
    REQUIRE(std::system(full.c_str()) == 0);
  }
};

}  // namespace syncline::http::test
