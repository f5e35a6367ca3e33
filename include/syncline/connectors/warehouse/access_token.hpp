// warehouse::access_token: the bearer token of an HTTP ingest sink (BigQuery, Snowflake). Either
// fixed, or asked of a provider before every request, because OAuth and key-pair JWT tokens
// expire (Google's after an hour) and the application refreshes them elsewhere.
#pragma once

#include <syncline/core/secret.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace syncline::warehouse {

class access_token {
 public:
  access_token() = default;
  access_token(secret fixed)  // NOLINT: implicit, so options read `.token = secret("...")`
      : provider_([t = fixed] { return t; }) {
    issued_->last = std::move(fixed);
  }
  access_token(std::function<secret()> provider)  // NOLINT: implicit, as above
      : provider_(std::move(provider)) {}

  // The token to send now; empty when none was configured.
  secret current() const {
    if (!provider_) return secret();
    secret now = provider_();
    std::lock_guard lock(issued_->mu);
    if (now != issued_->last) {
      issued_->before = std::move(issued_->last);
      issued_->last = now;
    }
    return now;
  }

  // The tokens an answer may echo: the fixed one, or the provider's last two (an answer to a
  // request sent with the old one may arrive after a refresh). The sinks report them to the
  // engine's redactor (see holds_secrets).
  std::vector<secret> issued() const {
    std::lock_guard lock(issued_->mu);
    std::vector<secret> out;
    for (const secret* s : {&issued_->last, &issued_->before})
      if (!s->empty()) out.push_back(*s);
    return out;
  }

 private:
  struct memory {
    std::mutex mu;
    secret last, before;
  };
  std::function<secret()> provider_;
  // Shared by copies: the options are copied into the sink, and each copy hands out the same
  // tokens.
  std::shared_ptr<memory> issued_ = std::make_shared<memory>();
};

}  // namespace syncline::warehouse
