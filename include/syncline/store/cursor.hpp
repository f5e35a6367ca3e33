// A poll trigger's durable cursor: where the next poll of the app's API starts. It advances in
// the same transaction as the runs the poll produced (store::enqueue_with_cursor), so a crash
// can neither skip records (cursor ahead of the runs) nor leave runs without their cursor.
#pragma once

#include <string>

namespace syncline::store {

struct cursor_key {
  std::string tenant{};
  std::string integration{};
  std::string trigger{};  // the poll trigger's name
};

struct cursor_update {
  cursor_key key{};
  std::string value{};  // opaque to the store: a page_info, an updated_at, a GraphQL endCursor
};

}  // namespace syncline::store
