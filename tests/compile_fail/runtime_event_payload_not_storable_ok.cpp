// OK twin of runtime_event_payload_not_storable.cpp: the payload is described.
#include "runtime_setup.hpp"

int main() { (void)eng.emit("a", "order.placed", order{1, "a@example.com"}); }
