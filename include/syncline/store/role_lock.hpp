// syncline::store::role_lock: at most one holder of a named role (running the polls and
// schedules, pruning) among the stores of one host that share a database file.
//
// A role is an exclusive flock(2) on "<folder>/<role>.leader", in the folder where the stores
// keep their worker locks. The kernel drops it when the holding process dies, however it dies,
// so a role is free the moment its holder is gone, and never while a slow holder lives: the same
// proof as worker_lock.hpp gives for leases. The file is never removed (removing a locked file
// would let a second process lock a new file of the same name), so it stays a few bytes large.
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/result.hpp>

#include <filesystem>
#include <optional>
#include <string_view>
#include <utility>

namespace syncline::store {

class role_lock {
 public:
  // The role's lock, taken without waiting; nullopt when another holder has it. The name must be
  // valid_role_name (store/role_name.hpp; errc::invalid_input otherwise); `folder` is created if
  // missing.
  SYNCLINE_DECL static result<std::optional<role_lock>> try_take(
      const std::filesystem::path& folder, std::string_view role);

  role_lock(role_lock&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  role_lock& operator=(role_lock&& o) noexcept {
    if (this != &o) {
      role_lock old(std::move(*this));
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  role_lock(const role_lock&) = delete;
  role_lock& operator=(const role_lock&) = delete;
  // Lets the role go: another store's next try_take gets it.
  SYNCLINE_DECL ~role_lock();

 private:
  explicit role_lock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace syncline::store

#if SYNCLINE_HEADER_ONLY
#include <syncline/store/impl/role_lock.ipp>
#endif
