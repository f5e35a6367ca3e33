// One integration as engine::install hands it to the engine's core: its names, its type's
// identity, how its app's deliveries are read, and a factory of its type-erased runners. Built in
// the user's translation unit (where the workflows' types are known), read by the core.
#pragma once

#include <syncline/runtime/detail/app_deliveries.hpp>
#include <syncline/runtime/detail/runner.hpp>
#include <syncline/runtime/metrics.hpp>
#include <syncline/runtime/retry_policy.hpp>

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace syncline::detail {

struct integration_spec {
  std::string_view name;
  std::string_view app;
  const void* type = nullptr;  // type_key of the integration's type
  app_deliveries deliveries;
  // One runner per workflow, registering each workflow's metrics; called once, when the
  // integration is first installed in an engine.
  std::function<std::vector<std::unique_ptr<runner>>(engine_metrics&, const retry_policy&)>
      make_runners;
};

}  // namespace syncline::detail
