// syncline::testing::directory_bytes: every byte of the regular files directly in a directory,
// one after another. Tests that promise a secret or an erased value is not on the disk search
// this, so the database's write-ahead log and free pages are searched too, not only its tables.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace syncline::testing {

inline std::string directory_bytes(const std::filesystem::path& dir) {
  std::string all;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    if (!f.is_regular_file()) continue;
    std::ifstream in(f.path(), std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return all;
}

}  // namespace syncline::testing
