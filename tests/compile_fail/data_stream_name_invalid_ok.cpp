// OK twin of data_stream_name_invalid.cpp: the stream is named "storefront".
#include <syncline/connectors/data_stream.hpp>

constexpr auto stream_name = syncline::data_stream::stream<"storefront">::name;

int main() { return stream_name.empty() ? 1 : 0; }
