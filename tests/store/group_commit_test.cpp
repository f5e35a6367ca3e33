// group_commit: concurrent submitters batched into one transaction, answers on each submitter's
// executor, bounded waiting, and a crash test: a child process enqueueing under load is killed
// with SIGKILL and every event it acknowledged is found in the file afterwards. Also the queue
// under it (core/detail/group_commit_queue.hpp): a batch that waits only while more is coming.
#include <syncline/core/detail/group_commit_queue.hpp>
#include <syncline/store/group_commit.hpp>
#include <syncline/store/sqlite_store.hpp>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

#include "store/store_fixture.hpp"

namespace unity_store_group_commit_test {

using namespace store_test;
namespace asio = boost::asio;
using st::enqueue_result;
using syncline::errc;
using syncline::result;

namespace {

// Waits (with a generous bound) until the group commit holds `n` submits.
void wait_for_pending(const st::group_commit& gc, std::size_t n) {
  for (int i = 0; i < 10'000 && gc.pending() < n; ++i) {
    std::this_thread::sleep_for(1ms);
  }
  REQUIRE(gc.pending() == n);
}

// Submits one entry from a coroutine on `io` and runs `io` until it is answered.
result<st::group_commit::answers> submit_all_and_wait(asio::io_context& io, st::group_commit& gc,
                                                      std::vector<st::new_run> runs) {
  result<st::group_commit::answers> out = syncline::make_error(errc::internal, "not answered");
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { out = co_await gc.submit_all(std::move(runs)); },
      asio::detached);
  io.restart();
  io.run();
  return out;
}

}  // namespace

TEST_CASE("group commit: concurrent submitters share transactions, each gets its own answer",
          "[group_commit]") {
  temp_dir dir;
  auto s = open_store(dir.file("store.db"), {});
  st::group_commit gc(*s, {.max_batch = 64, .max_pending = 1000});

  // Another connection holds the write lock, so every submit gathers behind the first batch
  // deterministically (the writer thread waits in SQLite's busy handler meanwhile).
  raw_connection holder(dir.file("store.db"));
  holder.exec("BEGIN IMMEDIATE");

  constexpr int submitters = 300;
  constexpr int keys = 200;  // submitters k and k + 200 deliver the same webhook
  asio::io_context io_a, io_b;
  std::vector<result<enqueue_result>> answers(submitters,
                                              syncline::make_error(errc::internal, "no answer"));
  std::atomic<int> wrong_thread{0};
  std::thread::id thread_a, thread_b;
  for (int i = 0; i < submitters; ++i) {
    asio::io_context& io = i % 2 == 0 ? io_a : io_b;
    std::thread::id& expected = i % 2 == 0 ? thread_a : thread_b;
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          answers[i] = co_await gc.submit(
              make_run("webhook-" + std::to_string(i % keys), std::to_string(i % keys)));
          if (std::this_thread::get_id() != expected) ++wrong_thread;
        },
        asio::detached);
  }
  std::thread runner_a([&] {
    thread_a = std::this_thread::get_id();
    io_a.run();
  });
  std::thread runner_b([&] {
    thread_b = std::this_thread::get_id();
    io_b.run();
  });
  wait_for_pending(gc, submitters);
  holder.exec("ROLLBACK");
  runner_a.join();  // run() returns once every coroutine has its answer
  runner_b.join();

  CHECK(wrong_thread == 0);
  std::map<int, std::int64_t> run_of_key;
  for (int i = 0; i < submitters; ++i) {
    INFO("submitter " << i << ": " << (answers[i] ? "" : to_string(answers[i].error())));
    REQUIRE(answers[i]);
    if (answers[i]->kind == enqueue_result::accepted) {
      CHECK(run_of_key.emplace(i % keys, answers[i]->run_id).second);
    }
  }
  REQUIRE(run_of_key.size() == keys);
  for (int i = 0; i < submitters; ++i) {
    CHECK(answers[i]->run_id == run_of_key[i % keys]);  // duplicates name the original run
  }
  for (const auto& [key, id] : run_of_key) CHECK(s->get_run(id)->payload == std::to_string(key));

  const auto stats = gc.stats();
  CHECK(stats.runs == submitters);
  CHECK(stats.largest_batch > 1);
  CHECK(stats.largest_batch <= 64);
  // The first batch is whatever had arrived when the writer woke; the rest gathered behind it.
  CHECK(stats.batches <= 1 + (submitters - 1 + 63) / 64);
  CHECK(gc.pending() == 0);
}

TEST_CASE("group commit: submit_all queues several runs as one entry, each with its answer",
          "[group_commit]") {
  temp_dir dir;
  auto s = open_store(dir.file("store.db"), {});
  st::group_commit gc(*s);
  asio::io_context io;
  auto run_all = [&](std::vector<st::new_run> runs) {
    return submit_all_and_wait(io, gc, std::move(runs));
  };

  // One delivery, three workflows (the engine scopes the key by workflow): one entry, one
  // transaction, three answers in order.
  auto first = run_all({make_run("a/wh-1", "{}", "acme.myshopify.com", "a"),
                        make_run("b/wh-1", "{}", "acme.myshopify.com", "b"),
                        make_run("c/wh-1", "{}", "acme.myshopify.com", "c")});
  REQUIRE(first);
  REQUIRE(first->size() == 3);
  for (const auto& a : *first) {
    REQUIRE(a);
    CHECK(a->kind == enqueue_result::accepted);
  }
  CHECK(gc.stats().batches == 1);
  CHECK(gc.stats().runs == 1);  // one entry
  CHECK(s->counts()->queued == 3);

  // Its redelivery: every run a duplicate naming its original.
  auto again = run_all({make_run("a/wh-1", "{}", "acme.myshopify.com", "a"),
                        make_run("b/wh-1", "{}", "acme.myshopify.com", "b"),
                        make_run("c/wh-1", "{}", "acme.myshopify.com", "c")});
  REQUIRE(again);
  for (std::size_t i = 0; i < 3; ++i) {
    REQUIRE((*again)[i]);
    CHECK((*again)[i]->kind == enqueue_result::duplicate);
    CHECK((*again)[i]->run_id == (*first)[i]->run_id);
  }

  // A run without its names refuses the whole entry: nothing of it is written.
  auto bad = run_all({make_run("wh-2"), make_run("wh-2", "{}", "")});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().category == errc::invalid_input);
  CHECK(s->counts()->queued == 3);
}

TEST_CASE("group commit: a lease taker is asked before each batch and handed what it leased",
          "[group_commit]") {
  temp_dir dir;
  auto s = open_store(dir.file("store.db"), {});
  struct taken {
    std::vector<st::claimed_run> leased;
    std::size_t reserved = 0;
    std::size_t waiting = 0;
  };
  std::vector<std::size_t> asked;  // the writer thread's calls, read once the batch is answered
  std::vector<taken> handed;
  std::size_t offer = 2;
  st::group_commit gc(
      *s, {},
      {.worker = "engine",
       .lease = 30s,
       .reserve =
           [&](std::size_t n) {
             asked.push_back(n);
             return std::min(n, offer);
           },
       .take =
           [&](std::vector<st::claimed_run> leased, std::size_t reserved, std::size_t waiting) {
             handed.push_back({std::move(leased), reserved, waiting});
           }});
  asio::io_context io;
  auto run_all = [&](std::vector<st::new_run> runs) {
    return submit_all_and_wait(io, gc, std::move(runs));
  };

  // Three runs, two workers offered: two leased in the batch's transaction, one left to a claim.
  auto first = run_all({make_run("wh-1"), make_run("wh-2"), make_run("wh-3")});
  REQUIRE(first);
  REQUIRE(asked == std::vector<std::size_t>{3});
  REQUIRE(handed.size() == 1);
  CHECK(handed[0].reserved == 2);
  CHECK(handed[0].waiting == 1);
  REQUIRE(handed[0].leased.size() == 2);
  CHECK(handed[0].leased[0].id == (*first)[0]->run_id);
  CHECK(handed[0].leased[1].id == (*first)[1]->run_id);
  CHECK(handed[0].leased[0].attempt == 1);
  CHECK(run_of(*s, (*first)[0]->run_id).worker == "engine@" + s->worker_identity());
  CHECK(s->counts()->running == 2);
  CHECK(s->counts()->queued == 1);

  // A redelivery leases nothing (duplicates never are), and nothing waits for a claim.
  auto again = run_all({make_run("wh-1")});
  REQUIRE(again);
  REQUIRE(handed.size() == 2);
  CHECK(handed[1].leased.empty());
  CHECK(handed[1].reserved == 1);
  CHECK(handed[1].waiting == 0);

  // Nothing offered: the batch is a plain enqueue, and its run waits for a claim.
  offer = 0;
  REQUIRE(run_all({make_run("wh-4")}));
  REQUIRE(handed.size() == 3);
  CHECK(handed[2].leased.empty());
  CHECK(handed[2].reserved == 0);
  CHECK(handed[2].waiting == 1);
  CHECK(s->counts()->queued == 2);
}

TEST_CASE("group commit: ends handed to finish join the transaction of the runs queued with them",
          "[group_commit]") {
  temp_dir dir;
  auto s = open_store(dir.file("store.db"), {});
  enqueue_ok(*s, {make_run("a"), make_run("b")});
  const auto claimed = claim_ok(*s, 10);
  REQUIRE(claimed.size() == 2);
  st::claimed_run stale = claimed[1];
  stale.lease_token = "not-the-lease";
  const auto t = std::chrono::system_clock::now();
  const std::vector<st::block_event_record> events{
      {claimed[0].id, 1, 0, "to_row", t, t + 1ms, "ok", ""}};
  const std::vector<st::run_completion> ends{
      st::run_completion::completed(claimed[0], st::run_status::succeeded),
      st::run_completion::completed(stale, st::run_status::succeeded)};

  st::group_commit gc(*s);
  // Another connection holds the write lock, so the three entries gather while it is held: into
  // one batch, or two when the writer took the first run alone. Either way the ends share a
  // batch, a transaction, with a run.
  raw_connection holder(dir.file("store.db"));
  holder.exec("BEGIN IMMEDIATE");
  asio::io_context io;
  std::vector<result<enqueue_result>> queued;
  result<st::group_commit::end_answers> ended = syncline::make_error(errc::internal, "no answer");
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { queued.push_back(co_await gc.submit(make_run("c"))); },
      asio::detached);
  while (gc.pending() < 1) io.run_one();
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { ended = co_await gc.finish(ends, events); },
      asio::detached);
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { queued.push_back(co_await gc.submit(make_run("d"))); },
      asio::detached);
  while (gc.pending() < 3) io.run_one();
  holder.exec("ROLLBACK");
  io.run();

  REQUIRE(queued.size() == 2);
  CHECK(queued[0]->kind == enqueue_result::accepted);
  CHECK(queued[1]->kind == enqueue_result::accepted);
  REQUIRE(ended);
  REQUIRE(ended->size() == 2);
  CHECK((*ended)[0]);
  CHECK((*ended)[1].error().category == errc::conflict);  // refused alone, the rest written
  CHECK(run_of(*s, claimed[0].id).status == st::run_status::succeeded);
  CHECK(run_of(*s, claimed[1].id).status == st::run_status::running);
  CHECK(*s->block_events(claimed[0].id) == events);
  const auto stats = gc.stats();
  CHECK(stats.batches <= 2);
  CHECK(stats.largest_batch >= 2);

  // Once stopped, ends are refused with nothing written: the caller writes them itself.
  gc.stop();
  const std::vector<st::run_completion> late{
      st::run_completion::completed(claimed[1], st::run_status::succeeded)};
  io.restart();
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { ended = co_await gc.finish(late, {}); }, asio::detached);
  io.run();
  REQUIRE_FALSE(ended);
  CHECK(ended.error().category == errc::unavailable);
  CHECK(run_of(*s, claimed[1].id).status == st::run_status::running);
}

TEST_CASE("group commit: past max_pending, submit answers unavailable at once", "[group_commit]") {
  temp_dir dir;
  auto s = open_store(dir.file("store.db"), {});
  st::group_commit gc(*s, {.max_batch = 64, .max_pending = 10});
  raw_connection holder(dir.file("store.db"));
  holder.exec("BEGIN IMMEDIATE");

  asio::io_context io;
  std::vector<result<enqueue_result>> answers;
  for (int i = 0; i < 15; ++i) {
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { answers.push_back(co_await gc.submit(make_run())); },
        asio::detached);
  }
  // While the store is locked, only the refusals can be answered: 5 of them, at once.
  while (answers.size() < 5) io.run_one();
  for (const auto& a : answers) {
    REQUIRE_FALSE(a);
    CHECK(a.error().category == errc::unavailable);
    CHECK(a.error().message.find("max_pending") != std::string::npos);
  }
  CHECK(gc.pending() == 10);

  holder.exec("ROLLBACK");
  io.run();
  REQUIRE(answers.size() == 15);
  for (std::size_t i = 5; i < answers.size(); ++i) {
    REQUIRE(answers[i]);
    CHECK(answers[i]->kind == enqueue_result::accepted);
  }
  CHECK(s->counts()->queued == 10);
}

TEST_CASE("group commit: a full queue, an invalid run and a stop are answered as errors",
          "[group_commit]") {
  temp_dir dir;
  st::sqlite_store_options opts;
  opts.max_unfinished_runs = 2;
  auto s = open_store(dir.file("store.db"), opts);
  asio::io_context io;
  std::vector<result<enqueue_result>> answers;
  // A callback token (not a coroutine): the answer runs on the executor bound to it.
  auto collect = asio::bind_executor(
      io.get_executor(), [&](result<enqueue_result> r) { answers.push_back(std::move(r)); });

  {
    st::group_commit gc(*s);
    gc.async_submit(make_run("a"), collect);
    io.run();
    io.restart();
    gc.async_submit(make_run("b"), collect);
    io.run();
    io.restart();
    auto nameless = make_run("c");
    nameless.tenant.clear();
    gc.async_submit(nameless, collect);
    io.run();
    io.restart();
    gc.async_submit(make_run("d"), collect);
    io.run();
    io.restart();
    REQUIRE(answers.size() == 4);
    CHECK(answers[0]->kind == enqueue_result::accepted);
    CHECK(answers[1]->kind == enqueue_result::accepted);
    CHECK(answers[2].error().category == errc::invalid_input);
    CHECK(answers[3].error().category == errc::unavailable);
    CHECK(answers[3].error().message.find("full") != std::string::npos);
    // A duplicate is still answered when the queue is full: Shopify may stop retrying.
    gc.async_submit(make_run("a"), collect);
    io.run();
    io.restart();
    CHECK(*answers[4] == enqueue_result{enqueue_result::duplicate, answers[0]->run_id});
  }
  CHECK(s->counts()->queued == 2);
}

TEST_CASE("group commit: stop commits what is waiting, then refuses", "[group_commit]") {
  temp_dir dir;
  auto s = open_store(dir.file("store.db"), {});
  st::group_commit gc(*s);
  raw_connection holder(dir.file("store.db"));
  holder.exec("BEGIN IMMEDIATE");

  asio::io_context io;
  std::vector<result<enqueue_result>> answers;
  for (int i = 0; i < 5; ++i) {
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { answers.push_back(co_await gc.submit(make_run())); },
        asio::detached);
  }
  while (gc.pending() < 5) io.run_one();
  std::thread stopper([&] { gc.stop(); });
  std::this_thread::sleep_for(20ms);  // let stop() begin waiting; the order is not asserted
  holder.exec("ROLLBACK");
  stopper.join();
  io.run();
  io.restart();
  REQUIRE(answers.size() == 5);
  for (const auto& a : answers) CHECK(a->kind == enqueue_result::accepted);

  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { answers.push_back(co_await gc.submit(make_run())); },
      asio::detached);
  io.run();
  REQUIRE(answers.size() == 6);
  REQUIRE_FALSE(answers[5]);
  CHECK(answers[5].error().category == errc::unavailable);
  CHECK(s->counts()->queued == 5);
}

TEST_CASE("group commit queue: with more_coming a batch waits only while more items are coming",
          "[group_commit]") {
  asio::io_context io;
  bool coming = true;
  std::vector<std::size_t> batches;
  // A minute's max_delay: any flush below happens because nothing more is coming.
  syncline::detail::group_commit_queue<int, result<int>> queue(
      io.get_executor(),
      {.max_delay = std::chrono::minutes(1), .more_coming = [&] { return coming; }},
      [&](std::vector<int>& items) -> asio::awaitable<std::vector<result<int>>> {
        batches.push_back(items.size());
        std::vector<result<int>> out;
        for (int i : items) out.emplace_back(i * 10);
        co_return out;
      });
  std::vector<int> answers;
  auto submit = [&](int i) {
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          auto r = co_await queue.submit(i);
          answers.push_back(r ? *r : -1);
        },
        asio::detached);
  };
  // Runs whatever is ready (poll never waits for the minute's timer); restart: a context that
  // ran out of work stays stopped.
  auto settle = [&] {
    for (int i = 0; i < 100; ++i) {
      io.restart();
      io.poll();
    }
  };

  for (int i = 1; i <= 3; ++i) submit(i);
  settle();
  CHECK(batches.empty());  // more are coming: they wait
  CHECK(queue.pending() == 3);

  coming = false;  // the last one: it and those waiting go in one batch
  submit(4);
  settle();
  CHECK(batches == std::vector<std::size_t>{4});
  CHECK(answers == std::vector<int>{10, 20, 30, 40});

  submit(5);  // nothing coming: written at once, alone
  settle();
  CHECK(batches == std::vector<std::size_t>{4, 1});
  CHECK(answers.back() == 50);
  CHECK(queue.pending() == 0);
}

namespace {

struct ack {
  std::int64_t seq;
  std::int64_t run_id;
};

// The child: enqueue forever from 32 concurrent submitters; after each acknowledgement, tell
// the parent which event got which run. Never returns.
[[noreturn]] void enqueue_until_killed(const std::filesystem::path& file, int round, int out) {
  auto s = st::sqlite_store::open(file);
  if (!s) _exit(2);
  asio::io_context io;
  st::group_commit gc(**s, {.max_batch = 128, .max_pending = 4096});
  std::int64_t next = 0;
  for (int w = 0; w < 32; ++w) {
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          for (;;) {
            const std::int64_t seq = next++;
            const std::string key = std::to_string(round) + "-" + std::to_string(seq);
            auto r = co_await gc.submit(make_run(key, key));
            if (!r || r->kind != enqueue_result::accepted) _exit(3);
            // 16 bytes: below PIPE_BUF, so the parent reads whole records or nothing.
            char record[sizeof(ack)];
            const ack a{seq, r->run_id};
            std::memcpy(record, &a, sizeof record);
            if (::write(out, record, sizeof record) != static_cast<ssize_t>(sizeof record))
              _exit(4);
          }
        },
        asio::detached);
  }
  io.run();
  _exit(5);
}

bool read_ack(int fd, ack& a) {
  auto* p = reinterpret_cast<char*>(&a);
  std::size_t got = 0;
  while (got < sizeof a) {
    const ssize_t n = ::read(fd, p + got, sizeof a - got);
    if (n == 0) return false;
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    got += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

TEST_CASE("crash: a process killed under load loses no acknowledged event", "[group_commit]") {
  temp_dir dir;
  std::mt19937 rng{std::random_device{}()};
  std::map<std::int64_t, std::string> acknowledged;  // run id -> the event's payload
  for (int round = 0; round < 3; ++round) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      ::close(fds[0]);
      enqueue_until_killed(dir.file("store.db"), round, fds[1]);
    }
    ::close(fds[1]);
    const std::size_t kill_after = std::uniform_int_distribution<std::size_t>(50, 2000)(rng);
    std::size_t seen = 0;
    ack a{};
    while (read_ack(fds[0], a)) {
      acknowledged.emplace(a.run_id, std::to_string(round) + "-" + std::to_string(a.seq));
      if (++seen == kill_after) ::kill(child, SIGKILL);
    }
    ::close(fds[0]);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    INFO("round " << round << ": killed after " << kill_after << " acknowledgements; child exit "
                  << (WIFEXITED(status) ? WEXITSTATUS(status) : -1));
    REQUIRE(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    REQUIRE(seen >= kill_after);

    // Restart: every acknowledged event is there, with its own payload, and the file is sound.
    auto s = open_store(dir.file("store.db"), {});
    std::size_t missing = 0;
    for (const auto& [id, payload] : acknowledged) {
      auto r = s->get_run(id);
      if (!r || r->payload != payload) ++missing;
    }
    CHECK(missing == 0);
    CHECK(s->counts()->queued >= static_cast<std::int64_t>(acknowledged.size()));
    CHECK(raw_connection(dir.file("store.db")).scalar("PRAGMA integrity_check") == "ok");
  }
}

}  // namespace unity_store_group_commit_test
