// expect: syncline: result<T> and outcome<T> hold values, not references
// names: holds_a_reference<const crm_contact&>
// A block's result outlives the block's locals, so it holds its value. Twin:
// core_holds_a_reference_ok.cpp.
#include <syncline/core/outcome.hpp>

#include <string>

struct crm_contact {
  std::string email;
};

syncline::outcome<const crm_contact&> find_contact(long id);
syncline::outcome<const crm_contact&>* keep = nullptr;
auto size = sizeof(*keep);
