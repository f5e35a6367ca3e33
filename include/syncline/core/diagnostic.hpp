// syncline::diagnostic: one class template per compile-time rule. When a rule is broken, the
// checks instantiate the matching template, and g++ prints its full name — workflow, position,
// block and the types involved — on the line before the static_assert's message:
//
//   In instantiation of 'struct syncline::diagnostic::block_does_not_accept<
//       syncline::fixed_string<11>{"push_orders"}, 2, syncline::fixed_string<10>{"to_contact"},
//       crm_contact, order_placed>':
//   error: static assertion failed: syncline: block does not accept the previous block's output
//
// Template parameters are named for what they say. Positions count from the trigger (0); a block
// nested in a branch, route, for_each or also is named "<outer>.<arm>[<position>].<name>".
// docs/errors.md lists every message with its cause and fix.
#pragma once

#include <syncline/core/fixed_string.hpp>

#include <cstddef>

namespace syncline::diagnostic {

namespace detail {
template <class... T>
inline constexpr bool always_false = false;
template <auto... V>
inline constexpr bool always_false_v = false;
}  // namespace detail

// Stand-ins used where a diagnostic has no real type to show.
struct generic_parameter {};            // the block's call operator is a template or overloaded
struct a_range {};                      // for_each expects any input range
struct nothing {};                      // the part produces no value (void)
struct no_app {};                       // the part declares no app
struct call_operator_must_be_const {};  // the block's operator() is not const
struct not_callable {};                 // the function cannot be called with that argument

// Rule 1.
template <fixed_string Workflow, std::size_t Position, fixed_string Block, class Expected,
          class Got>
struct block_does_not_accept {
  static_assert(detail::always_false<Expected, Got>,
                "syncline: block does not accept the previous block's output");
  static constexpr bool value = false;
};

// Rule 2.
template <fixed_string Workflow, std::size_t Position, fixed_string Destination, class Expected,
          class Got>
struct destination_does_not_accept {
  static_assert(detail::always_false<Expected, Got>,
                "syncline: destination does not accept the workflow's output");
  static constexpr bool value = false;
};

// Rule 3.
template <fixed_string Integration, fixed_string Workflow, std::size_t Position, fixed_string Part,
          class IntegrationApp, class PartApp>
struct workflow_about_another_app {
  static_assert(detail::always_false<IntegrationApp, PartApp>,
                "syncline: workflow in this integration is about another app");
  static constexpr bool value = false;
};

// Rule 4. Two definitions of one workflow name are versions of it (version.hpp): each runs the
// runs of its own versions, so their ranges of versions must not meet.
template <fixed_string Integration, fixed_string Workflow, unsigned FirstVersion,
          unsigned SecondVersion>
struct duplicate_workflow_name {
  static_assert(detail::always_false_v<Integration, Workflow, FirstVersion, SecondVersion>,
                "syncline: two workflows of this integration share a name and would both run the "
                "runs of one version: give one another name, or each a syncline::version of its "
                "own whose runs_from does not reach the other's");
  static constexpr bool value = false;
};

// Rule 5.
template <fixed_string Workflow, fixed_string Trigger, class Declared, class Given>
struct trigger_payload_mismatch {
  static_assert(detail::always_false<Declared, Given>,
                "syncline: trigger's payload type is not the type its event is declared to carry");
  static constexpr bool value = false;
};

// Rule 6.
template <fixed_string Workflow, std::size_t Position, fixed_string Block, class FirstArmOutput,
          class OtherArmOutput>
struct arms_have_no_common_result {
  static_assert(detail::always_false<FirstArmOutput, OtherArmOutput>,
                "syncline: branch/route arms cannot produce a common result (one ends in a "
                "destination, another produces a value)");
  static constexpr bool value = false;
};

// also(...).
template <fixed_string Workflow, std::size_t Position, fixed_string Block, class Input,
          class LastPart>
struct also_needs_a_destination {
  static_assert(detail::always_false<Input, LastPart>,
                "syncline: also(...) takes a destination, or a pipeline that ends in one");
  static constexpr bool value = false;
};

template <fixed_string Workflow, std::size_t Position, fixed_string Block, fixed_string Destination,
          class Expected, class Got>
struct also_destination_does_not_accept {
  static_assert(detail::always_false<Expected, Got>,
                "syncline: also's destination does not accept the value that reaches also");
  static constexpr bool value = false;
};

// Rule 7 (filter, branch, route).
template <fixed_string Workflow, std::size_t Position, fixed_string Block, class Input,
          class Returned>
struct predicate_must_return_bool {
  static_assert(detail::always_false<Input, Returned>,
                "syncline: predicate of filter/branch/route must return bool");
  static constexpr bool value = false;
};

// Rule 7 (map).
template <fixed_string Workflow, std::size_t Position, fixed_string Block, class Expected,
          class Got>
struct map_function_not_callable {
  static_assert(detail::always_false<Expected, Got>,
                "syncline: map function is not callable with the input");
  static constexpr bool value = false;
};

// Rule 7 (map, blocks): the function takes `T&` and the previous part hands over a temporary,
// which cannot bind to it. Its own rule, because Expected and Got would read as the same type.
template <fixed_string Workflow, std::size_t Position, fixed_string Block, class Parameter>
struct takes_non_const_reference {
  static_assert(detail::always_false<Parameter>,
                "syncline: the function takes a non-const reference (T&), but each part passes "
                "its output on as a temporary: take const T& or T by value");
  static constexpr bool value = false;
};

// Rule 8.
template <fixed_string Workflow, std::size_t Position, fixed_string Block, class Output>
struct unhandled_block_errors {
  static_assert(detail::always_false<Output>,
                "syncline: block can fail and nothing handles its errors: the workflow's "
                "error_policy::handle demands a recover block after it");
  static constexpr bool value = false;
};

// Rule 9.
template <fixed_string Workflow, class FirstPart>
struct workflow_has_no_trigger {
  static_assert(detail::always_false<FirstPart>,
                "syncline: workflow has no trigger: write trigger | blocks | destination");
  static constexpr bool value = false;
};

template <fixed_string Workflow, std::size_t Position, fixed_string LastPart, class Output>
struct workflow_has_no_destination {
  static_assert(detail::always_false<Output>,
                "syncline: workflow has no destination: its last block must be a destination");
  static constexpr bool value = false;
};

template <fixed_string Workflow, std::size_t Position, fixed_string Destination>
struct destination_not_last {
  static_assert(detail::always_false_v<Workflow, Position>,
                "syncline: destination must be the last part of its workflow or arm");
  static constexpr bool value = false;
};

template <fixed_string Workflow, std::size_t Position, fixed_string Destination, class Returned>
struct destination_must_return_void {
  static_assert(detail::always_false<Returned>,
                "syncline: destination must return void, result<void> or "
                "awaitable<result<void>>");
  static constexpr bool value = false;
};

template <fixed_string Workflow, std::size_t Depth>
struct blocks_nested_too_deep {
  static_assert(detail::always_false_v<Workflow, Depth>,
                "syncline: branch/route/for_each blocks are nested more than 7 deep");
  static constexpr bool value = false;
};

// A block's idempotency key (run_context::idempotency_key) ends with its name, so two blocks of
// one list (the workflow, or one arm) that take the run context may not share one. Block: the
// first one's label; positions in that list (the workflow's from the trigger, 0; an arm's from 1).
template <fixed_string Workflow, fixed_string Block, std::size_t FirstPosition,
          std::size_t SecondPosition, class FirstBlock, class SecondBlock>
struct duplicate_block_name {
  static_assert(detail::always_false<FirstBlock, SecondBlock>,
                "syncline: two blocks of one workflow or arm that take the run context share a "
                "name, and would share an idempotency key: give one of them another name");
  static constexpr bool value = false;
};

// Rule 10.
template <fixed_string What, fixed_string Name>
struct invalid_identifier {
  static_assert(detail::always_false_v<What, Name>,
                "syncline: name is not a valid identifier: [a-z][a-z0-9_]*, at most 63 "
                "characters");
  static constexpr bool value = false;
};

template <fixed_string Name>
struct invalid_event_name {
  static_assert(detail::always_false_v<Name>,
                "syncline: event name must be identifiers joined by '.', e.g. \"order.placed\"");
  static constexpr bool value = false;
};

template <fixed_string Name>
struct invalid_topic {
  static_assert(detail::always_false_v<Name>,
                "syncline: webhook topic must be segments [a-z][a-z0-9_-]* joined by '/', e.g. "
                "\"orders/create\"");
  static constexpr bool value = false;
};

// Schedules.
template <fixed_string Name, fixed_string Spec>
struct invalid_schedule {
  static_assert(detail::always_false_v<Name, Spec>,
                "syncline: schedule must be a 5-field cron expression, @hourly, @daily, @weekly, "
                "@monthly, @yearly or \"@every <n><s|m|h|d>\"");
  static constexpr bool value = false;
};

// Integrations.
template <fixed_string Integration, class NotAnApp>
struct not_an_app {
  static_assert(detail::always_false<NotAnApp>,
                "syncline: an integration's app must be a type with a static constexpr "
                "std::string_view name");
  static constexpr bool value = false;
};

template <fixed_string Integration, std::size_t Index, class NotAWorkflow>
struct not_a_workflow {
  static_assert(detail::always_false<NotAWorkflow>,
                "syncline: integration<...>(...) takes workflows made by "
                "syncline::workflow<\"name\">(trigger | ... | destination)");
  static constexpr bool value = false;
};

template <fixed_string Integration, fixed_string Workflow>
struct no_such_workflow {
  static_assert(detail::always_false_v<Integration, Workflow>,
                "syncline: the integration has no workflow of this name");
  static constexpr bool value = false;
};

// Recover blocks.
template <fixed_string Workflow, std::size_t Position, fixed_string Block, class Expected,
          class Returned>
struct recover_must_produce_input {
  static_assert(detail::always_false<Expected, Returned>,
                "syncline: recover handler must take const syncline::error& and return the "
                "block's input type, std::optional of it, result of it or outcome of it");
  static constexpr bool value = false;
};

// JSON (json::encode, json::decode, json::to_value and whatever stores or sends a value as
// JSON). The codec is not instantiated after the check fails, so this is the only error.
template <class T>
struct value_not_mappable_to_json {
  static_assert(detail::always_false<T>,
                "syncline: the type is not mappable to JSON: use bool, integers, double, "
                "std::string, money, timestamp, std::optional, std::vector, boost::json::value, "
                "an enum with BOOST_DESCRIBE_ENUM, or a struct with BOOST_DESCRIBE_STRUCT whose "
                "members are all of these");
  static constexpr bool value = false;
};

template <class T>
struct json_record_not_default_constructible {
  static_assert(detail::always_false<T>,
                "syncline: json::decode<T>: T must be default constructible (members are filled "
                "in place)");
  static constexpr bool value = false;
};

template <class T>
struct json_rename_names_no_member {
  static_assert(detail::always_false<T>,
                "syncline: json::key_names<T>::renames names a member that T does not describe; "
                "check the spelling against BOOST_DESCRIBE_STRUCT");
  static constexpr bool value = false;
};

template <class T>
struct json_duplicate_key {
  static_assert(detail::always_false<T>,
                "syncline: two members of T have the same JSON key; see json::key_names<T>");
  static constexpr bool value = false;
};

template <class E>
struct json_enum_renames_invalid {
  static_assert(detail::always_false<E>,
                "syncline: json::enum_names<E>::renames names a value E does not describe, or "
                "gives two values one name");
  static constexpr bool value = false;
};

// Value types.
template <class T>
struct result_of_error {
  static_assert(detail::always_false<T>,
                "syncline: result<error> is ambiguous; a result already carries an error");
  static constexpr bool value = false;
};

template <class T>
struct holds_a_reference {
  static_assert(detail::always_false<T>,
                "syncline: result<T> and outcome<T> hold values, not references");
  static constexpr bool value = false;
};

// "..."_money (core/money.hpp): the literal's text is read while compiling.
template <fixed_string Text>
struct money_literal_malformed {
  static_assert(detail::always_false_v<Text>,
                "syncline: \"...\"_money: expected a decimal amount like \"19.99\" (digits, an "
                "optional '-' and '.'; no '+', exponent, blanks or leading zeros)");
  static constexpr bool value = false;
};

template <fixed_string Text>
struct money_literal_too_many_digits {
  static_assert(detail::always_false_v<Text>,
                "syncline: \"...\"_money: more digits than money holds (at most 18 significant "
                "digits, and at most 18 after the point)");
  static constexpr bool value = false;
};

// route<"name">(...).
template <fixed_string Block>
struct route_needs_a_case {
  static_assert(detail::always_false_v<Block>,
                "syncline: a route needs at least one case: route<\"name\">(when<\"case\">(pred, "
                "arm), ..., otherwise(arm))");
  static constexpr bool value = false;
};

// A case's name is the arm's step in the idempotency keys of its blocks (<route>.<case>.<block>).
template <fixed_string Workflow, std::size_t Position, fixed_string Block, fixed_string Case>
struct duplicate_route_case {
  static_assert(detail::always_false_v<Workflow, Case>,
                "syncline: two cases of a route share a name, and their blocks would share "
                "idempotency keys: give each case its own name");
  static constexpr bool value = false;
};

// engine::install (and the engine's typed emits). The engine checks the first broken rule only
// and installs nothing then, so one mistake gives one error.
template <class NotAnIntegration>
struct not_an_integration {
  static_assert(detail::always_false<NotAnIntegration>,
                "syncline: engine::install takes an integration made by "
                "syncline::integration<\"name\", App>(workflows...)");
  static constexpr bool value = false;
};

template <fixed_string Integration, class AppCredentials, class TenantCredentials>
struct tenant_credentials_mismatch {
  static_assert(detail::always_false<AppCredentials, TenantCredentials>,
                "syncline: engine::install: the tenant's credentials must be of the "
                "integration's app credentials type (App::credentials)");
  static constexpr bool value = false;
};

template <fixed_string Integration, fixed_string Workflow, class Payload>
struct payload_not_storable {
  static_assert(detail::always_false<Payload>,
                "syncline: engine::install: a workflow's payload type must be mappable to JSON "
                "(a struct described with BOOST_DESCRIBE_STRUCT): the run queue stores payloads "
                "as JSON text");
  static constexpr bool value = false;
};

template <fixed_string Integration, fixed_string Workflow, class Trigger>
struct webhook_not_verifiable {
  static_assert(detail::always_false<Trigger>,
                "syncline: engine::install: the app of a webhook trigger must provide static "
                "identify(delivery) and verify(delivery, credentials) (see core/delivery.hpp) so "
                "the engine can authenticate its deliveries");
  static constexpr bool value = false;
};

template <fixed_string Integration, fixed_string Workflow, class Trigger>
struct poll_cannot_fetch {
  static_assert(detail::always_false<Trigger>,
                "syncline: engine::install: a poll trigger must provide static fetch(ctx, "
                "cursor) returning awaitable<result<poll_page<Payload>>> (see "
                "runtime/poll_page.hpp)");
  static constexpr bool value = false;
};

// Part: the trigger or top-level block at Position (a composite block for a block in its arms).
template <fixed_string Integration, fixed_string Workflow, std::size_t Position, fixed_string Part,
          class Service>
struct service_not_provided {
  static_assert(detail::always_false<Service>,
                "syncline: engine::install: a part of the integration needs a service that "
                "install was not given: add it to install's syncline::services(...)");
  static constexpr bool value = false;
};

// Service: a type given to install twice, or given though the engine provides it itself. A run's
// context holds one service per type, so a run would get only one of the two.
template <fixed_string Integration, class Service>
struct service_given_twice {
  static_assert(detail::always_false<Service>,
                "syncline: engine::install: two services of the same type, and a run gets only "
                "one: give each type once to syncline::services(...), and none the engine "
                "provides itself (HTTP client, store, echo memory, the tenant's credentials "
                "and settings)");
  static constexpr bool value = false;
};

template <class Payload>
struct event_payload_not_storable {
  static_assert(detail::always_false<Payload>,
                "syncline: engine: an event payload must be mappable to JSON (a struct "
                "described with BOOST_DESCRIBE_STRUCT)");
  static constexpr bool value = false;
};

// The options after a workflow's name: at most one error_policy and one syncline::version.
template <fixed_string Workflow, auto... Options>
struct bad_workflow_options {
  static_assert(detail::always_false_v<Workflow, Options...>,
                "syncline: a workflow's options are at most one error_policy and one "
                "syncline::version, after its name");
  static constexpr bool value = false;
};

template <fixed_string Workflow, unsigned Number, unsigned RunsFrom>
struct invalid_workflow_version {
  static_assert(detail::always_false_v<Workflow, Number, RunsFrom>,
                "syncline: a workflow's version number must be at least 1, and its runs_from "
                "(the oldest version whose runs it runs) at most that number");
  static constexpr bool value = false;
};

// A workflow's upgrades_from<OldPayload>(f) (version.hpp): f makes this version's payload of the
// payload of a run an older version queued. Returned: what f answers when given a const
// OldPayload& (not_callable when it cannot take one).
template <fixed_string Workflow, class OldPayload, class Payload, class Returned>
struct upgrade_function_mismatch {
  static_assert(detail::always_false<OldPayload, Payload, Returned>,
                "syncline: a workflow's upgrades_from<Old>(f) needs f to take the old payload "
                "(Old or const Old&) and return the workflow's payload type or result of it");
  static constexpr bool value = false;
};

// upgrades_from on a workflow whose version runs no older version's runs: f would never run.
template <fixed_string Workflow, unsigned Number, class OldPayload>
struct upgrade_without_older_version {
  static_assert(detail::always_false<OldPayload>,
                "syncline: a workflow's upgrades_from<Old>(f) converts the runs of older "
                "versions, but its version runs none: say which with syncline::version{.number "
                "= N, .runs_from = M}");
  static constexpr bool value = false;
};

}  // namespace syncline::diagnostic
