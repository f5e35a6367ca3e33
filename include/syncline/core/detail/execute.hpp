// The runners. A list of blocks is run by template recursion: each block's call is inlined into
// the next, so a chain of pure blocks compiles to the same code as the functions called by hand
// (no allocation, no type erasure, no indirect call). Asynchronous blocks are awaited where they
// stand; the synchronous stretches between them still run inline, and only each asynchronous
// block costs a coroutine frame.
//
// Failures: a block's error goes to the nearest recover block after it; if there is none it
// leaves the list, prefixed with the failing block's name. Skips end the list at once.
#pragma once

#include <syncline/core/awaitable.hpp>
#include <syncline/core/block.hpp>
#include <syncline/core/detail/flow.hpp>
#include <syncline/core/detail/signature.hpp>
#include <syncline/core/detail/type_list.hpp>
#include <syncline/core/outcome.hpp>
#include <syncline/core/result.hpp>
#include <syncline/core/run_context.hpp>

#include <boost/hana/at.hpp>
#include <boost/hana/basic_tuple.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace syncline::detail {

inline constexpr std::size_t no_index = static_cast<std::size_t>(-1);

// The synchronous runner's steps are forced inline: a chain of them must compile to the blocks'
// own code, whatever the inliner's size budget says. (Error paths stay out of line.)
#if defined(__GNUC__)
#define SYNCLINE_ALWAYS_INLINE [[gnu::always_inline]] inline
#else
#define SYNCLINE_ALWAYS_INLINE inline
#endif

template <class Flow, std::size_t I>
using input_at = type_at_t<I, typename Flow::inputs>;

template <class Flow>
constexpr std::size_t next_recover_after(std::size_t i) {
  for (std::size_t j = i + 1; j < Flow::size; ++j)
    if (Flow::recover_at[j]) return j;
  return no_index;
}

template <class Flow>
constexpr std::size_t first_async_from(std::size_t i) {
  for (std::size_t j = i; j < Flow::size; ++j)
    if (Flow::async_at[j]) return j;
  return Flow::size;
}

template <std::size_t I, class Blocks>
using block_at = std::remove_cvref_t<decltype(boost::hana::at_c<I>(std::declval<const Blocks&>()))>;

// An error leaving its pipeline names the block it came from.
inline ::syncline::error from_block(std::string_view block, ::syncline::error e) {
  std::string m;
  m.reserve(block.size() + 2 + e.message.size());
  m += block;
  m += ": ";
  m += e.message;
  e.message = std::move(m);
  return e;
}

template <bool Observed, class B>
void notify(run_context& ctx, std::size_t position, block_phase phase,
            const ::syncline::error* failure = nullptr, const skipped* skip = nullptr) {
  if constexpr (Observed)
    run_access::notify(
        ctx, block_event{position, block_name<B>(), block_kind<B>(), phase, failure, skip});
}

template <class Flow, bool Observed, std::size_t I, class B, class Out>
outcome<Out> skip_at(skipped s, run_context& ctx) {
  s.position = I + 1;  // an outer runner overwrites it with its own position
  if (s.block.empty()) s.block = block_name<B>();
  notify<Observed, B>(ctx, I + 1, block_phase::skipped, nullptr, &s);
  return s;
}

// The verdict of an inspect(): pass on, skip, or fail.
template <class R>
struct verdict {
  static bool pass(const R& r) {
    if constexpr (std::is_same_v<R, bool>)
      return r;
    else if constexpr (std::is_same_v<typename R::value_type, bool>)
      return r.has_value() && *r;
    else
      return r.has_value();
  }
  static bool failed(const R& r) {
    if constexpr (std::is_same_v<R, bool>)
      return false;
    else if constexpr (is_outcome_v<R>)
      return r.is_failed();
    else
      return !r.has_value();
  }
  static skipped skip_info(const R& r) {
    if constexpr (is_outcome_v<R>)
      if (r.is_skipped()) return r.skip_info();
    return skipped{};
  }
};

template <class T>
inline constexpr bool is_optional_v = false;
template <class T>
inline constexpr bool is_optional_v<std::optional<T>> = true;

// What a recover block's handler makes of an error: the value to go on with, a skip, or an
// error (the handler gave up).
template <class Flow, std::size_t R, class Blocks>
outcome<input_at<Flow, R>> recovered_value(const Blocks& bs, ::syncline::error e,
                                           run_context& ctx) {
  using In = input_at<Flow, R>;
  const auto& b = boost::hana::at_c<R>(bs);
  if constexpr (block_signature<block_at<R, Blocks>, In>::needs_context)
    run_access::set_block(ctx, block_name<block_at<R, Blocks>>());
  auto r = b.handle(e, ctx);
  using Ret = decltype(r);
  if constexpr (is_optional_v<Ret>) {
    if (!r) return skip("recovered by skipping");
    return In(std::move(*r));
  } else if constexpr (is_result_v<Ret>) {
    if (!r) return std::move(r).error();
    return In(std::move(r).value());
  } else if constexpr (is_outcome_v<Ret>) {
    if (r.is_failed()) return std::move(r).error();
    if (r.is_skipped()) return r.skip_info();
    return In(std::move(r).value());
  } else {
    return In(std::move(r));
  }
}

template <class Flow, bool Observed, std::size_t I, std::size_t Stop, class Blocks, class V>
outcome<input_at<Flow, Stop>> run_sync(const Blocks& bs, V&& v, run_context& ctx);

// Failure of block I. Runs the nearest recover block before Stop; if the nearest one is at or
// after Stop, hands the raw error back (the asynchronous runner goes on from there). An error
// that leaves the list is named after `origin`: the block that failed first, even when a recover
// handler passed it on.
template <class Flow, bool Observed, std::size_t I, std::size_t Stop, class Blocks>
outcome<input_at<Flow, Stop>> fail_at(const Blocks& bs, ::syncline::error e, run_context& ctx,
                                      std::string_view origin = {}) {
  using B = block_at<I, Blocks>;
  if (origin.empty()) origin = block_name<B>();
  notify<Observed, B>(ctx, I + 1, block_phase::failed, &e);
  constexpr std::size_t R = next_recover_after<Flow>(I);
  if constexpr (R == no_index) {
    return from_block(origin, std::move(e));
  } else if constexpr (R >= Stop) {
    run_access::set_failed_block(ctx, origin);
    return e;
  } else {
    using RB = block_at<R, Blocks>;
    notify<Observed, RB>(ctx, R + 1, block_phase::started);
    auto o = recovered_value<Flow, R>(bs, std::move(e), ctx);
    if (o.has_value()) {
      notify<Observed, RB>(ctx, R + 1, block_phase::succeeded);
      return run_sync<Flow, Observed, R + 1, Stop>(bs, std::move(o).value(), ctx);
    }
    if (o.is_skipped())
      return skip_at<Flow, Observed, R, RB, input_at<Flow, Stop>>(o.skip_info(), ctx);
    return fail_at<Flow, Observed, R, Stop>(bs, std::move(o).error(), ctx, origin);
  }
}

// Runs blocks [I, Stop) on `v` and hands on the value that reaches Stop (for Stop == size, the
// list's output; outcome<void> after a destination).
template <class Flow, bool Observed, std::size_t I, std::size_t Stop, class Blocks, class V>
SYNCLINE_ALWAYS_INLINE outcome<input_at<Flow, Stop>> run_sync(const Blocks& bs, V&& v,
                                                              run_context& ctx) {
  using Out = input_at<Flow, Stop>;
  if constexpr (I == Stop) {
    return outcome<Out>(std::forward<V>(v));
  } else {
    using B = block_at<I, Blocks>;
    using In = input_at<Flow, I>;
    using sig = block_signature<B, In>;
    constexpr protocol proto = declared_protocol<B>();
    const B& b = boost::hana::at_c<I>(bs);
    if constexpr (sig::needs_context) run_access::set_block(ctx, block_name<B>());

    if constexpr (proto == protocol::recover) {
      // Nothing to recover from on this path: the value passes through.
      return run_sync<Flow, Observed, I + 1, Stop>(bs, std::forward<V>(v), ctx);
    } else if constexpr (proto == protocol::inspect) {
      notify<Observed, B>(ctx, I + 1, block_phase::started);
      using R = typename sig::returned_type;
      if constexpr (std::is_void_v<R>) {
        invoke_inspect(b, std::as_const(v), ctx);
      } else {
        const R r = invoke_inspect(b, std::as_const(v), ctx);
        if (!verdict<R>::pass(r)) {
          if constexpr (!std::is_same_v<R, bool>)
            if (verdict<R>::failed(r)) return fail_at<Flow, Observed, I, Stop>(bs, r.error(), ctx);
          return skip_at<Flow, Observed, I, B, Out>(verdict<R>::skip_info(r), ctx);
        }
      }
      notify<Observed, B>(ctx, I + 1, block_phase::succeeded);
      return run_sync<Flow, Observed, I + 1, Stop>(bs, std::forward<V>(v), ctx);
    } else {
      notify<Observed, B>(ctx, I + 1, block_phase::started);
      using R = typename sig::returned_type;
      if constexpr (std::is_void_v<R>) {
        invoke_block(b, std::forward<V>(v), ctx);
        notify<Observed, B>(ctx, I + 1, block_phase::succeeded);
        return outcome<void>{};
      } else if constexpr (is_result_v<R> || is_outcome_v<R>) {
        R r = invoke_block(b, std::forward<V>(v), ctx);
        if (!r.has_value()) {
          if constexpr (is_outcome_v<R>)
            if (r.is_skipped()) return skip_at<Flow, Observed, I, B, Out>(r.skip_info(), ctx);
          return fail_at<Flow, Observed, I, Stop>(bs, std::move(r).error(), ctx);
        }
        notify<Observed, B>(ctx, I + 1, block_phase::succeeded);
        if constexpr (std::is_void_v<typename R::value_type>)
          return outcome<void>{};
        else
          return run_sync<Flow, Observed, I + 1, Stop>(bs, std::move(r).value(), ctx);
      } else {
        if constexpr (Observed) {
          typename sig::output r = invoke_block(b, std::forward<V>(v), ctx);
          notify<Observed, B>(ctx, I + 1, block_phase::succeeded);
          return run_sync<Flow, Observed, I + 1, Stop>(bs, std::move(r), ctx);
        } else {
          // A block that returns a reference hands on a copy: values flow, references do not.
          return run_sync<Flow, Observed, I + 1, Stop>(
              bs, typename sig::output(invoke_block(b, std::forward<V>(v), ctx)), ctx);
        }
      }
    }
  }
}

template <class Flow, bool Observed, std::size_t I, class Blocks, class V>
syncline::awaitable<outcome<typename Flow::output>> run_async(const Blocks& bs, V v,
                                                              run_context& ctx);

// Goes on after block F failed with `e` (raw, or already named when `named`) and no recover
// block before the asynchronous block that follows F took it: recovers at the next recover
// block, or hands the error on named after `origin`.
template <class Flow, bool Observed, std::size_t F, class Blocks>
syncline::awaitable<outcome<typename Flow::output>> resume_after_failure(
    const Blocks& bs, ::syncline::error e, run_context& ctx, bool named, std::string_view origin) {
  constexpr std::size_t R = next_recover_after<Flow>(F);
  if constexpr (R == no_index) {
    co_return named ? std::move(e) : from_block(origin, std::move(e));
  } else {
    using RB = block_at<R, Blocks>;
    notify<Observed, RB>(ctx, R + 1, block_phase::started);
    auto o = recovered_value<Flow, R>(bs, std::move(e), ctx);
    if (o.has_value()) {
      notify<Observed, RB>(ctx, R + 1, block_phase::succeeded);
      co_return co_await run_async<Flow, Observed, R + 1>(bs, std::move(o).value(), ctx);
    }
    if (o.is_skipped())
      co_return skip_at<Flow, Observed, R, RB, typename Flow::output>(o.skip_info(), ctx);
    notify<Observed, RB>(ctx, R + 1, block_phase::failed, &o.error());
    co_return co_await resume_after_failure<Flow, Observed, R>(bs, std::move(o).error(), ctx, false,
                                                               origin);
  }
}

// Runs blocks [I, size) where some block may suspend.
template <class Flow, bool Observed, std::size_t I, class Blocks, class V>
syncline::awaitable<outcome<typename Flow::output>> run_async(const Blocks& bs, V v,
                                                              run_context& ctx) {
  using Out = typename Flow::output;
  constexpr std::size_t J = first_async_from<Flow>(I);
  if constexpr (J == Flow::size) {
    co_return run_sync<Flow, Observed, I, Flow::size>(bs, std::move(v), ctx);
  } else {
    using In = input_at<Flow, J>;
    // The synchronous stretch before block J, inline.
    auto before = [&] {
      if constexpr (J > I)
        return run_sync<Flow, Observed, I, J>(bs, std::move(v), ctx);
      else
        return outcome<In>(std::move(v));
    }();
    if constexpr (J > I) {
      if (before.is_skipped()) co_return before.skip_info();
      if (before.is_failed()) {
        // No recover block between the failure and J (else run_sync had used it), so the
        // nearest one after J - 1 is the nearest one after the failing block.
        // An unnamed error comes with the name of its block, left in the context by fail_at.
        constexpr bool named = next_recover_after<Flow>(J - 1) == no_index;
        co_return co_await resume_after_failure<Flow, Observed, J - 1>(
            bs, std::move(before).error(), ctx, named, run_access::failed_block(ctx));
      }
    }

    using B = block_at<J, Blocks>;
    using sig = block_signature<B, In>;
    const B& b = boost::hana::at_c<J>(bs);
    if constexpr (sig::needs_context) run_access::set_block(ctx, block_name<B>());
    notify<Observed, B>(ctx, J + 1, block_phase::started);

    if constexpr (declared_protocol<B>() == protocol::inspect) {
      In value = std::move(before).value();
      auto r = co_await invoke_inspect(b, std::as_const(value), ctx);
      using R = decltype(r);
      if (!verdict<R>::pass(r)) {
        if (verdict<R>::failed(r)) {
          notify<Observed, B>(ctx, J + 1, block_phase::failed, &r.error());
          co_return co_await resume_after_failure<Flow, Observed, J>(bs, r.error(), ctx, false,
                                                                     block_name<B>());
        }
        co_return skip_at<Flow, Observed, J, B, Out>(verdict<R>::skip_info(r), ctx);
      }
      notify<Observed, B>(ctx, J + 1, block_phase::succeeded);
      co_return co_await run_async<Flow, Observed, J + 1>(bs, std::move(value), ctx);
    } else if constexpr (std::is_void_v<typename sig::returned_type::value_type>) {
      // awaitable<void>: a destination that cannot fail.
      co_await invoke_block(b, std::move(before).value(), ctx);
      notify<Observed, B>(ctx, J + 1, block_phase::succeeded);
      co_return outcome<void>{};
    } else {
      auto r = co_await invoke_block(b, std::move(before).value(), ctx);
      using R = decltype(r);
      if constexpr (is_result_v<R> || is_outcome_v<R>) {
        if (!r.has_value()) {
          if constexpr (is_outcome_v<R>)
            if (r.is_skipped()) co_return skip_at<Flow, Observed, J, B, Out>(r.skip_info(), ctx);
          notify<Observed, B>(ctx, J + 1, block_phase::failed, &r.error());
          co_return co_await resume_after_failure<Flow, Observed, J>(bs, std::move(r).error(), ctx,
                                                                     false, block_name<B>());
        }
        notify<Observed, B>(ctx, J + 1, block_phase::succeeded);
        if constexpr (std::is_void_v<typename R::value_type>)
          co_return outcome<void>{};
        else
          co_return co_await run_async<Flow, Observed, J + 1>(bs, std::move(r).value(), ctx);
      } else {
        notify<Observed, B>(ctx, J + 1, block_phase::succeeded);
        co_return co_await run_async<Flow, Observed, J + 1>(bs, std::move(r), ctx);
      }
    }
  }
}

// Runs an arm (the blocks of a trigger-less pipeline) on a value: synchronously when nothing
// in it suspends, else as an awaitable.
template <class Flow, class Arm, class V>
auto run_arm(const Arm& arm, V&& v, run_context& ctx) {
  if constexpr (Flow::async)
    return run_async<Flow, false, 0>(arm.blocks, std::remove_cvref_t<V>(std::forward<V>(v)), ctx);
  else
    return run_sync<Flow, false, 0, Flow::size>(arm.blocks, std::forward<V>(v), ctx);
}

}  // namespace syncline::detail

#undef SYNCLINE_ALWAYS_INLINE
