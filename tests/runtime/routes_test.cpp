// engine::route: the application's own routes (an install callback) on the engine's server.
#include <syncline/runtime/engine.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "runtime_fixture.hpp"

namespace unity_runtime_routes_test {

using namespace runtime_test;

TEST_CASE("an application route is served beside the engine's own, and only added before start") {
  temp_dir dir{"routes"};
  log_capture logs;
  syncline::engine_options o;
  o.database = dir.file("engine.db");
  o.listen = {"127.0.0.1", 0};
  o.log = logs.sink();
  syncline::engine eng(o);
  REQUIRE(eng.route(
      syncline::http::verb::get, "/hello/{name}",
      [](syncline::http::incoming& req) -> boost::asio::awaitable<syncline::http::response> {
        co_return syncline::http::make_response(
            200,
            "hello " + std::string(req.param("name")) + " " + req.query_param("x").value_or("-"),
            "text/plain");
      }));
  REQUIRE(eng.start());
  auto a = request(eng.port(), boost::beast::http::verb::get, "/hello/acme?x=1");
  CHECK(a.status == 200);
  CHECK(a.body == "hello acme 1");
  CHECK(request(eng.port(), boost::beast::http::verb::get, "/healthz").status == 200);

  auto late =
      eng.route(syncline::http::verb::get, "/late",
                [](syncline::http::incoming&) -> boost::asio::awaitable<syncline::http::response> {
                  co_return syncline::http::make_response(200, "late", "text/plain");
                });
  REQUIRE_FALSE(late);
  CHECK(late.error().message.find("before start") != std::string::npos);
  eng.stop();
}

}  // namespace unity_runtime_routes_test
