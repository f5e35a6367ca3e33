// syncline::redactor: the last line of defence that keeps secrets out of what the engine
// writes. Connectors never put a token in an error on purpose (syncline::secret prints as ***),
// but an app's answer quoted in an error may echo one back; the engine passes every error text,
// run-log entry and log line through ONE redactor that knows every secret it holds: the tenants'
// credentials, the event signing secret, and the secrets of the services it was given (a data
// stream's signing secret, a warehouse's access token). What it removes, and why fragments of a
// secret too, is core/secret_scrubber.hpp's: the redactor is that scrubber for the engine's
// secrets, kept up to date (services whose tokens change) and shared between threads.
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/core/secret_scrubber.hpp>

#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/mp11/algorithm.hpp>

#include <concepts>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <type_traits>
#include <vector>

namespace syncline {

// A service that holds secrets (a data stream's signing secret, a warehouse's token) says which
// with secrets(): engine::install registers those of its services, and asks again before each
// redaction because a token provider hands out new ones while the engine runs.
template <class T>
concept holds_secrets = requires(const T& service) {
  { service.secrets() } -> std::convertible_to<std::vector<secret>>;
};

// The revealed values of the syncline::secret members (plain or optional) of a described
// struct; nothing for a type that is not described.
template <class T>
std::vector<std::string> secrets_of(const T& value) {
  std::vector<std::string> out;
  if constexpr (boost::describe::has_describe_members<T>::value) {
    using members = boost::describe::describe_members<T, boost::describe::mod_public>;
    boost::mp11::mp_for_each<members>([&](auto d) {
      using member = std::remove_cvref_t<decltype(value.*d.pointer)>;
      if constexpr (std::is_same_v<member, secret>) {
        if (!(value.*d.pointer).empty()) out.emplace_back((value.*d.pointer).reveal());
      } else if constexpr (std::is_same_v<member, std::optional<secret>>) {
        if ((value.*d.pointer) && !(value.*d.pointer)->empty())
          out.emplace_back((value.*d.pointer)->reveal());
      }
    });
  }
  return out;
}

class redactor {
 public:
  static constexpr std::size_t min_length = secret_scrubber::min_length;
  static constexpr std::size_t min_fragment = secret_scrubber::min_fragment;

  redactor() = default;
  redactor(const redactor&) = delete;
  redactor& operator=(const redactor&) = delete;

  // Registers the secrets of one owner (e.g. "crm_sync/shop-a"), replacing what it had.
  SYNCLINE_DECL void set(const std::string& owner, std::vector<std::string> secrets);
  SYNCLINE_DECL void remove(const std::string& owner);

  // Secrets that may change while the engine runs (a service's, see holds_secrets): `current`
  // is asked before every redaction, so a token issued a moment ago is already scrubbed.
  // `current` must stay callable until freeze() or the redactor's end.
  SYNCLINE_DECL void watch(const std::string& owner, std::function<std::vector<secret>()> current);
  // Asks the watched owners one last time, keeps what they said, and never calls them again:
  // the engine does so when it stops, after which its services may be gone.
  SYNCLINE_DECL void freeze();

  // `text` with every known secret, and every prefix or suffix of one of at least min_fragment
  // characters, replaced by "***".
  SYNCLINE_DECL std::string operator()(std::string text) const;

 private:
  struct watched {
    std::string owner;
    std::function<std::vector<secret>()> current;
    std::vector<secret> last;
  };

  SYNCLINE_DECL void refresh() const;
  SYNCLINE_DECL void replace(const std::string& owner, std::vector<std::string> secrets) const;

  // Lock order: watch_mu_, then mu_. Both are taken by operator() const, and the scrubber changes
  // under it when a watched owner reports a new secret: hence mutable.
  mutable std::mutex watch_mu_;
  mutable std::vector<watched> watched_;
  mutable std::shared_mutex mu_;
  mutable secret_scrubber scrubber_;
};

}  // namespace syncline

#if SYNCLINE_HEADER_ONLY
#include <syncline/runtime/impl/redactor.ipp>
#endif
