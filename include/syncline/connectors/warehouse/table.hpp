// warehouse::table<Row, "orders", key<"id">>: one typed description of a warehouse table that
// every sink shares. The columns are Row's described public members (in declaration order);
// the upsert key names members of Row and is checked at compile time. Without a key, rows are
// keyed by the run's idempotency key, stored in an extra column, so a replayed run never adds a
// second row.
//
// Every table also has `_syncline_tenant`, the tenant (installation) whose run wrote the row, so
// that a privacy erasure can delete one tenant's rows (batched_sink::erase_keys, erase_tenant).
// It is not part of the key: a key is unique across tenants (see docs/destinations.md).
//
// warehouse::table<Row, "orders", key<"id">, newer<"updated_at">>: upserts are last-write-wins,
// and runs for one key may finish in any order. With newer<>, a row replaces the stored one only
// if its version column is not older (equal versions: the later write wins, so a replay is
// harmless; a NULL stored version always loses). Each sink checks it in the upsert statement
// itself, so no other writer can slip in between a read and the write.
#pragma once

#include <syncline/connectors/warehouse/column.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/timestamp.hpp>

#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace syncline::warehouse {

// The members of the row that identify it: an upsert replaces the row with the same key.
template <fixed_string... Members>
struct key {
  static constexpr std::size_t size = sizeof...(Members);
  static constexpr std::array<std::string_view, sizeof...(Members)> names{
      std::string_view(Members)...};
};

// No user key: the run's idempotency key is the key (column `_syncline_key`).
struct run_key {};

inline constexpr std::string_view run_key_column = "_syncline_key";

// The tenant whose run wrote the row: text, never NULL, '' for rows written before it existed.
inline constexpr std::string_view tenant_column = "_syncline_tenant";

// The text of a key of several columns, as erase_keys takes it and staged_row::key holds it: the
// columns' values (integers in decimal) joined by an ASCII unit separator, which no integer text
// contains. key_text({"shop-1", "42"}) for key<"shop", "product_id">.
inline std::string key_text(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) {
    if (!out.empty()) out += '\x1f';
    out += p;
  }
  return out;
}

// The version column of a table: a row replaces the stored row of its key only if its `Member`
// is not older. `Member` is a timestamp or integer member (optional or not) of the row.
template <fixed_string Member>
struct newer {
  static constexpr std::string_view name = std::string_view(Member);
};

// No version column: the last write of a key wins.
struct no_version {};

struct column_info {
  std::string_view name;
  column_type type;
  bool nullable;
  bool key;
};

// A row converted for writing: one cell per column (table::columns order) and the text of its
// key, which batches use to collapse repeated writes of one key and BigQuery to derive insertId.
// `version` is the row's newer<> column as a number (integers as they are, timestamps as
// nanoseconds since the Unix epoch, so offsets do not matter); empty without newer<> or when the
// row's version is NULL.
struct staged_row {
  std::vector<cell> cells;
  std::string key;
  std::optional<std::int64_t> version;
};

// Whether a row with version `incoming` replaces one with `stored`, the rule every sink's upsert
// statement applies: a NULL stored version loses, a NULL incoming one loses to a non-NULL one,
// equal versions go to the later write.
constexpr bool replaces(const std::optional<std::int64_t>& incoming,
                        const std::optional<std::int64_t>& stored) noexcept {
  return !stored || (incoming && *incoming >= *stored);
}

// The rows of a batch to write, as indices, one per key. An upsert statement may not touch one
// row twice (PostgreSQL refuses, Snowflake's MERGE calls it nondeterministic), so repeated keys
// collapse: with a user key the last write wins (it would win anyway); keyed by run, the first
// (a replay carries the same row, and the table keeps the first). With a version column
// (`versioned`), the newest row survives, ties going to the later one: the row the table would
// keep if they were written one by one. Skipped writes share the result of the one written.
// Each row has `.key` and `.version` (see staged_row).
template <class Rows>
std::vector<std::size_t> distinct_by_key(const Rows& rows, bool keep_first, bool versioned) {
  std::unordered_map<std::string_view, std::size_t> chosen;
  chosen.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    auto [it, inserted] = chosen.emplace(std::string_view(rows[i].key), i);
    if (inserted || keep_first) continue;
    if (!versioned || replaces(rows[i].version, rows[it->second].version)) it->second = i;
  }
  std::vector<std::size_t> out;
  out.reserve(chosen.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (chosen.at(std::string_view(rows[i].key)) == i) out.push_back(i);
  }
  return out;
}

namespace detail {

// A row type that is not described has no members here (an empty list rather than Describe's
// hard error), so that table_checks' one diagnostic is all the user reads.
template <class Row, bool = boost::describe::has_describe_members<Row>::value>
struct members_of {
  using type = boost::mp11::mp_list<>;
};
template <class Row>
struct members_of<Row, true> {
  using type = boost::describe::describe_members<Row, boost::describe::mod_public>;
};
template <class Row>
using described_members = typename members_of<Row>::type;

template <class Row>
inline constexpr bool is_described = boost::describe::has_describe_members<Row>::value;

template <class Row>
constexpr std::size_t member_index(std::string_view name) {
  std::size_t i = 0, found = static_cast<std::size_t>(-1);
  boost::mp11::mp_for_each<described_members<Row>>([&](auto d) {
    if (std::string_view(d.name) == name) found = i;
    ++i;
  });
  return found;
}

template <class Row>
constexpr bool is_member(std::string_view name) {
  return member_index<Row>(name) != static_cast<std::size_t>(-1);
}

// A key column must compare exactly and never be NULL: an integer or a string.
template <class Row>
constexpr bool is_valid_key_member(std::string_view name) {
  bool ok = false;
  boost::mp11::mp_for_each<described_members<Row>>([&](auto d) {
    using M = std::remove_cvref_t<decltype(std::declval<Row&>().*d.pointer)>;
    if (std::string_view(d.name) == name) {
      ok = std::is_same_v<M, std::string> || (std::is_integral_v<M> && !std::is_same_v<M, bool>);
    }
  });
  return ok;
}

// A version column compares as a number: a timestamp or a non-bool integer, optional or not.
template <class M>
struct version_traits {
  static constexpr bool valid = false;
};
template <>
struct version_traits<timestamp> {
  static constexpr bool valid = true;
  static std::optional<std::int64_t> of(const timestamp& t) {
    return t.instant().time_since_epoch().count();
  }
};
template <class M>
requires(std::is_integral_v<M> && !std::is_same_v<M, bool>) struct version_traits<M> {
  static constexpr bool valid = true;
  static std::optional<std::int64_t> of(M v) { return static_cast<std::int64_t>(v); }
};
template <class M>
struct version_traits<std::optional<M>> {
  static constexpr bool valid = version_traits<M>::valid;
  static std::optional<std::int64_t> of(const std::optional<M>& v) {
    if (!v) return std::nullopt;
    return version_traits<M>::of(*v);
  }
};

template <class Row>
constexpr bool is_valid_version_member(std::string_view name) {
  bool ok = false;
  boost::mp11::mp_for_each<described_members<Row>>([&](auto d) {
    using M = std::remove_cvref_t<decltype(std::declval<Row&>().*d.pointer)>;
    if (std::string_view(d.name) == name) ok = version_traits<M>::valid;
  });
  return ok;
}

}  // namespace detail

// The compile-time diagnostics of table<>: the table name, key and row type are template
// arguments, so the compiler's "In instantiation of" line names them right above the message.
namespace diagnostic {
template <class...>
inline constexpr bool always_false = false;

template <fixed_string Table>
struct table_name_is_not_valid {
  static_assert(always_false<decltype(Table)>,
                "syncline: warehouse::table name must be an identifier [a-z][a-z0-9_]* of at most "
                "63 characters, optionally after one schema name and a dot (\"analytics.orders\")");
};
template <fixed_string Table, class Row>
struct row_type_is_not_described {
  static_assert(always_false<Row>,
                "syncline: warehouse::table row type must be a struct described with "
                "BOOST_DESCRIBE_STRUCT (its members are the table's columns)");
};
template <fixed_string Table, fixed_string Key, class Row>
struct key_is_not_a_member_of_the_row {
  static_assert(always_false<Row>,
                "syncline: warehouse::table key is not a member of the row type (the table, "
                "key and row type are named on the line above)");
};
template <fixed_string Table, fixed_string Key, class Row>
struct key_member_must_be_an_integer_or_string {
  static_assert(always_false<Row>,
                "syncline: warehouse::table key member must be an integer or std::string (the "
                "table, key and row type are named on the line above)");
};
template <fixed_string Table, fixed_string Version, class Row>
struct newer_column_is_not_a_member_of_the_row {
  static_assert(always_false<Row>,
                "syncline: warehouse::table newer<> column is not a member of the row type (the "
                "table, column and row type are named on the line above)");
};
template <fixed_string Table, fixed_string Version, class Row>
struct newer_column_must_be_a_timestamp_or_integer {
  static_assert(always_false<Row>,
                "syncline: warehouse::table newer<> column must be a syncline::timestamp or an "
                "integer, optional or not (the table, column and row type are named on the line "
                "above)");
};
template <fixed_string Table, class Row>
struct newer_needs_a_user_key {
  static_assert(always_false<Row>,
                "syncline: warehouse::table newer<> needs a key<\"member\", ...> of the row: "
                "rows keyed by the run's idempotency key are never replaced");
};
}  // namespace diagnostic

namespace detail {

// "orders" or "schema.orders": each part a lower-case identifier, so the name needs no quoting
// surprises in any warehouse and fits PostgreSQL's 63-byte identifiers.
consteval bool is_valid_table_name(std::string_view n) {
  // An index loop, not string_view::find: g++ 12 with -fsanitize=undefined cannot evaluate
  // find's pointer test on a template argument object at compile time.
  std::size_t dot = n.size(), dots = 0;
  for (std::size_t i = 0; i < n.size(); ++i) {
    if (n[i] == '.') dot = i, ++dots;
  }
  if (dots == 0) return is_valid_name(name_kind::identifier, n);
  return dots == 1 && n.size() <= max_identifier_length &&
         is_valid_name(name_kind::identifier, n.substr(0, dot)) &&
         is_valid_name(name_kind::identifier, n.substr(dot + 1));
}

template <class Row, fixed_string Name, class Key>
struct table_checks {
  static constexpr bool name_ok = is_valid_table_name(std::string_view(Name));
  static constexpr bool described = is_described<Row>;
  static constexpr bool ok = name_ok && described;
  static constexpr bool fire() {
    if constexpr (!name_ok) {
      (void)sizeof(diagnostic::table_name_is_not_valid<Name>);
    } else if constexpr (!described) {
      (void)sizeof(diagnostic::row_type_is_not_described<Name, Row>);
    }
    return ok;
  }
};

template <class Row, fixed_string Name, fixed_string Member>
constexpr bool check_key_member() {
  if constexpr (!is_described<Row>) {
    return false;  // table_checks reported it
  } else if constexpr (!is_member<Row>(std::string_view(Member))) {
    (void)sizeof(diagnostic::key_is_not_a_member_of_the_row<Name, Member, Row>);
    return false;
  } else if constexpr (!is_valid_key_member<Row>(std::string_view(Member))) {
    (void)sizeof(diagnostic::key_member_must_be_an_integer_or_string<Name, Member, Row>);
    return false;
  } else {
    return true;
  }
}

template <class Row, fixed_string Name, class Key>
struct key_checks {
  static constexpr bool ok = true;  // run_key: nothing to check
};
template <class Row, fixed_string Name, fixed_string... Members>
struct key_checks<Row, Name, key<Members...>> {
  static constexpr bool ok = (check_key_member<Row, Name, Members>() && ...);
};

template <class Row, fixed_string Name, class Key, class Version>
struct version_checks {
  static constexpr bool ok = false;  // no_version: nothing to check, and no version column
};
template <class Row, fixed_string Name, class Key, fixed_string Member>
struct version_checks<Row, Name, Key, newer<Member>> {
  static constexpr bool check() {
    if constexpr (!is_described<Row>) {
      return false;  // table_checks reported it
    } else if constexpr (std::is_same_v<Key, run_key>) {
      (void)sizeof(diagnostic::newer_needs_a_user_key<Name, Row>);
      return false;
    } else if constexpr (!is_member<Row>(std::string_view(Member))) {
      (void)sizeof(diagnostic::newer_column_is_not_a_member_of_the_row<Name, Member, Row>);
      return false;
    } else if constexpr (!is_valid_version_member<Row>(std::string_view(Member))) {
      (void)sizeof(diagnostic::newer_column_must_be_a_timestamp_or_integer<Name, Member, Row>);
      return false;
    } else {
      return true;
    }
  }
  static constexpr bool ok = check();
};

template <class V>
inline constexpr bool is_version_option = std::is_same_v<V, no_version>;
template <fixed_string Member>
inline constexpr bool is_version_option<newer<Member>> = true;

}  // namespace detail

template <class Row, fixed_string Name, class Key = run_key, class Version = no_version>
class table {
  static_assert(
      std::is_same_v<Key, run_key> || requires { Key::names; },
      "syncline: the third argument of warehouse::table must be key<\"member\", ...> "
      "or run_key");
  static_assert(detail::is_version_option<Version>,
                "syncline: the fourth argument of warehouse::table must be newer<\"member\">");
  // Diagnose once; every later step compiles against an empty, well-formed description.
  static constexpr bool row_ok = detail::table_checks<Row, Name, Key>::fire();
  static constexpr bool key_ok = row_ok && detail::key_checks<Row, Name, Key>::ok;
  using members =
      std::conditional_t<row_ok, detail::described_members<Row>, boost::mp11::mp_list<>>;

  static constexpr std::size_t member_count = boost::mp11::mp_size<members>::value;
  static constexpr bool user_key = !std::is_same_v<Key, run_key>;

  static constexpr bool is_key_member(std::string_view n) {
    if constexpr (user_key) {
      for (auto k : Key::names)
        if (k == n) return key_ok;
    }
    return false;
  }

 public:
  using row_type = Row;
  static constexpr std::string_view name = std::string_view(Name);
  // True when rows are keyed by the run's idempotency key rather than by members of Row.
  static constexpr bool keyed_by_run = !user_key || !key_ok;
  static constexpr std::size_t column_count = member_count + (keyed_by_run ? 1 : 0) + 1;
  // True with a valid newer<> column: upserts replace a row only with one not older.
  static constexpr bool versioned =
      !keyed_by_run && detail::version_checks<Row, Name, Key, Version>::ok;

  // Members in declaration order, then `_syncline_key` when keyed by run, then
  // `_syncline_tenant`.
  static constexpr std::array<column_info, column_count> columns = [] {
    std::array<column_info, column_count> out{};
    std::size_t i = 0;
    boost::mp11::mp_for_each<members>([&](auto d) {
      using M = std::remove_cvref_t<decltype(std::declval<Row&>().*d.pointer)>;
      out[i++] = column_info{d.name, column_traits<M>::type, column_traits<M>::nullable,
                             is_key_member(d.name)};
    });
    if constexpr (keyed_by_run)
      out[i++] = column_info{run_key_column, column_type::text, false, true};
    out[i] = column_info{tenant_column, column_type::text, false, false};
    return out;
  }();

  // The index in `columns` of the newer<> column (meaningful when versioned).
  static constexpr std::size_t version_column = [] {
    std::size_t at = 0;
    if constexpr (versioned) {
      while (columns[at].name != Version::name) ++at;
    }
    return at;
  }();

  // The number of key columns (1 when keyed by run).
  static constexpr std::size_t key_count = [] {
    std::size_t n = 0;
    for (const column_info& c : columns) n += c.key ? 1 : 0;
    return n;
  }();

  // The cells of a key given as text (see key_text), in key column order, to bind in a DELETE:
  // integer columns are parsed, so "0042" finds the row of 42. A key with the wrong number of
  // parts or a non-integer part for an integer column is invalid_input.
  static result<std::vector<cell>> key_cells(std::string_view key) {
    std::vector<cell> out;
    out.reserve(key_count);
    std::size_t start = 0;
    for (const column_info& c : columns) {
      if (!c.key) continue;
      if (start > key.size()) break;
      const std::size_t end = std::min(key.find('\x1f', start), key.size());
      const std::string_view part = key.substr(start, end - start);
      start = end + 1;
      if (c.type == column_type::text) {
        out.emplace_back(std::string(part));
        continue;
      }
      std::int64_t v = 0;
      auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
      if (ec != std::errc{} || p != part.data() + part.size()) {
        return make_error(errc::invalid_input, "table \"" + std::string(name) + "\": key part \"" +
                                                   std::string(part) + "\" of column \"" +
                                                   std::string(c.name) + "\" is not an integer");
      }
      out.emplace_back(v);
    }
    if (out.size() != key_count || start <= key.size()) {
      return make_error(errc::invalid_input,
                        "table \"" + std::string(name) + "\": a key has " +
                            std::to_string(key_count) +
                            " part(s), joined by \\x1f (warehouse::key_text), and one key has " +
                            std::to_string(std::count(key.begin(), key.end(), '\x1f') + 1));
    }
    return out;
  }

  // Converts `row` for writing. `run_key` (the run's idempotency key) is required when the
  // table is keyed by run and ignored otherwise; `tenant` fills `_syncline_tenant`.
  static result<staged_row> stage(const Row& row, std::string_view run_key = {},
                                  std::string_view tenant = {}) {
    staged_row out;
    out.cells.reserve(column_count);
    result<void> failed;
    boost::mp11::mp_for_each<members>([&](auto d) {
      if (!failed) return;
      using M = std::remove_cvref_t<decltype(row.*d.pointer)>;
      auto c = column_traits<M>::to_cell(row.*d.pointer);
      if (!c) {
        failed = make_error(c.error().category, "table \"" + std::string(name) + "\", column \"" +
                                                    d.name + "\": " + c.error().message);
        return;
      }
      out.cells.push_back(std::move(*c));
      if constexpr (versioned) {
        if constexpr (std::string_view(decltype(d)::name) == Version::name)
          out.version = detail::version_traits<M>::of(row.*d.pointer);
      }
    });
    if (!failed) return std::move(failed).error();
    if constexpr (keyed_by_run) {
      if (run_key.empty()) {
        return make_error(errc::invalid_input,
                          "table \"" + std::string(name) +
                              "\" is keyed by the run's idempotency key, and none was given: "
                              "write through a workflow, or pass the key, or declare "
                              "key<\"member\"> on the table");
      }
      out.cells.emplace_back(std::string(run_key));
      out.key = run_key;
      out.cells.emplace_back(std::string(tenant));
    } else {
      out.cells.emplace_back(std::string(tenant));
      // Key cells joined by an ASCII unit separator, which no integer text contains.
      for (std::size_t i = 0; i < column_count; ++i) {
        if (!columns[i].key) continue;
        if (!out.key.empty()) out.key += '\x1f';
        if (auto* n = std::get_if<std::int64_t>(&out.cells[i])) out.key += std::to_string(*n);
        if (auto* s = std::get_if<std::string>(&out.cells[i])) out.key += *s;
      }
    }
    return out;
  }
};

}  // namespace syncline::warehouse
