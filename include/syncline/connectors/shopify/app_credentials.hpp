// shopify::app_credentials: what identifies your app to Shopify (one for all the shops that
// install it), as opposed to shopify::credentials, what one installed shop gives it. Shopify
// signs with the client secret what it sends before a shop is installed: the OAuth redirect's
// query (shopify/signed_query.hpp) and the session tokens of embedded apps
// (shopify/session_token.hpp).
#pragma once

#include <syncline/core/secret.hpp>

#include <boost/describe/class.hpp>

#include <string>

namespace syncline::shopify {

struct app_credentials {
  std::string client_id{};  // the app's API key: public, the `aud` of its session tokens
  secret client_secret{};
  // During a secret rotation Shopify may still sign with the old secret: either is accepted.
  // Leave it empty outside a rotation.
  secret previous_client_secret{};
};
// Described so that the engine's redactor finds the secrets.
BOOST_DESCRIBE_STRUCT(app_credentials, (), (client_id, client_secret, previous_client_secret))

}  // namespace syncline::shopify
