// testing::postgres_server: a throw-away PostgreSQL server for tests and benchmarks. It runs the
// distribution's own binaries (initdb, postgres) in a private temporary directory, listens only
// on 127.0.0.1 at a free port, trusts local connections, and is stopped (fast shutdown) and
// deleted by the destructor. initdb refuses to run as root, so when the process is root the
// commands run as the `postgres` system user (created by Debian's package) in a forked child
// that drops privileges.
//
// The server is our child process rather than a pg_ctl daemon, and asks Linux to stop it when
// the thread that started it ends (PR_SET_PDEATHSIG): a test that crashes or is killed leaves no
// server running. So start it from a thread that outlives it (the test's own thread does).
#pragma once

#include <syncline/core/result.hpp>

#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <optional>
#include <pwd.h>
#include <signal.h>
#include <sstream>
#include <string>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <system_error>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

namespace syncline::testing {

struct postgres_server_options {
  // Durability costs an fsync per commit; tests do not need it. Benchmarks that want the real
  // price of a commit set this to true.
  bool durable = false;
  std::chrono::seconds start_timeout{60};
  std::string superuser = "postgres";
};

class postgres_server {
 public:
  // The directory holding initdb and postgres: $SYNCLINE_POSTGRES_BIN, else the newest
  // /usr/lib/postgresql/<version>/bin (Debian's layout), else the first match on $PATH.
  static std::optional<std::filesystem::path> find_binaries() {
    namespace fs = std::filesystem;
    auto usable = [](const fs::path& dir) {
      std::error_code ec;
      return fs::exists(dir / "initdb", ec) && fs::exists(dir / "postgres", ec);
    };
    if (const char* env = std::getenv("SYNCLINE_POSTGRES_BIN"); env && *env) {
      if (usable(env)) return fs::path(env);
    }
    std::error_code ec;
    std::optional<fs::path> best;
    long best_version = -1;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
      const std::string v = entry.path().filename().string();
      char* end = nullptr;
      const long version = std::strtol(v.c_str(), &end, 10);
      if (end == v.c_str() || !usable(entry.path() / "bin")) continue;
      if (version > best_version) {
        best_version = version;
        best = entry.path() / "bin";
      }
    }
    if (best) return best;
    if (const char* path = std::getenv("PATH")) {
      std::stringstream dirs(path);
      for (std::string dir; std::getline(dirs, dir, ':');) {
        if (!dir.empty() && usable(dir)) return fs::path(dir);
      }
    }
    return std::nullopt;
  }

  // Creates the cluster and starts the server; errc::not_found when PostgreSQL is not installed
  // (the only case in which a test may skip), errc::unavailable when it would not start.
  static result<postgres_server> start(postgres_server_options options = {}) {
    auto bin = find_binaries();
    if (!bin) {
      return make_error(errc::not_found,
                        "PostgreSQL server binaries (initdb, postgres) not found under "
                        "/usr/lib/postgresql/*/bin, $SYNCLINE_POSTGRES_BIN or $PATH; install "
                        "Debian's `postgresql` package");
    }
    postgres_server s;
    s.bin_ = *bin;
    s.options_ = std::move(options);
    if (auto r = s.make_directory(); !r) return std::move(r).error();
    if (auto r = s.init_cluster(); !r) return std::move(r).error();
    // A free port can be taken between our probe and the server's bind: try a few.
    result<void> started = make_error(errc::unavailable, "PostgreSQL was not started");
    for (int attempt = 0; attempt < 3 && !started; ++attempt) started = s.start_server();
    if (!started) return std::move(started).error();
    return s;
  }

  postgres_server(postgres_server&& other) noexcept { *this = std::move(other); }
  postgres_server& operator=(postgres_server&& other) noexcept {
    if (this != &other) {
      shutdown();
      bin_ = std::move(other.bin_);
      dir_ = std::move(other.dir_);
      options_ = std::move(other.options_);
      port_ = other.port_;
      pid_ = std::exchange(other.pid_, -1);
      other.dir_.clear();
    }
    return *this;
  }
  postgres_server(const postgres_server&) = delete;
  postgres_server& operator=(const postgres_server&) = delete;
  ~postgres_server() { shutdown(); }

  std::uint16_t port() const noexcept { return port_; }
  const std::filesystem::path& directory() const noexcept { return dir_; }

  // A libpq connection string for the server's default database `postgres`.
  std::string connection_string(std::string_view database = "postgres") const {
    std::string s = "host=127.0.0.1 port=" + std::to_string(port_) + " user=" + options_.superuser;
    s += " dbname=";
    s += database;
    s += " connect_timeout=10";
    return s;
  }

  // Stops the server (fast shutdown: every session ends) and starts it again on the same port and
  // data, as an operator's restart would: for tests of what clients do when their sessions drop.
  result<void> restart() {
    stop_server();
    return start_server(port_);
  }

  // Stops the server (fast shutdown: open sessions are ended) and deletes its directory.
  void shutdown() noexcept {
    stop_server();
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
      dir_.clear();
    }
  }

 private:
  void stop_server() noexcept {
    if (pid_ > 0) {
      // SIGINT is PostgreSQL's fast shutdown (what `pg_ctl stop -m fast` sends); escalate to
      // immediate shutdown and then SIGKILL if it does not finish.
      ::kill(pid_, SIGINT);
      if (!wait_exit(std::chrono::seconds(30))) {
        ::kill(pid_, SIGQUIT);
        if (!wait_exit(std::chrono::seconds(5))) {
          ::kill(pid_, SIGKILL);
          (void)wait_exit(std::chrono::seconds(5));
        }
      }
      pid_ = -1;
    }
  }

  postgres_server() = default;

  struct identity {
    uid_t uid;
    gid_t gid;
  };

  // Root must hand the work to the `postgres` user; anyone else runs the commands as themselves.
  static result<std::optional<identity>> run_as() {
    if (::geteuid() != 0) return std::optional<identity>{};
    const passwd* pw = ::getpwnam("postgres");
    if (!pw) {
      return make_error(errc::unavailable,
                        "running as root, but there is no `postgres` system user to run initdb "
                        "as (initdb refuses root); create it or run the tests as another user");
    }
    return std::optional<identity>{identity{pw->pw_uid, pw->pw_gid}};
  }

  result<void> make_directory() {
    std::string templ = (std::filesystem::temp_directory_path() / "syncline-pg-XXXXXX").string();
    if (!::mkdtemp(templ.data())) {
      return make_error(errc::unavailable, "cannot create a temporary directory for PostgreSQL: " +
                                               std::generic_category().message(errno));
    }
    dir_ = templ;
    auto who = run_as();
    if (!who) return std::move(who).error();
    if (*who && ::chown(dir_.c_str(), (*who)->uid, (*who)->gid) != 0) {
      return make_error(errc::unavailable,
                        "cannot hand " + dir_.string() +
                            " to the postgres user: " + std::generic_category().message(errno));
    }
    return {};
  }

  result<void> init_cluster() {
    return run({"initdb", "-D", (dir_ / "data").string(), "-U", options_.superuser, "-A", "trust",
                "-E", "UTF8", "--locale=C", "--no-sync"},
               dir_ / "initdb.log");
  }

  static result<std::uint16_t> free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return make_error(errc::unavailable, "socket() failed while probing for a port");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    ::close(fd);
    if (!ok) return make_error(errc::unavailable, "cannot find a free loopback port");
    return static_cast<std::uint16_t>(ntohs(addr.sin_port));
  }

  // On a free port, or on `port` (a restart keeps the one its clients know).
  result<void> start_server(std::optional<std::uint16_t> port = std::nullopt) {
    if (!port) {
      auto free = free_loopback_port();
      if (!free) return std::move(free).error();
      port = *free;
    }
    port_ = *port;
    std::vector<std::string> argv{
        "postgres",    "-D", (dir_ / "data").string(),     "-p", std::to_string(port_), "-k",
        dir_.string(), "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=64"};
    if (!options_.durable) {
      for (const char* o : {"fsync=off", "synchronous_commit=off", "full_page_writes=off"}) {
        argv.insert(argv.end(), {"-c", o});
      }
    }
    auto pid = spawn(std::move(argv), dir_ / "server.log", true);
    if (!pid) return std::move(pid).error();
    pid_ = *pid;

    // Ready when it accepts a connection; PQping also says "starting up" apart from "refused".
    const std::string probe = connection_string();
    const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
    for (;;) {
      if (PQping(probe.c_str()) == PQPING_OK) return {};
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return make_error(errc::unavailable, "the PostgreSQL server exited while starting: " +
                                                 tail(dir_ / "server.log"));
      }
      if (std::chrono::steady_clock::now() > deadline) {
        shutdown_server_only();
        return make_error(errc::unavailable,
                          "the PostgreSQL server did not accept connections within " +
                              std::to_string(options_.start_timeout.count()) +
                              " s: " + tail(dir_ / "server.log"));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  void shutdown_server_only() noexcept {
    if (pid_ > 0) {
      ::kill(pid_, SIGQUIT);
      if (!wait_exit(std::chrono::seconds(5))) {
        ::kill(pid_, SIGKILL);
        (void)wait_exit(std::chrono::seconds(5));
      }
      pid_ = -1;
    }
  }

  bool wait_exit(std::chrono::seconds limit) noexcept {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_ || (r < 0 && errno == ECHILD)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  static std::string tail(const std::filesystem::path& file, std::size_t max = 800) {
    std::ifstream in(file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.size() > max) text.erase(0, text.size() - max);
    return text.empty() ? "(empty)" : text;
  }

  // Starts bin_/argv[0] with its output in `log`, as the postgres user when we are root. fork +
  // execv rather than a shell: paths are passed as they are, with nothing to quote. The program
  // gets its full path as argv[0]: initdb finds its sibling `postgres` from its own argv[0], and
  // a bare name would make it search $PATH, where Debian does not put either program.
  result<pid_t> spawn(std::vector<std::string> argv, const std::filesystem::path& log,
                      bool die_with_parent) const {
    auto who = run_as();
    if (!who) return std::move(who).error();
    const std::string program = (bin_ / argv.front()).string();
    argv.front() = program;
    const std::string log_path = log.string();
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    const pid_t parent = ::getpid();

    const pid_t pid = ::fork();
    if (pid < 0) return make_error(errc::unavailable, "fork() failed for " + argv.front());
    if (pid == 0) {
      // Child: only async-signal-safe calls until execv.
      const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
        ::close(fd);
      }
      const int devnull = ::open("/dev/null", O_RDONLY);
      if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
      if (*who) {
        if (::setgroups(0, nullptr) != 0 || ::setgid((*who)->gid) != 0 ||
            ::setuid((*who)->uid) != 0) {
          ::_exit(126);
        }
      }
      if (die_with_parent) {
        // After setuid: a change of credentials clears the setting. SIGQUIT is PostgreSQL's
        // immediate shutdown; the postmaster takes its workers along.
        ::prctl(PR_SET_PDEATHSIG, SIGQUIT);
        if (::getppid() != parent) ::_exit(125);  // the parent is already gone
      }
      ::execv(program.c_str(), args.data());
      ::_exit(127);
    }
    return pid;
  }

  // Runs a command to completion; its output is quoted in the error when it fails.
  result<void> run(std::vector<std::string> argv, const std::filesystem::path& log) const {
    const std::string name = argv.front();
    auto pid = spawn(std::move(argv), log, false);
    if (!pid) return std::move(pid).error();
    int status = 0;
    while (::waitpid(*pid, &status, 0) < 0) {
      if (errno != EINTR) return make_error(errc::unavailable, "waitpid() failed");
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
    std::string message = name + " failed (";
    message += WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                 : std::string("killed by a signal");
    message += "): " + tail(log);
    return make_error(errc::unavailable, std::move(message));
  }

  std::filesystem::path bin_;
  std::filesystem::path dir_;
  postgres_server_options options_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;  // the postmaster, our child
};

}  // namespace syncline::testing
