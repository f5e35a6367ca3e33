// The instantiations <syncline/connectors/shopify/order_codec.hpp> declares, for
// syncline::compiled. Separate mode only: in header-only mode each translation unit instantiates
// them itself.
#pragma once

#include <syncline/connectors/shopify/order_codec.hpp>

#include <boost/json/value.hpp>

#if !SYNCLINE_HEADER_ONLY
namespace syncline::json {

template result<shopify::order> decode<shopify::order>(std::string_view, const limits&);
template result<shopify::order> decode<shopify::order, boost::json::value>(
    const boost::json::value&);
template std::string encode<shopify::order>(const shopify::order&);

template result<std::vector<shopify::order>> decode<std::vector<shopify::order>>(std::string_view,
                                                                                 const limits&);
template result<std::vector<shopify::order>>
decode<std::vector<shopify::order>, boost::json::value>(const boost::json::value&);
template std::string encode<std::vector<shopify::order>>(const std::vector<shopify::order>&);

template result<shopify::order_input> decode<shopify::order_input>(std::string_view, const limits&);
template result<shopify::order_input> decode<shopify::order_input, boost::json::value>(
    const boost::json::value&);
template std::string encode<shopify::order_input>(const shopify::order_input&);

}  // namespace syncline::json
#endif
