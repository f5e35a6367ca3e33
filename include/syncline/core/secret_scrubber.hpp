// syncline::secret_scrubber: the one mechanism that takes secrets out of a text. It removes every
// secret it holds and, anywhere in the text, every run of at least min_fragment characters that
// is a prefix or a suffix of one, extended as far as it matches. The engine's redactor
// (runtime/redactor.hpp) is a scrubber of every secret the engine knows, behind a lock; a part
// that holds a secret the engine does not see (the PostgreSQL sink's password, inside its
// connection string) keeps a scrubber of its own, so both remove the same things.
//
// Why fragments too: a connector quotes an answer cut to a few hundred bytes (body_excerpt), and
// it cuts before the text is scrubbed because it does not know the secrets. A secret that
// straddles the cut survives as a prefix ("...", or the end of the text, follows it); one cut at
// the start of a quote survives as a suffix. Anywhere, not only at a text's ends or at "...": a
// quote's edge can sit in the middle of the final message (a connector adds text after it, a
// user's connector marks no cut), and the scrubber cannot know where the edges are. This makes
// the property independent of where and by whom a text was cut.
#pragma once

#include <syncline/config.hpp>

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace syncline {

class secret_scrubber {
 public:
  // Secrets shorter than this are not scrubbed: replacing every "a" or "42" in a log line would
  // destroy it while protecting nothing (such a secret is no secret).
  static constexpr std::size_t min_length = 6;
  // The shortest prefix or suffix of a secret that is scrubbed wherever it appears. Shorter
  // pieces occur by chance in ordinary text (a 3-letter piece of a word), so scrubbing them would
  // mangle messages; and what a cut can then still show is at most 5 characters at each end of
  // a secret, which leaves a token of the usual 32+ characters at 27+ unknown ones (over 160
  // bits for base64), far out of reach of guessing. Equal to min_length, so every held secret
  // has at least one fragment.
  static constexpr std::size_t min_fragment = min_length;

  secret_scrubber() = default;
  // A scrubber of these secrets (one owner).
  explicit secret_scrubber(std::vector<std::string> secrets) { set({}, std::move(secrets)); }

  // Its index points into its own strings: moved, never copied (a map's nodes stay put).
  secret_scrubber(secret_scrubber&&) = default;
  secret_scrubber& operator=(secret_scrubber&&) = default;
  secret_scrubber(const secret_scrubber&) = delete;
  secret_scrubber& operator=(const secret_scrubber&) = delete;

  // Holds `secrets` for `owner` (e.g. "crm_sync/shop-a") instead of what it held; none forgets
  // the owner. A secret holding a character that a text may lose or change on its way (a space,
  // a line break, a quote, non-ASCII) is also held as its runs between them.
  SYNCLINE_DECL void set(const std::string& owner, std::vector<std::string> secrets);

  bool empty() const noexcept { return by_edge_.empty(); }

  // `text` with every held secret, and every prefix or suffix of one of at least min_fragment
  // characters, replaced by "***".
  SYNCLINE_DECL std::string operator()(std::string text) const;

 private:
  std::map<std::string, std::vector<std::string>> by_owner_;
  // The first and the last min_fragment characters of each secret (views into by_owner_'s
  // strings, which never move once indexed) -> the secret: one hash lookup per position of a
  // text finds every fragment, whatever the number of secrets.
  std::unordered_multimap<std::string_view, const std::string*> by_edge_;
};

}  // namespace syncline

#if SYNCLINE_HEADER_ONLY
#include <syncline/core/impl/secret_scrubber.ipp>
#endif
