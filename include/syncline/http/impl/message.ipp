// The bodies of <syncline/http/message.hpp>.
#pragma once

#include <syncline/http/message.hpp>

#include <utility>

namespace syncline::http {

SYNCLINE_DECL response make_response(unsigned status, std::string body,
                                     std::string_view content_type) {
  response res{static_cast<beast_http::status>(status), 11};
  if (!content_type.empty() && !body.empty()) res.set(field::content_type, content_type);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

}  // namespace syncline::http
