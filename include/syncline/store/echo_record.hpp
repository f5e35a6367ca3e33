// What a workflow wrote to the app, remembered so that the trigger event the app sends back
// about that write (its echo) can be recognised and dropped in bi-directional sync.
#pragma once

#include <string>

namespace syncline::store {

// fingerprint identifies the written content (e.g. a hash of the fields written). Every
// fingerprint written within the echo window is kept, not only the latest: two quick writes to
// one record produce two echoes, and both must be recognised. A real change to the record has a
// fingerprint nobody wrote, so it passes.
struct echo_record {
  std::string tenant{};
  std::string integration{};
  std::string record_id{};  // the app's id of the record written, e.g. a Shopify order id
  std::string fingerprint{};
};

}  // namespace syncline::store
