// Webhook ingest: http::server answering a ~1 KB signed POST.
//
// Without arguments (or with Google Benchmark flags) it is an ordinary benchmark binary:
//   ingest/beast_minimal   a hand-written Beast server loop: read, answer 200, nothing else —
//                          no routing, limits, timeouts or graceful stop (baseline)
//   ingest/syncline        http::server with its defaults and a route with a path parameter
//   ingest/syncline_hmac   the same, and the handler verifies X-Shopify-Hmac-Sha256
// Each iteration is 64 requests over 16 kept-alive connections, loader and server on one thread
// (see drive()); items are requests, the ratio is time per 64 requests against the baseline.
//
// For load tests against nginx (benchmarks/load_ingest.sh) it also has two service modes:
//   bench_ingest --serve [--threads N] [--hmac | --minimal]
//       serves POST /webhooks/{integration}/{topic...} on 127.0.0.1 (a free port, printed as
//       "port N" on stdout) until SIGINT/SIGTERM, then stops gracefully. --hmac verifies the
//       signature; --minimal serves the baseline loop instead of http::server.
//   bench_ingest --load URL [--connections C] [--seconds S]
//       the pooled http::client posting the same body over C connections (one client thread)
//       for S seconds; prints "requests R seconds S rps X p50_ms Y p99_ms Z cpu_us_per_request C
//       errors E" (C: this process's CPU time per request).
// This file defines main() itself; the benchmark_main library it is linked with is then not
// used (a static archive member is only pulled in for an undefined symbol).
#include <syncline/http/client.hpp>
#include <syncline/http/detail/nothrow.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/http/server.hpp>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <vector>

namespace {

namespace net = boost::asio;
namespace http = syncline::http;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

constexpr std::string_view secret = "bench-client-secret";

std::string webhook_body() {
  std::string body = R"({"id":820982911946154508,"email":"jon@example.com","currency":"USD",)"
                     R"("total_price":"199.65","line_items":[)";
  for (int i = 0; i < 6; ++i) {
    if (i) body += ',';
    body += R"({"id":)" + std::to_string(466157049 + i) +
            R"(,"title":"IPod Nano - 8gb","quantity":1,"price":"199.00","sku":"IPOD2008GREEN",)"
            R"("variant_id":39072856,"product_id":632910392})";
  }
  body += "]}";
  return body;
}

http::fields webhook_headers(const std::string& body) {
  http::fields h;
  h.set(http::field::content_type, "application/json");
  h.set("X-Shopify-Topic", "orders/create");
  h.set("X-Shopify-Shop-Domain", "bench.myshopify.com");
  h.set("X-Shopify-API-Version", "2026-01");
  h.set("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
  h.set("X-Shopify-Hmac-Sha256", http::hmac_sha256_base64(secret, body));
  return h;
}

void add_ingest_route(http::server& srv, bool verify_hmac) {
  srv.route(http::verb::post, "/webhooks/{integration}/{topic...}",
            [verify_hmac](http::incoming& in) -> net::awaitable<http::response> {
              if (verify_hmac && !http::verify_hmac_sha256_base64(
                                     secret, in.body(), in.header("X-Shopify-Hmac-Sha256")))
                co_return http::make_response(401, R"({"error":"bad signature"})");
              co_return http::make_response(200, "{}");
            });
}

// The baseline: the smallest correct Beast keep-alive loop, as in Beast's examples minus the
// timeouts.
net::awaitable<void> minimal_session(tcp::socket s) {
  boost::beast::flat_buffer buffer;
  for (;;) {
    http::request req;
    auto [ec, n] = co_await bhttp::async_read(s, buffer, req, http::detail::use_nothrow);
    if (ec) co_return;
    auto res = http::make_response(200, "{}");
    res.keep_alive(req.keep_alive());
    auto [wec, wn] = co_await bhttp::async_write(s, res, http::detail::use_nothrow);
    if (wec || !req.keep_alive()) co_return;
  }
}

net::awaitable<void> minimal_accept(tcp::acceptor& a) {
  for (;;) {
    auto [ec, s] = co_await a.async_accept(http::detail::use_nothrow);
    if (ec) co_return;
    net::co_spawn(a.get_executor(), minimal_session(std::move(s)), net::detached);
  }
}

// The loader, the same for every variant: 16 kept-alive connections, each writing a prepared
// signed request and reading the answer, 64 requests per iteration. Server and loader share
// one io_context run by the benchmark thread, so no thread ever sleeps and wakes between a
// request and its answer: the time is CPU time (server + loader + loopback TCP), and the
// loader's part is the same in every variant.
constexpr int connections = 16;
constexpr int batch = 64;

void drive(benchmark::State& state, net::io_context& ctx, std::uint16_t port) {
  const std::string body = webhook_body();
  http::request req{http::verb::post, "/webhooks/bench/orders/create", 11};
  for (const auto& f : webhook_headers(body)) req.insert(f.name_string(), f.value());
  req.set(http::field::host, "127.0.0.1");
  req.body() = body;
  req.prepare_payload();
  struct conn {
    explicit conn(net::io_context& ctx) : socket(ctx) {}
    tcp::socket socket;
    boost::beast::flat_buffer buffer;
  };
  std::vector<std::unique_ptr<conn>> conns;
  for (int i = 0; i < connections; ++i) {
    conns.push_back(std::make_unique<conn>(ctx));
    conns.back()->socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    conns.back()->socket.set_option(tcp::no_delay(true));
  }
  int running = 0;
  bool failed = false;
  auto worker = [&](conn& c) -> net::awaitable<void> {
    for (int i = 0; i < batch / connections; ++i) {
      co_await bhttp::async_write(c.socket, req, net::use_awaitable);
      http::response res;
      co_await bhttp::async_read(c.socket, c.buffer, res, net::use_awaitable);
      if (res.result_int() != 200) failed = true;
    }
  };
  for (auto _ : state) {
    for (auto& c : conns) {
      ++running;
      net::co_spawn(ctx, worker(*c), [&](std::exception_ptr e) {
        if (e) failed = true;
        --running;
      });
    }
    while (running > 0) ctx.run_one();
    if (failed) {
      state.SkipWithError("a request failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.SetBytesProcessed(state.iterations() * batch * static_cast<std::int64_t>(body.size()));
}

void ingest_beast_minimal(benchmark::State& state) {
  net::io_context ctx(1);
  tcp::acceptor a(ctx, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  net::co_spawn(ctx, minimal_accept(a), net::detached);
  drive(state, ctx, a.local_endpoint().port());
}

void ingest_syncline(benchmark::State& state, bool hmac) {
  net::io_context ctx(1);
  http::server srv(ctx.get_executor());
  add_ingest_route(srv, hmac);
  if (!srv.listen()) {
    state.SkipWithError("cannot listen");
    return;
  }
  drive(state, ctx, srv.port());
}

void ingest_syncline_plain(benchmark::State& s) { ingest_syncline(s, false); }
void ingest_syncline_hmac(benchmark::State& s) { ingest_syncline(s, true); }

BENCHMARK(ingest_beast_minimal)->Name("ingest/beast_minimal")->UseRealTime();
BENCHMARK(ingest_syncline_plain)->Name("ingest/syncline")->UseRealTime();
BENCHMARK(ingest_syncline_hmac)->Name("ingest/syncline_hmac")->UseRealTime();

// --- service modes -----------------------------------------------------------------------

std::string arg_value(int argc, char** argv, std::string_view name, std::string fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == name) return argv[i + 1];
  return fallback;
}

bool has_flag(int argc, char** argv, std::string_view name) {
  for (int i = 1; i < argc; ++i)
    if (argv[i] == name) return true;
  return false;
}

int serve(int argc, char** argv) {
  const auto threads_n =
      static_cast<std::size_t>(std::stoul(arg_value(argc, argv, "--threads", "1")));
  http::io_threads threads(threads_n);
  if (has_flag(argc, argv, "--minimal")) {  // the baseline loop, for comparison under load
    tcp::acceptor a(threads.executor(), tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    net::co_spawn(threads.executor(), minimal_accept(a), net::detached);
    net::signal_set signals(threads.executor(), SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code, int) { a.close(); });
    std::cout << "port " << a.local_endpoint().port() << std::endl;
    threads.join();
    return 0;
  }
  http::server srv(threads.executor());
  add_ingest_route(srv, has_flag(argc, argv, "--hmac"));
  if (auto r = srv.listen(); !r) {
    std::cerr << "bench_ingest: " << r.error().message << "\n";
    return 1;
  }
  net::signal_set signals(threads.executor(), SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) { srv.stop(); });
  std::cout << "port " << srv.port() << std::endl;
  threads.join();  // returns after stop() once in-flight requests are done
  return 0;
}

int load(int argc, char** argv) {
  const std::string url = arg_value(argc, argv, "--load", "");
  const int conns = std::stoi(arg_value(argc, argv, "--connections", "32"));
  const double seconds = std::stod(arg_value(argc, argv, "--seconds", "10"));
  http::io_threads threads(1);
  http::client_options o;
  o.max_connections_per_host = static_cast<std::size_t>(conns);
  o.retry = http::request_retry::none();
  http::client c(threads.executor(), o);
  const std::string body = webhook_body();
  const http::fields headers = webhook_headers(body);
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  const auto end =
      start + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::vector<double>> latencies(static_cast<std::size_t>(conns));
  std::vector<long> errors(static_cast<std::size_t>(conns), 0);
  auto worker = [&](std::size_t i) -> net::awaitable<void> {
    while (clock::now() < end) {
      const auto t0 = clock::now();
      auto r = co_await c.post(url, body, headers);
      const auto t1 = clock::now();
      if (!r || r->result_int() != 200)
        ++errors[i];
      else
        latencies[i].push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    }
  };
  auto cpu_seconds = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  const double cpu0 = cpu_seconds();
  std::vector<std::future<void>> running;
  for (std::size_t i = 0; i < latencies.size(); ++i)
    running.push_back(net::co_spawn(threads.executor(), worker(i), net::use_future));
  for (auto& f : running) f.get();
  const double elapsed = std::chrono::duration<double>(clock::now() - start).count();
  std::vector<double> all;
  long errs = 0;
  for (std::size_t i = 0; i < latencies.size(); ++i) {
    all.insert(all.end(), latencies[i].begin(), latencies[i].end());
    errs += errors[i];
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty()
               ? 0.0
               : all[std::min(all.size() - 1,
                              static_cast<std::size_t>(p * static_cast<double>(all.size())))];
  };
  const double cpu_us =
      (cpu_seconds() - cpu0) * 1e6 / static_cast<double>(std::max<std::size_t>(all.size(), 1));
  std::printf(
      "requests %zu seconds %.2f rps %.0f p50_ms %.3f p99_ms %.3f cpu_us_per_request %.1f errors "
      "%ld\n",
      all.size(), elapsed, static_cast<double>(all.size()) / elapsed, pct(0.50), pct(0.99), cpu_us,
      errs);
  return errs == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (has_flag(argc, argv, "--serve")) return serve(argc, argv);
    if (has_flag(argc, argv, "--load")) return load(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "bench_ingest: " << e.what() << "\n";
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
