// expect: syncline: integration<...>\(...\) takes workflows made by
// names: not_a_workflow<syncline::fixed_string<8>{"crm_sync"}, 0, syncline::pipeline<
// An integration holds named workflows, not bare pipelines. Twin: core_not_a_workflow_ok.cpp.
#include <syncline/core/integration.hpp>

#include "core_setup.hpp"

constexpr auto body =
    syncline::app_event<"order.placed", order_placed>{} |
    syncline::map<"to_contact">([](const order_placed& o) { return crm_contact{o.email}; }) |
    upsert_contact{};

constexpr auto crm_sync = syncline::integration<"crm_sync", crm::app>(body);

int main() {}
