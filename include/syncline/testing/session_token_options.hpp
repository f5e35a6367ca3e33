// testing::session_token_options: the session token the emulator mints as App Bridge would hand
// it to an embedded app's frontend (HS256 with the app's client secret; iss, dest, aud, sub, exp,
// nbf, iat, jti, sid). `claims` replaces or adds claims, to make a wrong or expired one on purpose.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <string>

namespace syncline::testing {

struct session_token_options {
  std::chrono::seconds lifetime{60};  // Shopify's session tokens live one minute
  std::string user_id = "42";         // `sub`: the staff member using the app
  boost::json::object claims;         // e.g. {{"aud", "another-app"}} or {{"exp", 0}}
};

}  // namespace syncline::testing
