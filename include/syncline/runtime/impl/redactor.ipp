// The bodies of syncline::redactor. Compiled once in separate mode (see <syncline/config.hpp>).
#pragma once

#include <syncline/runtime/redactor.hpp>

#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

namespace syncline {

SYNCLINE_DECL void redactor::set(const std::string& owner, std::vector<std::string> secrets) {
  replace(owner, std::move(secrets));
}

SYNCLINE_DECL void redactor::remove(const std::string& owner) { replace(owner, {}); }

SYNCLINE_DECL void redactor::watch(const std::string& owner,
                                   std::function<std::vector<secret>()> current) {
  std::lock_guard lock(watch_mu_);
  std::erase_if(watched_, [&](const watched& w) { return w.owner == owner; });
  watched_.push_back({owner, std::move(current), {}});
  auto& w = watched_.back();
  w.last = w.current();
  std::vector<std::string> revealed;
  for (const auto& s : w.last) revealed.emplace_back(s.reveal());
  replace(owner, std::move(revealed));
}

SYNCLINE_DECL void redactor::freeze() {
  refresh();
  std::lock_guard lock(watch_mu_);
  watched_.clear();  // what they said last stays registered under their owners
}

SYNCLINE_DECL void redactor::refresh() const {
  std::lock_guard lock(watch_mu_);
  for (auto& w : watched_) {
    auto now = w.current();
    if (now == w.last) continue;
    std::vector<std::string> revealed;
    // The secrets reported before stay scrubbed too: an answer to a request sent with the old
    // token may be quoted after the provider handed out a new one.
    for (const auto& s : w.last) revealed.emplace_back(s.reveal());
    for (const auto& s : now) revealed.emplace_back(s.reveal());
    w.last = std::move(now);
    replace(w.owner, std::move(revealed));
  }
}

SYNCLINE_DECL void redactor::replace(const std::string& owner,
                                     std::vector<std::string> secrets) const {
  std::unique_lock lock(mu_);
  scrubber_.set(owner, std::move(secrets));
}

SYNCLINE_DECL std::string redactor::operator()(std::string text) const {
  refresh();
  std::shared_lock lock(mu_);
  return scrubber_(std::move(text));
}

}  // namespace syncline
