// Where a reader is in a JSON document, and what went wrong there. One context serves the
// text reader and the DOM reader alike, so both report the same JSON pointers, the same depth
// limit and the same duplicate-key rule.
#pragma once

#include <syncline/core/result.hpp>
#include <syncline/json/detail/quote.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace syncline::json::detail {

class context {
 public:
  explicit context(std::size_t max_depth) : max_depth_(max_depth) {
    // One allocation each for a typical webhook body instead of a doubling series.
    levels_.reserve(16);
    keys_.reserve(16);
  }

  // --- structure (driven by event_pump) ---

  // A value starts: in an array it is the next element.
  void begin_value() noexcept {
    if (!levels_.empty() && !levels_.back().object) ++levels_.back().count;
  }
  bool push(bool object) {
    if (levels_.size() >= max_depth_) {
      return fail(errc::limit_exceeded, "nesting deeper than " + std::to_string(max_depth_) +
                                            " levels (json::limits::max_depth)");
    }
    levels_.push_back({object, 0, keys_.size(), key_bytes_.size()});
    return true;
  }
  // Keys are kept while their object is open: for the pointer in messages and for the
  // duplicate check when the object closes. A key that lives as long as the document (in the
  // input text or in a DOM) is kept as a view; any other is copied. A consumer that has already
  // made sure a key is new (a record's member bits) passes check = false to skip the hash.
  void key(std::string_view k, bool stable, bool check) {
    ++levels_.back().count;
    key_entry e{check ? std::hash<std::string_view>{}(k) : 0, stable ? k.data() : nullptr,
                key_bytes_.size(), k.size(), check};
    if (!stable) key_bytes_.append(k);
    keys_.push_back(e);
  }
  // The rule: a key may appear once per object. A repeated key is refused, because two
  // readers of one signed payload could otherwise pick different values.
  bool check_unique_keys() {
    const level& l = levels_.back();
    const auto first = keys_.begin() + static_cast<std::ptrdiff_t>(l.first_key);
    const auto checked_end =
        std::partition(first, keys_.end(), [](const key_entry& k) { return k.check; });
    if (checked_end - first < 2) return true;
    std::sort(first, checked_end,
              [](const key_entry& a, const key_entry& b) { return a.hash < b.hash; });
    for (auto it = first; it + 1 != checked_end; ++it) {
      for (auto jt = it + 1; jt != checked_end && jt->hash == it->hash; ++jt) {
        if (text(*it) == text(*jt)) return duplicate_key(text(*it));
      }
    }
    return true;
  }
  // The one message for a repeated key, whoever finds it; reported at the object.
  bool duplicate_key(std::string_view k) {
    return fail_container(errc::invalid_input, "duplicate key " + quoted(k));
  }
  void pop() {
    const level l = levels_.back();
    keys_.resize(l.first_key);
    key_bytes_.resize(l.first_byte);
    levels_.pop_back();
  }
  // Members (object) or elements (array) read so far in the innermost container.
  std::size_t size() const noexcept { return levels_.back().count; }

  // --- errors ---

  // At the value being read, e.g. "/line_items/2/quantity: expected integer, got ...".
  bool fail(errc c, std::string_view detail) { return fail_at(levels_.size(), c, detail); }
  // At the innermost open container, e.g. "/line_items/2: missing required key ...".
  bool fail_container(errc c, std::string_view detail) {
    return fail_at(levels_.empty() ? 0 : levels_.size() - 1, c, detail);
  }
  bool failed() const noexcept { return failed_; }
  ::syncline::error take_error() { return std::move(error_); }

  // RFC 6901 pointer to the current value; "" is the whole document.
  std::string pointer() const { return pointer(levels_.size()); }

 private:
  struct level {
    bool object;
    std::size_t count;
    std::size_t first_key;
    std::size_t first_byte;
  };
  struct key_entry {
    std::size_t hash;
    const char* data;    // the key, when it outlives the document's reading; else
    std::size_t offset;  // where its copy is in key_bytes_
    std::size_t size;
    bool check;  // still to be checked for duplicates when the object closes
  };

  std::string_view text(const key_entry& k) const noexcept {
    return k.data != nullptr ? std::string_view(k.data, k.size)
                             : std::string_view(key_bytes_).substr(k.offset, k.size);
  }

  std::string pointer(std::size_t depth) const {
    std::string p;
    // Messages show 200 bytes of it: stop well before a long key path costs anything.
    for (std::size_t i = 0; i < depth && p.size() <= 256; ++i) {
      const level& l = levels_[i];
      const std::size_t end_key = i + 1 < levels_.size() ? levels_[i + 1].first_key : keys_.size();
      if (l.object && end_key > l.first_key) {
        p += '/';
        for (char c : text(keys_[end_key - 1])) {
          switch (c) {
            case '~': p += "~0"; break;
            case '/': p += "~1"; break;
            default: p += c;
          }
        }
      } else if (!l.object && l.count > 0) {
        p += '/';
        p += std::to_string(l.count - 1);
      }
    }
    return p;
  }

  bool fail_at(std::size_t depth, errc c, std::string_view detail) {
    if (failed_) return false;  // the first error is the one that explains
    const std::string p = pointer(depth);
    std::string m;
    if (p.empty()) {
      m = "(root)";
    } else if (append_printable(m, p, 200)) {  // keys are untrusted: printable and bounded
      m += "...";
    }
    m += ": ";
    m += detail;
    error_ = make_error(c, std::move(m));
    failed_ = true;
    return false;
  }

  std::size_t max_depth_;
  std::vector<level> levels_;
  std::vector<key_entry> keys_;
  std::string key_bytes_;
  ::syncline::error error_{};
  bool failed_ = false;
};

}  // namespace syncline::json::detail
