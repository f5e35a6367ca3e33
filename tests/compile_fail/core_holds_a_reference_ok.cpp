// OK twin of core_holds_a_reference.cpp: the outcome holds a crm_contact.
#include <syncline/core/outcome.hpp>

#include <string>

struct crm_contact {
  std::string email;
};

syncline::outcome<crm_contact> find_contact(long id);
syncline::outcome<crm_contact>* keep = nullptr;
auto size = sizeof(*keep);

int main() {}
