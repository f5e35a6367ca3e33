// syncline-shopify-emulator: the local Shopify emulator as a program, for integrations written in
// any language. It serves the Admin API subset (REST and GraphQL orders, webhooks.json) for one
// or more shops and sends them signed webhooks, with rate limits and injectable faults.
#include <syncline/http/client.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/testing/shopify_emulator.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <future>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace t = syncline::testing;
namespace http = syncline::http;

constexpr std::string_view usage = R"(Usage: syncline-shopify-emulator [options]

A local Shopify Admin API (REST + GraphQL orders, webhook subscriptions) with signed webhooks,
rate limits and fault injection. Point your integration at the printed URL and send the shop's
access token in X-Shopify-Access-Token; the shop is chosen by the Host header
(<shop>.myshopify.com) or, on plain loopback URLs, by the token.

Listening
  --address ADDR              listen address (default 127.0.0.1)
  --port N                    listen port (default 0: a free port, printed at start)
  --threads N                 I/O threads (default 2)
  --public-url URL            base URL for Link/Location headers (default: from the Host header)

Shops (tenants)
  --shop SPEC                 add a shop; repeatable. SPEC is
                                DOMAIN,token=TOKEN[,token=TOKEN...][,secret=SECRET][,plan=PLAN]
                                [,currency=USD][,utc-offset=MINUTES][,app-id=N]
                              DOMAIN "acme" means acme.myshopify.com. Without any --shop, a demo
                              shop "example" with token shpat_example and secret example-secret.
  --client-secret SECRET      secret for shops whose SPEC has none (signs webhooks)
  --plan NAME                 plan for shops whose SPEC has none: standard | advanced | plus
  --rest-bucket N             override the REST bucket size (requests) of every shop
  --rest-leak R               override the REST leak rate (requests per second)
  --graphql-bucket N          override the GraphQL bucket (cost points)
  --graphql-restore R         override the GraphQL restore rate (points per second)
  --graphql-throttle-status S 200 (Shopify's choice, default) or 429 for THROTTLED answers
  --api-version YYYY-MM       the latest stable version served (default 2026-01; the three
                              before it and "unstable" are served too)
  --subscribe SHOP,TOPIC,URL  subscribe URL to TOPIC of SHOP at start; repeatable
                              A shop without token= has no app installed until one installs.

Apps that merchants install (OAuth, expiring tokens, token exchange)
  --app SPEC                  register an app; repeatable. SPEC is
                                CLIENT_ID,secret=SECRET[,scopes=read_orders+write_orders]
                                [,redirect=URL][,compliance=URL][,token-lifetime=SECONDS]
                              The merchant approves every install at
                              <url>/shops/<shop>/admin/oauth/authorize (a 302 to the app);
                              tokens come from .../admin/oauth/access_token.

Webhook delivery
  --time-scale F              compress Shopify's retry schedule (8 retries over 4 hours);
                              e.g. 0.000277 turns 4 hours into 4 seconds (default 1)
  --keep-failing-subscriptions  keep subscriptions whose deliveries exhausted every retry
  --webhook-concurrency N     deliveries in flight at once, as Shopify sends them, in no order
                              (default 1: one after another, in order)

Fault injection (applied to every shop)
  --fail-next N[:STATUS]      answer the next N API requests with STATUS (500 or 503; default 503)
  --lose-next-creates N       create the next N orders but never answer those requests
  --webhook-duplicate-rate P  send a delivery twice (same X-Shopify-Webhook-Id) with probability P
  --webhook-wrong-signature-rate P   sign a delivery with a wrong key with probability P
  --webhook-delay-rate P      hold a delivery back by --webhook-delay-ms with probability P
  --webhook-delay-ms MS       the delay of delayed deliveries (default 1000)
  --webhook-reorder N         hold the next N deliveries and send them newest first
  --seed N                    seed for ids and faults (default: random)

Other
  --selftest                  start, create and read back an order through the API, then exit
  --help                      this text
)";

struct cli {
  t::shopify_emulator_options options;
  std::vector<std::string> shop_specs;
  std::string default_secret;
  std::optional<syncline::shopify::plan_limits> default_plan;
  std::optional<double> rest_bucket, rest_leak, graphql_bucket, graphql_restore;
  std::vector<std::string> subscriptions;
  std::vector<std::string> app_specs;
  t::request_faults faults;
  t::webhook_faults webhook_faults;
  std::size_t threads = 2;
  bool selftest = false;
};

[[noreturn]] void fail(std::string_view message) {
  std::cerr << "syncline-shopify-emulator: " << message << "\n(see --help)\n";
  std::exit(2);
}

template <class T>
T number(std::string_view flag, std::string_view text) {
  T value{};
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || p != text.data() + text.size())
    fail(std::string(flag) + " expects a number, got '" + std::string(text) + "'");
  return value;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    auto at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

cli parse(int argc, char** argv) {
  cli c;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) fail(std::string(flag) + " needs a value");
      return argv[++i];
    };
    if (flag == "--help" || flag == "-h") {
      std::cout << usage;
      std::exit(0);
    } else if (flag == "--address") {
      c.options.address = value();
    } else if (flag == "--port") {
      c.options.port = number<std::uint16_t>(flag, value());
    } else if (flag == "--threads") {
      c.threads = number<std::size_t>(flag, value());
    } else if (flag == "--public-url") {
      c.options.public_base_url = value();
    } else if (flag == "--shop") {
      c.shop_specs.emplace_back(value());
    } else if (flag == "--client-secret") {
      c.default_secret = value();
    } else if (flag == "--plan") {
      auto name = value();
      c.default_plan = syncline::shopify::plan_limits::named(name);
      if (!c.default_plan)
        fail("unknown plan '" + std::string(name) + "' (standard, advanced, plus)");
    } else if (flag == "--rest-bucket") {
      c.rest_bucket = number<double>(flag, value());
    } else if (flag == "--rest-leak") {
      c.rest_leak = number<double>(flag, value());
    } else if (flag == "--graphql-bucket") {
      c.graphql_bucket = number<double>(flag, value());
    } else if (flag == "--graphql-restore") {
      c.graphql_restore = number<double>(flag, value());
    } else if (flag == "--graphql-throttle-status") {
      c.options.graphql_throttle_status = number<unsigned>(flag, value());
      if (c.options.graphql_throttle_status != 200 && c.options.graphql_throttle_status != 429)
        fail("--graphql-throttle-status is 200 or 429");
    } else if (flag == "--api-version") {
      auto v = value();
      if (!t::shopify_api_versions::well_formed(v) || v == "unstable")
        fail("--api-version expects YYYY-MM");
      c.options.versions = t::shopify_api_versions(v);
    } else if (flag == "--subscribe") {
      c.subscriptions.emplace_back(value());
    } else if (flag == "--app") {
      c.app_specs.emplace_back(value());
    } else if (flag == "--time-scale") {
      c.options.retry_schedule.time_scale = number<double>(flag, value());
      if (!(c.options.retry_schedule.time_scale > 0)) fail("--time-scale must be positive");
    } else if (flag == "--keep-failing-subscriptions") {
      c.options.remove_failing_subscriptions = false;
    } else if (flag == "--webhook-concurrency") {
      c.options.webhook_concurrency = number<std::size_t>(flag, value());
      if (c.options.webhook_concurrency == 0) fail("--webhook-concurrency must be at least 1");
    } else if (flag == "--fail-next") {
      auto parts = split(value(), ':');
      c.faults.fail_next = number<unsigned>(flag, parts[0]);
      if (parts.size() > 1) c.faults.fail_status = number<unsigned>(flag, parts[1]);
    } else if (flag == "--lose-next-creates") {
      c.faults.lose_next_create_answers = number<unsigned>(flag, value());
    } else if (flag == "--webhook-duplicate-rate") {
      c.webhook_faults.duplicate_rate = number<double>(flag, value());
    } else if (flag == "--webhook-wrong-signature-rate") {
      c.webhook_faults.wrong_signature_rate = number<double>(flag, value());
    } else if (flag == "--webhook-delay-rate") {
      c.webhook_faults.delay_rate = number<double>(flag, value());
    } else if (flag == "--webhook-delay-ms") {
      c.webhook_faults.delay = std::chrono::milliseconds(number<long>(flag, value()));
    } else if (flag == "--webhook-reorder") {
      c.webhook_faults.reorder_next = number<unsigned>(flag, value());
    } else if (flag == "--seed") {
      c.options.seed = number<std::uint64_t>(flag, value());
    } else if (flag == "--selftest") {
      c.selftest = true;
    } else {
      fail("unknown option '" + std::string(flag) + "'");
    }
  }
  return c;
}

t::emulated_shop shop_from(std::string_view spec, const cli& c) {
  auto parts = split(spec, ',');
  t::emulated_shop s;
  s.domain = std::string(parts[0]);
  if (s.domain.empty()) fail("--shop needs a domain first: --shop acme,token=...,secret=...");
  for (std::size_t i = 1; i < parts.size(); ++i) {
    auto eq = parts[i].find('=');
    if (eq == std::string_view::npos)
      fail("--shop part '" + std::string(parts[i]) + "' is not key=value");
    auto key = parts[i].substr(0, eq);
    auto val = parts[i].substr(eq + 1);
    if (key == "token") {
      s.access_tokens.emplace_back(std::string(val));
    } else if (key == "secret") {
      s.client_secret = syncline::secret{std::string(val)};
    } else if (key == "plan") {
      auto plan = syncline::shopify::plan_limits::named(val);
      if (!plan) fail("unknown plan '" + std::string(val) + "' in --shop " + s.domain);
      s.plan = *plan;
    } else if (key == "currency") {
      s.currency = std::string(val);
    } else if (key == "utc-offset") {
      s.utc_offset = std::chrono::minutes(number<int>("utc-offset", val));
    } else if (key == "app-id") {
      s.app_id = number<std::uint64_t>("app-id", val);
    } else {
      fail("unknown --shop key '" + std::string(key) +
           "' (token, secret, plan, currency, utc-offset, app-id)");
    }
  }
  const bool own_plan = spec.find(",plan=") != std::string_view::npos;
  if (!own_plan && c.default_plan) s.plan = *c.default_plan;
  if (s.client_secret.empty()) s.client_secret = syncline::secret{c.default_secret};
  if (c.rest_bucket) s.plan.rest_bucket = *c.rest_bucket;
  if (c.rest_leak) s.plan.rest_leak_per_second = *c.rest_leak;
  if (c.graphql_bucket) s.plan.graphql_bucket = *c.graphql_bucket;
  if (c.graphql_restore) s.plan.graphql_restore_per_second = *c.graphql_restore;
  return s;
}

t::emulated_app app_from(std::string_view spec) {
  auto parts = split(spec, ',');
  t::emulated_app a;
  a.client_id = std::string(parts[0]);
  if (a.client_id.empty()) fail("--app needs a client id first: --app my-app,secret=...");
  for (std::size_t i = 1; i < parts.size(); ++i) {
    auto eq = parts[i].find('=');
    if (eq == std::string_view::npos)
      fail("--app part '" + std::string(parts[i]) + "' is not key=value");
    auto key = parts[i].substr(0, eq);
    auto val = parts[i].substr(eq + 1);
    if (key == "secret") {
      a.client_secret = syncline::secret{std::string(val)};
    } else if (key == "scopes") {
      for (auto scope : split(val, '+')) a.scopes.emplace_back(scope);
    } else if (key == "redirect") {
      a.redirect_urls.emplace_back(val);
    } else if (key == "compliance") {
      a.compliance_url = std::string(val);
    } else if (key == "token-lifetime") {
      a.access_token_lifetime = std::chrono::seconds(number<long>("token-lifetime", val));
    } else {
      fail("unknown --app key '" + std::string(key) +
           "' (secret, scopes, redirect, compliance, token-lifetime)");
    }
  }
  return a;
}

// Creates an order over REST and finds it over GraphQL, through the real HTTP path.
int selftest(http::io_threads& threads, t::shopify_emulator& emu, const std::string& domain,
             const std::string& token) {
  http::client client(threads.executor());
  http::fields headers;
  headers.set("X-Shopify-Access-Token", token);
  headers.set(http::field::content_type, "application/json");
  headers.set(http::field::host, domain);  // as a client of https://<shop>.myshopify.com would
  auto task = [&]() -> boost::asio::awaitable<std::string> {
    auto created = co_await client.post(
        emu.admin_url() + "/orders.json",
        R"({"order":{"source_identifier":"selftest-1","line_items":[{"title":"Test","price":"1.00","quantity":1}]}})",
        headers);
    if (!created) co_return "create failed: " + to_string(created.error());
    if (created->result_int() != 201)
      co_return "create answered " + std::to_string(created->result_int());
    auto found = co_await client.post(
        emu.admin_url() + "/graphql.json",
        R"({"query":"{ orders(first: 1, query: \"source_identifier:selftest-1\") { nodes { name } } }"})",
        headers);
    if (!found) co_return "query failed: " + to_string(found.error());
    auto body = boost::json::parse(found->body());
    if (body.at("data").at("orders").at("nodes").at(0).at("name") != "#1001")
      co_return "order not found again";
    co_return std::string{};
  };
  auto outcome = boost::asio::co_spawn(threads.executor(), task(), boost::asio::use_future).get();
  if (!outcome.empty()) {
    std::cerr << "selftest failed: " << outcome << "\n";
    return 1;
  }
  std::cout << "selftest passed: order created over REST and found over GraphQL\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cli c = parse(argc, argv);
  if (c.shop_specs.empty()) {
    if (c.default_secret.empty()) c.default_secret = "example-secret";
    c.shop_specs.emplace_back("example,token=shpat_example");
  }
  if (c.default_secret.empty()) c.default_secret = "syncline-emulator-secret";
  std::vector<std::string> domains;
  for (const auto& spec : c.shop_specs) c.options.shops.push_back(shop_from(spec, c));
  for (const auto& spec : c.app_specs) c.options.apps.push_back(app_from(spec));

  http::io_threads threads(c.threads);
  t::shopify_emulator emu(threads.executor(), c.options);
  if (auto started = emu.start(); !started) {
    std::cerr << "syncline-shopify-emulator: cannot start: " << to_string(started.error()) << "\n";
    return 1;
  }
  for (const auto& d : emu.shops()) {
    domains.push_back(d);
    if (auto r = emu.set_request_faults(d, c.faults); !r) fail(r.error().message);
    if (auto r = emu.set_webhook_faults(d, c.webhook_faults); !r) fail(r.error().message);
  }
  for (const auto& s : c.subscriptions) {
    auto parts = split(s, ',');
    if (parts.size() != 3) fail("--subscribe expects SHOP,TOPIC,URL");
    auto sub = emu.subscribe(parts[0], std::string(parts[1]), std::string(parts[2]));
    if (!sub) fail("--subscribe " + s + ": " + sub.error().message);
  }

  std::cout << "syncline-shopify-emulator listening on " << emu.url() << "\n"
            << "  admin API: " << emu.admin_url() << "/{orders,webhooks,graphql}.json\n";
  for (const auto& d : domains) std::cout << "  shop: " << d << " at " << emu.shop_url(d) << "\n";
  for (const auto& a : c.options.apps) std::cout << "  app: " << a.client_id << "\n";
  std::cout << std::flush;

  if (c.selftest) {
    if (c.options.shops.front().access_tokens.empty())
      fail("--selftest needs the first shop to have a token=");
    const std::string token(c.options.shops.front().access_tokens.front().reveal());
    int status = selftest(threads, emu, domains.front(), token);
    emu.stop();
    return status;
  }

  std::promise<void> done;
  boost::asio::signal_set signals(threads.context(), SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { done.set_value(); });
  done.get_future().wait();
  emu.stop();
  const auto attempts = emu.delivery_attempts();
  std::size_t ok = 0;
  for (const auto& a : attempts) ok += a.succeeded() ? 1 : 0;
  std::cout << "stopped: " << attempts.size() << " webhook attempts (" << ok << " answered 2xx), "
            << emu.queued_deliveries() << " still queued\n";
  return 0;
}
