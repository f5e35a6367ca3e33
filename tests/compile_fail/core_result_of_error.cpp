// expect: syncline: result<error> is ambiguous; a result already carries an error
// names: result_of_error<syncline::error>
// A result<error> could not tell a returned error from a failure. Twin:
// core_result_of_error_ok.cpp.
#include <syncline/core/result.hpp>

syncline::result<syncline::error> last_failure();
auto size = sizeof(syncline::result<syncline::error>);
