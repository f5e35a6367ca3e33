// The typed decoder: an event_pump consumer that writes each JSON value straight into its
// place in the C++ record, through the codecs, with no DOM in between. Its state is a stack of
// the records, vectors and maps being filled; values under unknown keys are skipped without being
// stored; a boost::json::value member is built with the DOM builder.
#pragma once

#include <syncline/json/detail/codec.hpp>
#include <syncline/json/detail/dom_builder.hpp>
#include <syncline/json/detail/event_pump.hpp>

#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace syncline::json::detail {

class typed_builder {
 public:
  explicit typed_builder(target root) : root_(root) {
    open_.reserve(16);
    seen_.reserve(16);
  }

  bool begin(context& c, container k) {
    if (capture_depth_ > 0) {
      ++capture_depth_;
      return capture_->begin(c, k);
    }
    if (skip_depth_ > 0) {
      ++skip_depth_;
      return true;
    }
    const target t = next();
    if (t.ops == nullptr) {
      skip_depth_ = 1;
      return true;
    }
    frame f;
    if (!t.ops->begin(t.object, k, f, c)) return false;
    switch (f.k) {
      case frame::kind::record: {
        const std::size_t at = seen_.size();
        seen_.resize(at + (f.record->members + 63) / 64, 0);
        open_.push_back({f, {}, at, 0});
        break;
      }
      case frame::kind::sequence:
      case frame::kind::map: open_.push_back({f, {}, 0, 0}); break;
      case frame::kind::capture:
        if (!capture_) capture_ = std::make_unique<dom_builder>();
        capture_into_ = static_cast<boost::json::value*>(f.object);
        capture_depth_ = 1;
        return capture_->begin(c, k);
    }
    return true;
  }

  key_check key(context& c, std::string_view k) {
    if (capture_depth_ > 0) return capture_->key(c, k);
    if (skip_depth_ > 0) return key_check::unchecked;
    open_container& top = open_.back();  // keys only come inside an object: a record or a map
    if (top.f.k == frame::kind::map) {
      top.current = top.f.map->entry(top.f.object, k);
      return key_check::unchecked;
    }
    const std::ptrdiff_t i = top.f.record->find(k, top.hint);
    if (i < 0) {
      top.current = {};  // unknown: skip its value
      return key_check::unchecked;
    }
    // A member's bit says whether its key came before: duplicates of known keys cost nothing.
    const auto index = static_cast<std::size_t>(i);
    std::uint64_t& word = seen_[top.seen_at + index / 64];
    const std::uint64_t bit = std::uint64_t{1} << (index % 64);
    if ((word & bit) != 0) {
      c.duplicate_key(k);
      return key_check::failed;
    }
    word |= bit;
    top.hint = index + 1;
    top.current = top.f.record->member(top.f.object, index);
    return key_check::unique;
  }

  bool end(context& c, container k, std::size_t n) {
    if (capture_depth_ > 0) {
      if (!capture_->end(c, k, n)) return false;
      if (--capture_depth_ == 0) *capture_into_ = capture_->release();
      return true;
    }
    if (skip_depth_ > 0) {
      --skip_depth_;
      return true;
    }
    const open_container& top = open_.back();
    if (top.f.k == frame::kind::record) {
      if (!top.f.record->finish(seen_.data() + top.seen_at, c)) return false;
      seen_.resize(top.seen_at);
    }
    open_.pop_back();
    return true;
  }

  bool value(context& c, const scalar& s) {
    if (capture_depth_ > 0) return capture_->value(c, s);
    if (skip_depth_ > 0) return true;
    const target t = next();
    return t.ops == nullptr || t.ops->read(t.object, s, c);
  }

 private:
  struct open_container {
    frame f;
    target current;           // records and maps: where the value of the last key goes
    std::size_t seen_at = 0;  // records: first word of their "key seen" bits in seen_
    std::size_t hint = 0;     // records: where to start looking for the next key
  };

  // The place of the value that starts now.
  target next() {
    if (open_.empty()) return root_;
    const open_container& top = open_.back();
    if (top.f.k == frame::kind::sequence) return top.f.sequence->element(top.f.object);
    return top.current;
  }

  target root_;
  std::vector<open_container> open_;
  std::vector<std::uint64_t> seen_;
  std::size_t skip_depth_ = 0;  // > 0 inside a container nobody reads
  std::unique_ptr<dom_builder> capture_;
  boost::json::value* capture_into_ = nullptr;
  std::size_t capture_depth_ = 0;  // > 0 inside a boost::json::value member
};

}  // namespace syncline::json::detail
