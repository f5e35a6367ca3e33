// The bodies of syncline::secret_scrubber. Compiled once in separate mode (see
// <syncline/config.hpp>).
#pragma once

#include <syncline/core/secret_scrubber.hpp>

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline {

namespace detail {
// Characters a text may lose or change on its way to the log: body_excerpt turns control and
// non-ASCII bytes into spaces, the log line escapes quotes and backslashes. A secret holding
// one (a PEM key's line breaks) would no longer match whole, so each run between them is a
// secret of its own as well.
constexpr bool breaks_secret(unsigned char c) noexcept {
  return c <= 0x20 || c >= 0x7f || c == '"' || c == '\\';
}

// `s` and its runs between breaking characters, those of at least `min` characters, no repeats.
inline void add_with_pieces(std::vector<std::string>& out, std::string_view s, std::size_t min) {
  auto add = [&](std::string_view piece) {
    if (piece.size() >= min && std::find(out.begin(), out.end(), piece) == out.end())
      out.emplace_back(piece);
  };
  add(s);
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || breaks_secret(static_cast<unsigned char>(s[i]))) {
      if (start != 0 || i != s.size()) add(s.substr(start, i - start));
      start = i + 1;
    }
  }
}
}  // namespace detail

SYNCLINE_DECL void secret_scrubber::set(const std::string& owner,
                                        std::vector<std::string> secrets) {
  std::vector<std::string> kept;
  for (const auto& s : secrets) detail::add_with_pieces(kept, s, min_length);
  if (auto it = by_owner_.find(owner); it != by_owner_.end()) {
    for (const auto& s : it->second) {
      for (std::string_view edge : {std::string_view(s).substr(0, min_fragment),
                                    std::string_view(s).substr(s.size() - min_fragment)}) {
        auto [b, e] = by_edge_.equal_range(edge);
        while (b != e) b = b->second == &s ? by_edge_.erase(b) : std::next(b);
      }
    }
    by_owner_.erase(it);
  }
  if (kept.empty()) return;
  // Indexed only once in place: the views point into these strings.
  const auto& stored = by_owner_.emplace(owner, std::move(kept)).first->second;
  for (const auto& s : stored) {
    const std::string_view head = std::string_view(s).substr(0, min_fragment);
    const std::string_view tail = std::string_view(s).substr(s.size() - min_fragment);
    by_edge_.emplace(head, &s);
    if (tail != head) by_edge_.emplace(tail, &s);
  }
}

SYNCLINE_DECL std::string secret_scrubber::operator()(std::string text) const {
  if (by_edge_.empty() || text.size() < min_fragment) return text;
  const std::string_view t = text;
  const std::size_t n = t.size();
  std::vector<std::pair<std::size_t, std::size_t>> spans;  // [begin, end) to scrub
  for (std::size_t i = 0; i + min_fragment <= n; ++i) {
    const std::string_view gram = t.substr(i, min_fragment);
    auto [b, e] = by_edge_.equal_range(gram);
    for (; b != e; ++b) {
      const std::string_view s = *b->second;
      const std::size_t len = s.size();
      if (s.substr(0, min_fragment) == gram) {  // a prefix starts here: extend it forwards
        std::size_t k = min_fragment;
        while (i + k < n && k < len && t[i + k] == s[k]) ++k;
        spans.emplace_back(i, i + k);
      }
      if (s.substr(len - min_fragment) == gram) {  // a suffix ends here: extend it backwards
        std::size_t begin = i, k = min_fragment;
        while (begin > 0 && k < len && t[begin - 1] == s[len - 1 - k]) --begin, ++k;
        spans.emplace_back(begin, i + min_fragment);
      }
    }
  }
  if (spans.empty()) return text;
  std::sort(spans.begin(), spans.end());
  std::string out;
  out.reserve(n);
  std::size_t at = 0;
  for (std::size_t i = 0; i < spans.size();) {
    auto [begin, end] = spans[i];
    for (++i; i < spans.size() && spans[i].first <= end; ++i) end = std::max(end, spans[i].second);
    out.append(t.substr(at, begin - at));
    out += "***";
    at = end;
  }
  out.append(t.substr(at));
  return out;
}

}  // namespace syncline
