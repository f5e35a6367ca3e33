// One installed (integration, tenant): the tenant's credentials and the services install was
// given, their types erased, so the engine can keep installations of every app in one table and
// hand them, typed, to that tenant's runs.
#pragma once

#include <syncline/core/run_context.hpp>
#include <syncline/runtime/services.hpp>
#include <syncline/runtime/tenant.hpp>

#include <atomic>
#include <string>
#include <utility>

namespace syncline::detail {

class installation {
 public:
  installation(std::string integration, std::string tenant, std::string key, std::string settings)
      : integration(std::move(integration)),
        tenant(std::move(tenant)),
        tenant_key(std::move(key)),
        settings{this->tenant, this->integration, std::move(settings)} {}
  virtual ~installation() = default;
  installation(const installation&) = delete;
  installation& operator=(const installation&) = delete;

  const std::string integration;
  const std::string tenant;
  const std::string tenant_key;  // how the app's deliveries name the tenant
  tenant_settings settings;
  // False once uninstalled: no new events are accepted, but runs already queued still find
  // their credentials here until the engine stops.
  std::atomic<bool> active{true};

  // Gives a run the services, the credentials and the settings.
  virtual void provide(run_context& ctx) = 0;
  // The credentials, as the app's credentials type (the runner that knows the type casts).
  virtual const void* credentials() const noexcept = 0;
};

template <class Credentials, class Services = services<>>
class typed_installation final : public installation {
 public:
  typed_installation(std::string integration, std::string key, syncline::tenant<Credentials> t,
                     Services given)
      : installation(std::move(integration), std::move(t.id), std::move(key),
                     std::move(t.settings)),
        credentials_(std::move(t.credentials)),
        services_(given) {}

  // The services first: a service of the credentials' or the settings' type does not replace
  // the tenant's own.
  void provide(run_context& ctx) override {
    services_.provide_to(ctx);
    ctx.provide(credentials_);
    ctx.provide(settings);
  }
  const void* credentials() const noexcept override { return &credentials_; }

 private:
  Credentials credentials_;
  Services services_;
};

}  // namespace syncline::detail
