// OK twin of core_not_an_app.cpp: the integration is about crm::app, which names itself.
#include "core_integration_setup.hpp"

constexpr auto crm_sync = syncline::integration<"crm_sync", crm::app>(push);

int main() {}
