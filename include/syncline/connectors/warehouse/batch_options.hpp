// How a sink groups rows into batches (warehouse::batcher), and what it achieved: the part of
// batching a sink's declaration names, without the batcher's Asio machinery.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace syncline::warehouse {

// Counters for operators and tests: rows / flushes is the achieved batch size.
struct batch_statistics {
  std::uint64_t flushes = 0;
  std::uint64_t rows = 0;
};

struct batch_options {
  std::size_t max_rows = 500;  // a batch never holds more; reaching it starts a flush at once
  // How long the first row of a batch may wait for company before the flush starts. Zero means
  // "flush whenever the sink is idle": rows still group while a previous flush runs.
  std::chrono::microseconds max_delay{2000};
};

}  // namespace syncline::warehouse
