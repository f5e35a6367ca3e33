// A downstream project linking syncline::compiled: the non-template bodies come from the
// installed library (a call into it fails to link if they are missing).
#include <syncline/http/url.hpp>
#include <syncline/json/parse.hpp>

#include <iostream>

int main() {
  auto u = syncline::http::parse_url("https://shop.example/admin/api/2026-01/orders.json?limit=5");
  if (!u || u->host != "shop.example") return 1;
  auto v = syncline::json::parse(R"({"ok":true})");
  if (!v) return 1;
  std::cout << "syncline compiled consumer ok\n";
  return 0;
}
