// The engine's registry: which integrations are installed, their runners, and their tenants'
// installations (active and retired), behind one reader-writer lock. Installing and uninstalling
// take it exclusively; every lookup of the ingress, the executor and the sources shares it.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/core/trigger.hpp>
#include <syncline/runtime/detail/app_deliveries.hpp>
#include <syncline/runtime/detail/installation.hpp>
#include <syncline/runtime/detail/integration_spec.hpp>
#include <syncline/runtime/detail/runner.hpp>
#include <syncline/runtime/metrics.hpp>
#include <syncline/runtime/retry_policy.hpp>
#include <syncline/store/run.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::detail {

// One installed integration.
struct integration_entry {
  std::string name;
  std::string app;
  const void* type = nullptr;
  // The live version of each workflow: the runners new events start (version.hpp).
  std::vector<std::unique_ptr<runner>> runners;
  // Older versions kept compiled in: they run the runs their versions queued, and nothing new.
  std::vector<std::unique_ptr<runner>> retired_runners;
  app_deliveries deliveries;  // how the app's deliveries are read, whatever the topic
  std::map<std::string, std::shared_ptr<installation>, std::less<>> tenants;
  std::map<std::string, std::string, std::less<>> by_key;  // tenant key -> tenant id
  // Uninstalled, kept for runs that were already queued.
  std::map<std::string, std::shared_ptr<installation>, std::less<>> retired;
};

class registry {
 public:
  using entries = std::map<std::string, integration_entry, std::less<>>;

  // Adds `inst` (replacing the tenant's earlier installation); the integration's runners are
  // made, and their metrics registered, the first time the integration is installed.
  result<void> add(const integration_spec& spec, const std::shared_ptr<installation>& inst,
                   engine_metrics& metrics, const retry_policy& fallback) {
    const std::string& key = inst->tenant_key;
    std::unique_lock lock(mu_);
    auto [it, created] = entries_.try_emplace(std::string(spec.name));
    integration_entry& entry = it->second;
    if (created) {
      entry.name = std::string(spec.name);
      entry.app = std::string(spec.app);
      entry.type = spec.type;
      entry.deliveries = spec.deliveries;
      split_versions(spec.make_runners(metrics, fallback), entry);
      runnable_ = std::make_shared<const std::vector<std::string>>(runnable_keys());
    } else if (entry.type != spec.type) {
      return make_error(errc::conflict, "install: another integration named \"" + entry.name +
                                            "\" is already installed in this engine");
    }
    if (auto owner = entry.by_key.find(key);
        owner != entry.by_key.end() && owner->second != inst->tenant) {
      return make_error(errc::conflict, "install: tenant key \"" + key +
                                            "\" already belongs to tenant \"" + owner->second +
                                            "\" of \"" + entry.name + "\"");
    }
    if (auto old = entry.tenants.find(inst->tenant); old != entry.tenants.end()) {
      old->second->active = false;
      entry.by_key.erase(old->second->tenant_key);
    }
    entry.tenants[inst->tenant] = inst;
    entry.by_key[key] = inst->tenant;
    entry.retired.erase(inst->tenant);
    return {};
  }

  // Retires the tenant's installation; false when it was not installed.
  bool retire(std::string_view integration, std::string_view tenant_id) {
    std::unique_lock lock(mu_);
    auto it = entries_.find(integration);
    if (it == entries_.end()) return false;
    auto& entry = it->second;
    auto t = entry.tenants.find(tenant_id);
    if (t == entry.tenants.end()) return false;
    t->second->active = false;
    entry.by_key.erase(t->second->tenant_key);
    entry.retired[t->first] = t->second;
    entry.tenants.erase(t);
    return true;
  }

  // Every active installation.
  std::vector<std::shared_ptr<installation>> installations() const {
    std::vector<std::shared_ptr<installation>> out;
    std::shared_lock lock(mu_);
    for (const auto& [name, entry] : entries_)
      for (const auto& [id, inst] : entry.tenants) out.push_back(inst);
    return out;
  }

  // The runners of an integration's polls and schedules.
  std::vector<const runner*> sources_of(std::string_view integration) const {
    std::vector<const runner*> out;
    std::shared_lock lock(mu_);
    auto it = entries_.find(integration);
    if (it == entries_.end()) return out;
    for (const auto& r : it->second.runners)
      if (r->kind == trigger_kind::poll || r->kind == trigger_kind::schedule)
        out.push_back(r.get());
    return out;
  }

  // The runner of a run queued by `version` of the workflow: the live one or a retired one,
  // whichever runs that version; nullptr when this engine has none.
  const runner* find_runner(std::string_view integration, std::string_view workflow,
                            std::uint32_t version) const {
    std::shared_lock lock(mu_);
    auto it = entries_.find(integration);
    if (it == entries_.end()) return nullptr;
    for (const auto* list : {&it->second.runners, &it->second.retired_runners})
      for (const auto& r : *list)
        if (r->workflow == workflow && r->version.runs(version)) return r.get();
    return nullptr;
  }

  // The workflow versions this engine can run, as store::claim takes them: the executor claims
  // only those runs, so that during a rolling deploy each binary runs the versions it has.
  std::shared_ptr<const std::vector<std::string>> runnable() const {
    std::shared_lock lock(mu_);
    return runnable_;
  }

  // The tenant's installation, active or retired (its queued runs still run).
  std::shared_ptr<installation> find_installation(std::string_view integration,
                                                  std::string_view tenant_id) const {
    std::shared_lock lock(mu_);
    auto it = entries_.find(integration);
    if (it == entries_.end()) return nullptr;
    if (auto t = it->second.tenants.find(tenant_id); t != it->second.tenants.end())
      return t->second;
    if (auto t = it->second.retired.find(tenant_id); t != it->second.retired.end())
      return t->second;
    return nullptr;
  }

  // Calls f(entries) under the shared lock, for lookups that walk the whole table at once
  // (the runs an event makes, the installations a delivery names). Runners and installations
  // stay valid after f returns: runners live as long as the registry, installations are shared.
  template <class F>
  decltype(auto) read(F&& f) const {
    std::shared_lock lock(mu_);
    return std::forward<F>(f)(static_cast<const entries&>(entries_));
  }

 private:
  // The highest version of each workflow name is live; the others are retired.
  static void split_versions(std::vector<std::unique_ptr<runner>> all, integration_entry& entry) {
    auto newest = [&](const runner& r) {
      return std::ranges::none_of(all, [&](const auto& o) {
        return o && o->workflow == r.workflow && o->version.number > r.version.number;
      });
    };
    std::vector<bool> live;
    for (const auto& r : all) live.push_back(newest(*r));
    for (std::size_t i = 0; i < all.size(); ++i)
      (live[i] ? entry.runners : entry.retired_runners).push_back(std::move(all[i]));
  }

  std::vector<std::string> runnable_keys() const {
    std::vector<std::string> keys;
    for (const auto& [name, entry] : entries_)
      for (const auto* list : {&entry.runners, &entry.retired_runners})
        for (const auto& r : *list)
          for (std::uint32_t v = r->version.oldest(); v <= r->version.number; ++v)
            keys.push_back(store::workflow_version_key(entry.name, r->workflow, v));
    return keys;
  }

  mutable std::shared_mutex mu_;
  entries entries_;
  std::shared_ptr<const std::vector<std::string>> runnable_ =
      std::make_shared<const std::vector<std::string>>();
};

}  // namespace syncline::detail
