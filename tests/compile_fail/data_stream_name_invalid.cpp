// expect: syncline: data_stream name must be an identifier \[a-z\]\[a-z0-9_\]\* of at most 63 characters
// names: stream_name_is_not_valid<syncline::fixed_string<10>{"Storefront"}>
// A stream's name goes into the X-Syncline-Stream header and the run context: an identifier.
// Twin: data_stream_name_invalid_ok.cpp.
#include <syncline/connectors/data_stream.hpp>

constexpr auto stream_name = syncline::data_stream::stream<"Storefront">::name;

int main() { return stream_name.empty() ? 1 : 0; }
