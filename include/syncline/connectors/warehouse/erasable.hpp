// warehouse::erasable: privacy erasure of a warehouse table without knowing its row type. The
// engine erases a redacted customer's or shop's rows from every sink an integration writes to
// (issue 14), and holds the sinks only as the services it was given; each becomes an erasable
// through make_erasable, and the engine calls the two functions on all of them alike.
//
//   std::vector<std::unique_ptr<warehouse::erasable>> sinks;
//   sinks.push_back(warehouse::make_erasable(orders_sink));  // any sqlite/postgres/bigquery/
//   ...                                                      // snowflake sink
//   for (auto& s : sinks) auto n = co_await s->erase_tenant("shop-1");
//
// Like the sinks, this names no Asio: the awaitable is only declared here.
#pragma once

#include <syncline/core/awaitable.hpp>
#include <syncline/core/result.hpp>

#include <concepts>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::warehouse {

// A sink that erases by key and by tenant: every warehouse sink (batched_sink has both).
template <class S>
concept erasable_sink = requires(S& s, std::string tenant, std::vector<std::string> keys) {
  typename S::table_type;
  requires std::same_as<decltype(s.erase_keys(tenant, keys)), awaitable<result<std::int64_t>>>;
  requires std::same_as<decltype(s.erase_tenant(tenant)), awaitable<result<std::int64_t>>>;
};

// The two erasures of one table (see batched_sink::erase_keys and erase_tenant for what a key
// is, and what is not found).
class erasable {
 public:
  virtual ~erasable() = default;
  // The table's name ("analytics.orders"), for the engine's record of what it erased.
  virtual std::string_view table() const noexcept = 0;
  virtual awaitable<result<std::int64_t>> erase_keys(std::string tenant,
                                                     std::vector<std::string> keys) = 0;
  virtual awaitable<result<std::int64_t>> erase_tenant(std::string tenant) = 0;
};

// An erasable that forwards to `sink`, which must outlive it.
template <erasable_sink Sink>
class erasable_ref final : public erasable {
 public:
  explicit erasable_ref(Sink& sink) noexcept : sink_(sink) {}
  std::string_view table() const noexcept override { return Sink::table_type::name; }
  // awaitable_for: the same type, spelled dependent, so that it need be complete only where the
  // adapter is made (after Asio's header), not here.
  awaitable_for<result<std::int64_t>, Sink> erase_keys(std::string tenant,
                                                       std::vector<std::string> keys) override {
    return sink_.erase_keys(std::move(tenant), std::move(keys));
  }
  awaitable_for<result<std::int64_t>, Sink> erase_tenant(std::string tenant) override {
    return sink_.erase_tenant(std::move(tenant));
  }

 private:
  Sink& sink_;
};

template <erasable_sink Sink>
std::unique_ptr<erasable> make_erasable(Sink& sink) {
  return std::make_unique<erasable_ref<Sink>>(sink);
}

}  // namespace syncline::warehouse
