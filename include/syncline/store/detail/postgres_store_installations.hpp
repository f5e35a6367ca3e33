// The bodies of store::postgres_store's installations and install states: who connected a shop,
// with which credentials at which revision, and the single-use OAuth states of installs under way.
// Included at the end of store/postgres_store.hpp.
#pragma once

#include <syncline/store/detail/call_checks.hpp>
#include <syncline/store/detail/postgres_store_body.hpp>
#include <syncline/store/postgres_store.hpp>

namespace syncline::store {

inline installation_record postgres_store::read_installation(const rows& r, int row) {
  using namespace postgres_store_detail;
  installation_record t;
  t.integration = string_at(r, row, 0);
  t.id = string_at(r, row, 1);
  t.credentials = secret(string_at(r, row, 2));
  t.settings = string_at(r, row, 3);
  t.created_at = time_at(r, row, 4);
  t.updated_at = time_at(r, row, 5);
  t.revision = int64_at(r, row, 6);
  return t;
}

inline result<void> postgres_store::put_installation(const installation_record& t) {
  if (auto v = detail::check_installation_key(t.integration, t.id); !v) return v;
  return write(commit_kind::acknowledgement, [&](connection& c) -> result<void> {
    parameters p;
    p.text(t.integration);
    p.text(t.id);
    p.text(t.credentials.reveal());
    p.text(t.settings);
    p.time(now_());
    auto r = exec(c,
                  "INSERT INTO tenants (integration, id, credentials, settings, created_at, "
                  "updated_at, revision) VALUES ($1, $2, $3, $4, $5::bigint, $5::bigint, 1) ON "
                  "CONFLICT (integration, id) DO UPDATE SET credentials = excluded.credentials, "
                  "settings = excluded.settings, updated_at = excluded.updated_at, "
                  "revision = tenants.revision + 1",
                  p);
    if (!r) return std::move(r).error();
    return {};
  });
}

inline result<std::int64_t> postgres_store::replace_installation(const installation_record& t,
                                                                 std::int64_t expected_revision) {
  if (auto v = detail::check_installation_key(t.integration, t.id); !v) return std::move(v).error();
  if (auto v = detail::check_expected_revision(t, expected_revision); !v) {
    return std::move(v).error();
  }
  return write(commit_kind::acknowledgement, [&](connection& c) -> result<std::int64_t> {
    parameters p;
    p.text(t.integration);
    p.text(t.id);
    p.text(t.credentials.reveal());
    p.text(t.settings);
    p.time(now_());
    p.int64(expected_revision);
    // The compare and the set are one UPDATE: a concurrent replace holds the row's lock until it
    // commits, and this one then re-checks the revision on the row it left (READ COMMITTED), so
    // of two replaces of one revision exactly one changes the row.
    auto r = exec(c,
                  "UPDATE tenants SET credentials = $3, settings = $4, updated_at = $5::bigint, "
                  "revision = revision + 1 WHERE integration = $1 AND id = $2 AND "
                  "revision = $6::bigint RETURNING revision",
                  p);
    if (!r) return std::move(r).error();
    if (postgres::row_count(*r) == 1) return postgres::int64_at(*r, 0, 0);
    // Nothing replaced: only to say why.
    parameters key;
    key.text(t.integration);
    key.text(t.id);
    auto now = exec(c, "SELECT revision FROM tenants WHERE integration = $1 AND id = $2", key);
    if (!now) return std::move(now).error();
    if (postgres::row_count(*now) == 0) return detail::installation_gone(t);
    return detail::installation_replaced(t, expected_revision, postgres::int64_at(*now, 0, 0));
  });
}

inline result<std::optional<installation_record>> postgres_store::get_installation(
    std::string_view integration, std::string_view id) {
  return read([&](connection& c) -> result<std::optional<installation_record>> {
    parameters p;
    p.text(integration);
    p.text(id);
    auto r = exec(c,
                  std::string(postgres_store_detail::installation_columns) +
                      " WHERE integration = $1 AND id = $2",
                  p);
    if (!r) return std::move(r).error();
    if (postgres::row_count(*r) == 0) return std::optional<installation_record>{};
    return std::optional<installation_record>(read_installation(*r, 0));
  });
}

inline result<std::vector<installation_record>> postgres_store::list_installations(
    std::string_view integration) {
  return read([&](connection& c) -> result<std::vector<installation_record>> {
    parameters p;
    p.text(integration);
    auto r = exec(c,
                  std::string(postgres_store_detail::installation_columns) +
                      " WHERE integration = $1 ORDER BY id COLLATE \"C\"",
                  p);
    if (!r) return std::move(r).error();
    std::vector<installation_record> out;
    for (int row = 0; row < postgres::row_count(*r); ++row) {
      out.push_back(read_installation(*r, row));
    }
    return out;
  });
}

inline result<void> postgres_store::remove_installation(std::string_view integration,
                                                        std::string_view id) {
  return write(commit_kind::acknowledgement, [&](connection& c) -> result<void> {
    parameters p;
    p.text(integration);
    p.text(id);
    auto r = exec(c, "DELETE FROM tenants WHERE integration = $1 AND id = $2", p);
    if (!r) return std::move(r).error();
    return {};
  });
}

inline result<void> postgres_store::put_install_state(const install_state& s) {
  if (auto v = detail::check_install_state(s); !v) return v;
  return write(commit_kind::acknowledgement, [&](connection& c) -> result<void> {
    parameters p;
    p.text(s.state);
    p.text(s.integration);
    p.text(s.shop);
    p.time(s.expires_at);
    p.time(now_());
    auto r = exec(c,
                  "INSERT INTO install_states (state, integration, shop, expires_at, created_at) "
                  "VALUES ($1, $2, $3, $4::bigint, $5::bigint) ON CONFLICT (state) DO NOTHING "
                  "RETURNING 1",
                  p);
    if (!r) return std::move(r).error();
    if (postgres::row_count(*r) == 0) return detail::install_state_taken();
    return {};
  });
}

inline result<std::optional<install_state>> postgres_store::take_install_state(
    std::string_view state) {
  if (auto v = detail::check_install_state_nonce("take install state", state); !v) {
    return std::move(v).error();
  }
  // One statement: of two takes, the second waits for the first's row lock and then finds the
  // row gone.
  return write(
      commit_kind::acknowledgement, [&](connection& c) -> result<std::optional<install_state>> {
        using namespace postgres_store_detail;
        parameters p;
        p.text(state);
        auto r = exec(c,
                      "DELETE FROM install_states WHERE state = $1 "
                      "RETURNING integration, shop, expires_at",
                      p);
        if (!r) return std::move(r).error();
        if (row_count(*r) == 0) return std::optional<install_state>{};
        return std::optional<install_state>(install_state{std::string(state), string_at(*r, 0, 0),
                                                          string_at(*r, 0, 1), time_at(*r, 0, 2)});
      });
}

}  // namespace syncline::store
