// The echo guard of bi-directional sync. When workflow 1 writes a record to the app, the app
// tells us about it (a webhook): without a guard, workflow 2 would carry our own write back as
// if it were news, and a two-way sync would loop. Two blocks stop that:
//
//   remember_write<"orders", member<"source_identifier">, member<"email">>
//       placed in workflow 1 before (or after) the block that writes to the app: records, for the
//       run's tenant, the record's key and a fingerprint of the listed fields;
//   skip_echo<"orders", member<"source_identifier">, member<"email">>
//       placed in workflow 2 after the trigger: skips an event whose key and fingerprint match a
//       remembered write (within the engine's echo window), and lets a real change pass — a
//       change nobody here wrote has a fingerprint nobody remembered.
//
// The key is either `member<"name">` (a described member, looked up by name in each block's
// record type: the written and the received types may differ) or a pointer to member
// (`&order_input::source_identifier`). The compiler checks that the key and every fingerprint
// field exist in the record type of each block. Without fingerprint fields, any event about a
// remembered key is an echo: right for an origin marker such as Shopify's `source_identifier`
// on orders/create, wrong for updates (list the fields the workflow writes).
//
// Record the write *before* the write call when the key is known then (an origin marker you set
// yourself): the app's webhook can arrive before the write call returns, and a crash between
// the write and the record would let one echo through.
//
// The blocks reach their memory through the run context (`ctx.service<echo_memory>()`); the
// engine provides one backed by its store, tests may provide their own.
#pragma once

#include <syncline/core/awaitable.hpp>
#include <syncline/core/detail/signature.hpp>
#include <syncline/core/diagnostic.hpp>
#include <syncline/core/fixed_string.hpp>
#include <syncline/core/outcome.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>
#include <syncline/json/encode.hpp>

#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace syncline {

// Where remembered writes live. Calls are made by a run, for that run's tenant and integration.
class echo_memory {
 public:
  // Remembers that a workflow wrote `fingerprint` to record `record_key` in `scope`.
  virtual syncline::awaitable<result<void>> remember(const run_context& ctx, std::string_view scope,
                                                     std::string_view record_key,
                                                     std::string_view fingerprint) = 0;
  // True when that exact write was remembered (and has not expired).
  virtual syncline::awaitable<result<bool>> is_echo(const run_context& ctx, std::string_view scope,
                                                    std::string_view record_key,
                                                    std::string_view fingerprint) = 0;

 protected:
  ~echo_memory() = default;
};

// A record member named by its (described) name: `member<"id">`.
template <fixed_string Name>
struct member_name {
  static constexpr auto name = Name;
};
template <fixed_string Name>
inline constexpr member_name<Name> member{};

namespace diagnostic {
template <fixed_string Workflow, std::size_t Position, fixed_string Scope, fixed_string Key,
          class Record>
struct echo_key_is_not_a_member {
  static_assert(detail::always_false<Record>,
                "syncline: echo guard key (or fingerprint field) is not a public member of the "
                "record type: describe the type with BOOST_DESCRIBE_STRUCT and name one of its "
                "members");
  static constexpr bool value = false;
};
}  // namespace diagnostic

namespace detail {

inline constexpr std::size_t no_member = static_cast<std::size_t>(-1);

template <class T>
using public_members = boost::describe::describe_members<T, boost::describe::mod_public>;

template <class T, fixed_string Name>
consteval std::size_t described_member_index() {
  if constexpr (!boost::describe::has_describe_members<T>::value) {
    return no_member;
  } else {
    std::size_t i = 0, found = no_member;
    boost::mp11::mp_for_each<public_members<T>>([&](auto d) {
      if (std::string_view(d.name) == Name.view() && found == no_member) found = i;
      ++i;
    });
    return found;
  }
}

// How one key or field reaches into a record of type T.
template <auto Key, class T, class K = std::remove_cvref_t<decltype(Key)>>
struct member_access {
  static constexpr bool valid = false;
  static constexpr auto label = fixed_string("?");
};
template <auto Key, class T, fixed_string Name>
struct member_access<Key, T, member_name<Name>> {
  static constexpr std::size_t index = described_member_index<T, Name>();
  static constexpr bool valid = index != no_member;
  static constexpr auto label = Name;
  static const auto& get(const T& v) {
    return v.*(boost::mp11::mp_at_c<public_members<T>, index>::pointer);
  }
};
template <auto Key, class T, class M, class C>
struct member_access<Key, T, M C::*> {
  static constexpr bool valid = std::is_base_of_v<C, T> || std::is_same_v<C, T>;
  static constexpr auto label = fixed_string("<member pointer>");
  static const M& get(const T& v) { return v.*Key; }
};

// A key as text: strings as they are, integers in decimal, nullopt as "" (no key: no echo),
// anything else as its JSON.
template <class V>
std::string key_text(const V& v) {
  if constexpr (std::is_same_v<V, std::string>)
    return v;
  else if constexpr (std::is_integral_v<V> && !std::is_same_v<V, bool>)
    return std::to_string(v);
  else if constexpr (requires {
                       v.has_value();
                       *v;
                     })
    return v ? key_text(*v) : std::string{};
  else
    return json::encode(v);
}

// FNV-1a, 64 bits, over "name=json;" for each field: stable across processes and versions (it is
// stored), and a collision would need two different writes of one record within the window.
inline void fnv1a(std::uint64_t& h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
}

template <class T, auto... Fields>
std::string fingerprint_of(const T& v) {
  if constexpr (sizeof...(Fields) == 0) {
    return "-";  // the key alone identifies the write
  } else {
    std::uint64_t h = 14695981039346656037ull;
    (
        [&] {
          using access = member_access<Fields, T>;
          fnv1a(h, access::label.view());
          fnv1a(h, "=");
          fnv1a(h, json::encode(access::get(v)));
          fnv1a(h, ";");
        }(),
        ...);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = hex[h & 15];
    return out;
  }
}

template <class In, auto Key, auto... Fields>
inline constexpr bool echo_members_valid = member_access<Key, In>::valid &&
                                           (member_access<Fields, In>::valid && ...);

// The check of both blocks: the key and the fields exist in the record type they receive.
template <class Site, std::size_t Position, fixed_string Scope, class In, auto Key, auto... Fields>
consteval bool check_echo_members() {
  if constexpr (std::is_void_v<In> || std::is_same_v<In, poison>) {
    return true;  // the generic check reports what does not fit
  } else if constexpr (!member_access<Key, In>::valid) {
    return diagnostic::echo_key_is_not_a_member<Site::workflow, Site::template position<Position>,
                                                Scope, member_access<Key, In>::label, In>::value;
  } else {
    bool ok = true;
    (
        [&] {
          if constexpr (!member_access<Fields, In>::valid) {
            if (ok)
              ok =
                  diagnostic::echo_key_is_not_a_member<Site::workflow,
                                                       Site::template position<Position>, Scope,
                                                       member_access<Fields, In>::label, In>::value;
          }
        }(),
        ...);
    return ok;
  }
}

inline ::syncline::error no_echo_memory(std::string_view block) {
  return make_error(errc::internal,
                    std::string(block) +
                        ": no echo_memory in the run context: run the workflow in the engine, "
                        "or provide one (run_context::provide)");
}

}  // namespace detail

template <fixed_string Scope, auto Key, auto... Fields>
struct remember_write_block {
  static constexpr bool syncline_pipeable = true;
  static constexpr std::string_view name = "remember_write";
  static constexpr std::string_view kind = "echo_guard";
  // It takes the context for the echo memory only, so a workflow may remember two scopes.
  static constexpr bool reads_idempotency_key = false;
  static constexpr detail::protocol block_protocol = detail::protocol::inspect;
  static constexpr bool has_own_checks = true;
  static constexpr std::string_view scope = Scope;

  template <class Site, std::size_t Position, class In>
  static consteval bool check() {
    return detail::check_echo_members<Site, Position, Scope, In, Key, Fields...>();
  }

  template <class In>
  requires detail::echo_members_valid<In, Key, Fields...> awaitable_for<result<void>, In> inspect(
      const In& record, run_context& ctx)
  const {
    auto* memory = ctx.service<echo_memory>();
    if (!memory) co_return detail::no_echo_memory(name);
    const std::string key = detail::key_text(detail::member_access<Key, In>::get(record));
    if (key.empty()) co_return result<void>{};  // nothing identifies the write: nothing to remember
    const std::string fingerprint = detail::fingerprint_of<In, Fields...>(record);
    co_return co_await memory->remember(ctx, scope, key, fingerprint);
  }
};

template <fixed_string Scope, auto Key, auto... Fields>
struct skip_echo_block {
  static constexpr bool syncline_pipeable = true;
  static constexpr std::string_view name = "skip_echo";
  static constexpr std::string_view kind = "echo_guard";
  static constexpr bool reads_idempotency_key = false;  // as remember_write_block
  static constexpr detail::protocol block_protocol = detail::protocol::inspect;
  static constexpr bool has_own_checks = true;
  static constexpr std::string_view scope = Scope;

  template <class Site, std::size_t Position, class In>
  static consteval bool check() {
    return detail::check_echo_members<Site, Position, Scope, In, Key, Fields...>();
  }

  template <class In>
  requires detail::echo_members_valid<In, Key, Fields...> awaitable_for<outcome<void>, In> inspect(
      const In& record, run_context& ctx)
  const {
    auto* memory = ctx.service<echo_memory>();
    if (!memory) co_return detail::no_echo_memory(name);
    const std::string key = detail::key_text(detail::member_access<Key, In>::get(record));
    if (key.empty()) co_return outcome<void>{};  // no key: not something a workflow wrote
    const std::string fingerprint = detail::fingerprint_of<In, Fields...>(record);
    auto seen = co_await memory->is_echo(ctx, scope, key, fingerprint);
    if (!seen) co_return std::move(seen).error();
    if (*seen) co_return skip("echo of a write made by this integration");
    co_return outcome<void>{};
  }
};

// Records what a workflow writes to the app (see the top of this file).
template <fixed_string Scope, auto Key, auto... Fields>
inline constexpr remember_write_block<Scope, Key, Fields...> remember_write{};

// Drops trigger events that are echoes of remembered writes (see the top of this file).
template <fixed_string Scope, auto Key, auto... Fields>
inline constexpr skip_echo_block<Scope, Key, Fields...> skip_echo{};

}  // namespace syncline
