// A downstream project linking syncline::compiled: the non-template bodies come from the
// installed library (a call into it fails to link if they are missing).
#include <syncline/crypto/sealed.hpp>
#include <syncline/http/hmac.hpp>
#include <syncline/http/url.hpp>
#include <syncline/json/parse.hpp>

#include <iostream>
#include <string>

int main() {
  auto u = syncline::http::parse_url("https://shop.example/admin/api/2026-01/orders.json?limit=5");
  if (!u || u->host != "shop.example") return 1;
  auto v = syncline::json::parse(R"({"ok":true})");
  if (!v) return 1;
  // The crypto layer's bodies are in the installed library too.
  auto ring = syncline::crypto::keyring::parse(
      "k1:" + syncline::http::base64_encode(std::string(32, 'k')), "consumer");
  if (!ring) return 1;
  const syncline::crypto::associated_data row{"consumer", "acme.myshopify.com"};
  auto sealed = syncline::crypto::seal(*ring, syncline::secret{"token"}, row);
  if (!sealed) return 1;
  auto opened = syncline::crypto::unseal(*ring, *sealed, row);
  if (!opened || opened->reveal() != "token") return 1;
  std::cout << "syncline compiled consumer ok\n";
  return 0;
}
