// expect: syncline: engine: an event payload must be mappable to JSON
// names: event_payload_not_storable<order_note>
// emit queues its payload as JSON: the payload must be described. Twin:
// runtime_event_payload_not_storable_ok.cpp.
#include "runtime_setup.hpp"

int main() { (void)eng.emit("a", "note.added", order_note{1, "gift"}); }
