// expect: syncline: an integration\'s app must be a type with a static constexpr std::string_view name
// names: not_an_app<syncline::fixed_string<8>{"crm_sync"}, crm::client>
// An integration's app names itself: `static constexpr std::string_view name`. Twin:
// core_not_an_app_ok.cpp.
#include "core_integration_setup.hpp"

namespace crm {
struct client {};  // not the app: the API client
}  // namespace crm

constexpr auto crm_sync = syncline::integration<"crm_sync", crm::client>(push);

int main() {}
