// A downstream project's first program: it finds syncline and uses it header-only, through the
// umbrella header (which must need no PostgreSQL), with a workflow checked at compile time.
#include <syncline/syncline.hpp>

#include <iostream>

int main() {
  syncline::result<int> r = 42;
  if (!r || *r != 42) return 1;
  std::cout << "syncline consumer ok\n";
  return 0;
}
