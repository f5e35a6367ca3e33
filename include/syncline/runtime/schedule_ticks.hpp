// When schedules and polls fire: the next tick of a parsed schedule (5-field cron in UTC, or an
// interval aligned to the Unix epoch so every process computes the same ticks), and which ticks
// are due after a pause — the missed-tick policy.
#pragma once

#include <syncline/core/detail/cron.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace syncline {

using tick_time = std::chrono::system_clock::time_point;

// What to do about ticks that passed while the engine was not running (or was too busy).
enum class missed_ticks {
  skip,      // none of them: only a tick that is due now runs
  run_once,  // one run, for the latest missed tick (the default: catch up, without a storm)
  run_all,   // a run for each (at most engine_options::max_missed_ticks, the latest ones)
};

namespace detail {
constexpr bool bit_set(std::uint64_t set, unsigned i) noexcept { return ((set >> i) & 1u) != 0; }

// The day-of-month / day-of-week rule of cron (either matches when both are restricted).
constexpr bool cron_day_matches(const schedule_spec& s, unsigned dom, unsigned dow) noexcept {
  const bool by_dom = bit_set(s.days_of_month, dom), by_dow = bit_set(s.days_of_week, dow);
  if (s.any_day_of_month && s.any_day_of_week) return true;
  if (s.any_day_of_month) return by_dow;
  if (s.any_day_of_week) return by_dom;
  return by_dom || by_dow;
}
}  // namespace detail

// The first tick strictly after `t`; nullopt for an invalid spec or a cron expression that does
// not fire within 5 years (e.g. "0 0 31 2 *").
inline std::optional<tick_time> next_tick_after(const schedule_spec& spec, tick_time t) {
  using namespace std::chrono;
  if (!spec.valid) return std::nullopt;
  if (spec.is_interval()) {
    const auto every = seconds(spec.every_seconds);
    const auto since = duration_cast<nanoseconds>(t.time_since_epoch());
    const auto k = since.count() >= 0 ? since / every : (since - every + nanoseconds(1)) / every;
    return tick_time(duration_cast<tick_time::duration>(every * (k + 1)));
  }
  auto m = floor<minutes>(t) + minutes(1);
  const auto limit = m + days(366 * 5);
  while (m < limit) {
    const auto day = floor<days>(m);
    const year_month_day ymd{day};
    const unsigned month = unsigned(ymd.month());
    if (!detail::bit_set(spec.months, month)) {
      const year_month_day first_next = year_month_day{ymd.year() / ymd.month() / 1} + months(1);
      m = sys_days(first_next);
      continue;
    }
    const unsigned dow = weekday(day).c_encoding();
    if (!detail::cron_day_matches(spec, unsigned(ymd.day()), dow)) {
      m = day + days(1);
      continue;
    }
    const auto hms = hh_mm_ss(m - day);
    if (!detail::bit_set(spec.hours, unsigned(hms.hours().count()))) {
      m = floor<hours>(m) + hours(1);
      continue;
    }
    if (!detail::bit_set(spec.minutes, unsigned(hms.minutes().count()))) {
      m += minutes(1);
      continue;
    }
    return tick_time(duration_cast<tick_time::duration>(m.time_since_epoch()));
  }
  return std::nullopt;
}

// The ticks to fire now, oldest first: those in (last, now], filtered by the policy. A tick is
// "on time" (not missed) when it is the latest one and no more than `grace` old: the engine woke
// for it. `max` bounds run_all.
inline std::vector<tick_time> due_ticks(const schedule_spec& spec, tick_time last, tick_time now,
                                        missed_ticks policy, std::chrono::nanoseconds grace,
                                        std::size_t max = 1000) {
  std::deque<tick_time> all;
  if (now <= last) return {};
  const std::size_t keep = std::max<std::size_t>(max, 1);
  std::optional<tick_time> t = next_tick_after(spec, last);
  if (t && spec.is_interval()) {
    // Jump over a long gap: only the latest `keep` ticks can matter.
    const auto every = std::chrono::seconds(spec.every_seconds);
    const auto span = std::chrono::duration_cast<std::chrono::nanoseconds>(now - *t);
    if (span.count() > 0) {
      const auto n = span / every;  // ticks after *t up to now
      if (n > static_cast<std::int64_t>(keep))
        *t += std::chrono::duration_cast<tick_time::duration>(
            every * (n - static_cast<std::int64_t>(keep)));
    }
  }
  // A cron expression fires at most once a minute: a year's gap is ~500 000 steps at worst.
  while (t && *t <= now) {
    all.push_back(*t);
    if (all.size() > keep) all.pop_front();
    t = next_tick_after(spec, *t);
  }
  if (all.empty()) return {};
  const tick_time latest = all.back();
  const bool on_time = now - latest <= grace;
  switch (policy) {
    case missed_ticks::skip:
      if (on_time) return {latest};
      return {};
    case missed_ticks::run_once: return {latest};
    case missed_ticks::run_all:
      while (all.size() > keep) all.pop_front();
      return {all.begin(), all.end()};
  }
  return {};
}

}  // namespace syncline
