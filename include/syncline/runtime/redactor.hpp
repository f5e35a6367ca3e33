// syncline::redactor: the last line of defence that keeps secrets out of what the engine
// writes. Connectors never put a token in an error on purpose (syncline::secret prints as ***),
// but an app's answer quoted in an error may echo one back; the engine passes every error text,
// run-log entry and log line through a redactor that knows the installed tenants' secrets.
#pragma once

#include <syncline/core/secret.hpp>

#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/mp11/algorithm.hpp>

#include <algorithm>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace syncline {

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

  // Registers the secrets of one owner (e.g. "crm_sync/shop-a"), replacing what it had.
  void set(const std::string& owner, std::vector<std::string> secrets) {
    std::erase_if(secrets, [](const std::string& s) { return s.size() < min_length; });
    std::unique_lock lock(mu_);
    if (secrets.empty())
      by_owner_.erase(owner);
    else
      by_owner_[owner] = std::move(secrets);
  }
  void remove(const std::string& owner) {
    std::unique_lock lock(mu_);
    by_owner_.erase(owner);
  }

  // `text` with every known secret replaced by "***".
  std::string operator()(std::string text) const {
    std::shared_lock lock(mu_);
    for (const auto& [owner, secrets] : by_owner_) {
      for (const auto& s : secrets) {
        for (std::size_t at = text.find(s); at != std::string::npos; at = text.find(s, at + 3))
          text.replace(at, s.size(), "***");
      }
    }
    return text;
  }

 private:
  mutable std::shared_mutex mu_;
  std::map<std::string, std::vector<std::string>> by_owner_;
};

}  // namespace syncline
