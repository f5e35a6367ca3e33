// The `query:` argument of GraphQL `orders` — Shopify's search syntax, for the fields the
// connector needs: `source_identifier:abc`, `name:#1001`, `id:>123`, `updated_at:>2026-01-01`,
// `created_at:<='2026-01-15T10:00:00Z'`, plus status, financial_status, fulfillment_status, email,
// tag, source_name and test. Terms are ANDed (implicit or `AND`), `OR` separates alternatives,
// `-term` / `NOT term` negates, `"..."`/`'...'` quote, a trailing `*` matches a prefix, a bare
// word searches name, email, source identifier, tags and note. As on Shopify, a term on an unknown
// field is ignored and reported as a search warning rather than failing the query.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline_emulator/order_builder.hpp>
#include <syncline_emulator/shop_data.hpp>
#include <syncline_emulator/timestamps.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::testing::detail {

struct search_term {
  std::string field;  // empty for a bare word
  std::string op;     // ":", ">", ">=", "<", "<="
  std::string value;
  bool negated = false;
};

struct search_query {
  std::vector<std::vector<search_term>> any_of;  // OR of AND-groups; empty matches everything
  std::vector<std::string> unknown_fields;       // ignored, reported as warnings

  static constexpr std::string_view known_fields[] = {"id",
                                                      "name",
                                                      "source_identifier",
                                                      "email",
                                                      "source_name",
                                                      "financial_status",
                                                      "fulfillment_status",
                                                      "status",
                                                      "tag",
                                                      "created_at",
                                                      "updated_at",
                                                      "processed_at",
                                                      "test"};

  static bool known(std::string_view f) {
    return std::find(std::begin(known_fields), std::end(known_fields), f) != std::end(known_fields);
  }

  bool matches(const stored_order& o, std::chrono::minutes shop_offset) const {
    if (any_of.empty()) return true;
    for (const auto& group : any_of) {
      bool all = true;
      for (const auto& t : group)
        if (known(t.field) || t.field.empty())
          all = all && (term_matches(t, o, shop_offset) != t.negated);
      if (all) return true;
    }
    return false;
  }

 private:
  static bool text_equals(std::string_view have, std::string_view want) {
    if (!want.empty() && want.back() == '*') {
      want.remove_suffix(1);
      return lower(have).starts_with(lower(want));
    }
    return lower(have) == lower(want);
  }
  static std::string_view str(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view{};
  }
  template <class T>
  static bool compare(const T& have, std::string_view op, const T& want) {
    if (op == ">") return have > want;
    if (op == ">=") return have >= want;
    if (op == "<") return have < want;
    if (op == "<=") return have <= want;
    return have == want;
  }
  static bool term_matches(const search_term& t, const stored_order& o,
                           std::chrono::minutes offset) {
    const auto& j = o.json;
    const std::string_view v = t.value;
    if (t.field.empty()) {
      const std::string needle = lower(v);
      for (auto key : {"name", "email", "source_identifier", "tags", "note"})
        if (lower(str(j, key)).find(needle) != std::string::npos) return true;
      return false;
    }
    if (t.field == "id") {
      auto id = id_value(boost::json::string(v));
      return id && compare(o.id, t.op, *id);
    }
    if (t.field == "name") {
      auto bare = [](std::string_view s) { return s.starts_with('#') ? s.substr(1) : s; };
      return text_equals(bare(str(j, "name")), bare(v));
    }
    if (t.field == "source_identifier" || t.field == "email" || t.field == "source_name" ||
        t.field == "financial_status")
      return text_equals(str(j, t.field), v);
    if (t.field == "fulfillment_status") {
      const std::string_view f = str(j, "fulfillment_status");
      const std::string want = lower(v);
      if (want == "unfulfilled") return f.empty() || f == "partial";
      if (want == "unshipped") return f.empty();
      if (want == "shipped" || want == "fulfilled") return f == "fulfilled";
      return text_equals(f, want);
    }
    if (t.field == "status") {
      const std::string want = lower(v);
      if (want == "open") return !o.closed_at && !o.cancelled_at;
      if (want == "closed") return o.closed_at.has_value();
      if (want == "cancelled") return o.cancelled_at.has_value();
      return want == "any";
    }
    if (t.field == "tag") {
      for (const auto& tag : split_tags(str(j, "tags")))
        if (text_equals(tag, v)) return true;
      return false;
    }
    if (t.field == "test") {
      const auto* b = j.if_contains("test");
      return b && b->is_bool() && b->get_bool() == (lower(v) == "true");
    }
    // Timestamps. A bare date with ':' means that whole day in the shop's time zone.
    const sys_time have = t.field == "created_at"   ? o.created_at
                          : t.field == "updated_at" ? o.updated_at
                                                    : o.processed_at;
    auto when = parse_timestamp(v, offset);
    if (!when) return false;
    const auto secs = std::chrono::floor<std::chrono::seconds>(have);
    if (t.op == ":" && v.size() == 10)
      return secs >= *when && secs < *when + std::chrono::hours(24);
    return compare(sys_time(secs), t.op, *when);
  }
};

// Parses Shopify's search syntax; an error names what the emulator cannot read.
inline result<search_query> parse_search(std::string_view q) {
  search_query out;
  out.any_of.emplace_back();
  std::size_t i = 0;
  bool negate_next = false;
  while (i < q.size()) {
    if (std::isspace(static_cast<unsigned char>(q[i]))) {
      ++i;
      continue;
    }
    if (q[i] == '(' || q[i] == ')')
      return make_error(errc::invalid_input,
                        "the emulator's order search does not support parentheses; write "
                        "alternatives with OR between AND-ed terms");
    // One token: up to whitespace outside quotes.
    std::string token;
    char quote = 0;
    std::size_t start = i;
    while (i < q.size() && (quote || !std::isspace(static_cast<unsigned char>(q[i])))) {
      char c = q[i++];
      if (quote) {
        if (c == '\\' && i < q.size()) {
          token += q[i++];
        } else if (c == quote) {
          quote = 0;
        } else {
          token += c;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else {
        token += c;
      }
    }
    if (quote)
      return make_error(errc::invalid_input,
                        "unterminated quote in search query at offset " + std::to_string(start));
    const std::string raw(q.substr(start, i - start));
    if (raw == "OR") {
      if (out.any_of.back().empty())
        return make_error(errc::invalid_input, "OR without a term before it");
      out.any_of.emplace_back();
      continue;
    }
    if (raw == "AND") continue;
    if (raw == "NOT") {
      negate_next = true;
      continue;
    }
    search_term t;
    t.negated = negate_next;
    negate_next = false;
    std::string_view tok = token;
    if (raw.starts_with('-') && tok.size() > 1) {
      t.negated = !t.negated;
      tok.remove_prefix(1);
    }
    // field:value — the field is the unquoted part before the first ':'.
    auto colon = raw.find(':');
    const bool quoted_before_colon = colon != std::string::npos &&
                                     raw.substr(0, colon).find_first_of("\"'") != std::string::npos;
    if (colon != std::string::npos && !quoted_before_colon) {
      auto tcolon = tok.find(':');
      t.field = lower(tok.substr(0, tcolon));
      std::string_view rest = tok.substr(tcolon + 1);
      t.op = ":";
      for (std::string_view op : {">=", "<=", ">", "<"})
        if (rest.starts_with(op)) {
          t.op = std::string(op);
          rest.remove_prefix(op.size());
          break;
        }
      t.value = std::string(rest);
      if (!search_query::known(t.field) &&
          std::find(out.unknown_fields.begin(), out.unknown_fields.end(), t.field) ==
              out.unknown_fields.end())
        out.unknown_fields.push_back(t.field);
    } else {
      t.value = std::string(tok);
    }
    out.any_of.back().push_back(std::move(t));
  }
  if (out.any_of.back().empty()) {
    if (out.any_of.size() > 1) return make_error(errc::invalid_input, "OR without a term after it");
    out.any_of.clear();
  }
  return out;
}

}  // namespace syncline::testing::detail
