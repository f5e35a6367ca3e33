// The data stream: the destination that hands a workflow's records to your own application, as
// a signed JSON POST to an endpoint you choose.
//
//   // the workflow
//   shopify::webhook<"orders/create">{} | ... | data_stream::send_to<"orders">{}
//   // start-up: one stream per endpoint, named, sharing an HTTP client
//   data_stream::stream<"orders"> orders(
//       client, data_stream::options{.endpoint = "https://app.example.com/hooks/orders",
//                                    .signing_secret = stream_secret});
//   eng.install(integration, tenant, syncline::services(orders));  // send_to<"orders"> needs it
//
// (as in examples/shopify_sync: seed_integration.hpp declares, seed_system.hpp installs)
//
// Declaring a workflow with send_to needs neither the HTTP client nor Asio: http::client is
// only declared here. Code that creates a stream includes <syncline/http/client.hpp>.
//
// Each POST carries (see data_stream_signature.hpp for the scheme):
//   Content-Type: application/json            the record, encoded by json::encode
//   X-Syncline-Timestamp / X-Syncline-Signature   HMAC-SHA256 over timestamp + "." + body
//   X-Syncline-Idempotency-Key                 the run's key: the same on every retry of a run
//   X-Syncline-Tenant, X-Syncline-Stream       who the record belongs to, and which stream
// A pipeline whose output is a std::vector<T> posts one JSON array: that is a batch.
// Any 2xx answer is success. 408, 429, 5xx and network failures are transient errors (the
// HTTP client retries 429/502/503/504 at once, honouring Retry-After; the runtime retries the
// run later); other 4xx answers fail the run with the status and the start of the answer.
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/app.hpp>
#include <syncline/core/awaitable.hpp>
#include <syncline/core/block.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/needs.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/http/data_stream_signature.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/json/mappable.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::http {
// Only named here (a stream keeps a reference to the runtime's client): <syncline/http/client.hpp>
// defines it, and with it Beast and Asio, which a TU that only declares workflows does without.
class client;
}  // namespace syncline::http

namespace syncline::data_stream {

struct options {
  std::string endpoint{};   // absolute URL of your application's receiver
  secret signing_secret{};  // shared with the receiver's data_stream::verifier
  std::optional<std::chrono::milliseconds> timeout{};  // per attempt; the client's default if unset
  // The time a POST is signed at; tests set it to exercise the receiver's replay window.
  std::function<std::chrono::system_clock::time_point()> clock = [] {
    return std::chrono::system_clock::now();
  };
};

namespace diagnostic {
template <fixed_string Name>
struct stream_name_is_not_valid {
  static_assert(Name.size() == static_cast<std::size_t>(-1),
                "syncline: data_stream name must be an identifier [a-z][a-z0-9_]* of at most 63 "
                "characters (the stream is named on the line above)");
};
}  // namespace diagnostic

namespace detail {
// The part of a stream that does not depend on its name, compiled once: signs and posts a JSON
// body, and turns the answer into a result.
class stream_sender {
 public:
  // `name` is the stream's Name, a constant of the program.
  SYNCLINE_DECL stream_sender(std::string_view name, http::client& client, options opts);

  SYNCLINE_DECL awaitable<result<void>> send_json(std::string body,
                                                  std::string_view idempotency_key,
                                                  std::string_view tenant);

  std::vector<secret> secrets() const { return {options_.signing_secret}; }

 private:
  std::string_view name_;
  http::client& client_;
  options options_;
  std::string where_;         // for messages: the stream and its URL without the query
  std::string bad_endpoint_;  // why the endpoint did not parse, if it did not
};
}  // namespace detail

// One endpoint of your application. `Name` tells streams apart in the run context, in the
// X-Syncline-Stream header and in messages.
template <fixed_string Name>
class stream {
  static constexpr bool check_name() {
    constexpr bool ok = is_valid_name(name_kind::identifier, std::string_view(Name));
    if constexpr (!ok) (void)sizeof(diagnostic::stream_name_is_not_valid<Name>);
    return ok;
  }
  static_assert(check_name() || true);  // the diagnostic above is the one error shown

 public:
  static constexpr std::string_view name = std::string_view(Name);

  // The client must outlive the stream (the runtime owns both).
  stream(http::client& client, options opts) : sender_(name, client, std::move(opts)) {}

  // Posts `record` as JSON, signed. `idempotency_key` lets the receiver drop a repeat.
  template <json::mappable T>
  awaitable_for<result<void>, T> send(const T& record, std::string_view idempotency_key,
                                      std::string_view tenant) {
    co_return co_await sender_.send_json(json::encode(record), idempotency_key, tenant);
  }

  // Posts a body that is already JSON. (awaitable_for: awaitable is only declared here, and a
  // return type that depends on the template need only be complete where the function is used.)
  awaitable_for<result<void>, stream> send_json(std::string body, std::string_view idempotency_key,
                                                std::string_view tenant) {
    return sender_.send_json(std::move(body), idempotency_key, tenant);
  }

  // The signing secret, for the engine's redactor (see syncline::holds_secrets): a receiver
  // that echoes it in an error answer does not get it written to a log.
  std::vector<secret> secrets() const { return sender_.secrets(); }

 private:
  detail::stream_sender sender_;
};

// The destination block: posts the workflow's output to the stream named `Name`, a service it
// needs (engine::install does not compile without it).
template <fixed_string Name>
struct send_to : syncline::destination {
  using app_type = syncline::platform;
  using services = syncline::needs<stream<Name>>;
  static constexpr std::string_view name = std::string_view(Name);
  static constexpr std::string_view kind = "data_stream";

  template <json::mappable T>
  awaitable_for<result<void>, T> operator()(T record, run_context& ctx) const {
    stream<Name>* target = ctx.service<stream<Name>>();
    if (!target) {
      co_return make_error(errc::internal,
                           "no data stream \"" + std::string(name) +
                               "\" was provided to the run: create data_stream::stream<\"" +
                               std::string(name) +
                               "\"> at start-up and put it into the run's context "
                               "(run_context::provide)");
    }
    const std::string key = ctx.idempotency_key();
    co_return co_await target->send(record, key, ctx.tenant());
  }
};

}  // namespace syncline::data_stream

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/impl/data_stream.ipp>
#endif
