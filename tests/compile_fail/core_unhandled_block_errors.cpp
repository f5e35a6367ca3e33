// expect: syncline: block can fail and nothing handles its errors
// names: unhandled_block_errors<syncline::fixed_string<14>{"nightly_export"}, 1, syncline::fixed_string<14>{"lookup_contact"}, crm_contact>
// Rule 8: under error_policy::handle, every block that can fail (but the destination) has a recover
// block after it. Twin: core_unhandled_block_errors_ok.cpp.
#include <syncline/blocks/recover.hpp>

#include "core_setup.hpp"

constexpr auto nightly = syncline::workflow<"nightly_export", syncline::error_policy::handle>(
    syncline::app_event<"order.placed", order_placed>{} | lookup_contact{} | upsert_contact{});

int main() {}
