// syncline::testing::temp_dir: a fresh directory per object, paths inside it, and nothing left
// behind. Every fixture that opens a store file relies on it.
#include <syncline_test_support/temp_dir.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

namespace unity_testing_temp_dir_test {

namespace {

namespace fs = std::filesystem;
using syncline::testing::temp_dir;

// Two owners of one directory would each delete it under the other.
static_assert(!std::is_copy_constructible_v<temp_dir>);
static_assert(!std::is_copy_assignable_v<temp_dir>);
static_assert(std::is_default_constructible_v<temp_dir>);

// Points TMPDIR (which std::filesystem::temp_directory_path reads) elsewhere for one scope.
class tmpdir_override {
 public:
  explicit tmpdir_override(const std::string& value) {
    if (const char* old = std::getenv("TMPDIR")) old_ = old;
    ::setenv("TMPDIR", value.c_str(), 1);
  }
  tmpdir_override(const tmpdir_override&) = delete;
  tmpdir_override& operator=(const tmpdir_override&) = delete;
  ~tmpdir_override() {
    if (old_)
      ::setenv("TMPDIR", old_->c_str(), 1);
    else
      ::unsetenv("TMPDIR");
  }

 private:
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("temp_dir: a fresh, empty directory under the system's temporary directory",
          "[temp_dir]") {
  temp_dir dir("temp-dir-test");

  CHECK(fs::is_directory(dir.path()));
  CHECK(fs::is_empty(dir.path()));
  CHECK(fs::equivalent(dir.path().parent_path(), fs::temp_directory_path()));
  // The label starts the name, so a leaked directory says which test made it.
  CHECK(dir.path().filename().string().rfind("temp-dir-test-", 0) == 0);

  temp_dir unlabelled;
  CHECK(unlabelled.path().filename().string().rfind("syncline-", 0) == 0);
}

TEST_CASE("temp_dir: instances never share a directory, even with one label", "[temp_dir]") {
  std::vector<temp_dir> dirs(50);  // constructed in place: temp_dir is neither copied nor moved
  std::set<fs::path> paths;
  for (const auto& d : dirs) paths.insert(d.path());
  CHECK(paths.size() == dirs.size());
}

TEST_CASE("temp_dir: file(name) is a path inside the directory and creates nothing", "[temp_dir]") {
  temp_dir dir("temp-dir-test");

  const auto db = dir.file("engine.db");
  CHECK(db.parent_path() == dir.path());
  CHECK(db.filename() == "engine.db");
  CHECK_FALSE(fs::exists(db));
  CHECK(fs::is_empty(dir.path()));

  CHECK(dir.file("a/b.txt") == dir.path() / "a" / "b.txt");
}

TEST_CASE("temp_dir: destruction removes the directory and everything in it", "[temp_dir]") {
  fs::path kept;
  {
    temp_dir dir("temp-dir-test");
    kept = dir.path();
    std::ofstream(dir.file("top.txt")) << "top";
    fs::create_directories(dir.file("nested") / "deeper");
    std::ofstream(dir.file("nested") / "deeper" / "leaf.db") << "leaf";
    fs::create_directory_symlink(dir.file("nested"), dir.file("link"));
    REQUIRE(fs::exists(dir.file("nested") / "deeper" / "leaf.db"));
  }
  CHECK_FALSE(fs::exists(kept));
}

TEST_CASE("temp_dir: a symbolic link inside is removed, not what it points to", "[temp_dir]") {
  temp_dir outside("temp-dir-test");
  std::ofstream(outside.file("precious.txt")) << "keep me";
  {
    temp_dir dir("temp-dir-test");
    fs::create_directory_symlink(outside.path(), dir.file("to-outside"));
  }
  CHECK(fs::exists(outside.file("precious.txt")));
}

TEST_CASE("temp_dir: a directory the test removed itself is no error at destruction",
          "[temp_dir]") {
  fs::path kept;
  {
    temp_dir dir("temp-dir-test");
    kept = dir.path();
    fs::remove_all(dir.path());
  }  // must not throw
  CHECK_FALSE(fs::exists(kept));
}

TEST_CASE("temp_dir: no usable temporary directory throws filesystem_error", "[temp_dir]") {
  temp_dir holder("temp-dir-test");
  tmpdir_override missing(holder.file("does-not-exist").string());
  CHECK_THROWS_AS(temp_dir("temp-dir-test"), fs::filesystem_error);
}

}  // namespace unity_testing_temp_dir_test
