// The bodies of store::sqlite_store's installations and install states: who connected a shop, with
// which credentials at which revision, and the single-use OAuth states of installs under way.
// Compiled once in separate mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/store/detail/call_checks.hpp>
#include <syncline/store/sqlite_store.hpp>

namespace syncline::store {

SYNCLINE_DECL installation_record sqlite_store::read_installation(const sqlite::statement& q) {
  installation_record t;
  t.integration = q.text(0);
  t.id = q.text(1);
  t.credentials = secret(q.text(2));
  t.settings = q.text(3);
  t.created_at = q.time(4);
  t.updated_at = q.time(5);
  t.revision = q.int64(6);
  return t;
}

SYNCLINE_DECL result<void> sqlite_store::put_installation(const installation_record& t) {
  if (auto v = detail::check_installation_key(t.integration, t.id); !v) return v;
  return write(commit_kind::acknowledgement, [&](sqlite::database& c) -> result<void> {
    auto q = c.prepare(
        "INSERT INTO tenants (integration, id, credentials, settings, created_at, updated_at, "
        "revision) VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1) ON CONFLICT (integration, id) DO UPDATE SET "
        "credentials = excluded.credentials, settings = excluded.settings, "
        "updated_at = excluded.updated_at, revision = revision + 1",
        "save installation");
    if (!q) return std::move(q).error();
    return q->bind(t.integration, t.id, t.credentials.reveal(), t.settings, now_()).exec();
  });
}

SYNCLINE_DECL result<std::int64_t> sqlite_store::replace_installation(
    const installation_record& t, std::int64_t expected_revision) {
  if (auto v = detail::check_installation_key(t.integration, t.id); !v) return std::move(v).error();
  if (auto v = detail::check_expected_revision(t, expected_revision); !v) {
    return std::move(v).error();
  }
  return write(commit_kind::acknowledgement, [&](sqlite::database& c) -> result<std::int64_t> {
    {
      // The compare and the set are this one statement, inside BEGIN IMMEDIATE: no other
      // writer of the file runs between them.
      auto q = c.prepare(
          "UPDATE tenants SET credentials = ?3, settings = ?4, updated_at = ?5, "
          "revision = revision + 1 WHERE integration = ?1 AND id = ?2 AND revision = ?6 "
          "RETURNING revision",
          "replace installation");
      if (!q) return std::move(q).error();
      q->bind(t.integration, t.id, t.credentials.reveal(), t.settings, now_(), expected_revision);
      auto row = q->step();
      if (!row) return std::move(row).error();
      if (*row) {
        const std::int64_t revision = q->int64(0);
        if (auto done = q->step(); !done) return std::move(done).error();
        return revision;
      }
    }
    // Nothing replaced: only to say why. The transaction is still open, so this reads what the
    // UPDATE saw.
    auto q = c.prepare("SELECT revision FROM tenants WHERE integration = ?1 AND id = ?2",
                       "read installation revision");
    if (!q) return std::move(q).error();
    q->bind(t.integration, t.id);
    auto row = q->step();
    if (!row) return std::move(row).error();
    if (!*row) return detail::installation_gone(t);
    return detail::installation_replaced(t, expected_revision, q->int64(0));
  });
}

SYNCLINE_DECL result<std::optional<installation_record>> sqlite_store::get_installation(
    std::string_view integration, std::string_view id) {
  auto c = readers_.acquire();
  auto q = c->prepare(std::string(installation_columns) + " WHERE integration = ?1 AND id = ?2",
                      "read installation");
  if (!q) return std::move(q).error();
  q->bind(integration, id);
  auto row = q->step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<installation_record>{};
  return std::optional<installation_record>(read_installation(*q));
}

SYNCLINE_DECL result<std::vector<installation_record>> sqlite_store::list_installations(
    std::string_view integration) {
  auto c = readers_.acquire();
  auto q = c->prepare(std::string(installation_columns) + " WHERE integration = ?1 ORDER BY id",
                      "list installations");
  if (!q) return std::move(q).error();
  q->bind(integration);
  std::vector<installation_record> out;
  for (;;) {
    auto row = q->step();
    if (!row) return std::move(row).error();
    if (!*row) return out;
    out.push_back(read_installation(*q));
  }
}

SYNCLINE_DECL result<void> sqlite_store::remove_installation(std::string_view integration,
                                                             std::string_view id) {
  return write(commit_kind::acknowledgement, [&](sqlite::database& c) -> result<void> {
    auto q =
        c.prepare("DELETE FROM tenants WHERE integration = ?1 AND id = ?2", "remove installation");
    if (!q) return std::move(q).error();
    return q->bind(integration, id).exec();
  });
}

SYNCLINE_DECL result<void> sqlite_store::put_install_state(const install_state& s) {
  if (auto v = detail::check_install_state(s); !v) return v;
  return write(commit_kind::acknowledgement, [&](sqlite::database& c) -> result<void> {
    auto q = c.prepare(
        "INSERT INTO install_states (state, integration, shop, expires_at, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (state) DO NOTHING",
        "save install state");
    if (!q) return std::move(q).error();
    if (auto e = q->bind(s.state, s.integration, s.shop, s.expires_at, now_()).exec(); !e) {
      return e;
    }
    if (c.changes() == 0) return detail::install_state_taken();
    return {};
  });
}

SYNCLINE_DECL result<std::optional<install_state>> sqlite_store::take_install_state(
    std::string_view state) {
  if (auto v = detail::check_install_state_nonce("take install state", state); !v) {
    return std::move(v).error();
  }
  return write(commit_kind::acknowledgement,
               [&](sqlite::database& c) -> result<std::optional<install_state>> {
                 auto q = c.prepare(
                     "DELETE FROM install_states WHERE state = ?1 "
                     "RETURNING integration, shop, expires_at",
                     "take install state");
                 if (!q) return std::move(q).error();
                 q->bind(state);
                 auto row = q->step();
                 if (!row) return std::move(row).error();
                 if (!*row) return std::optional<install_state>{};
                 install_state out{std::string(state), q->text(0), q->text(1), q->time(2)};
                 if (auto done = q->step(); !done) return std::move(done).error();
                 return std::optional<install_state>(std::move(out));
               });
}

}  // namespace syncline::store
