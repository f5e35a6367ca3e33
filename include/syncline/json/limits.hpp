// syncline::json::limits: bounds on untrusted JSON, checked while reading so that a hostile
// body costs at most its own size, never a crash or an unbounded allocation.
#pragma once

#include <cstddef>

namespace syncline::json {

// Exceeding any of these is an error (errc::limit_exceeded) naming the limit. The defaults fit
// Shopify payloads (an order with hundreds of line items is well under 1 MiB).
struct limits {
  std::size_t max_bytes = 4 << 20;   // size of the whole text
  std::size_t max_depth = 64;        // arrays and objects open at once
  std::size_t max_string = 1 << 20;  // one string or key, in bytes after unescaping
};

}  // namespace syncline::json
