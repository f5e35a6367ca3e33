// The umbrella header: the DSL, the standard blocks, typed JSON, HTTP, the engine, the store
// and the generic destinations. App connectors have their own umbrellas
// (syncline/connectors/shopify.hpp) so a program pays only for the apps it talks to.
#pragma once

#include <syncline/blocks/also.hpp>
#include <syncline/blocks/branch.hpp>
#include <syncline/blocks/echo_guard.hpp>
#include <syncline/blocks/filter.hpp>
#include <syncline/blocks/for_each.hpp>
#include <syncline/blocks/map.hpp>
#include <syncline/blocks/recover.hpp>
#include <syncline/blocks/route.hpp>
#include <syncline/blocks/tap.hpp>
#include <syncline/blocks/to.hpp>
#include <syncline/connectors/data_stream.hpp>
#include <syncline/connectors/warehouse/sqlite_sink.hpp>
#include <syncline/connectors/warehouse/write_to.hpp>
#include <syncline/core/app.hpp>
#include <syncline/core/app_event.hpp>
#include <syncline/core/delivery.hpp>
#include <syncline/core/diagram.hpp>
#include <syncline/core/integration.hpp>
#include <syncline/core/manual.hpp>
#include <syncline/core/money.hpp>
#include <syncline/core/poll.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/core/schedule.hpp>
#include <syncline/core/secret.hpp>
#include <syncline/core/timestamp.hpp>
#include <syncline/core/webhook.hpp>
#include <syncline/core/workflow.hpp>
#include <syncline/http/client.hpp>
#include <syncline/http/io_threads.hpp>
#include <syncline/http/server.hpp>
#include <syncline/json/decode.hpp>
#include <syncline/json/encode.hpp>
#include <syncline/json/parse.hpp>
#include <syncline/json/to_value.hpp>
#include <syncline/runtime/engine.hpp>
#include <syncline/store/group_commit.hpp>
#include <syncline/store/sqlite_store.hpp>
