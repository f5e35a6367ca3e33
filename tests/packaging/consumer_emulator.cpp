// A downstream project's test linking syncline::shopify_emulator: the emulator's body comes from
// the installed library, and its public header needs none of the emulator's private sources.
#include <syncline/testing/shopify_emulator.hpp>

#include <boost/asio/io_context.hpp>

#include <iostream>

int main() {
  boost::asio::io_context io;
  syncline::testing::shopify_emulator emu(io.get_executor());
  auto shop = emu.add_shop({.domain = "consumer",
                            .access_tokens = {syncline::secret{"shpat_consumer"}},
                            .client_secret = syncline::secret{"consumer-secret"}});
  if (!shop || *shop != "consumer.myshopify.com") return 1;
  if (!emu.start() || emu.port() == 0) return 1;
  emu.stop();
  std::cout << "syncline emulator consumer ok\n";
  return 0;
}
