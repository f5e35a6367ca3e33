// The one place type erasure appears: each installed (integration, workflow) becomes a runner
// that the engine can keep in a table with every other workflow and call with a run's JSON
// payload. The pipeline itself stays un-erased: the runner decodes the payload to the
// workflow's payload_type and awaits the workflow's own run().
#pragma once

#include <syncline/core/detail/cron.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/core/run_ending.hpp>
#include <syncline/core/trigger.hpp>
#include <syncline/core/type_name.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/runtime/detail/payload_codec.hpp>
#include <syncline/runtime/metrics.hpp>
#include <syncline/runtime/poll_page.hpp>
#include <syncline/runtime/retry_policy.hpp>

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::detail {

// A type's identity without RTTI: one object per type.
template <class T>
const void* type_key() noexcept {
  static constexpr char key = 0;
  return &key;
}

// One page of a poll, with its records already as queue payloads.
struct polled_page {
  struct item {
    std::string payload;
    std::string dedupe_key;  // "" when the trigger gives none
  };
  std::vector<item> items;
  std::string cursor;
  bool more = false;
};

class runner {
 public:
  runner(std::string_view integration, std::string_view app, std::string_view workflow,
         syncline::version version, trigger_kind kind, std::string_view trigger_app,
         std::string_view trigger, workflow_metrics& metrics)
      : integration(integration),
        app(app),
        workflow(workflow),
        version(version),
        kind(kind),
        trigger_app(trigger_app),
        trigger(trigger),
        metrics(metrics) {}
  virtual ~runner() = default;
  runner(const runner&) = delete;
  runner& operator=(const runner&) = delete;

  const std::string_view integration;
  const std::string_view app;
  const std::string_view workflow;
  // Which version of the workflow this is, and which versions' runs it runs (version.hpp).
  const syncline::version version;
  const trigger_kind kind;
  // The app the trigger is about: whose deliveries start this workflow (a webhook's app, the
  // platform for an app event). How they are authenticated is that app's, not this runner's.
  const std::string_view trigger_app;
  const std::string_view trigger;  // event name, topic, poll/schedule/manual name
  workflow_metrics& metrics;

  // Decodes the payload of a run `queued_by` a version of the workflow (this one, or an older one
  // it runs) and runs the workflow on it.
  virtual boost::asio::awaitable<result<run_ending>> run(std::string_view payload,
                                                         std::uint32_t queued_by,
                                                         run_context& ctx) const = 0;
  // Whether the payload decodes (an app event is refused at the door rather than dead-lettered).
  virtual result<void> check_payload(std::string_view payload) const = 0;
  virtual const void* payload_type() const noexcept = 0;
  virtual std::string_view payload_type_name() const noexcept = 0;

  // The policy of the part at `position` (0 = trigger, 1 = first block, ...).
  virtual const retry_policy& policy_at(std::size_t position) const noexcept = 0;
  // The most attempts any part allows: a run claimed more often than this (its process died
  // every time) is dead-lettered instead of being run again.
  virtual int max_attempts() const noexcept = 0;

  // Poll and schedule triggers.
  virtual const schedule_spec* spec() const noexcept { return nullptr; }
  virtual boost::asio::awaitable<result<polled_page>> fetch(run_context&, std::string_view) const {
    co_return make_error(errc::internal, "not a poll trigger");
  }
};

template <class B>
retry_policy policy_of(const retry_policy& fallback) {
  if constexpr (declares_retry_policy<B>)
    return B::retry;
  else
    return fallback;
}

template <class Workflow>
struct workflow_parts_of;
template <fixed_string N, error_policy P, version V, class T, class... B>
struct workflow_parts_of<workflow_definition<N, P, V, T, B...>> {
  static std::vector<retry_policy> policies(const retry_policy& fallback) {
    return {fallback, policy_of<B>(fallback)...};
  }
};
template <class W, class Old, class F>
struct workflow_parts_of<upgrading_workflow<W, Old, F>> : workflow_parts_of<W> {};

// Whether the workflow reads older versions' runs through upgrades_from (version.hpp).
template <class Workflow>
concept upgrades_older_runs = requires {
  typename Workflow::old_payload_type;
};

template <class App>
concept has_credentials = requires {
  typename App::credentials;
};

template <class Workflow>
class workflow_runner final : public runner {
 public:
  using trigger_type = typename Workflow::trigger_type;
  using payload_t = typename Workflow::payload_type;

  workflow_runner(std::string_view integration, std::string_view app, const Workflow& wf,
                  workflow_metrics& metrics, const retry_policy& fallback)
      : runner(integration, app, Workflow::name, Workflow::version, trigger_type::kind,
               trigger_type::app_type::name, trigger_type::name, metrics),
        wf_(wf),
        policies_(workflow_parts_of<Workflow>::policies(fallback)) {
    for (const auto& p : policies_) max_attempts_ = std::max(max_attempts_, p.max_attempts);
  }

  boost::asio::awaitable<result<run_ending>> run(std::string_view payload, std::uint32_t queued_by,
                                                 run_context& ctx) const override {
    auto value = read(payload, queued_by);
    if (!value) co_return std::move(value).error();
    co_return co_await wf_.run(std::move(*value), ctx);
  }

  result<void> check_payload(std::string_view payload) const override {
    auto value = payload_codec<payload_t>::decode(payload);
    if (!value) return decode_error(std::move(value).error(), Workflow::version.number);
    return {};
  }
  const void* payload_type() const noexcept override { return type_key<payload_t>(); }
  std::string_view payload_type_name() const noexcept override {
    return syncline::type_name<payload_t>();
  }

  const retry_policy& policy_at(std::size_t position) const noexcept override {
    return policies_[std::min(position, policies_.size() - 1)];
  }
  int max_attempts() const noexcept override { return max_attempts_; }

  const schedule_spec* spec() const noexcept override {
    if constexpr (trigger_type::kind == trigger_kind::poll ||
                  trigger_type::kind == trigger_kind::schedule)
      return &trigger_type::spec;
    else
      return nullptr;
  }

  boost::asio::awaitable<result<polled_page>> fetch(run_context& ctx,
                                                    std::string_view cursor) const override {
    if constexpr (pollable_trigger<trigger_type>) {
      auto page = co_await trigger_type::fetch(ctx, cursor);
      if (!page) co_return std::move(page).error();
      polled_page out;
      out.items.reserve(page->items.size());
      for (const auto& item : page->items) {
        std::string key;
        if constexpr (keyed_poll<trigger_type>) key = std::string(trigger_type::dedupe_key(item));
        out.items.push_back({payload_codec<payload_t>::encode(item), std::move(key)});
      }
      out.cursor = std::move(page->cursor);
      out.more = page->more;
      co_return out;
    } else {
      co_return co_await runner::fetch(ctx, cursor);
    }
  }

 private:
  // The payload as this version takes it. A run an older version queued is read as this
  // version's payload (runs_from alone: the JSON is the same), or, when the workflow declares
  // upgrades_from, as the old payload type and converted.
  result<payload_t> read(std::string_view payload, std::uint32_t queued_by) const {
    if constexpr (upgrades_older_runs<Workflow>) {
      if (queued_by != Workflow::version.number) {
        using old_t = typename Workflow::old_payload_type;
        auto old = payload_codec<old_t>::decode(payload);
        if (!old) return decode_error<old_t>(std::move(old).error(), queued_by);
        auto upgraded = wf_.upgrade(*old);
        if (!upgraded) return upgrade_error<old_t>(std::move(upgraded).error(), queued_by);
        return upgraded;
      }
    }
    auto value = payload_codec<payload_t>::decode(payload);
    if (!value) return decode_error(std::move(value).error(), queued_by);
    return value;
  }

  template <class As = payload_t>
  ::syncline::error decode_error(::syncline::error e, std::uint32_t queued_by) const {
    std::string by;
    if (queued_by != Workflow::version.number)
      by = " (queued by version " + std::to_string(queued_by) + ")";
    e.message = "the " + std::string(to_string(kind)) + " payload of \"" + std::string(trigger) +
                "\"" + by + " does not decode as " + std::string(syncline::type_name<As>()) + ": " +
                e.message;
    return e;
  }

  // The conversion answered an error: the same payload would fail the same way again, so the
  // run is dead-lettered (invalid_input is never retried by default), with the conversion's own
  // category and message kept in the text.
  template <class Old>
  ::syncline::error upgrade_error(const ::syncline::error& e, std::uint32_t queued_by) const {
    return make_error(errc::invalid_input,
                      "a run of version " + std::to_string(queued_by) + " of workflow \"" +
                          std::string(workflow) + "\" could not become a run of version " +
                          std::to_string(Workflow::version.number) + ": upgrades_from<" +
                          std::string(syncline::type_name<Old>()) +
                          "> could not convert its payload to " +
                          std::string(syncline::type_name<payload_t>()) + ": " + to_string(e));
  }

  const Workflow& wf_;
  std::vector<retry_policy> policies_;
  int max_attempts_ = 1;
};

}  // namespace syncline::detail
