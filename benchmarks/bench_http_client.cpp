// The pooled http::client against a hand-written Beast client, both posting a ~1 KB webhook-like
// JSON body to the same in-process http::server on 127.0.0.1, all on one thread. Each
// iteration sends 64 requests over C concurrent keep-alive connections.
//
// client/raw_beast/C  C coroutines, each on its own open tcp_stream, writing a prepared request
//                     and reading the answer: no pool, no deadlines, no retries (baseline)
// client/syncline/C   http::client::post: URL parse, pool lease, deadlines, retry bookkeeping
//
// Items are requests; the ratio is time per 64 requests against the baseline.
#include <syncline/http/client.hpp>
#include <syncline/http/server.hpp>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace net = boost::asio;
namespace http = syncline::http;
namespace bhttp = boost::beast::http;

constexpr int batch = 64;

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

// Server and client share one io_context run by the benchmark thread: no thread sleeps and
// wakes between a request and its answer, so the time is CPU time, and the server's part of it
// is the same for both clients.
struct bench_server {
  http::server srv;
  explicit bench_server(net::io_context& ctx) : srv(ctx.get_executor()) {
    srv.route(http::verb::post, "/webhooks/{integration}/{topic...}",
              [](http::incoming&) -> net::awaitable<http::response> {
                co_return http::make_response(200, "{}");
              });
    if (!srv.listen()) throw std::runtime_error("bench_http_client: cannot listen on loopback");
  }
};

// Runs `conns` workers to completion on `ctx`.
template <class MakeWorker>
bool run_batch(net::io_context& ctx, int conns, MakeWorker make_worker) {
  int running = conns;
  bool failed = false;
  for (int i = 0; i < conns; ++i)
    net::co_spawn(ctx, make_worker(i), [&](std::exception_ptr e) {
      if (e) failed = true;
      --running;
    });
  while (running > 0) ctx.run_one();
  return !failed;
}

void client_raw_beast(benchmark::State& state) {
  const int conns = static_cast<int>(state.range(0));
  net::io_context ctx(1);
  bench_server s(ctx);
  const net::ip::tcp::endpoint ep(net::ip::make_address("127.0.0.1"), s.srv.port());
  http::request req{http::verb::post, "/webhooks/bench/orders/create", 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(s.srv.port()));
  req.set(http::field::content_type, "application/json");
  req.body() = webhook_body();
  req.prepare_payload();
  struct conn {
    explicit conn(net::io_context& ctx) : stream(ctx) {}
    boost::beast::tcp_stream stream;
    boost::beast::flat_buffer buffer;
  };
  std::vector<std::unique_ptr<conn>> pool;
  for (int i = 0; i < conns; ++i) {
    pool.push_back(std::make_unique<conn>(ctx));
    pool.back()->stream.connect(ep);
    pool.back()->stream.socket().set_option(net::ip::tcp::no_delay(true));
  }
  auto worker = [&](int w) -> net::awaitable<void> {
    conn& c = *pool[static_cast<std::size_t>(w)];
    for (int i = 0; i < batch / conns; ++i) {
      co_await bhttp::async_write(c.stream, req, net::use_awaitable);
      http::response res;
      co_await bhttp::async_read(c.stream, c.buffer, res, net::use_awaitable);
      if (res.result_int() != 200) throw std::runtime_error("unexpected status");
    }
  };
  for (auto _ : state)
    if (!run_batch(ctx, conns, worker)) {
      state.SkipWithError("a request failed");
      break;
    }
  state.SetItemsProcessed(state.iterations() * batch);
}

void client_syncline(benchmark::State& state) {
  const int conns = static_cast<int>(state.range(0));
  net::io_context ctx(1);
  bench_server s(ctx);
  http::client_options o;
  o.max_connections_per_host = static_cast<std::size_t>(conns);
  http::client c(ctx.get_executor(), o);
  const std::string url = s.srv.url() + "/webhooks/bench/orders/create";
  const std::string body = webhook_body();
  http::fields headers;
  headers.set(http::field::content_type, "application/json");
  auto worker = [&](int) -> net::awaitable<void> {
    for (int i = 0; i < batch / conns; ++i) {
      auto r = co_await c.post(url, body, headers);
      if (!r || r->result_int() != 200) throw std::runtime_error("request failed");
    }
  };
  for (auto _ : state)
    if (!run_batch(ctx, conns, worker)) {
      state.SkipWithError("a request failed");
      break;
    }
  state.SetItemsProcessed(state.iterations() * batch);
}

}  // namespace

BENCHMARK(client_raw_beast)->Name("client/raw_beast")->Arg(1)->Arg(16)->UseRealTime();
BENCHMARK(client_syncline)->Name("client/syncline")->Arg(1)->Arg(16)->UseRealTime();
