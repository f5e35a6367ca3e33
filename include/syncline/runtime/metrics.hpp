// The engine's counters and histograms, and their Prometheus text exposition (format 0.0.4),
// served at GET /metrics. Counters are atomics updated on the hot path without a lock; labels
// are per (integration, workflow) and per trigger kind, never per tenant (a tenant label would
// make one series per customer).
#pragma once

#include <syncline/core/trigger.hpp>
#include <syncline/store/run.hpp>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace syncline {

class counter {
 public:
  void add(std::uint64_t n = 1) noexcept { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

// Fixed buckets in seconds, from 1 ms (a run of pure blocks) to 5 min (a run that waited
// through retries).
class histogram {
 public:
  static constexpr std::array<double, 15> bounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                 0.5,   1,      2.5,   5,    10,    60,   300};

  void observe(double seconds) noexcept {
    std::size_t i = 0;
    while (i < bounds.size() && seconds > bounds[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_micros_.fetch_add(seconds > 0 ? static_cast<std::uint64_t>(seconds * 1e6) : 0,
                          std::memory_order_relaxed);
  }
  std::uint64_t count() const noexcept {
    std::uint64_t n = 0;
    for (const auto& b : buckets_) n += b.load(std::memory_order_relaxed);
    return n;
  }
  // Observations at or below bounds[i] (i == bounds.size(): all of them).
  std::uint64_t cumulative(std::size_t i) const noexcept {
    std::uint64_t n = 0;
    for (std::size_t k = 0; k <= i && k < buckets_.size(); ++k)
      n += buckets_[k].load(std::memory_order_relaxed);
    return n;
  }
  double sum() const noexcept {
    return static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6;
  }

 private:
  std::array<std::atomic<std::uint64_t>, bounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> sum_micros_{0};
};

// The counters of one installed workflow.
struct workflow_metrics {
  std::string integration;
  std::string workflow;
  counter started;        // attempts begun
  counter succeeded;      // runs completed
  counter skipped;        // runs a filter or guard ended
  counter failed;         // attempts that failed (retried or dead-lettered)
  counter retried;        // failed attempts given another one
  counter dead_lettered;  // runs given up on
};

// Why an incoming event was not queued.
enum class rejection { bad_request, unauthorized, not_found, queue_full, storage };
inline constexpr std::array<std::string_view, 5> rejection_names{
    "bad_request", "unauthorized", "not_found", "queue_full", "storage"};

class engine_metrics {
 public:
  static constexpr std::size_t kinds = 5;  // trigger_kind values

  // Stable address for the life of the metrics (a deque never moves its elements).
  workflow_metrics& add_workflow(std::string_view integration, std::string_view workflow) {
    std::lock_guard lock(mu_);
    for (auto& w : workflows_)
      if (w.integration == integration && w.workflow == workflow) return w;
    auto& w = workflows_.emplace_back();
    w.integration = std::string(integration);
    w.workflow = std::string(workflow);
    return w;
  }

  void accepted(trigger_kind k, std::uint64_t n = 1) noexcept {
    accepted_[static_cast<std::size_t>(k)].add(n);
  }
  void duplicate(trigger_kind k) noexcept { duplicates_[static_cast<std::size_t>(k)].add(); }
  void rejected(rejection r) noexcept { rejected_[static_cast<std::size_t>(r)].add(); }
  void poll_failed() noexcept { poll_errors_.add(); }
  void store_failed() noexcept { store_errors_.add(); }
  // One transaction that ended `runs` runs (batched completion).
  void completion_batch(std::uint64_t runs) noexcept {
    completion_batches_.add();
    completed_in_batches_.add(runs);
  }
  std::uint64_t completion_batches() const noexcept { return completion_batches_.value(); }
  std::uint64_t completed_in_batches() const noexcept { return completed_in_batches_.value(); }
  // One claim (one store transaction) that leased `runs` runs, none when nothing was due.
  void claim(std::uint64_t runs) noexcept {
    claims_.add();
    claimed_.add(runs);
  }
  std::uint64_t claims() const noexcept { return claims_.value(); }
  std::uint64_t claimed() const noexcept { return claimed_.value(); }
  // Runs leased in the transaction that queued them, run without a claim
  // (engine_options::lease_on_enqueue).
  void leased_on_enqueue(std::uint64_t runs) noexcept { leased_on_enqueue_.add(runs); }
  std::uint64_t leased_on_enqueue() const noexcept { return leased_on_enqueue_.value(); }

  std::uint64_t accepted_count(trigger_kind k) const noexcept {
    return accepted_[static_cast<std::size_t>(k)].value();
  }
  std::uint64_t duplicate_count(trigger_kind k) const noexcept {
    return duplicates_[static_cast<std::size_t>(k)].value();
  }
  std::uint64_t rejected_count(rejection r) const noexcept {
    return rejected_[static_cast<std::size_t>(r)].value();
  }

  histogram run_duration;  // one attempt, claim to completion
  histogram run_latency;   // enqueue to final status (retries included)

  // The exposition text. `counts` is the store's view of the queue (it also holds runs queued by
  // other processes sharing the database); `in_flight` the runs this engine is executing;
  // `commit_pending` the entries its group commit holds (store::group_commit::pending).
  std::string render(const store::run_counts& counts, std::int64_t in_flight,
                     std::size_t commit_pending = 0) const {
    std::string out;
    out.reserve(4096);
    {
      std::lock_guard lock(mu_);
      auto per_workflow = [&](std::string_view name, std::string_view help, auto member) {
        header(out, name, help, "counter");
        for (const auto& w : workflows_) {
          out += name;
          out += "{integration=\"";
          label(out, w.integration);
          out += "\",workflow=\"";
          label(out, w.workflow);
          out += "\"} ";
          out += std::to_string((w.*member).value());
          out += '\n';
        }
      };
      per_workflow("syncline_runs_started_total", "Run attempts started.",
                   &workflow_metrics::started);
      per_workflow("syncline_runs_succeeded_total", "Runs completed.",
                   &workflow_metrics::succeeded);
      per_workflow("syncline_runs_skipped_total", "Runs ended by a filter or guard.",
                   &workflow_metrics::skipped);
      per_workflow("syncline_runs_failed_total", "Run attempts that failed.",
                   &workflow_metrics::failed);
      per_workflow("syncline_runs_retried_total", "Failed attempts scheduled for a retry.",
                   &workflow_metrics::retried);
      per_workflow("syncline_runs_dead_lettered_total", "Runs moved to the dead letters.",
                   &workflow_metrics::dead_lettered);
    }
    auto per_kind = [&](std::string_view name, std::string_view help, const auto& arr) {
      header(out, name, help, "counter");
      for (std::size_t k = 0; k < kinds; ++k) {
        out += name;
        out += "{trigger=\"";
        out += to_string(static_cast<trigger_kind>(k));
        out += "\"} ";
        out += std::to_string(arr[k].value());
        out += '\n';
      }
    };
    per_kind("syncline_events_accepted_total", "Trigger events durably queued as runs.", accepted_);
    per_kind("syncline_events_duplicate_total",
             "Trigger events answered as duplicates of a queued event.", duplicates_);
    header(out, "syncline_events_rejected_total", "Trigger events refused, by reason.", "counter");
    for (std::size_t r = 0; r < rejection_names.size(); ++r) {
      out += "syncline_events_rejected_total{reason=\"";
      out += rejection_names[r];
      out += "\"} ";
      out += std::to_string(rejected_[r].value());
      out += '\n';
    }
    simple(out, "syncline_poll_errors_total", "Poll fetches that failed (the cursor stayed).",
           "counter", poll_errors_.value());
    simple(out, "syncline_store_errors_total", "Store calls of the engine that failed.", "counter",
           store_errors_.value());
    header(out, "syncline_queue_runs", "Runs in the durable queue, by status.", "gauge");
    const std::pair<std::string_view, std::int64_t> statuses[] = {{"queued", counts.queued},
                                                                  {"running", counts.running},
                                                                  {"retry_wait", counts.retry_wait},
                                                                  {"dead", counts.dead}};
    for (const auto& [status, n] : statuses) {
      out += "syncline_queue_runs{status=\"";
      out += status;
      out += "\"} ";
      out += std::to_string(n);
      out += '\n';
    }
    simple(out, "syncline_queue_depth", "Unfinished runs (queued, running, retry_wait).", "gauge",
           static_cast<std::uint64_t>(counts.unfinished()));
    simple(out, "syncline_runs_in_flight",
           "Runs this engine claimed and has not ended (running, or their end being written).",
           "gauge", static_cast<std::uint64_t>(in_flight < 0 ? 0 : in_flight));
    simple(out, "syncline_commit_pending",
           "Entries the group commit holds, gathering or being written: an event's runs, or a "
           "batch of run ends. At commit.max_pending new events are refused (503).",
           "gauge", static_cast<std::uint64_t>(commit_pending));
    simple(out, "syncline_claims_total", "Claims of due runs (one store transaction each).",
           "counter", claims_.value());
    simple(out, "syncline_claimed_runs_total",
           "Runs leased by those claims (divided by the claims: the mean claim size).", "counter",
           claimed_.value());
    simple(out, "syncline_runs_leased_on_enqueue_total",
           "Runs leased in the transaction that queued them and run at once, without a claim.",
           "counter", leased_on_enqueue_.value());
    simple(out, "syncline_completion_batches_total",
           "Store transactions that ended finished runs (batched completion).", "counter",
           completion_batches_.value());
    simple(out, "syncline_completion_batch_runs_total",
           "Runs ended by those transactions (divided by the batches: the mean batch size).",
           "counter", completed_in_batches_.value());
    histo(out, "syncline_run_duration_seconds", "Duration of one run attempt.", run_duration);
    histo(out, "syncline_run_latency_seconds",
          "Time from an event's enqueue to its run's final status.", run_latency);
    return out;
  }

 private:
  static void header(std::string& out, std::string_view name, std::string_view help,
                     std::string_view type) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
  }
  static void simple(std::string& out, std::string_view name, std::string_view help,
                     std::string_view type, std::uint64_t v) {
    header(out, name, help, type);
    out += name;
    out += ' ';
    out += std::to_string(v);
    out += '\n';
  }
  // Label values escape backslash, double quote and line feed (exposition format 0.0.4).
  static void label(std::string& out, std::string_view v) {
    for (char c : v) {
      if (c == '\\')
        out += "\\\\";
      else if (c == '"')
        out += "\\\"";
      else if (c == '\n')
        out += "\\n";
      else
        out += c;
    }
  }
  static std::string number(double v) {
    std::string s = std::to_string(v);
    while (s.size() > 1 && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }
  static void histo(std::string& out, std::string_view name, std::string_view help,
                    const histogram& h) {
    header(out, name, help, "histogram");
    for (std::size_t i = 0; i <= histogram::bounds.size(); ++i) {
      out += name;
      out += "_bucket{le=\"";
      out += i < histogram::bounds.size() ? number(histogram::bounds[i]) : "+Inf";
      out += "\"} ";
      out += std::to_string(h.cumulative(i));
      out += '\n';
    }
    out += name;
    out += "_sum ";
    out += number(h.sum());
    out += '\n';
    out += name;
    out += "_count ";
    out += std::to_string(h.count());
    out += '\n';
  }

  mutable std::mutex mu_;
  std::deque<workflow_metrics> workflows_;
  std::array<counter, kinds> accepted_{};
  std::array<counter, kinds> duplicates_{};
  std::array<counter, rejection_names.size()> rejected_{};
  counter poll_errors_;
  counter store_errors_;
  counter completion_batches_;
  counter completed_in_batches_;
  counter claims_;
  counter claimed_;
  counter leased_on_enqueue_;
};

}  // namespace syncline
