// The accepted form of shopify_no_such_topic.cpp: the topic's payload is declared, as the message
// says, so shopify::webhook<"products/create"> is a trigger carrying it.
#include <syncline/blocks/to.hpp>
#include <syncline/connectors/shopify/webhook.hpp>
#include <syncline/core/workflow.hpp>

#include <boost/describe/class.hpp>

#include <cstdint>
#include <string>

struct shop_product {
  std::int64_t id = 0;
  std::string title;
};
BOOST_DESCRIBE_STRUCT(shop_product, (), (id, title))

template <>
struct syncline::event_payload<syncline::shopify::app, "products/create"> {
  using type = shop_product;
};

constexpr auto new_products =
    syncline::workflow<"new_products">(syncline::shopify::webhook<"products/create">{} |
                                       syncline::to<"save">([](const shop_product&) {}));

int main() {}
