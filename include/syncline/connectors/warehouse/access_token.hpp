// warehouse::access_token: the bearer token of an HTTP ingest sink (BigQuery, Snowflake). Either
// fixed, or asked of a provider before every request, because OAuth and key-pair JWT tokens
// expire (Google's after an hour) and the application refreshes them elsewhere.
#pragma once

#include <syncline/core/secret.hpp>

#include <functional>
#include <utility>

namespace syncline::warehouse {

class access_token {
 public:
  access_token() = default;
  access_token(secret fixed)  // NOLINT: implicit, so options read `.token = secret("...")`
      : provider_([t = std::move(fixed)] { return t; }) {}
  access_token(std::function<secret()> provider)  // NOLINT: implicit, as above
      : provider_(std::move(provider)) {}

  // The token to send now; empty when none was configured.
  secret current() const { return provider_ ? provider_() : secret(); }

 private:
  std::function<secret()> provider_;
};

}  // namespace syncline::warehouse
