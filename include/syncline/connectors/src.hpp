#pragma once
// The bodies of the connectors layer's non-template functions, for separate compilation: compiled
// once by src/compiled/connectors.cpp (syncline::compiled), or by <syncline/src.hpp>. See
// <syncline/config.hpp>.
#include <syncline/config.hpp>

#if SYNCLINE_HEADER_ONLY
#error "syncline: <syncline/connectors/src.hpp> needs SYNCLINE_SEPARATE_COMPILATION defined"
#endif

#include <syncline/connectors/impl/data_stream.ipp>
#include <syncline/connectors/shopify/impl/access_scopes.ipp>
#include <syncline/connectors/shopify/impl/admin_api.ipp>
#include <syncline/connectors/shopify/impl/create_order.ipp>
#include <syncline/connectors/shopify/impl/get_order.ipp>
#include <syncline/connectors/shopify/impl/install_callback.ipp>
#include <syncline/connectors/shopify/impl/install_url.ipp>
#include <syncline/connectors/shopify/impl/list_orders.ipp>
#include <syncline/connectors/shopify/impl/order_codec.ipp>
#include <syncline/connectors/shopify/impl/pacer.ipp>
#include <syncline/connectors/shopify/impl/privacy.ipp>
#include <syncline/connectors/shopify/impl/session_token.ipp>
#include <syncline/connectors/shopify/impl/signed_query.ipp>
#include <syncline/connectors/shopify/impl/token_endpoint.ipp>
#include <syncline/connectors/shopify/impl/token_refresher.ipp>
#include <syncline/connectors/shopify/impl/update_order.ipp>
#include <syncline/connectors/shopify/impl/webhook_subscriptions.ipp>
#include <syncline/connectors/warehouse/impl/bigquery_sink.ipp>
#include <syncline/connectors/warehouse/impl/snowflake_sink.ipp>
#include <syncline/connectors/warehouse/impl/sqlite_sink.ipp>
#include <syncline/connectors/warehouse/impl/sqlite_table_writer.ipp>
