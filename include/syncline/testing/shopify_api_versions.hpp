// testing::shopify_api_versions: which Admin API versions the emulator serves and what it does
// with the others. Shopify releases a version every quarter (YYYY-01/04/07/10), supports each for
// twelve months, and keeps `unstable`. A request naming a well-formed version it does not support
// (too old, or unknown) is served with the oldest supported stable version, which the answer
// names in X-Shopify-API-Version; a malformed version segment is a 404.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::testing {

class shopify_api_versions {
 public:
  struct resolution {
    std::string served;         // the version whose behaviour the answer follows
    bool fell_forward = false;  // the requested version was unsupported
  };

  // 2025-04, 2025-07, 2025-10, 2026-01 and unstable.
  shopify_api_versions() : shopify_api_versions("2026-01", 4) {}

  // `latest` and the stable releases before it, `stable_count` in all, plus "unstable".
  explicit shopify_api_versions(std::string_view latest, unsigned stable_count = 4) {
    int year = 0, month = 0;
    if (!split(latest, year, month) || month % 3 != 1) {
      year = 2026;
      month = 1;
    }
    for (unsigned i = 0; i < std::max(1u, stable_count); ++i) {
      stable_.insert(stable_.begin(), format(year, month));
      month -= 3;
      if (month < 1) {
        month += 12;
        --year;
      }
    }
  }

  // An explicit list of stable versions (any order); "unstable" is always served.
  static shopify_api_versions of(std::vector<std::string> stable) {
    shopify_api_versions v;
    v.stable_.clear();
    for (auto& s : stable)
      if (is_stable_name(s)) v.stable_.push_back(std::move(s));
    std::sort(v.stable_.begin(), v.stable_.end());
    v.stable_.erase(std::unique(v.stable_.begin(), v.stable_.end()), v.stable_.end());
    if (v.stable_.empty()) v.stable_.push_back("2026-01");
    return v;
  }

  const std::vector<std::string>& stable() const noexcept { return stable_; }
  const std::string& latest() const noexcept { return stable_.back(); }
  const std::string& oldest() const noexcept { return stable_.front(); }

  // "YYYY-MM" with digits only, or "unstable".
  static bool well_formed(std::string_view v) { return v == "unstable" || is_stable_name(v); }

  // nullopt when the version segment is malformed (the caller answers 404).
  std::optional<resolution> resolve(std::string_view requested) const {
    if (!well_formed(requested)) return std::nullopt;
    if (requested == "unstable") return resolution{"unstable", false};
    if (std::find(stable_.begin(), stable_.end(), requested) != stable_.end())
      return resolution{std::string(requested), false};
    return resolution{oldest(), true};
  }

  // True when `version` is `minimum` or newer; "unstable" is newer than every release.
  static bool at_least(std::string_view version, std::string_view minimum) {
    if (version == "unstable") return true;
    if (minimum == "unstable") return false;
    return version >= minimum;  // YYYY-MM orders lexically
  }

 private:
  static bool is_stable_name(std::string_view v) {
    if (v.size() != 7 || v[4] != '-') return false;
    for (std::size_t i = 0; i < v.size(); ++i)
      if (i != 4 && (v[i] < '0' || v[i] > '9')) return false;
    return true;
  }
  static bool split(std::string_view v, int& year, int& month) {
    if (!is_stable_name(v)) return false;
    year = std::stoi(std::string(v.substr(0, 4)));
    month = std::stoi(std::string(v.substr(5, 2)));
    return month >= 1 && month <= 12;
  }
  static std::string format(int year, int month) {
    std::string s = std::to_string(year) + "-";
    if (month < 10) s += '0';
    return s + std::to_string(month);
  }

  std::vector<std::string> stable_;
};

}  // namespace syncline::testing
