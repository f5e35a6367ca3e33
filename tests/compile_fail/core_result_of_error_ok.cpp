// OK twin of core_result_of_error.cpp: a function that may have no error to report returns
// std::optional<error>, not result<error>.
#include <syncline/core/result.hpp>

#include <optional>

std::optional<syncline::error> last_failure();
auto size = sizeof(std::optional<syncline::error>);

int main() {}
