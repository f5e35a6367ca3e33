// The Shopify connector: the app and its credentials, typed webhook triggers, the order actions
// as blocks, and the per-shop pacing they share. See docs/shopify.md.
#pragma once

#include <syncline/connectors/shopify/admin_api.hpp>
#include <syncline/connectors/shopify/app.hpp>
#include <syncline/connectors/shopify/app_credentials.hpp>
#include <syncline/connectors/shopify/compliance.hpp>
#include <syncline/connectors/shopify/connector.hpp>
#include <syncline/connectors/shopify/create_order.hpp>
#include <syncline/connectors/shopify/get_order.hpp>
#include <syncline/connectors/shopify/gid.hpp>
#include <syncline/connectors/shopify/graphql_order.hpp>
#include <syncline/connectors/shopify/graphql_order_input.hpp>
#include <syncline/connectors/shopify/list_orders.hpp>
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/connectors/shopify/order_codec.hpp>
#include <syncline/connectors/shopify/order_input.hpp>
#include <syncline/connectors/shopify/pacer.hpp>
#include <syncline/connectors/shopify/session_token.hpp>
#include <syncline/connectors/shopify/shop.hpp>
#include <syncline/connectors/shopify/signed_query.hpp>
#include <syncline/connectors/shopify/topics.hpp>
#include <syncline/connectors/shopify/update_order.hpp>
#include <syncline/connectors/shopify/webhook.hpp>
#include <syncline/connectors/shopify/webhook_metadata.hpp>
#include <syncline/connectors/shopify/webhook_subscriptions.hpp>
