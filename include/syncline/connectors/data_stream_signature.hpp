// Moved to <syncline/http/data_stream_signature.hpp> (the runtime verifies with it too, and
// must not depend on connectors). This path keeps existing includes working.
#pragma once

#include <syncline/http/data_stream_signature.hpp>
