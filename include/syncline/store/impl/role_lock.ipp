// The bodies of store::role_lock: a file and flock(2). Compiled once in separate mode (see
// <syncline/config.hpp>).
#pragma once

#include <syncline/store/role_lock.hpp>
#include <syncline/store/role_name.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <system_error>
#include <unistd.h>

namespace syncline::store {

SYNCLINE_DECL result<std::optional<role_lock>> role_lock::try_take(
    const std::filesystem::path& folder, std::string_view role) {
  if (!valid_role_name(role)) return invalid_role_name("role lock", role);
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  const auto file = folder / (std::string(role) + ".leader");
  if (ec) {
    return make_error(errc::storage, "role lock: cannot create the folder " + folder.string() +
                                         ": " + ec.message());
  }
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return make_error(errc::storage,
                      "role lock: cannot open " + file.string() + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return std::optional<role_lock>{};
    return make_error(errc::storage,
                      "role lock: cannot lock " + file.string() + ": " + std::strerror(err));
  }
  return std::optional<role_lock>(role_lock(fd));
}

SYNCLINE_DECL role_lock::~role_lock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace syncline::store
