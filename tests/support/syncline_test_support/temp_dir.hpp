// syncline::testing::temp_dir: a fresh directory under the system's temporary directory,
// removed with everything in it when the object is destroyed. Tests that run the engine (with
// the emulator or not) need one for the store's database file:
//
//   syncline::testing::temp_dir dir;
//   auto store = syncline::store::sqlite_store::open(dir.file("engine.db"));
#pragma once

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>

namespace syncline::testing {

class temp_dir {
 public:
  // `label` starts the directory's name, so that a test which leaks one (killed mid-run) says
  // which test it was. Throws std::filesystem::filesystem_error if no directory can be made.
  explicit temp_dir(std::string_view label = "syncline") {
    std::random_device rd;
    const auto base = std::filesystem::temp_directory_path();
    // create_directory is false when the name exists: another test (or process) holds it, and
    // sharing it would let the two see each other's files. Draw another name.
    for (;;) {
      path_ = base / (std::string(label) + "-" + std::to_string(rd()) + std::to_string(rd()));
      if (std::filesystem::create_directory(path_)) return;
    }
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  // Errors are ignored in the end: a destructor cannot report them, and a leftover directory
  // under the temporary directory harms no later test (every one gets a fresh name). But first a
  // few more walks: a database that another thread closes as the test ends (a destination whose
  // last handler runs on an io thread that outlives this object) deletes or creates its -wal and
  // -shm files while remove_all walks the directory, and one such walk stopped with an error and
  // left the rest behind.
  ~temp_dir() {
    for (int walk = 0; walk < 5; ++walk) {
      std::error_code ec;
      std::filesystem::remove_all(path_, ec);
      if (!ec && !std::filesystem::exists(path_, ec) && !ec) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  const std::filesystem::path& path() const noexcept { return path_; }
  // The path of `name` inside the directory; the file is not created.
  std::filesystem::path file(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace syncline::testing
