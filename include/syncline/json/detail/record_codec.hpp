// The codec of every described struct (BOOST_DESCRIBE_STRUCT / BOOST_DESCRIBE_CLASS, public and
// inherited public members): a JSON object whose keys are the member names, or the names given
// in json::key_names<T>. Written once, from the description; there is no per-type JSON code.
//
// Decoding: unknown keys are skipped (Shopify adds fields every quarter); a member that is not
// std::optional is required, and every missing one is named in the error. Encoding: members in
// declaration order; a nullopt std::optional member is left out.
#pragma once

#include <syncline/core/detail/name_check.hpp>
#include <syncline/core/diagnostic.hpp>
#include <syncline/json/detail/codec.hpp>
#include <syncline/json/detail/quote.hpp>
#include <syncline/json/key_names.hpp>

#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/mp11/algorithm.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace syncline::json::detail {

template <class T>
concept described_record = std::is_class_v<T> && !std::is_union_v<T> &&
                           boost::describe::has_describe_members<T>::value && !string_coded<T>;

template <class T>
using record_members = boost::describe::describe_members<T, boost::describe::mod_public |
                                                                boost::describe::mod_inherited>;

template <class T, class D>
using member_t = std::remove_cvref_t<decltype(std::declval<T&>().*D::pointer)>;

template <class T>
struct member_is_mappable {
  template <class D>
  using fn = std::bool_constant<codec<member_t<T, D>>::supported>;
};

// The layout of a described struct, computed once at compile time. (Free functions, because a
// class's own member functions cannot be called in constant expressions inside its body.)
template <class T>
constexpr std::array<std::string_view, boost::mp11::mp_size<record_members<T>>::value>
record_names() {
  std::array<std::string_view, boost::mp11::mp_size<record_members<T>>::value> n{};
  std::size_t i = 0;
  boost::mp11::mp_for_each<record_members<T>>([&](auto d) { n[i++] = decltype(d)::name; });
  return n;
}

template <class T>
constexpr bool renames_name_members() {
  constexpr auto names = record_names<T>();
  for (const member_key& r : key_names<T>::renames) {
    bool found = false;
    for (std::string_view n : names) found = found || n == r.member;
    if (!found) return false;
  }
  return true;
}

// The JSON key of each member, in declaration order.
template <class T>
constexpr auto record_keys() {
  constexpr auto names = record_names<T>();
  auto keys = names;
  for (const member_key& r : key_names<T>::renames) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == r.member) keys[i] = r.key;
    }
  }
  return keys;
}

template <class T>
constexpr bool record_keys_unique() {
  constexpr auto keys = record_keys<T>();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    for (std::size_t j = i + 1; j < keys.size(); ++j) {
      if (keys[i] == keys[j]) return false;
    }
  }
  return true;
}

template <class T>
constexpr auto record_required() {
  std::array<bool, boost::mp11::mp_size<record_members<T>>::value> r{};
  std::size_t i = 0;
  boost::mp11::mp_for_each<record_members<T>>(
      [&](auto d) { r[i++] = !is_optional<member_t<T, decltype(d)>>::value; });
  return r;
}

template <class T, class D>
target record_member(void* record) {
  auto& m = static_cast<T*>(record)->*D::pointer;
  return {&m, &ops_of<member_t<T, D>>};
}

template <class T, template <class...> class L, class... D>
constexpr std::array<target (*)(void*), sizeof...(D)> record_accessors(L<D...>) {
  return {&record_member<T, D>...};
}

// Reports the first broken key rule through its diagnostic (one error), else true.
template <class T>
consteval bool check_record_keys() {
  if constexpr (!renames_name_members<T>())
    return ::syncline::diagnostic::json_rename_names_no_member<T>::value;
  else if constexpr (!record_keys_unique<T>())
    return ::syncline::diagnostic::json_duplicate_key<T>::value;
  else
    return true;
}

template <described_record T>
struct codec<T> : codec_base<T> {
  using members = record_members<T>;
  static constexpr std::size_t size = boost::mp11::mp_size<members>::value;
  static constexpr bool supported = boost::mp11::mp_all_of_q<members, member_is_mappable<T>>::value;

  // The rule prints the one error; `checked` keeps this assertion itself from adding another.
  static_assert(::syncline::detail::checked(check_record_keys<T>()));

  static constexpr auto keys = record_keys<T>();
  static constexpr auto required = record_required<T>();

  static std::string expected() { return "object"; }

  // An API writes its keys in a fixed order; with members declared in that order (as the
  // Shopify model does), starting after the last match makes a lookup one comparison.
  static std::ptrdiff_t find(std::string_view key, std::size_t hint) {
    for (std::size_t n = 0; n < size; ++n) {
      std::size_t i = hint + n;
      if (i >= size) i -= size;
      // Length and first byte rule out nearly every other member before a memcmp.
      if (keys[i].size() == key.size() && (key.empty() || keys[i][0] == key[0]) && keys[i] == key) {
        return static_cast<std::ptrdiff_t>(i);
      }
    }
    return -1;
  }

  static target member(void* record, std::size_t index) {
    // Built on first use, not with the class, so that an unmappable member stops the compile
    // at json::decode's static_assert alone.
    static constexpr auto accessors = record_accessors<T>(members{});
    return accessors[index](record);
  }

  static bool finish(const std::uint64_t* seen, context& c) {
    std::string missing;
    std::size_t count = 0;
    for (std::size_t i = 0; i < size; ++i) {
      if (required[i] && !((seen[i / 64] >> (i % 64)) & 1u)) {
        if (count++ > 0) missing += ", ";
        missing += quoted(keys[i], 64);
      }
    }
    if (count == 0) return true;
    return c.fail_container(
        errc::decode, (count == 1 ? "missing required key " : "missing required keys ") + missing);
  }

  static bool begin(T& out, container k, frame& f, context& c) {
    if (k != container::object) return codec_base<T>::mismatch("array", c);
    static constexpr record_ops ops{size, &find, &member, &finish};
    f = frame{frame::kind::record, &out, &ops, nullptr, nullptr};
    return true;
  }

  template <class W>
  static void write(W& w, const T& v) {
    w.begin_object();
    std::size_t i = 0;
    boost::mp11::mp_for_each<members>([&](auto d) {
      using M = member_t<T, decltype(d)>;
      const M& m = v.*decltype(d)::pointer;
      const std::string_view key = keys[i++];
      if constexpr (is_optional<M>::value) {
        if (!m) return;
      }
      w.key(key);
      codec<M>::write(w, m);
    });
    w.end_object();
  }
};

}  // namespace syncline::json::detail
