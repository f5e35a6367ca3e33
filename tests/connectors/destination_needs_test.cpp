// The connectors' destinations name the service they write through, so engine::install does not
// compile without it: write_to<Sink> needs its Sink, data_stream::send_to<Name> its stream<Name>.
#include <syncline/connectors/data_stream.hpp>
#include <syncline/connectors/warehouse/write_to.hpp>
#include <syncline/core/needs.hpp>

#include <boost/asio/awaitable.hpp>
#include <catch2/catch.hpp>

#include <string_view>
#include <type_traits>

namespace unity_connectors_destination_needs_test {

namespace destination_needs_test {

struct row {
  long id = 0;
};
struct table {
  static constexpr std::string_view name = "analytics.orders";
};
// The least a sink is (warehouse::sink): what write_to calls.
struct fake_sink {
  using table_type = table;
  using row_type = row;
  syncline::awaitable<syncline::result<void>> write(const row&, std::string_view);
};

TEST_CASE("write_to and send_to need the sink and the stream they write to", "[needs]") {
  STATIC_REQUIRE(syncline::warehouse::sink<fake_sink>);
  STATIC_REQUIRE(
      std::is_same_v<syncline::services_needed_t<syncline::warehouse::write_to<fake_sink>>,
                     syncline::needs<fake_sink>>);
  STATIC_REQUIRE(
      std::is_same_v<syncline::services_needed_t<syncline::data_stream::send_to<"orders">>,
                     syncline::needs<syncline::data_stream::stream<"orders">>>);
  CHECK(syncline::warehouse::write_to<fake_sink>::name == "analytics_orders");
}

}  // namespace destination_needs_test

}  // namespace unity_connectors_destination_needs_test
