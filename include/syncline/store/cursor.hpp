// A poll trigger's durable cursor: where the next poll of the app's API starts. It advances in
// the same transaction as the runs the poll produced (store::enqueue_with_cursor), so a crash
// can neither skip records (cursor ahead of the runs) nor leave runs without their cursor.
#pragma once

#include <optional>
#include <string>

namespace syncline::store {

struct cursor_key {
  std::string tenant{};
  std::string integration{};
  std::string trigger{};  // the poll trigger's name
};

// The value a writer read before it fetched what it now writes (nullopt: no cursor was stored).
struct cursor_read {
  std::optional<std::string> value{};
};

struct cursor_update {
  cursor_key key{};
  std::string value{};  // opaque to the store: a page_info, an updated_at, a GraphQL endCursor
  // When set, the write happens only if the stored cursor is still what was read; otherwise it
  // is refused with errc::conflict and nothing of its transaction is written. The engine always
  // sets it: a process that lost its role without knowing it yet (store::lead) cannot move a
  // cursor another process already moved, so no page is queued twice or skipped. Unset: written
  // whatever is stored (an operator resetting a cursor).
  std::optional<cursor_read> after{};
};

}  // namespace syncline::store
