// Compile-time probe (user_tu.sh): a translation unit that only declares workflows, the seed
// integration of examples/shopify_sync. Every pipe is checked at compile time here; no engine, no
// HTTP, so it should cost little and include no Beast or Asio.
#include "seed_integration.hpp"

// Odr-uses the integration so its checks and its constexpr description are compiled.
const auto* const declared = &seed::shopify_sync;

int main() { return declared == nullptr; }
