// syncline::json::parse: JSON text to a boost::json::value, under the same limits and with the
// same errors as json::decode (duplicate keys refused, pointer in every message).
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/result.hpp>
#include <syncline/json/limits.hpp>

#include <boost/json/value.hpp>

#include <string_view>

namespace syncline::json {

// For JSON whose shape is open. A typed record is decoded faster with json::decode<T>, which
// builds no DOM.
SYNCLINE_DECL result<boost::json::value> parse(std::string_view text, const limits& lim = {});

}  // namespace syncline::json

#if SYNCLINE_HEADER_ONLY
#include <syncline/json/impl/parse.ipp>
#endif
