// Sorting and cursor pagination of a shop's orders, shared by REST (page_info) and GraphQL
// (first/after, last/before). A position is (sort value, id): ids break ties, so pages neither
// skip nor repeat orders that share a timestamp.
#pragma once

#include <syncline_emulator/opaque_cursor.hpp>
#include <syncline_emulator/shop_data.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::testing::detail {

enum class order_sort { id, created_at, updated_at, processed_at, order_number };

struct sort_spec {
  order_sort key = order_sort::id;
  bool descending = false;
};

struct position {
  std::int64_t value = 0;  // nanoseconds since the epoch, or the order number; 0 for id order
  std::uint64_t id = 0;
};

inline std::int64_t ns_since_epoch(sys_time t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

inline position position_of(const stored_order& o, order_sort key) {
  switch (key) {
    case order_sort::id: return {0, o.id};
    case order_sort::created_at: return {ns_since_epoch(o.created_at), o.id};
    case order_sort::updated_at: return {ns_since_epoch(o.updated_at), o.id};
    case order_sort::processed_at: return {ns_since_epoch(o.processed_at), o.id};
    case order_sort::order_number: {
      const auto* n = o.json.if_contains("order_number");
      return {n && n->is_number() ? n->to_number<std::int64_t>() : 0, o.id};
    }
  }
  return {0, o.id};
}

// True when `a` comes before `b` in the listing's order.
inline bool comes_before(const position& a, const position& b, bool descending) {
  const bool less = a.value != b.value ? a.value < b.value : a.id < b.id;
  const bool equal = a.value == b.value && a.id == b.id;
  return descending ? (!less && !equal) : less;
}

// {"last_id": .., "last_value": ".."}: the shape of Shopify's GraphQL cursors.
inline std::string cursor_for(const stored_order& o, order_sort key) {
  const auto p = position_of(o, key);
  return encode_cursor(
      {{"last_id", p.id},
       {"last_value",
        std::to_string(key == order_sort::id ? p.id : static_cast<std::uint64_t>(p.value))}});
}

inline std::optional<position> parse_position(const boost::json::object& c, order_sort key) {
  const auto* id = c.if_contains("last_id");
  const auto* value = c.if_contains("last_value");
  if (!id || !(id->is_uint64() || id->is_int64()) || !value || !value->is_string())
    return std::nullopt;
  position p;
  p.id = id->is_uint64() ? id->get_uint64() : static_cast<std::uint64_t>(id->get_int64());
  if (key != order_sort::id) {
    std::string_view s = value->get_string();
    std::uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
    p.value = static_cast<std::int64_t>(v);
  }
  return p;
}

struct order_page {
  std::vector<const stored_order*> items;
  bool has_next = false;      // orders follow the page
  bool has_previous = false;  // orders precede the page
};

struct page_window {
  std::optional<position> after;   // strictly after
  std::optional<position> before;  // strictly before
  std::optional<std::size_t> first;
  std::optional<std::size_t> last;
};

// Sorts `matching` and cuts the window out of it.
inline order_page paginate(std::vector<const stored_order*> matching, sort_spec sort,
                           const page_window& w) {
  std::stable_sort(
      matching.begin(), matching.end(), [&](const stored_order* a, const stored_order* b) {
        return comes_before(position_of(*a, sort.key), position_of(*b, sort.key), sort.descending);
      });
  std::size_t lo = 0, hi = matching.size();
  if (w.after)
    while (lo < hi &&
           !comes_before(*w.after, position_of(*matching[lo], sort.key), sort.descending))
      ++lo;
  if (w.before) {
    std::size_t h = lo;
    while (h < hi && comes_before(position_of(*matching[h], sort.key), *w.before, sort.descending))
      ++h;
    hi = h;
  }
  if (w.first && hi - lo > *w.first) hi = lo + *w.first;
  if (w.last && hi - lo > *w.last) lo = hi - *w.last;
  order_page page;
  page.items.assign(matching.begin() + static_cast<std::ptrdiff_t>(lo),
                    matching.begin() + static_cast<std::ptrdiff_t>(hi));
  page.has_next = hi < matching.size();
  page.has_previous = lo > 0;
  return page;
}

}  // namespace syncline::testing::detail
