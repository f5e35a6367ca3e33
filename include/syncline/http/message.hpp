// The HTTP message types every layer names, and the small helpers around them.
#pragma once

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace syncline::http {

namespace beast_http = boost::beast::http;
using verb = beast_http::verb;
using field = beast_http::field;
using fields = beast_http::fields;
// Bodies are plain strings: webhook signatures are computed over the raw bytes.
using request = beast_http::request<beast_http::string_body>;
using response = beast_http::response<beast_http::string_body>;

// A complete HTTP/1.1 answer with Content-Length set; an empty content type sends none.
inline response make_response(unsigned status, std::string body = {},
                              std::string_view content_type = "application/json") {
  response res{static_cast<beast_http::status>(status), 11};
  if (!content_type.empty() && !body.empty()) res.set(field::content_type, content_type);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// RFC 9110 §9.2.2: repeating these has the same effect as sending them once.
constexpr bool is_idempotent(verb method) noexcept {
  switch (method) {
    case verb::get:
    case verb::head:
    case verb::put:
    case verb::delete_:
    case verb::options:
    case verb::trace: return true;
    default: return false;
  }
}

}  // namespace syncline::http
