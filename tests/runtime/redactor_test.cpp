// The redactor alone: whole secrets, what a cut leaves of one (a long prefix or suffix, wherever
// it sits), secrets that a log line or an excerpt changes, secrets that change (a token
// provider), and many tenants.
#include <syncline/connectors/http_answer.hpp>
#include <syncline/runtime/log.hpp>
#include <syncline/runtime/redactor.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/leaked_fragment.hpp"

namespace unity_runtime_redactor_test {

namespace {

constexpr std::size_t min_fragment = syncline::redactor::min_fragment;

const std::string token = "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4c6d";  // 42 characters

}  // namespace

TEST_CASE("redactor: a secret cut anywhere by an excerpt leaves no fragment of 6 or more") {
  syncline::redactor r;
  r.set("shop_sync/acme", {token});
  // The soak's leak: an answer quoting the token around the 300-byte cut of body_excerpt. Every
  // offset from "whole, well before the cut" to "one character before it".
  for (std::size_t at = 250; at < 300; ++at) {
    const std::string body = std::string(at, 'x') + token + R"(","ok":false})";
    const std::string message =
        "data stream \"orders\" answered 400: " + syncline::connectors::body_excerpt(body, 300);
    const std::string scrubbed = r(message);
    INFO("offset " << at << ": " << scrubbed);
    CHECK(leaked_fragment(scrubbed, token).empty());
    const std::size_t visible = std::min(token.size(), 300 - at);
    if (visible >= min_fragment) {
      CHECK(scrubbed.find("***") != std::string::npos);
    } else {
      CHECK(scrubbed == message);  // 1 to 5 characters: chance, not worth mangling the text
    }
  }
}

TEST_CASE("redactor: a suffix at the start of a quote, a prefix before other text") {
  syncline::redactor r;
  r.set("a", {token});
  // A window that starts inside the secret (a quote of an answer's end).
  CHECK(r("tail: ..." + token.substr(10) + "\"}") == "tail: ...***\"}");
  // A prefix followed by text a connector appended after its cut (no "..." mark).
  CHECK(r("said " + token.substr(0, 20) + " (after 3 attempts)") == "said *** (after 3 attempts)");
  // Whole, twice, and next to a fragment.
  CHECK(r(token + " " + token + token.substr(0, 8)) == "*** ***");
  // Five characters of either end: left alone.
  CHECK(r("shpat is not shpat; c6d") == "shpat is not shpat; c6d");
}

TEST_CASE("redactor: a secret that an excerpt or a log line changes is still scrubbed") {
  syncline::redactor r;
  const std::string pem =
      "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7"
      "\n-----END PRIVATE KEY-----";
  const std::string quoted = R"(pa"ss\word-9f8e7d6c)";
  r.set("warehouse", {pem, quoted});
  // body_excerpt turns the line breaks into spaces; the log line escapes them and the quotes.
  const std::string excerpt = syncline::connectors::body_excerpt("key: " + pem);
  const std::string line =
      syncline::format_log_line(std::chrono::system_clock::time_point{}, syncline::log_level::warn,
                                "x", {{"error", pem + " " + quoted}});
  for (const std::string& text : {excerpt, line}) {
    const std::string scrubbed = r(text);
    INFO(scrubbed);
    CHECK(scrubbed.find("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC") == std::string::npos);
    CHECK(scrubbed.find("BKcwggSjAgEAAoIBAQC7") == std::string::npos);
    CHECK(scrubbed.find("word-9f8e7d6c") == std::string::npos);
  }
}

TEST_CASE("redactor: a watched owner's new secret is scrubbed at once, until freeze") {
  syncline::redactor r;
  int asked = 0;
  std::vector<syncline::secret> current{syncline::secret("ya29.first-token-0123456789")};
  r.watch("service/1", [&] {
    ++asked;
    return current;
  });
  CHECK(r("a ya29.first-token-0123456789 b") == "a *** b");
  current = {syncline::secret("ya29.second-token-abcdefghij")};
  // The new token, and the old one (an answer to a request sent with it may come late).
  CHECK(r("ya29.second-token-abcdefghij ya29.first-token-0123456789") == "*** ***");
  r.freeze();
  const int asked_at_freeze = asked;
  CHECK(r("x ya29.second-token-abcdefghij") == "x ***");  // kept
  CHECK(asked == asked_at_freeze);                        // never asked again
  r.remove("service/1");
  CHECK(r("x ya29.second-token-abcdefghij") == "x ya29.second-token-abcdefghij");
}

TEST_CASE("redactor: ten thousand tenants whose tokens share a prefix") {
  syncline::redactor r;
  std::vector<std::string> tokens;
  for (int i = 0; i < 10000; ++i) {
    tokens.push_back("shpat_a7c9e1" + std::to_string(1000000 + i));
    r.set("shop_sync/t" + std::to_string(i), {tokens.back()});
  }
  CHECK(r("no secret here") == "no secret here");
  CHECK(r("got " + tokens[4321] + ".") == "got ***.");
  CHECK(r("cut ..." + tokens[9999].substr(9)) == "cut ...***");
  // Replacing an owner's secrets drops the old ones from the index.
  r.set("shop_sync/t7", {"rotated-token-7"});
  CHECK(r(tokens[7].substr(6)) == tokens[7].substr(6));
  CHECK(r("rotated-token-7") == "***");
  r.remove("shop_sync/t7");
  CHECK(r("rotated-token-7") == "rotated-token-7");
}

}  // namespace unity_runtime_redactor_test
