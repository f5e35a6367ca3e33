// syncline::redactor: the last line of defence that keeps secrets out of what the engine
// writes. Connectors never put a token in an error on purpose (syncline::secret prints as ***),
// but an app's answer quoted in an error may echo one back; the engine passes every error text,
// run-log entry and log line through ONE redactor that knows every secret it holds: the tenants'
// credentials, the event signing secret, and the secrets of the services it was given (a data
// stream's signing secret, a warehouse's access token).
//
// Why fragments too: a connector quotes an answer cut to a few hundred bytes (body_excerpt), and
// it cuts before the engine sees the text because it does not know the secrets. A secret that
// straddles the cut survives as a prefix ("...", or the end of the text, follows it); one cut at
// the start of a quote survives as a suffix. So the redactor removes, anywhere in a text, every
// run of at least min_fragment characters that is a prefix or a suffix of a secret, extended as
// far as it matches. Anywhere, not only at a text's ends or at "...": a quote's edge can sit in
// the middle of the final message (a connector adds text after it, a user's connector marks no
// cut), and the redactor cannot know where the edges are. This makes the property independent
// of where and by whom a text was cut, which threading the redactor into every connector would
// not (a user's connector, the HTTP client, any future code could cut without it).
#pragma once

#include <syncline/config.hpp>
#include <syncline/core/secret.hpp>

#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/mp11/algorithm.hpp>

#include <concepts>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
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
  // Secrets shorter than this are not scrubbed: replacing every "a" or "42" in a log line would
  // destroy it while protecting nothing (such a secret is no secret).
  static constexpr std::size_t min_length = 6;
  // The shortest prefix or suffix of a secret that is scrubbed wherever it appears. Shorter
  // pieces occur by chance in ordinary text (a 3-letter piece of a word), so scrubbing them would
  // mangle messages; and what a cut can then still show is at most 5 characters at each end of
  // a secret, which leaves a token of the usual 32+ characters at 27+ unknown ones (over 160
  // bits for base64), far out of reach of guessing. Equal to min_length, so every registered
  // secret has at least one fragment.
  static constexpr std::size_t min_fragment = min_length;

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

  // Lock order: watch_mu_, then mu_. Both are taken by operator() const, and the index changes
  // under it when a watched owner reports a new secret: hence mutable.
  mutable std::mutex watch_mu_;
  mutable std::vector<watched> watched_;
  mutable std::shared_mutex mu_;
  mutable std::map<std::string, std::vector<std::string>> by_owner_;
  // The first and the last min_fragment characters of each secret (views into by_owner_'s
  // strings, which never move once indexed) -> the secret: one hash lookup per position of a
  // text finds every fragment, whatever the number of tenants.
  mutable std::unordered_multimap<std::string_view, const std::string*> by_edge_;
};

}  // namespace syncline

#if SYNCLINE_HEADER_ONLY
#include <syncline/runtime/impl/redactor.ipp>
#endif
