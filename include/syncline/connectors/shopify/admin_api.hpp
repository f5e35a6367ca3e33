// shopify::admin_api: how the Shopify actions call the Admin API of one shop — the tenant's
// credentials, the engine's HTTP client and the shop's pacer put together for one action. Every
// attempt first waits for room in the shop's bucket; a 429 (REST) or a THROTTLED answer
// (GraphQL, in a 200 or a 429) is waited out as Shopify says and sent again, since Shopify did
// not run it. A 5xx or a lost answer is retried only for a call that is safe to repeat; for the
// others (creating an order) the caller decides, because the call may have happened.
//
// Errors name the call ("POST orders.json (acme.myshopify.com)") and what Shopify said; the
// access token travels in a header and is never part of a message.
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/connector.hpp>
#include <syncline/connectors/shopify/pacer.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/message.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace syncline::shopify {

// May a call be sent again after a 5xx or a lost answer? Reads may; a create may not (it may
// have happened: the caller looks for it first).
enum class repeat { safe, unsafe };

// A successful REST answer. The body stays JSON text, and records are decoded from the text
// (detail::decode_at), never through a boost::json::value: a value keeps only the double of a
// number, so an order whose "id" is 820982911946154508.5 would be reported as
// 820982911946154496, out of range, instead of as the fraction Shopify sent.
struct rest_answer {
  unsigned status = 0;
  std::string body{};  // "" when the answer had none
  std::string
      next_page_info{};  // page_info of the Link header's rel="next"; empty on the last page
};

class admin_api {
 public:
  // `shared`: the store whose rate buckets every engine process shares (nullptr: this process
  // paces alone); used only when the connector's share_rate_limits is on.
  admin_api(http::client& client, const credentials& creds, connector& conn,
            store::store* shared = nullptr)
      : client_(&client),
        creds_(&creds),
        conn_(&conn),
        pacer_(&conn.pacer_for(creds)),
        shared_(conn.options().share_rate_limits ? shared : nullptr) {}

  // The services an action needs from the run: the HTTP client and the tenant's credentials
  // (the engine provides both) and a shopify::connector (the actions declare it, so
  // engine::install does not compile without one). A missing one (a run outside the engine) is
  // errc::internal naming it: it is a set-up mistake, not something a retry fixes. The run's
  // store (the engine provides it) holds the rate buckets shared with other processes; without
  // one the shop is paced by this process alone.
  SYNCLINE_DECL static result<admin_api> from(const run_context& ctx, std::string_view action);

  const credentials& creds() const noexcept { return *creds_; }
  shopify::pacer& pacer() const noexcept { return *pacer_; }
  const connector_options& options() const noexcept { return conn_->options(); }
  std::string shop() const { return creds_->tenant_key(); }

  // `path` is relative to the version's root: "orders.json?status=any&limit=250".
  SYNCLINE_DECL boost::asio::awaitable<result<rest_answer>> rest(http::verb method,
                                                                 std::string path,
                                                                 std::string body = {},
                                                                 repeat mode = repeat::safe);

  // POST graphql.json with {"query", "variables"}; the answer's `data` object. `operation`
  // names the query for messages and for the pacer, which remembers what it cost last time
  // (`first_cost` is the guess before that).
  SYNCLINE_DECL boost::asio::awaitable<result<boost::json::object>> graphql(
      std::string operation, std::string query, boost::json::object variables, repeat mode,
      double first_cost);

  // The wait before retry number `retry_index` (0 for the first): exponential with full jitter,
  // from the connector's options.
  SYNCLINE_DECL std::chrono::milliseconds backoff(int retry_index) const;

  SYNCLINE_DECL static boost::asio::awaitable<void> sleep(std::chrono::milliseconds d);

 private:
  struct throttle_state {
    double requested = -1;
    double available = -1;
  };

  // The token to send now: the credentials' token source's, when they have one (an expiring
  // token that is refreshed while the engine runs), else their access_token.
  SYNCLINE_DECL secret access_token() const;
  SYNCLINE_DECL http::fields headers(const secret& token) const;
  // After a 401: asks the token source once per call for a newer token than `refused`. True
  // when there is one to send the call again with.
  SYNCLINE_DECL boost::asio::awaitable<bool> renewed(const secret& refused, bool& asked) const;
  SYNCLINE_DECL http::request_options call_options() const;
  SYNCLINE_DECL bool may_retry(repeat mode, errc category, int& failures) const;
  SYNCLINE_DECL static ::syncline::error failed(::syncline::error e, int failures);
  SYNCLINE_DECL static std::optional<std::chrono::milliseconds> retry_after(
      const http::response& res);
  SYNCLINE_DECL static std::string excerpt(std::string_view body);
  SYNCLINE_DECL ::syncline::error too_many_throttles(const std::string& label) const;
  SYNCLINE_DECL ::syncline::error status_error(const http::response& res, const std::string& label,
                                               std::string_view url) const;
  SYNCLINE_DECL static ::syncline::error validation_error(std::string_view body,
                                                          const std::string& label);
  SYNCLINE_DECL throttle_state observe_cost(std::string_view operation,
                                            const boost::json::object& answer);
  SYNCLINE_DECL static std::string_view error_code(const boost::json::value& e);
  SYNCLINE_DECL static bool is_throttled(const boost::json::object& answer);
  SYNCLINE_DECL static std::optional<::syncline::error> graphql_errors(
      const boost::json::object& answer, const std::string& label);

  http::client* client_;
  const credentials* creds_;
  connector* conn_;
  shopify::pacer* pacer_;
  store::store* shared_;
};

}  // namespace syncline::shopify

#if SYNCLINE_HEADER_ONLY
#include <syncline/connectors/shopify/impl/admin_api.ipp>
#endif
