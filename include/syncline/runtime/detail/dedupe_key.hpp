// What a dedupe key from outside may hold. Webhook ids (X-Shopify-Webhook-Id), the
// X-Syncline-Idempotency-Key of POST /events and emit_options::dedupe_key are stored with the
// run and shown by every reader of the run log (JSON answers, logs, the database): a key that is
// not UTF-8, or that holds a line break, breaks those readers or forges log lines. So keys are
// checked where they come in, and a bad one is refused (400 over HTTP, errc::invalid_input from
// emit) before anything is stored; nothing is escaped or cut, because a key changed on the way
// in would no longer dedupe the redeliveries of its event.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/json/detail/quote.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace syncline::detail {

// Real keys are far shorter (Shopify's webhook ids are UUIDs, 36 bytes); the bound keeps a
// sender from storing kilobytes per run under the name of a key.
inline constexpr std::size_t max_dedupe_key_bytes = 255;

// Printable ASCII (space to '~'), at most max_dedupe_key_bytes; "" is valid (no key). `what`
// names the key in the message, e.g. "X-Syncline-Idempotency-Key".
inline result<void> check_dedupe_key(std::string_view key, std::string_view what) {
  bool printable = true;
  for (const char c : key) printable = printable && c >= 0x20 && c <= 0x7e;
  if (printable && key.size() <= max_dedupe_key_bytes) return {};
  return make_error(errc::invalid_input, std::string(what) + ": expected at most " +
                                             std::to_string(max_dedupe_key_bytes) +
                                             " printable ASCII characters (space to '~'), got " +
                                             json::detail::quoted(key, 64));
}

}  // namespace syncline::detail
