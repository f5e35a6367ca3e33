// The JSON answers of the engine's routes (ingress.hpp), as described structs that syncline::json
// encodes (http/json_answer.hpp says why); a refusal is an http::error_answer. Their wire form
// is documented in docs/operations.md and read by the platforms that post to the engine.
#pragma once

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace syncline::detail {

enum class delivery_status { accepted, duplicate };
BOOST_DESCRIBE_ENUM(delivery_status, accepted, duplicate)

// 200 to POST /webhooks/... and POST /events/...: {"status":"accepted","runs":[id, ...]}, one run
// per workflow of the topic; "duplicate" when every run was already there.
struct delivery_answer {
  delivery_status status = delivery_status::accepted;
  std::vector<std::int64_t> runs;
};
BOOST_DESCRIBE_STRUCT(delivery_answer, (), (status, runs))

// GET /healthz: {"status":"ok"} or {"status":"store unavailable"}.
struct health_answer {
  std::string status;
};
BOOST_DESCRIBE_STRUCT(health_answer, (), (status))

}  // namespace syncline::detail
