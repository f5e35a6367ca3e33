// The bodies of data_stream::stream's untyped half. Compiled once in separate mode (see
// <syncline/config.hpp>).
#pragma once

#include <syncline/connectors/data_stream.hpp>
#include <syncline/connectors/http_answer.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/message.hpp>
#include <syncline/http/url.hpp>

#include <utility>

namespace syncline::data_stream::detail {

SYNCLINE_DECL stream_sender::stream_sender(std::string_view name, http::client& client,
                                           options opts)
    : name_(name), client_(client), options_(std::move(opts)) {
  if (auto u = http::parse_url(options_.endpoint)) {
    where_ = "data stream \"" + std::string(name_) + "\" (POST " + u->redacted() + ")";
  } else {
    where_ = "data stream \"" + std::string(name_) + "\"";
    bad_endpoint_ = u.error().message;
  }
}

SYNCLINE_DECL boost::asio::awaitable<result<void>> stream_sender::send_json(
    std::string body, std::string_view idempotency_key, std::string_view tenant) {
  if (!bad_endpoint_.empty()) {
    co_return make_error(errc::invalid_input,
                         where_ + ": the endpoint is not a usable URL: " + bad_endpoint_);
  }
  const std::string timestamp = timestamp_value(options_.clock());
  http::fields headers;
  headers.set(http::field::content_type, "application/json");
  headers.set(timestamp_header, timestamp);
  headers.set(signature_header, sign(options_.signing_secret, timestamp, body));
  headers.set(idempotency_key_header, idempotency_key);
  headers.set(tenant_header, tenant);
  headers.set(stream_header, name_);
  http::request_options call;
  call.timeout = options_.timeout;
  call.retry_unsafe = true;  // the idempotency key makes a repeated POST harmless
  auto answer = co_await client_.post(options_.endpoint, std::move(body), std::move(headers),
                                      std::move(call));
  if (!answer) {
    auto e = std::move(answer).error();
    co_return make_error(e.category, where_ + ": " + e.message, e.status);
  }
  co_return connectors::answer_to_result(*answer, where_);
}

}  // namespace syncline::data_stream::detail
