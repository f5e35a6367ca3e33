// Placeholder until the core DSL lands (issue 3 replaces this with a typed workflow).
#include <syncline/syncline.hpp>

#include <iostream>

int main() {
  syncline::result<int> r = 1;
  std::cout << "syncline " << (r ? "ok" : "failed") << "\n";
  return r ? 0 : 1;
}
