// The bodies of store::worker_lock: files, flock(2) and the host name. Compiled once in separate
// mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/store/worker_lock.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace syncline::store {

namespace worker_lock_detail {

inline constexpr std::size_t instance_length = 16;  // hex digits of 64 random bits

inline std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown-host";
  return buf;
}

inline std::string random_instance() {
  std::random_device rd;
  const std::uint64_t v = (std::uint64_t{rd()} << 32) ^ rd();
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(instance_length, '0');
  for (std::size_t i = 0; i < instance_length; ++i) out[i] = digits[(v >> (4 * i)) & 0xf];
  return out;
}

inline bool is_instance(std::string_view s) {
  return s.size() == instance_length && std::ranges::all_of(s, [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// "<host>/<pid>/<instance>", read from the right: a host name may hold anything but the instance
// names the file, so it is checked strictly (no path can be smuggled in through a worker name).
struct parsed_identity {
  std::string_view host;
  std::string_view instance;
};

inline std::optional<parsed_identity> parse(std::string_view identity) {
  const auto last = identity.rfind('/');
  if (last == std::string_view::npos || last == 0) return std::nullopt;
  const auto middle = identity.rfind('/', last - 1);
  if (middle == std::string_view::npos) return std::nullopt;
  const auto pid = identity.substr(middle + 1, last - middle - 1);
  const auto instance = identity.substr(last + 1);
  if (pid.empty() || !std::ranges::all_of(pid, [](char c) { return c >= '0' && c <= '9'; }) ||
      !is_instance(instance)) {
    return std::nullopt;
  }
  return parsed_identity{identity.substr(0, middle), instance};
}

// Takes the lock of an existing file without waiting: the descriptor when it was free, -1 when
// someone holds it (or the file is gone).
inline int lock_existing(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return -1;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// What the worker wrote in its file: its identity and a newline, or less if it died while
// writing.
inline std::string read_all(int fd) {
  std::string out;
  char buf[512];
  for (off_t at = 0;;) {
    const ssize_t n = ::pread(fd, buf, sizeof buf, at);
    if (n <= 0 || out.size() > 4096) return out;
    out.append(buf, static_cast<std::size_t>(n));
    at += n;
  }
}

}  // namespace worker_lock_detail

SYNCLINE_DECL worker_lock::gone_worker::~gone_worker() {
  if (fd_ >= 0) ::close(fd_);
}

SYNCLINE_DECL void worker_lock::gone_worker::remove_file() noexcept {
  if (fd_ < 0) return;
  // Unlink first, while the lock is still ours: no one can take it in between and judge a file
  // that is about to vanish.
  ::unlink(file_.c_str());
  ::close(std::exchange(fd_, -1));
}

SYNCLINE_DECL result<worker_lock> worker_lock::acquire(const std::filesystem::path& folder) {
  namespace d = worker_lock_detail;
  // "worker lock: cannot create a lock file in /var/lib/app/syncline.db-workers: Permission
  // denied"
  auto failed = [&](std::string_view what, int err) {
    return make_error(errc::storage, "worker lock: cannot " + std::string(what) + " " +
                                         folder.string() + ": " + std::strerror(err));
  };
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) return failed("create the folder", ec.value());
  const std::string host = d::host_name();
  const std::string identity_prefix = host + "/" + std::to_string(::getpid()) + "/";
  int last_error = 0;
  // A fresh name is drawn when one is taken, or when find_gone() of another store removed the
  // file between our create and our lock (it judged an empty file of a worker that died early).
  for (int attempt = 0; attempt < 16; ++attempt) {
    const std::string instance = d::random_instance();
    const auto file = folder / (instance + ".lock");
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      last_error = errno;
      if (last_error == EEXIST) continue;
      return failed("create a lock file in", last_error);
    }
    struct stat held {
    }, named{};
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0 || ::fstat(fd, &held) != 0 ||
        ::stat(file.c_str(), &named) != 0 || held.st_ino != named.st_ino ||
        held.st_dev != named.st_dev) {
      last_error = errno;
      ::close(fd);
      continue;
    }
    std::string identity = identity_prefix + instance;
    const std::string line = identity + "\n";
    if (::pwrite(fd, line.data(), line.size(), 0) != static_cast<ssize_t>(line.size())) {
      last_error = errno;
      ::unlink(file.c_str());
      ::close(fd);
      return failed("write a lock file in", last_error);
    }
    return worker_lock(fd, folder, file, std::move(identity), host);
  }
  return failed("take a lock file of its own after 16 tries in", last_error);
}

SYNCLINE_DECL worker_lock::~worker_lock() { release(); }

SYNCLINE_DECL void worker_lock::release() noexcept {
  if (fd_ < 0) return;
  if (!keep_file_) ::unlink(file_.c_str());
  ::close(std::exchange(fd_, -1));
}

SYNCLINE_DECL std::optional<worker_lock::gone_worker> worker_lock::prove_gone(
    std::string_view identity) const {
  namespace d = worker_lock_detail;
  const auto parsed = d::parse(identity);
  if (!parsed || parsed->host != host_ || identity == identity_) return std::nullopt;
  auto file = folder_ / (std::string(parsed->instance) + ".lock");
  const int fd = d::lock_existing(file);
  if (fd < 0) return std::nullopt;
  return gone_worker(fd, std::move(file), std::string(identity));
}

SYNCLINE_DECL std::vector<worker_lock::gone_worker> worker_lock::find_gone() const {
  namespace d = worker_lock_detail;
  std::vector<gone_worker> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(folder_, ec), end; !ec && it != end;
       it.increment(ec)) {
    const auto& file = it->path();
    if (file.extension() != ".lock" || !d::is_instance(file.stem().string()) || file == file_) {
      continue;
    }
    const int fd = d::lock_existing(file);
    if (fd < 0) continue;
    std::string line = d::read_all(fd);
    gone_worker gone(fd, file, {});
    if (line.empty() || line.back() != '\n') {
      // Died between creating its file and writing it: it never leased a run.
      gone.remove_file();
      continue;
    }
    line.pop_back();
    const auto parsed = d::parse(line);
    if (!parsed || parsed->host != host_ || parsed->instance != file.stem().string()) continue;
    gone.identity_ = std::move(line);
    out.push_back(std::move(gone));
  }
  return out;
}

}  // namespace syncline::store
