// The JSON codecs of the big Shopify records (shopify::order, its vector, order_input),
// instantiated once. Their Boost.Describe codecs are the largest templates a Shopify workflow
// instantiates (the engine encodes and decodes every block's input and output); in separate mode
// they are declared here `extern template` and compiled once, in syncline::compiled
// (impl/order_codec.ipp), instead of in every translation unit that names the types.
// In header-only mode this header declares nothing: each translation unit instantiates them.
#pragma once

#include <syncline/config.hpp>
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/connectors/shopify/order_input.hpp>

#if !SYNCLINE_HEADER_ONLY
#include <syncline/core/result.hpp>
#include <syncline/json/decode.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/json/limits.hpp>

#include <boost/json/fwd.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace syncline::json {

extern template result<shopify::order> decode<shopify::order>(std::string_view, const limits&);
extern template result<shopify::order> decode<shopify::order, boost::json::value>(
    const boost::json::value&);
extern template std::string encode<shopify::order>(const shopify::order&);

extern template result<std::vector<shopify::order>> decode<std::vector<shopify::order>>(
    std::string_view, const limits&);
extern template result<std::vector<shopify::order>>
decode<std::vector<shopify::order>, boost::json::value>(const boost::json::value&);
extern template std::string encode<std::vector<shopify::order>>(const std::vector<shopify::order>&);

extern template result<shopify::order_input> decode<shopify::order_input>(std::string_view,
                                                                          const limits&);
extern template result<shopify::order_input> decode<shopify::order_input, boost::json::value>(
    const boost::json::value&);
extern template std::string encode<shopify::order_input>(const shopify::order_input&);

}  // namespace syncline::json
#endif
