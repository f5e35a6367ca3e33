// syncline::seal_credentials, unseal_credentials: a tenant's credentials at rest, as one
// AES-256-GCM envelope (crypto/sealed.hpp) in the installation row of the store.
//
// The credentials are a described struct (BOOST_DESCRIBE_STRUCT), as engine::install already
// asks so that their secrets are redacted. Their members are written as one JSON object: a
// syncline::secret (plain or optional) as its revealed text, every other member as json::encode
// writes it. That text exists only inside a syncline::secret and only until it is sealed. The
// envelope is bound to its row (the integration and the tenant id), so an envelope copied into
// another row does not open there.
//
//   auto envelope = seal_credentials(ring, "shopify_sync", "acme.myshopify.com", creds);
//   auto creds2 = unseal_credentials<shopify::credentials>(ring, "shopify_sync",
//                                                          "acme.myshopify.com", *envelope);
//
// Errors never hold a secret: a key the keyring lacks names the key id, a wrong key or a
// tampered envelope is errc::unauthorized, a member that no longer decodes (the struct changed)
// names the member.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/crypto/keyring.hpp>
#include <syncline/crypto/sealed.hpp>
#include <syncline/json/decode.hpp>
#include <syncline/json/to_value.hpp>

#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/mp11/algorithm.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace syncline {

// Credentials the engine can keep at rest: a described struct. (An app without credentials,
// no_credentials, keeps nothing.)
template <class C>
concept storable_credentials = boost::describe::has_describe_members<C>::value;

namespace detail {

inline crypto::associated_data credentials_row(std::string_view integration,
                                               std::string_view tenant) {
  return crypto::associated_data{"credentials", integration, tenant};
}

// Why a stored envelope does not open, for the operator: which row, then the crypto error
// (which names a key id at most).
inline error credentials_error(std::string_view integration, std::string_view tenant,
                               const error& e) {
  std::string message = "the stored credentials of ";
  message.append(integration).append("/").append(tenant).append(": ").append(e.message);
  return make_error(e.category, std::move(message), e.status);
}

}  // namespace detail

template <storable_credentials C>
result<std::string> seal_credentials(const crypto::keyring& ring, std::string_view integration,
                                     std::string_view tenant, const C& credentials) {
  boost::json::object o;
  using members = boost::describe::describe_members<C, boost::describe::mod_public>;
  boost::mp11::mp_for_each<members>([&](auto d) {
    using member = std::remove_cvref_t<decltype(credentials.*d.pointer)>;
    const auto& v = credentials.*d.pointer;
    if constexpr (std::is_same_v<member, secret>) {
      o[d.name] = v.reveal();
    } else if constexpr (std::is_same_v<member, std::optional<secret>>) {
      if (v)
        o[d.name] = v->reveal();
      else
        o[d.name] = nullptr;
    } else {
      o[d.name] = json::to_value(v);
    }
  });
  // The plaintext lives in a secret from here on, so it cannot reach a log by accident.
  const secret plaintext{boost::json::serialize(o)};
  return crypto::seal(ring, plaintext, detail::credentials_row(integration, tenant));
}

template <storable_credentials C>
result<C> unseal_credentials(const crypto::keyring& ring, std::string_view integration,
                             std::string_view tenant, std::string_view envelope) {
  auto plaintext = crypto::unseal(ring, envelope, detail::credentials_row(integration, tenant));
  if (!plaintext) return detail::credentials_error(integration, tenant, plaintext.error());
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(plaintext->reveal(), ec);
  if (ec || !doc.is_object()) {
    return detail::credentials_error(integration, tenant,
                                     error{errc::decode, "not a JSON object once opened"});
  }
  const boost::json::object& o = doc.get_object();
  C out{};
  std::optional<error> failure;
  using members = boost::describe::describe_members<C, boost::describe::mod_public>;
  boost::mp11::mp_for_each<members>([&](auto d) {
    if (failure) return;
    using member = std::remove_cvref_t<decltype(out.*d.pointer)>;
    const boost::json::value* v = o.if_contains(d.name);
    if (!v) return;  // a member added since it was sealed keeps its default
    if constexpr (std::is_same_v<member, secret> || std::is_same_v<member, std::optional<secret>>) {
      if (v->is_string()) {
        out.*d.pointer = secret{std::string(v->get_string())};
      } else if (!v->is_null()) {
        failure = error{errc::decode, std::string("member ") + d.name + " is not a string"};
      }
    } else {
      auto m = json::decode<member>(*v);
      if (m) {
        out.*d.pointer = std::move(*m);
      } else {
        // The decoder's message describes the value's shape, never a secret's text: secrets
        // took the branch above.
        failure = error{errc::decode, std::string("member ") + d.name + ": " + m.error().message};
      }
    }
  });
  if (failure) return detail::credentials_error(integration, tenant, *failure);
  return out;
}

}  // namespace syncline
