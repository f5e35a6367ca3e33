// expect: syncline: schedule must be a 5-field cron expression
// names: invalid_schedule<syncline::fixed_string<14>{"nightly_report"}, syncline::fixed_string<10>{"0 25 \* \* \*"}>
// A schedule is a valid cron expression or interval (hour 25 never comes). Twin:
// core_invalid_schedule_ok.cpp.
#include <syncline/blocks/to.hpp>
#include <syncline/core/schedule.hpp>
#include <syncline/core/workflow.hpp>

constexpr auto report =
    syncline::workflow<"report">(syncline::schedule<"nightly_report", "0 25 * * *">{} |
                                 syncline::to<"send">([](const syncline::tick&) {}));

int main() {}
