// Method + path routing with "{name}" captures, kept apart from the server so it can be tested
// (and reused) without sockets.
#pragma once

#include <syncline/config.hpp>
#include <syncline/http/incoming.hpp>
#include <syncline/http/message.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::http {

class router {
 public:
  enum class outcome { matched, not_found, method_not_allowed, bad_path };

  struct match {
    outcome result = outcome::not_found;
    const handler* target = nullptr;  // set when matched
    std::vector<std::pair<std::string, std::string>> params;
    std::string allow;  // for 405: the methods this path accepts, "GET, POST"
  };

  // A pattern is a path whose segments are literals, "{name}" (one segment) or, as the last
  // segment only, "{name...}" (the rest of the path, slashes included: Shopify topics such as
  // "orders/create" span two segments). Throws std::invalid_argument on a malformed pattern:
  // routes are set up by code at start-up, where a bad pattern is a programming error.
  SYNCLINE_DECL void add(verb method, std::string_view pattern, handler h);

  // `path` is the target without its query. The first route (in the order added) whose pattern
  // and method match wins.
  SYNCLINE_DECL match find(verb method, std::string_view path) const;

  bool empty() const noexcept { return routes_.empty(); }

 private:
  struct segment {
    enum kind_t { literal, capture, rest } kind = literal;
    std::string text;  // the literal, or the capture's name
  };
  struct route {
    verb method;
    std::vector<segment> segments;
    handler target;
  };
  enum class fit { yes, no, bad_escape };

  // "/a/b/" -> {"a", "b", ""}: a trailing slash is a distinct (empty) segment, so "/x" and "/x/"
  // are different routes, as they are different URLs.
  SYNCLINE_DECL static std::vector<std::string_view> split(std::string_view path);

  // Walks the pattern and the path together, without splitting the path into a container:
  // this runs for every request.
  SYNCLINE_DECL static fit try_match(const route& r, std::string_view path,
                                     std::vector<std::pair<std::string, std::string>>& params);

  std::vector<route> routes_;
};

}  // namespace syncline::http

#if SYNCLINE_HEADER_ONLY
#include <syncline/http/impl/router.ipp>
#endif
