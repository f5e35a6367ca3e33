// syncline::run_context: what one run carries besides its payload — which tenant and run it is,
// a stable idempotency key per block, the services the runtime hands to connectors (HTTP client,
// credentials, ...) without core knowing what they are, and an observer for the run log.
#pragma once

#include <syncline/core/outcome.hpp>
#include <syncline/core/result.hpp>

#include <array>
#include <cassert>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace syncline {

class run_context;

enum class block_phase { started, succeeded, skipped, failed };

constexpr std::string_view to_string(block_phase p) noexcept {
  switch (p) {
    case block_phase::started: return "started";
    case block_phase::succeeded: return "succeeded";
    case block_phase::skipped: return "skipped";
    case block_phase::failed: return "failed";
  }
  return "unknown";
}

// One entry of the run log, reported for every top-level part of a workflow as it happens. (Its
// stored row is store::block_event_record.)
struct block_event {
  std::size_t position = 0;  // 0 = trigger, 1 = first block, ...
  std::string_view block;    // the block's name
  std::string_view kind;     // "map", "filter", "destination", ...
  block_phase phase = block_phase::started;
  const error* failure = nullptr;      // phase == failed: what went wrong
  const skipped* skip_info = nullptr;  // phase == skipped: which block said no, and why
};

// Receives block events. The runtime implements it to write the run log; nobody pays for it
// when no observer is set (the runners check once per run, not once per block).
class run_observer {
 public:
  virtual void on_block(const run_context& ctx, const block_event& event) = 0;

 protected:
  ~run_observer() = default;
};

// Who and which run: filled by the runtime when it claims a run from the queue.
struct run_info {
  std::string tenant;       // the installation the run belongs to
  std::string run_id;       // stable across attempts of the same run
  std::string integration;  // the integration's name
  int attempt = 1;          // 1 for the first try
};

namespace detail {
struct run_access;
}

// One step of the path that ends an idempotency key: a block's name, an arm's name ("then",
// "else", a route's case, "copy"), or, when `name` is empty, the index of a for_each element.
struct key_step {
  std::string_view name;
  std::size_t index = 0;
};

class run_context {
 public:
  // Nesting of composite blocks (branch, route, for_each, also) the idempotency key can tell
  // apart; workflow<...>() rejects deeper nesting at compile time.
  static constexpr std::size_t max_nesting = 7;

  run_context() = default;
  explicit run_context(run_info info) : info_(std::move(info)) {}

  std::string_view tenant() const noexcept { return info_.tenant; }
  std::string_view run_id() const noexcept { return info_.run_id; }
  std::string_view integration() const noexcept { return info_.integration; }
  std::string_view workflow() const noexcept { return workflow_; }
  int attempt() const noexcept { return info_.attempt; }

  // Where the block being run is, as the steps of its idempotency key: its name at the top
  // level, then for each enclosing composite block the arm (or element) and the name inside it.
  const key_step* key_path() const noexcept { return path_.data(); }
  std::size_t key_depth() const noexcept { return depth_; }

  // "<tenant>/<integration>/<workflow>/<run id>/<block name path>", e.g. "shop-1/crm_sync/
  // push_orders/r-42/to_crm", ".../big_order.then.to_crm" inside arm `then` of branch
  // `big_order`, ".../by_market.eu.to_crm" in case `eu` of a route, ".../each_line.5.to_crm"
  // for element 5 of a for_each. The same for every attempt of a run, different for every block
  // and element (workflow<...>() rejects two blocks of one name that take the context in one
  // list). Made of names only, so that inserting a block elsewhere in the workflow changes no
  // other block's key: a destination that sends it with its write makes the write happen once
  // however often the run is retried, by this binary or the next one.
  std::string idempotency_key() const {
    std::size_t size = info_.tenant.size() + info_.integration.size() + workflow_.size() +
                       info_.run_id.size() + 4 + depth_;
    for (std::size_t i = 0; i != depth_; ++i)
      size += path_[i].name.empty() ? 10 : path_[i].name.size();
    std::string key;
    key.reserve(size);
    key += info_.tenant;
    key += '/';
    key += info_.integration;
    key += '/';
    key += workflow_;
    key += '/';
    key += info_.run_id;
    key += '/';
    for (std::size_t i = 0; i != depth_; ++i) {
      if (i != 0) key += '.';
      if (path_[i].name.empty())
        key += std::to_string(path_[i].index);
      else
        key += path_[i].name;
    }
    return key;
  }

  // Type-indexed services. The runtime provides them before the run; a connector's block asks
  // for what it needs and reports a clear error when it is missing. Not owned: the provider
  // keeps the service alive for the run.
  template <class T>
  void provide(T& service) {
    const void* key = key_of<std::remove_cv_t<T>>();
    for (auto& [k, v] : services_) {
      if (k == key) {
        v = const_cast<std::remove_cv_t<T>*>(&service);
        return;
      }
    }
    services_.emplace_back(key, const_cast<std::remove_cv_t<T>*>(&service));
  }
  template <class T>
  T* service() const noexcept {
    const void* key = key_of<std::remove_cv_t<T>>();
    for (const auto& [k, v] : services_)
      if (k == key) return static_cast<T*>(v);
    return nullptr;
  }

  void set_observer(run_observer* o) noexcept { observer_ = o; }
  run_observer* observer() const noexcept { return observer_; }

 private:
  friend struct detail::run_access;

  template <class T>
  static const void* key_of() noexcept {
    // One object per type, so its address is a type id without RTTI.
    static constexpr char key = 0;
    return &key;
  }

  run_info info_;
  std::string_view workflow_;
  std::vector<std::pair<const void*, void*>> services_;
  run_observer* observer_ = nullptr;
  std::array<key_step, 2 * max_nesting + 1> path_{};
  std::size_t depth_ = 1;
  std::string_view failed_block_;  // the block whose error is on its way to a recover block
};

namespace detail {
// What the runners (and only they) change on a context.
struct run_access {
  static void begin(run_context& ctx, std::string_view workflow) noexcept {
    ctx.workflow_ = workflow;
    ctx.depth_ = 1;
    ctx.path_[0] = key_step{};
  }
  // The block about to run, by name (the last step of the key path).
  static void set_block(run_context& ctx, std::string_view block) noexcept {
    ctx.path_[ctx.depth_ - 1] = key_step{block};
  }
  // Enter an arm (or element) of the composite block being run; set_block names the blocks in it.
  static void enter(run_context& ctx, key_step arm) noexcept {
    assert(ctx.depth_ + 2 <= ctx.path_.size());
    ctx.path_[ctx.depth_] = arm;
    ctx.path_[ctx.depth_ + 1] = key_step{};
    ctx.depth_ += 2;
  }
  static void leave(run_context& ctx) noexcept { ctx.depth_ -= 2; }
  static void set_failed_block(run_context& ctx, std::string_view block) noexcept {
    ctx.failed_block_ = block;
  }
  static std::string_view failed_block(const run_context& ctx) noexcept {
    return ctx.failed_block_;
  }
  static void notify(run_context& ctx, const block_event& e) {
    if (ctx.observer_) ctx.observer_->on_block(ctx, e);
  }
};

// Leaves an arm on every path out of it, including early returns.
class arm_scope {
 public:
  arm_scope(run_context& ctx, key_step arm) noexcept : ctx_(ctx) { run_access::enter(ctx_, arm); }
  ~arm_scope() { run_access::leave(ctx_); }
  arm_scope(const arm_scope&) = delete;
  arm_scope& operator=(const arm_scope&) = delete;

 private:
  run_context& ctx_;
};
}  // namespace detail

}  // namespace syncline
