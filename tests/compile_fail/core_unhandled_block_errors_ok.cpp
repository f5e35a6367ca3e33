// OK twin of core_unhandled_block_errors.cpp: a recover block handles lookup_contact's errors.
#include <syncline/blocks/recover.hpp>

#include "core_setup.hpp"

constexpr auto nightly = syncline::workflow<"nightly_export", syncline::error_policy::handle>(
    syncline::app_event<"order.placed", order_placed>{} | lookup_contact{} |
    syncline::recover<"unknown">([](const syncline::error&) { return crm_contact{"unknown"}; }) |
    upsert_contact{});

int main() {}
