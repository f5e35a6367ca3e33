// What the emulator tests share: a state with two shops on a manual clock, request builders,
// and an independent HMAC check through the `openssl` command.
#pragma once

#include <syncline_emulator/shopify_emulator_state.hpp>

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>

namespace emu_test {

namespace t = syncline::testing;
namespace http = syncline::http;
namespace json = boost::json;
using namespace std::chrono_literals;

inline constexpr std::string_view acme_token = "shpat_acme_0001";
inline constexpr std::string_view acme_secret = "acme-client-secret";
inline constexpr std::string_view bravo_token = "shpat_bravo_0001";
inline constexpr std::string_view bravo_secret = "bravo-client-secret";

inline t::emulator_clock start_clock() {
  using namespace std::chrono;
  return t::emulator_clock::manual(sys_days{year{2026} / 1 / 15} + hours{15} + minutes{30});
}

inline t::emulated_shop shop(std::string domain, std::string_view token, std::string_view secret) {
  t::emulated_shop s;
  s.domain = std::move(domain);
  s.access_tokens = {syncline::secret{std::string(token)}};
  s.client_secret = syncline::secret{std::string(secret)};
  return s;
}

inline t::shopify_emulator_options two_shops(t::emulator_clock clock = start_clock()) {
  t::shopify_emulator_options o;
  o.clock = clock;
  o.seed = 42;
  o.shops = {shop("acme", acme_token, acme_secret), shop("bravo", bravo_token, bravo_secret)};
  return o;
}

// An app that merchants install through OAuth, and a shop "carol" where nothing is installed yet
// beside the two shops of two_shops().
inline constexpr std::string_view app_id = "app-client-id-1";
inline constexpr std::string_view app_secret = "app-client-secret-1";
inline constexpr std::string_view app_redirect = "https://app.example/auth/callback";
inline constexpr std::string_view app_compliance = "https://app.example/privacy";

inline t::emulated_app app() {
  t::emulated_app a;
  a.client_id = std::string(app_id);
  a.client_secret = syncline::secret{std::string(app_secret)};
  a.scopes = {"read_orders", "write_orders"};
  a.redirect_urls = {std::string(app_redirect)};
  a.compliance_url = std::string(app_compliance);
  return a;
}

inline t::shopify_emulator_options with_app(t::emulator_clock clock = start_clock()) {
  auto o = two_shops(clock);
  t::emulated_shop carol;
  carol.domain = "carol";
  o.shops.push_back(std::move(carol));
  o.apps = {app()};
  return o;
}

inline http::request request(http::verb method, std::string target,
                             std::string_view token = acme_token, std::string body = {},
                             std::string_view host = "127.0.0.1:8080") {
  http::request r{method, target, 11};
  r.set(http::field::host, host);
  if (!token.empty()) r.set("X-Shopify-Access-Token", token);
  if (!body.empty()) r.set(http::field::content_type, "application/json");
  r.body() = std::move(body);
  r.prepare_payload();
  return r;
}

inline json::value body(const http::response& r) { return json::parse(r.body()); }

inline std::string simple_order(std::string_view source_identifier = "", std::string_view tags = "",
                                std::string_view email = "buyer@example.com") {
  json::object o{{"email", email},
                 {"line_items", json::array{json::object{
                                    {"title", "Mug"}, {"price", "10.50"}, {"quantity", 2}}}}};
  if (!source_identifier.empty()) o["source_identifier"] = source_identifier;
  if (!tags.empty()) o["tags"] = tags;
  return json::serialize(json::object{{"order", std::move(o)}});
}

inline std::string graphql(std::string_view query, json::object variables = {}) {
  json::object b{{"query", query}};
  if (!variables.empty()) b["variables"] = std::move(variables);
  return json::serialize(b);
}

// base64(HMAC-SHA256(secret, body)) computed by the openssl command, not by syncline; with `hex`
// the digest in lower-case hex instead.
inline std::string openssl_hmac(std::string_view secret, std::string_view body, bool hex = false) {
  static std::mt19937_64 rng{std::random_device{}()};
  const auto dir = std::filesystem::temp_directory_path();
  const auto file = dir / ("syncline-emu-hmac-" + std::to_string(rng()) + ".json");
  {
    std::ofstream f(file, std::ios::binary);
    f.write(body.data(), static_cast<std::streamsize>(body.size()));
  }
  const std::string cmd = hex ? "openssl dgst -sha256 -hmac '" + std::string(secret) + "' -r '" +
                                    file.string() + "' | cut -d' ' -f1"
                              : "openssl dgst -sha256 -hmac '" + std::string(secret) +
                                    "' -binary '" + file.string() + "' | openssl base64 -A";
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    std::array<char, 256> buf{};
    while (std::fgets(buf.data(), static_cast<int>(buf.size()), p)) out += buf.data();
    ::pclose(p);
  }
  std::filesystem::remove(file);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace emu_test
