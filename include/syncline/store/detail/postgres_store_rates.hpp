// The bodies of store::postgres_store's shared rate buckets (store::reserve_rate): a row per
// bucket, locked for the moment of one reservation. Included at the end of
// store/postgres_store.hpp.
#pragma once

#include <syncline/http/leaky_bucket.hpp>
#include <syncline/store/detail/postgres_store_body.hpp>
#include <syncline/store/postgres_store.hpp>
#include <syncline/store/rate_bucket.hpp>

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>

namespace syncline::store {

inline result<std::chrono::nanoseconds> postgres_store::reserve_rate(const rate_bucket& bucket,
                                                                     double cost) {
  if (auto v = detail::check_rate_call(bucket, cost, "cost"); !v) return std::move(v).error();
  auto wait = update_rate_bucket(bucket, [&](http::leaky_bucket& b) { return b.reserve(cost); });
  if (!wait) return std::move(wait).error();
  return detail::rate_wait(*wait);
}

inline result<void> postgres_store::observe_rate(const rate_bucket& bucket, double used) {
  if (auto v = detail::check_rate_call(bucket, used, "used count"); !v) return v;
  auto r = update_rate_bucket(bucket, [&](http::leaky_bucket& b) {
    b.observe(used);
    return 0.0;
  });
  if (!r) return std::move(r).error();
  return {};
}

template <class Change>
result<double> postgres_store::update_rate_bucket(const rate_bucket& bucket, Change change) {
  // Progress durability: a bucket lost in a crash only starts empty again, and Shopify's own
  // count (observe_rate) raises it at the next answer.
  return write(commit_kind::progress, [&](connection& c) -> result<double> {
    const time_point now = now_();
    parameters key;
    key.text(bucket.name);
    // The row exists before it is locked, so that two stores using a new bucket at once take
    // turns on it like on any other (FOR UPDATE cannot lock a row that is not there yet).
    {
      parameters p;
      p.text(bucket.name);
      p.time(now);
      auto r = exec_prepared(c,
                             "INSERT INTO rate_buckets (name, level, updated_at) VALUES ($1, 0, "
                             "$2::bigint) ON CONFLICT (name) DO NOTHING",
                             p);
      if (!r) return std::move(r).error();
    }
    auto row = exec_prepared(
        c, "SELECT level::text, updated_at FROM rate_buckets WHERE name = $1 FOR UPDATE", key);
    if (!row) return std::move(row).error();
    if (postgres::row_count(*row) != 1) {
      return make_error(errc::storage, "rate bucket \"" + bucket.name + "\" vanished while locked");
    }
    const std::string_view text = postgres::text_at(*row, 0, 0);
    double level = 0;
    if (auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), level);
        ec != std::errc{} || p != text.data() + text.size()) {
      return make_error(errc::storage, "rate bucket \"" + bucket.name +
                                           "\" holds a level that is "
                                           "not a number: " +
                                           std::string(text.substr(0, 40)));
    }
    const std::int64_t updated = postgres::int64_at(*row, 0, 1);
    http::leaky_bucket b = detail::rate_bucket_now(bucket, level, updated, now);
    const double answer = change(b);
    char digits[32];
    auto written = std::to_chars(digits, digits + sizeof digits, b.level);  // round-trips
    parameters p;
    p.text(bucket.name);
    p.text(std::string_view(digits, static_cast<std::size_t>(written.ptr - digits)));
    p.int64(detail::rate_bucket_time(updated, now));
    auto w = exec_prepared(c,
                           "UPDATE rate_buckets SET level = $2::double precision, updated_at = "
                           "$3::bigint WHERE name = $1",
                           p);
    if (!w) return std::move(w).error();
    return answer;
  });
}

}  // namespace syncline::store
