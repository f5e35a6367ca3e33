# A TU that only declares workflows includes no Asio and no Beast (issue 11: <= 3 s). Run as
#   cmake -DCOMPILER=<c++> -DFLAGS=<flags joined by |> -DINCLUDE_DIR=<include/> -DTU=<out.cpp>
#     -P declare_only.cmake
# It includes every header of core/ and blocks/ (core/money.hpp too) and the connector parts a
# workflow declaration names (Shopify blocks and webhooks, data stream, warehouse), declares a
# workflow with them (an `also` whose arm is asynchronous, a sink's write_to), and fails when the
# compiler's -H list names boost/asio or boost/beast, with the chain that pulled it in.
cmake_minimum_required(VERSION 3.25)

file(GLOB headers RELATIVE ${INCLUDE_DIR} ${INCLUDE_DIR}/syncline/core/*.hpp
     ${INCLUDE_DIR}/syncline/blocks/*.hpp)
list(APPEND headers
     syncline/connectors/data_stream.hpp
     syncline/connectors/shopify/app.hpp
     syncline/connectors/shopify/create_order.hpp
     syncline/connectors/shopify/get_order.hpp
     syncline/connectors/shopify/list_orders.hpp
     syncline/connectors/shopify/topics.hpp
     syncline/connectors/shopify/update_order.hpp
     syncline/connectors/shopify/webhook.hpp
     syncline/connectors/warehouse/sqlite_sink.hpp
     syncline/connectors/warehouse/table.hpp
     syncline/connectors/warehouse/write_to.hpp)
set(text "")
foreach(h IN LISTS headers)
  string(APPEND text "#include <${h}>\n")
endforeach()
# Declaring a workflow instantiates its checks, which name every block's return type.
string(APPEND text [=[
#include <boost/describe/class.hpp>
#include <cstdint>
namespace declare_only {
struct row {
  std::int64_t id = 0;
};
BOOST_DESCRIBE_STRUCT(row, (), (id))
using rows = syncline::warehouse::sqlite_sink<
    syncline::warehouse::table<row, "rows", syncline::warehouse::key<"id">>>;
inline row to_row(const syncline::shopify::order& o) { return row{o.id}; }
constexpr auto flow = syncline::workflow<"declare_only">(
    syncline::shopify::webhook<"orders/create">{} |
    syncline::also<"copy">(syncline::data_stream::send_to<"orders">{}) |
    syncline::map<"to_row">(to_row) | syncline::warehouse::write_to<rows>{});
constexpr auto integration =
    syncline::integration<"declare_only", syncline::shopify::app>(flow);
}  // namespace declare_only
]=])
file(WRITE ${TU} "${text}")

set(ENV{LC_ALL} C)
string(REPLACE "|" ";" flags "${FLAGS}")
execute_process(COMMAND ${COMPILER} ${flags} -H ${TU} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the declare-only headers and declaration do not compile:\n${out}")
endif()
string(REGEX MATCH "[^\n]*boost/(asio|beast)[^\n]*" heavy "${out}")
if(heavy)
  message(FATAL_ERROR "a declare-only TU includes Asio or Beast (${heavy}); the -H list:\n${out}")
endif()
list(LENGTH headers count)
message(STATUS "${count} headers of core/, blocks/ and the connectors' DSL: no Asio, no Beast")
