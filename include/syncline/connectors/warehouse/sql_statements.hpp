// The SQL text of a warehouse table: CREATE TABLE from the row type, and the batched upsert.
// SQLite (3.24+) and PostgreSQL (9.5+) share the `INSERT ... ON CONFLICT (key) DO UPDATE SET
// col = excluded.col` form, so one generator serves both; a dialect supplies type names and
// placeholders.
#pragma once

#include <syncline/connectors/warehouse/column.hpp>
#include <syncline/connectors/warehouse/table.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace syncline::warehouse {

// "analytics.orders" -> "analytics"."orders"; embedded quotes are doubled.
inline std::string quote_identifier(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 4);
  out += '"';
  for (char c : name) {
    if (c == '.') {
      out += "\".\"";
    } else {
      if (c == '"') out += '"';
      out += c;
    }
  }
  out += '"';
  return out;
}

// CREATE TABLE IF NOT EXISTS with the key as the primary key. Dialect::quote spells identifiers.
template <class Table, class Dialect>
std::string create_table_sql() {
  std::string sql = "CREATE TABLE IF NOT EXISTS " + Dialect::quote(Table::name) + " (";
  std::string key;
  bool first = true;
  for (const column_info& c : Table::columns) {
    if (!first) sql += ", ";
    first = false;
    sql += Dialect::quote(c.name);
    sql += ' ';
    sql += Dialect::type_name(c.type);
    if (!c.nullable) sql += " NOT NULL";
    if (c.key) {
      if (!key.empty()) key += ", ";
      key += Dialect::quote(c.name);
    }
  }
  sql += ", PRIMARY KEY (" + key + "))";
  return sql;
}

// INSERT of `rows` rows with ON CONFLICT on the key. A user key updates every other column (the
// latest write wins); a run key keeps the first write, since a replay carries the same row.
// With newer<>, the table is aliased `t` and the update carries `WHERE <Dialect::newer_condition>`:
// the check and the write are one statement, so no concurrent writer can come between them, and
// a row the condition refuses is simply not written (not an error: the table is already newer).
template <class Table, class Dialect>
std::string upsert_sql(std::size_t rows) {
  std::string sql = "INSERT INTO " + Dialect::quote(Table::name);
  if constexpr (Table::versioned) sql += " AS t";
  sql += " (";
  std::string key, updates;
  for (std::size_t i = 0; i < Table::columns.size(); ++i) {
    const column_info& c = Table::columns[i];
    if (i) sql += ", ";
    sql += Dialect::quote(c.name);
    if (c.key) {
      if (!key.empty()) key += ", ";
      key += Dialect::quote(c.name);
    } else {
      if (!updates.empty()) updates += ", ";
      updates += Dialect::quote(c.name) + " = excluded." + Dialect::quote(c.name);
    }
  }
  sql += ") VALUES ";
  std::size_t parameter = 1;
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r ? ", (" : "(";
    for (std::size_t i = 0; i < Table::columns.size(); ++i) {
      if (i) sql += ", ";
      Dialect::placeholder(sql, parameter++, Table::columns[i].type);
    }
    sql += ')';
  }
  sql += " ON CONFLICT (" + key + ") DO ";
  sql += (Table::keyed_by_run || updates.empty()) ? "NOTHING" : "UPDATE SET " + updates;
  if constexpr (Table::versioned) {
    if (!updates.empty()) {
      const column_info& v = Table::columns[Table::version_column];
      const std::string q = Dialect::quote(v.name);
      sql += " WHERE " + Dialect::newer_condition("t." + q, "excluded." + q, v.type);
    }
  }
  return sql;
}

}  // namespace syncline::warehouse
