// One GraphQL Admin API request, from its body to the answer: parsing, validation, Shopify's
// cost limits (the single-query maximum, the bucket, THROTTLED) and execution against the admin
// schema. The caller turns the result into an HTTP answer and fires the webhooks of ctx.events.
#pragma once

#include <syncline/http/message.hpp>
#include <syncline_emulator/admin_context.hpp>
#include <syncline_emulator/graphql_admin_schema.hpp>
#include <syncline_emulator/graphql_document.hpp>
#include <syncline_emulator/graphql_executor.hpp>
#include <syncline_emulator/leaky_bucket.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace syncline::testing::detail {

struct graphql_result {
  graphql_result(unsigned s, boost::json::object b) : status(s), body(std::move(b)) {}
  unsigned status = 200;
  boost::json::object body;
  std::string retry_after;  // set on a 429
};

inline std::string number(double d) {
  if (d == std::floor(d)) return std::to_string(static_cast<long long>(d));
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc{} ? std::string(buf, end) : std::to_string(d);
}
// Whole numbers as JSON integers (2000, not 2E3), others as doubles.
inline boost::json::value json_number(double d) {
  if (d == std::floor(d) && std::fabs(d) < 9e15) return static_cast<std::int64_t>(d);
  return d;
}

inline boost::json::object throttle_status(leaky_bucket& b, sys_time now) {
  return {{"maximumAvailable", json_number(b.capacity())},
          {"currentlyAvailable", static_cast<std::int64_t>(std::floor(b.available(now) + 1e-9))},
          {"restoreRate", json_number(b.leak_per_second())}};
}

inline graphql_result run_graphql(const http::request& req, admin_context& ctx,
                                  leaky_bucket& bucket, unsigned throttle_status_code) {
  const std::string& served = ctx.api_version;
  const sys_time now = ctx.now;
  std::string query, operation;
  boost::json::object variables;
  const auto ct = req.find(http::field::content_type);
  const std::string_view content_type =
      ct == req.end() ? std::string_view{} : std::string_view(ct->value());
  if (content_type.starts_with("application/graphql")) {
    query = req.body();
  } else {
    boost::system::error_code ec;
    auto body = boost::json::parse(req.body(), ec);
    const auto* q = !ec && body.is_object() ? body.get_object().if_contains("query") : nullptr;
    if (!q || !q->is_string() || q->get_string().empty())
      return graphql_result{
          400,
          boost::json::object{
              {"errors", boost::json::object{{"query", "Required parameter missing or invalid"}}}}};
    query = q->get_string();
    const auto& o = body.get_object();
    if (const auto* v = o.if_contains("variables"); v && v->is_object())
      variables = v->get_object();
    else if (v && v->is_string() && !v->get_string().empty()) {
      // Some clients send variables as a JSON string.
      auto parsed = boost::json::parse(v->get_string(), ec);
      if (!ec && parsed.is_object()) variables = parsed.get_object();
    }
    if (const auto* n = o.if_contains("operationName"); n && n->is_string())
      operation = n->get_string();
  }
  auto parsed = parse_graphql(query);
  if (auto* e = std::get_if<gql_parse_error>(&parsed))
    return graphql_result{
        200, boost::json::object{
                 {"errors", boost::json::array{boost::json::object{
                                {"message", e->message},
                                {"locations", boost::json::array{gql_location_json(e->loc)}}}}}}};
  const auto& doc = std::get<gql_document>(parsed);
  gql_executor<admin_context> exec(admin_schema(), doc);
  auto errors = exec.prepare(operation, variables, served);
  if (!errors.empty())
    return graphql_result{200, boost::json::object{{"errors", std::move(errors)}}};

  const double requested = exec.requested_cost();
  const double max_cost = graphql_max_query_cost;
  if (requested > max_cost) {
    const auto cost = static_cast<std::int64_t>(requested);
    return graphql_result{
        200, boost::json::object{
                 {"errors",
                  boost::json::array{boost::json::object{
                      {"message",
                       "Query cost is " + std::to_string(cost) +
                           ", which exceeds the single query max cost limit (" + number(max_cost) +
                           ").\n\nSee https://shopify.dev/concepts/about-apis/rate-limits "
                           "for more information on how the\ncost of a query is calculated.\n\n"
                           "To query larger amounts of data with fewer limits, bulk operations "
                           "should be used instead.\n"},
                      {"extensions", boost::json::object{{"code", "MAX_COST_EXCEEDED"},
                                                         {"cost", cost},
                                                         {"maxCost", json_number(max_cost)}}}}}}}};
  }
  if (!bucket.try_add(requested, now)) {
    boost::json::object body{
        {"errors",
         boost::json::array{boost::json::object{
             {"message", "Throttled"},
             {"extensions", boost::json::object{{"code", "THROTTLED"},
                                                {"documentation",
                                                 "https://shopify.dev/api/usage/rate-limits"}}}}}},
        {"extensions",
         boost::json::object{
             {"cost", boost::json::object{{"requestedQueryCost", json_number(requested)},
                                          {"actualQueryCost", nullptr},
                                          {"throttleStatus", throttle_status(bucket, now)}}}}}};
    graphql_result r{throttle_status_code == 429 ? 429u : 200u, std::move(body)};
    if (r.status == 429)
      r.retry_after = number(std::max(1.0, std::ceil(bucket.seconds_until(requested, now))));
    return r;
  }
  boost::json::object out = exec.execute(ctx);
  const double actual = exec.actual_cost();
  if (actual < requested) bucket.refund(requested - actual);
  boost::json::object extensions{
      {"cost", boost::json::object{{"requestedQueryCost", json_number(requested)},
                                   {"actualQueryCost", json_number(actual)},
                                   {"throttleStatus", throttle_status(bucket, now)}}}};
  if (!ctx.search_warnings.empty()) extensions["search"] = std::move(ctx.search_warnings);
  out["extensions"] = std::move(extensions);
  return {200, std::move(out)};
}

}  // namespace syncline::testing::detail
