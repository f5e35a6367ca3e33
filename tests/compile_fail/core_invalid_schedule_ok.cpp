// The accepted form of core_invalid_schedule.cpp: A schedule is a valid cron expression or interval
// (hour 25 never comes).
#include <syncline/blocks/to.hpp>
#include <syncline/core/schedule.hpp>
#include <syncline/core/workflow.hpp>

constexpr auto report =
    syncline::workflow<"report">(syncline::schedule<"nightly_report", "0 23 * * *">{} |
                                 syncline::to<"send">([](const syncline::tick&) {}));

int main() {}
