// The bodies of <syncline/http/router.hpp>.
#pragma once

#include <syncline/http/router.hpp>
#include <syncline/http/url.hpp>

#include <stdexcept>

namespace syncline::http {

SYNCLINE_DECL void router::add(verb method, std::string_view pattern, handler h) {
  if (pattern.empty() || pattern.front() != '/')
    throw std::invalid_argument("syncline: route pattern must start with '/': " +
                                std::string(pattern));
  route r{method, {}, std::move(h)};
  auto segments = split(pattern);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    std::string_view s = segments[i];
    segment seg;
    if (s.size() >= 2 && s.front() == '{' && s.back() == '}') {
      std::string_view name = s.substr(1, s.size() - 2);
      if (name.size() > 3 && name.substr(name.size() - 3) == "...") {
        if (i + 1 != segments.size())
          throw std::invalid_argument("syncline: '{name...}' must be the last segment of " +
                                      std::string(pattern));
        name.remove_suffix(3);
        seg.kind = segment::rest;
      } else {
        seg.kind = segment::capture;
      }
      if (name.empty() || name.find_first_of("{}/") != std::string_view::npos)
        throw std::invalid_argument("syncline: bad capture name in route " + std::string(pattern));
      seg.text = std::string(name);
    } else {
      if (s.find_first_of("{}") != std::string_view::npos)
        throw std::invalid_argument("syncline: a capture must be a whole segment in route " +
                                    std::string(pattern));
      seg.text = std::string(s);
    }
    r.segments.push_back(std::move(seg));
  }
  routes_.push_back(std::move(r));
}

SYNCLINE_DECL router::match router::find(verb method, std::string_view path) const {
  match m;
  if (path.empty() || path.front() != '/') {
    m.result = outcome::bad_path;
    return m;
  }
  bool path_known = false;
  for (const auto& r : routes_) {
    std::vector<std::pair<std::string, std::string>> params;
    switch (try_match(r, path, params)) {
      case fit::no: continue;
      case fit::bad_escape: m.result = outcome::bad_path; return m;
      case fit::yes: break;
    }
    if (r.method == method) {
      m.result = outcome::matched;
      m.target = &r.target;
      m.params = std::move(params);
      return m;
    }
    path_known = true;
    std::string_view name = beast_http::to_string(r.method);
    if (m.allow.find(name) == std::string::npos) {
      if (!m.allow.empty()) m.allow += ", ";
      m.allow += name;
    }
  }
  m.result = path_known ? outcome::method_not_allowed : outcome::not_found;
  if (!path_known) m.allow.clear();
  return m;
}

SYNCLINE_DECL std::vector<std::string_view> router::split(std::string_view path) {
  std::vector<std::string_view> out;
  path.remove_prefix(1);
  for (;;) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

SYNCLINE_DECL router::fit router::try_match(
    const route& r, std::string_view path,
    std::vector<std::pair<std::string, std::string>>& params) {
  std::string_view rest = path.substr(1);
  bool more = true;  // a path has at least one (possibly empty) segment
  for (const segment& s : r.segments) {
    if (!more) return fit::no;
    const auto slash = rest.find('/');
    const std::string_view seg = rest.substr(0, slash);
    if (s.kind == segment::rest) {
      if (seg.empty()) return fit::no;
      auto value = percent_decode(rest);
      if (!value) return fit::bad_escape;
      params.emplace_back(s.text, std::move(*value));
      return fit::yes;
    }
    if (s.kind == segment::literal) {
      if (seg != s.text) return fit::no;
    } else {
      if (seg.empty()) return fit::no;
      auto value = percent_decode(seg);
      if (!value) return fit::bad_escape;
      params.emplace_back(s.text, std::move(*value));
    }
    if (slash == std::string_view::npos) {
      more = false;
    } else {
      rest.remove_prefix(slash + 1);
    }
  }
  return more ? fit::no : fit::yes;
}

}  // namespace syncline::http
