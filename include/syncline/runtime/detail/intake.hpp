// The engine's intake: turns a trigger event (an emit, a manual run, a webhook, an app event over
// HTTP, a poll page, a schedule tick) into runs, writes them to the durable run queue, counts
// them, and wakes the executor. Whatever is acknowledged went through here and is committed.
// Stands on the engine context and the registry; the ingress and the sources submit through it.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/core/trigger.hpp>
#include <syncline/runtime/detail/dedupe_key.hpp>
#include <syncline/runtime/detail/doorbell.hpp>
#include <syncline/runtime/detail/engine_context.hpp>
#include <syncline/runtime/detail/registry.hpp>
#include <syncline/runtime/detail/runner.hpp>
#include <syncline/runtime/emit_receipt.hpp>
#include <syncline/runtime/metrics.hpp>
#include <syncline/store/group_commit.hpp>
#include <syncline/store/run.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_executor.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::detail {

// Dedupe keys are scoped by (tenant, integration, trigger) in the store; two workflows of one
// integration on the same trigger must each get their run, so the key names the workflow.
inline std::string scoped_key(std::string_view workflow, std::string_view key) {
  if (key.empty()) return {};
  std::string k(workflow);
  k += '/';
  k += key;
  return k;
}

inline store::new_run make_run(const runner& r, std::string_view tenant_id, std::string_view key,
                               std::string payload) {
  return store::new_run{.tenant = std::string(tenant_id),
                        .integration = std::string(r.integration),
                        .workflow = std::string(r.workflow),
                        .trigger = std::string(r.trigger),
                        .dedupe_key = scoped_key(r.workflow, key),
                        .payload = std::move(payload),
                        .workflow_version = r.version.number};
}

struct planned_run {
  const detail::runner* runner;
  store::new_run run;
};

class intake {
 public:
  // `bell` wakes the executor once runs are committed; `taker` (the executor's, when set) runs
  // at once the runs its group commit leases as it queues them.
  intake(engine_context& ctx, const registry& reg, doorbell& bell, store::lease_taker taker = {})
      : ctx_(ctx), registry_(reg), bell_(bell), taker_rings_(static_cast<bool>(taker.take)) {
    if (ctx_.store()) {
      commit_ = std::make_unique<store::group_commit>(*ctx_.store(), ctx_.opts().commit,
                                                      std::move(taker));
    }
  }

  intake(const intake&) = delete;
  intake& operator=(const intake&) = delete;

  // Counts an event from the moment the engine has it until its runs are committed or it is
  // refused, so that wait_until_quiet does not take an event on its way to the queue for quiet.
  // The count is shared with the guards: a coroutine abandoned at stop is destroyed with the
  // io_context, after this intake, and still counts itself out.
  class guard {
   public:
    explicit guard(std::shared_ptr<std::atomic<std::int64_t>> n) : n_(std::move(n)) {
      n_->fetch_add(1);
    }
    guard(const guard&) = delete;
    guard& operator=(const guard&) = delete;
    ~guard() { n_->fetch_sub(1); }

   private:
    std::shared_ptr<std::atomic<std::int64_t>> n_;
  };

  guard hold() { return guard(events_); }
  // True while an event is on its way to the queue.
  bool busy() const { return events_->load() != 0; }

  // An event (app event or manual run) made into runs and queued; returns once they are durable.
  result<emit_receipt> submit_event(trigger_kind kind, std::string_view tenant_id,
                                    std::string_view name, const void* type,
                                    std::string_view type_label, std::string payload,
                                    std::string_view dedupe_key, bool check_json) {
    guard held = hold();
    if (auto ok = check_dedupe_key(dedupe_key, "emit_options::dedupe_key"); !ok)
      return std::move(ok).error();
    auto planned =
        plan(kind, tenant_id, name, type, type_label, std::move(payload), dedupe_key, check_json);
    if (!planned) return std::move(planned).error();
    return submit_blocking(std::move(*planned));
  }

  boost::asio::awaitable<result<emit_receipt>> async_submit_event(
      trigger_kind kind, std::string tenant_id, std::string name, const void* type,
      std::string type_label, std::string payload, std::string dedupe_key, bool check_json) {
    guard held = hold();
    if (auto ok = check_dedupe_key(dedupe_key, "emit_options::dedupe_key"); !ok)
      co_return std::move(ok).error();
    auto planned =
        plan(kind, tenant_id, name, type, type_label, std::move(payload), dedupe_key, check_json);
    if (!planned) co_return std::move(planned).error();
    co_return co_await submit_async(std::move(*planned));
  }

  // The runs an event of `kind` named `name` makes for a tenant. `name` is the event (app
  // events) or the workflow, optionally "integration/workflow" (manual runs).
  result<std::vector<planned_run>> plan(trigger_kind kind, std::string_view tenant_id,
                                        std::string_view name, const void* type,
                                        std::string_view type_label, std::string payload,
                                        std::string_view dedupe_key, bool check_json) {
    if (ctx_.broken()) return *ctx_.broken();
    if (tenant_id.empty()) return make_error(errc::invalid_input, "the tenant is empty");
    std::string_view only_integration;
    std::string_view target = name;
    if (kind == trigger_kind::manual) {
      if (auto slash = name.find('/'); slash != std::string_view::npos) {
        only_integration = name.substr(0, slash);
        target = name.substr(slash + 1);
      }
    }
    std::vector<planned_run> out;
    bool anyone_listens = false;
    auto refused = registry_.read(
        [&](const registry::entries& integrations) -> std::optional<::syncline::error> {
          for (const auto& [iname, entry] : integrations) {
            if (!only_integration.empty() && iname != only_integration) continue;
            for (const auto& r : entry.runners) {
              if (r->kind != kind) continue;
              if ((kind == trigger_kind::manual ? r->workflow : r->trigger) != target) continue;
              anyone_listens = true;
              auto t = entry.tenants.find(tenant_id);
              if (t == entry.tenants.end() || !t->second->active) continue;
              if (type && r->payload_type() != type) {
                return make_error(
                    errc::invalid_input,
                    std::string(kind == trigger_kind::manual ? "workflow \"" : "event \"") +
                        std::string(name) + "\" carries " + std::string(r->payload_type_name()) +
                        ", not " + std::string(type_label));
              }
              if (check_json) {
                if (auto ok = r->check_payload(payload); !ok) return std::move(ok).error();
              }
              out.push_back({r.get(), make_run(*r, tenant_id, dedupe_key, payload)});
            }
          }
          return std::nullopt;
        });
    if (refused) return *refused;
    if (!anyone_listens) {
      ctx_.metrics().rejected(rejection::not_found);
      return make_error(
          errc::not_found,
          kind == trigger_kind::manual
              ? "no installed workflow \"" + std::string(name) + "\" has a manual trigger"
              : "no installed workflow listens to event \"" + std::string(name) + "\"");
    }
    return out;
  }

  // Queues an event's runs as one entry of the group commit (one wait, one transaction), counts
  // the answers and wakes the executor; returns once they are durable. The first error is the
  // answer when a run was refused (its siblings that were queued still run).
  boost::asio::awaitable<result<emit_receipt>> submit_async(std::vector<planned_run> planned) {
    if (planned.empty()) co_return emit_receipt{};  // nothing to wait for
    std::vector<store::new_run> runs;
    runs.reserve(planned.size());
    for (auto& p : planned) runs.push_back(std::move(p.run));  // account() needs only the runner
    auto answers = co_await commit_->submit_all(std::move(runs));
    co_return collect(planned, std::move(answers));
  }

  // A poll page's or the schedule's runs and their cursor, committed in one transaction on the
  // store thread. Counts what was queued; a refusal is the caller's to count and report.
  boost::asio::awaitable<result<std::vector<store::enqueue_result>>> enqueue_with_cursor(
      trigger_kind kind, const std::vector<store::new_run>& runs,
      const store::cursor_update& update) {
    auto committed = co_await ctx_.on_store(
        [this, &runs, &update] { return ctx_.store()->enqueue_with_cursor(runs, update); });
    if (!committed) co_return committed;
    for (const auto& r : *committed) {
      if (r.kind == store::enqueue_result::duplicate)
        ctx_.metrics().duplicate(kind);
      else
        ctx_.metrics().accepted(kind);
    }
    if (!committed->empty()) wake();
    co_return committed;
  }

  // The group commit the runs are queued through (none without a store): the executor writes
  // its ends through it too.
  store::group_commit* group_commit() noexcept { return commit_.get(); }

  // Wakes the executor: runs were queued.
  void wake() { bell_.ring(); }

  // At stop, once no event is accepted any more: waiting submits are committed and answered.
  void stop() {
    if (commit_) commit_->stop();
  }
  // After the store thread is joined.
  void close() { commit_.reset(); }

 private:
  // Counts one answer of the queue and turns it into the caller's.
  result<emitted_run> account(const planned_run& p, result<store::enqueue_result> r) {
    if (!r) {
      ctx_.metrics().rejected(r.error().category == errc::unavailable ? rejection::queue_full
                                                                      : rejection::storage);
      return std::move(r).error();
    }
    const bool dup = r->kind == store::enqueue_result::duplicate;
    if (dup)
      ctx_.metrics().duplicate(p.runner->kind);
    else
      ctx_.metrics().accepted(p.runner->kind);
    return emitted_run{std::string(p.runner->integration), std::string(p.runner->workflow),
                       r->run_id, dup};
  }

  // Counts each run's answer and gathers them; wakes the executor when a run was queued. An
  // entry refused as a whole is every run's answer.
  result<emit_receipt> collect(const std::vector<planned_run>& planned,
                               result<store::group_commit::answers> entry) {
    std::vector<result<store::enqueue_result>> answers;
    if (entry)
      answers = std::move(*entry);
    else
      answers.assign(planned.size(), entry.error());
    emit_receipt out;
    std::optional<::syncline::error> first_error;
    for (std::size_t i = 0; i < planned.size(); ++i) {
      auto r = account(planned[i], i < answers.size()
                                       ? std::move(answers[i])
                                       : make_error(errc::internal, "the run was not answered"));
      if (!r) {
        if (!first_error) first_error = std::move(r).error();
        continue;
      }
      out.runs.push_back(std::move(*r));
    }
    // The taker rang for the runs it did not lease (store::lease_taker): a claim of runs already
    // running would find nothing.
    if (!out.runs.empty() && !taker_rings_) wake();
    if (first_error) return *first_error;
    return out;
  }

  result<emit_receipt> submit_blocking(std::vector<planned_run> planned) {
    // The answer is delivered on the store thread, which only fulfils the promise: not on an io
    // thread (emit may be called from one) nor on asio's system executor (whose threads do not
    // survive a fork, and which the engine does not own).
    if (planned.empty()) return emit_receipt{};
    std::vector<store::new_run> runs;
    runs.reserve(planned.size());
    for (auto& p : planned) runs.push_back(std::move(p.run));  // account() needs only the runner
    std::promise<result<store::group_commit::answers>> promise;
    auto answer = promise.get_future();
    commit_->async_submit_all(
        std::move(runs),
        boost::asio::bind_executor(ctx_.store_thread().get_executor(),
                                   [&promise](result<store::group_commit::answers> r) {
                                     promise.set_value(std::move(r));
                                   }));
    auto answers = answer.get();
    return collect(planned, std::move(answers));
  }

  engine_context& ctx_;
  const registry& registry_;
  doorbell& bell_;
  const bool taker_rings_;  // the group commit's taker rings bell_ itself
  std::shared_ptr<std::atomic<std::int64_t>> events_ =
      std::make_shared<std::atomic<std::int64_t>>(0);
  std::unique_ptr<store::group_commit> commit_;
};

}  // namespace syncline::detail
