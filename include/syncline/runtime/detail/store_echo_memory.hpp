// The engine's echo memory: remembered writes live in the store (per tenant and integration,
// for the store's echo window), so an echo is recognised even when it arrives after a restart
// or at another process sharing the database.
#pragma once

#include <syncline/blocks/echo_guard.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/runtime/detail/offload.hpp>
#include <syncline/store/echo_record.hpp>
#include <syncline/store/store.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include <string>
#include <string_view>

namespace syncline::detail {

class store_echo_memory final : public echo_memory {
 public:
  store_echo_memory(store::store& target, boost::asio::thread_pool& pool)
      : store_(target), pool_(pool) {}

  boost::asio::awaitable<result<void>> remember(const run_context& ctx, std::string_view scope,
                                                std::string_view record_key,
                                                std::string_view fingerprint) override {
    auto record = make(ctx, scope, record_key, fingerprint);
    // The call is named first: g++ 12 mishandles temporaries with destructors in co_await.
    auto call = [this, record] { return store_.record_echo(record); };
    co_return co_await offload(pool_, std::move(call));
  }

  boost::asio::awaitable<result<bool>> is_echo(const run_context& ctx, std::string_view scope,
                                               std::string_view record_key,
                                               std::string_view fingerprint) override {
    auto record = make(ctx, scope, record_key, fingerprint);
    auto call = [this, record] { return store_.is_echo(record); };
    co_return co_await offload(pool_, std::move(call));
  }

 private:
  // The store keys echoes by (tenant, integration, record id): the scope goes into the id, so
  // "orders" 42 and "customers" 42 are different records.
  static store::echo_record make(const run_context& ctx, std::string_view scope,
                                 std::string_view record_key, std::string_view fingerprint) {
    std::string id(scope);
    id += ':';
    id += record_key;
    return {std::string(ctx.tenant()), std::string(ctx.integration()), std::move(id),
            std::string(fingerprint)};
  }

  store::store& store_;
  boost::asio::thread_pool& pool_;
};

}  // namespace syncline::detail
