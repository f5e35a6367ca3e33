// A downstream project's first program: it only has to find and use syncline.
#include <syncline/core/result.hpp>

#include <iostream>

int main() {
  syncline::result<int> r = 42;
  if (!r || *r != 42) return 1;
  std::cout << "syncline consumer ok\n";
  return 0;
}
