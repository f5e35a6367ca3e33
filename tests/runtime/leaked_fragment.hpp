// What the redaction tests look for in a text that must hold no secret: the longest prefix or
// suffix of `s` of at least secret_scrubber::min_fragment characters found in `text`, searched for
// one length at a time (not the redactor's way of finding them, so a bug there cannot hide here).
#pragma once

#include <syncline/core/secret_scrubber.hpp>

#include <cstddef>
#include <string>
#include <string_view>

inline std::string leaked_fragment(std::string_view text, std::string_view s) {
  for (std::size_t k = s.size(); k >= syncline::secret_scrubber::min_fragment; --k) {
    if (text.find(s.substr(0, k)) != std::string_view::npos) return std::string(s.substr(0, k));
    if (text.find(s.substr(s.size() - k)) != std::string_view::npos)
      return std::string(s.substr(s.size() - k));
  }
  return {};
}
