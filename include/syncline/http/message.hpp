// The HTTP message types every layer names, and the small helpers around them. The types are
// Beast's, so this header includes Beast's message containers (no streams, parsers or I/O).
#pragma once

#include <syncline/config.hpp>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <string>
#include <string_view>

namespace syncline::http {

namespace beast_http = boost::beast::http;
using verb = beast_http::verb;
using field = beast_http::field;
using fields = beast_http::fields;
// Bodies are plain strings: webhook signatures are computed over the raw bytes.
using request = beast_http::request<beast_http::string_body>;
using response = beast_http::response<beast_http::string_body>;

// A complete HTTP/1.1 answer with Content-Length set; an empty content type sends none.
SYNCLINE_DECL response make_response(unsigned status, std::string body = {},
                                     std::string_view content_type = "application/json");

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

#if SYNCLINE_HEADER_ONLY
#include <syncline/http/impl/message.ipp>
#endif
