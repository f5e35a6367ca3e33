// syncline::store::worker_lock: how a store on one host proves that the process holding a lease
// is gone, so that its runs are taken over at once instead of after their lease.
//
// A store holds one worker_lock for its life: an exclusive flock(2) on a file of its own in a
// folder beside the database (<db>-workers/<instance>.lock). The kernel drops the lock when the
// process dies, however it dies (SIGKILL included), and only then or when the store is destroyed.
// So a store that can take another worker's lock knows that worker will never complete a run:
// not a guess from a pid (pids are reused), a lock the dead process can no longer hold.
//
// flock and not fcntl: fcntl locks belong to the whole process, so a second store of the same
// process (two engines, or a test) would "take" a lock its own process holds and take over runs
// that are alive. flock locks belong to one open file, and two opens conflict, in one process too.
//
// The proof holds where every worker locks through one kernel: the same host, a local file system
// (which SQLite's WAL mode needs anyway). A worker's identity names its host, and a worker of
// another host is never judged here: its runs wait for their lease. A lock file that does not
// exist proves nothing (a cleaner may have removed it): those runs wait for their lease too.
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/result.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::store {

class worker_lock {
 public:
  // The lock of a worker that is gone, now held by the caller: while it lives, no one else can
  // prove that worker gone at the same time. The file stays when it is destroyed (so a later
  // store can prove it again if taking over failed); remove_file() once the takeover committed.
  class gone_worker {
   public:
    gone_worker(gone_worker&& o) noexcept
        : fd_(std::exchange(o.fd_, -1)),
          file_(std::move(o.file_)),
          identity_(std::move(o.identity_)) {}
    gone_worker& operator=(gone_worker&& o) noexcept {
      if (this != &o) {
        gone_worker old(std::move(*this));
        fd_ = std::exchange(o.fd_, -1);
        file_ = std::move(o.file_);
        identity_ = std::move(o.identity_);
      }
      return *this;
    }
    gone_worker(const gone_worker&) = delete;
    gone_worker& operator=(const gone_worker&) = delete;
    SYNCLINE_DECL ~gone_worker();

    const std::string& identity() const noexcept { return identity_; }
    // Unlinks the file, then lets the lock go: nothing is left of the worker.
    SYNCLINE_DECL void remove_file() noexcept;

   private:
    friend class worker_lock;
    gone_worker(int fd, std::filesystem::path file, std::string identity)
        : fd_(fd), file_(std::move(file)), identity_(std::move(identity)) {}

    int fd_ = -1;
    std::filesystem::path file_;
    std::string identity_;
  };

  // Creates `folder` if needed, then a file of this worker's own in it, and locks it.
  SYNCLINE_DECL static result<worker_lock> acquire(const std::filesystem::path& folder);

  worker_lock(worker_lock&& o) noexcept
      : fd_(std::exchange(o.fd_, -1)),
        folder_(std::move(o.folder_)),
        file_(std::move(o.file_)),
        identity_(std::move(o.identity_)),
        host_(std::move(o.host_)),
        keep_file_(o.keep_file_) {}
  worker_lock& operator=(worker_lock&&) = delete;  // a store keeps its one lock for its life
  worker_lock(const worker_lock&) = delete;
  worker_lock& operator=(const worker_lock&) = delete;
  // Lets the lock go; removes the file unless keep_file() was called.
  SYNCLINE_DECL ~worker_lock();

  // "<host>/<pid>/<instance>": unique for the life of this lock. Stores record it in the name of
  // the worker that holds a lease; the pid is there for people, the proof is the lock.
  const std::string& identity() const noexcept { return identity_; }

  // Keep the file when the lock goes: this worker still leases runs, and the next store proves
  // with it that their owner is gone.
  void keep_file() noexcept { keep_file_ = true; }

  // The worker named `identity` is gone when it is a worker of this host, its file exists and
  // its lock can be taken. nullopt: alive, of another host, unreadable, or its file is missing;
  // its runs then wait for their lease.
  SYNCLINE_DECL std::optional<gone_worker> prove_gone(std::string_view identity) const;

  // Every worker of this host whose file is in the folder and whose lock can be taken. Files of
  // workers that died before they finished acquiring (they never leased anything) are removed.
  SYNCLINE_DECL std::vector<gone_worker> find_gone() const;

 private:
  worker_lock(int fd, std::filesystem::path folder, std::filesystem::path file,
              std::string identity, std::string host)
      : fd_(fd),
        folder_(std::move(folder)),
        file_(std::move(file)),
        identity_(std::move(identity)),
        host_(std::move(host)) {}

  SYNCLINE_DECL void release() noexcept;

  int fd_ = -1;
  std::filesystem::path folder_;
  std::filesystem::path file_;
  std::string identity_;
  std::string host_;
  bool keep_file_ = false;
};

}  // namespace syncline::store

#if SYNCLINE_HEADER_ONLY
#include <syncline/store/impl/worker_lock.ipp>
#endif
