// Fuzz-style robustness: thousands of deterministic mutations of the Shopify fixtures (bit flips,
// cuts, inserted structural bytes, duplicated and deleted slices), each decoded into
// shopify::order through the text and the DOM paths, under tight and default limits. Every
// input must give a value or an error value: no crash, no exception, no sanitizer report (the
// suite also runs under ASan/UBSan). A value must survive encode -> decode unchanged.
#include <syncline/connectors/shopify/order.hpp>
#include <syncline/json/decode.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/json/parse.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "json/fixture.hpp"

namespace unity_json_fuzz_test {

namespace {

// splitmix64: tiny, and the same sequence on every platform, so a failure reproduces.
class rng {
 public:
  explicit rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }

 private:
  std::uint64_t state_;
};

void mutate(std::string& s, rng& r) {
  static constexpr std::string_view structural = "{[\",\\]}:-0e.\xff\xc3";
  const std::size_t at = r.below(s.size() + 1);
  switch (r.below(6)) {
    case 0:  // flip one bit
      if (!s.empty()) s[r.below(s.size())] ^= static_cast<char>(1u << r.below(8));
      break;
    case 1:  // cut the text
      s.resize(at);
      break;
    case 2:  // insert a structural byte
      s.insert(at, 1, structural[r.below(structural.size())]);
      break;
    case 3: {  // duplicate a slice somewhere else
      const std::size_t from = r.below(s.size() + 1);
      const std::string slice = s.substr(from, r.below(64));
      s.insert(r.below(s.size() + 1), slice);
      break;
    }
    case 4:  // delete a slice
      s.erase(at, r.below(16));
      break;
    default:  // overwrite a byte with any value
      if (!s.empty()) s[r.below(s.size())] = static_cast<char>(r.below(256));
  }
}

}  // namespace

TEST_CASE("mutated Shopify payloads decode to a value or an error, never a crash",
          "[json][fuzz][shopify]") {
  namespace json = syncline::json;
  using syncline::errc;
  const json::limits tight{.max_bytes = 6000, .max_depth = 6, .max_string = 48};

  std::map<errc, int> outcomes;
  int decoded = 0;
  int cases = 0;
  rng r(20260115);
  for (const char* file :
       {"shopify/order_webhook.json", "shopify/order_guest.json", "shopify/order_1k.json"}) {
    const std::string original = syncline_test::read_fixture(file);
    for (int i = 0; i < 1500; ++i, ++cases) {
      std::string text = original;
      const std::size_t mutations = 1 + r.below(4);
      for (std::size_t m = 0; m < mutations; ++m) mutate(text, r);
      const json::limits& lim = i % 5 == 0 ? tight : json::limits{};

      syncline::result<syncline::shopify::order> typed = syncline::make_error(errc::internal, "");
      REQUIRE_NOTHROW(typed = json::decode<syncline::shopify::order>(text, lim));
      if (typed) {
        ++decoded;
        const std::string again = json::encode(*typed);
        const auto back = json::decode<syncline::shopify::order>(again);
        REQUIRE(back);
        REQUIRE(*back == *typed);
      } else {
        INFO(typed.error().message);
        REQUIRE_FALSE(typed.error().message.empty());
        REQUIRE(typed.error().category != errc::internal);
        ++outcomes[typed.error().category];
      }

      // The DOM path: parse, then decode the DOM; the outcome must match the text path's
      // success (the only difference allowed is in the wording of a double in a message).
      auto dom = json::parse(text, lim);
      if (dom) {
        const auto via_dom = json::decode<syncline::shopify::order>(*dom);
        REQUIRE(via_dom.has_value() == typed.has_value());
        if (typed) REQUIRE(*via_dom == *typed);
      } else {
        REQUIRE_FALSE(typed);
        REQUIRE(dom.error().category != errc::internal);
      }
    }
  }
  // The mutations reach every kind of outcome; a fuzzer that only ever hit one would prove
  // little.
  CHECK(cases == 4500);
  CHECK(decoded > 50);
  CHECK(outcomes[errc::invalid_input] > 500);
  CHECK(outcomes[errc::decode] > 50);
  CHECK(outcomes[errc::limit_exceeded] > 50);
}

}  // namespace unity_json_fuzz_test
