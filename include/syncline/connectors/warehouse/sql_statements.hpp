// The SQL text of a warehouse table: CREATE TABLE from the row type, the batched upsert, the
// tenant column's migration and the erasure DELETEs.
// SQLite (3.24+) and PostgreSQL (9.5+) share the `INSERT ... ON CONFLICT (key) DO UPDATE SET
// col = excluded.col` form, so one generator serves both; a dialect supplies type names and
// placeholders.
#pragma once

#include <syncline/connectors/warehouse/column.hpp>
#include <syncline/connectors/warehouse/table.hpp>

#include <algorithm>
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
    if (c.name == tenant_column) sql += " DEFAULT ''";
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

// Adds `_syncline_tenant` to a table created before it existed. Rows already there get ''
// (so erase_tenant cannot find them). `if_not_exists`: the dialect has ADD COLUMN IF NOT EXISTS
// and ALTER TABLE IF EXISTS (PostgreSQL, Snowflake); without it (SQLite) the caller checks first.
template <class Table, class Dialect>
std::string add_tenant_column_sql(bool if_not_exists) {
  return std::string("ALTER TABLE ") + (if_not_exists ? "IF EXISTS " : "") +
         Dialect::quote(Table::name) + " ADD COLUMN " + (if_not_exists ? "IF NOT EXISTS " : "") +
         Dialect::quote(tenant_column) + ' ' + std::string(Dialect::type_name(column_type::text)) +
         " NOT NULL DEFAULT ''";
}

// The DELETEs of a privacy erasure, for a writer that does not know the row type. Parameters:
// the tenant first, then each key's cells in key column order (Table::key_cells).
struct erase_statements {
  std::string (*keys)(std::size_t count);  // the rows of `count` keys of one tenant
  std::string tenant;                      // every row of one tenant
  std::size_t key_columns = 1;
  // Keys per statement: far below SQLite's oldest limit of 999 parameters.
  std::size_t keys_per_statement = 1;
};

// DELETE of the rows of one tenant with one of `count` keys: `key IN (...)` for a one-column key,
// `(a = ? AND b = ?) OR ...` for more.
template <class Table, class Dialect>
std::string erase_keys_sql(std::size_t count) {
  std::string sql = "DELETE FROM " + Dialect::quote(Table::name) + " WHERE " +
                    Dialect::quote(tenant_column) + " = ";
  std::size_t parameter = 1;
  Dialect::placeholder(sql, parameter++, column_type::text);
  sql += " AND (";
  if constexpr (Table::key_count == 1) {
    for (const column_info& c : Table::columns) {
      if (!c.key) continue;
      sql += Dialect::quote(c.name) + " IN (";
      for (std::size_t k = 0; k < count; ++k) {
        if (k) sql += ", ";
        Dialect::placeholder(sql, parameter++, c.type);
      }
      sql += ')';
    }
  } else {
    for (std::size_t k = 0; k < count; ++k) {
      sql += k ? " OR (" : "(";
      bool first = true;
      for (const column_info& c : Table::columns) {
        if (!c.key) continue;
        if (!first) sql += " AND ";
        first = false;
        sql += Dialect::quote(c.name) + " = ";
        Dialect::placeholder(sql, parameter++, c.type);
      }
      sql += ')';
    }
  }
  sql += ')';
  return sql;
}

template <class Table, class Dialect>
erase_statements erase_statements_for() {
  std::string tenant = "DELETE FROM " + Dialect::quote(Table::name) + " WHERE " +
                       Dialect::quote(tenant_column) + " = ";
  Dialect::placeholder(tenant, 1, column_type::text);
  return {&erase_keys_sql<Table, Dialect>, std::move(tenant), Table::key_count,
          std::max<std::size_t>(1, 900 / Table::key_count)};
}

}  // namespace syncline::warehouse
