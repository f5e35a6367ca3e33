// Reading the JSON fixtures of tests/data (made from the facts in shared/PROTOCOLS.md).
#pragma once

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

namespace syncline_test {

inline std::string read_fixture(std::string_view relative) {
  const std::string path = std::string(SYNCLINE_TEST_DATA_DIR) + "/" + std::string(relative);
  std::ifstream in(path, std::ios::binary);
  INFO(path);
  REQUIRE(in.good());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace syncline_test
