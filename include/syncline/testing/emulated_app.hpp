// testing::emulated_app: a Shopify app registered with the emulator — its client id and secret,
// the scopes its configuration declares, where it may be redirected after the merchant approves
// an install, where its privacy (compliance) webhooks go, and how long its tokens live.
// testing::merchant_approval: what the headless merchant answers on the install screen.
#pragma once

#include <syncline/core/secret.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace syncline::testing {

struct emulated_app {
  std::string client_id;  // the app's API key, `client_id` of OAuth
  secret client_secret;   // signs the install redirect, session tokens and the app's webhooks
  // The scopes the app's configuration declares: what a token exchange (Shopify-managed
  // install) grants. The authorization code grant grants what `scope` asks for instead.
  std::vector<std::string> scopes;
  // Allowed redirect_uri values of /admin/oauth/authorize (compared without the query); empty
  // accepts any http(s) URL.
  std::vector<std::string> redirect_urls;
  // Where customers/data_request, customers/redact and shop/redact go (the app configuration's
  // compliance URL); empty: only to subscriptions of those topics made with subscribe().
  std::string compliance_url;

  std::chrono::seconds authorization_code_lifetime{600};
  std::chrono::seconds access_token_lifetime{3600};         // expires_in of `expiring=1`
  std::chrono::seconds refresh_token_lifetime{90 * 86400};  // refresh_token_expires_in
  std::chrono::seconds online_token_lifetime{86400};        // per-user (online) tokens
};

// How the merchant answers an install (authorize) request. The default approves every scope.
struct merchant_approval {
  bool approve = true;
  // Scopes the merchant does not grant although the app asked (a token then has fewer scopes
  // than requested; the app must notice).
  std::vector<std::string> withheld_scopes;
};

}  // namespace syncline::testing
