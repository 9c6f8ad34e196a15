#include "telemetry/span_data_pool.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace tdemo::telemetry {
namespace {

bool is_default(const SpanData& span) {
  const SpanData fresh;
  return !span.context.valid() && span.context.flags() == 0 && !span.context.remote() &&
         span.context.trace_state().empty() && !span.parent_span_id.valid() &&
         span.parent_is_remote == fresh.parent_is_remote && span.name.empty() &&
         span.kind == fresh.kind && span.start_time_unix_nano == 0 &&
         span.end_time_unix_nano == 0 && span.attributes.empty() &&
         span.dropped_attributes_count == 0 && span.events.empty() &&
         span.dropped_events_count == 0 && span.links.empty() && span.dropped_links_count == 0 &&
         span.status_code == StatusCode::kUnset && span.status_message.empty() &&
         span.resource == nullptr && span.scope == nullptr;
}

TEST(SpanDataPoolTest, RecycledSpansComeBackClean) {
  auto resource = std::make_shared<const Resource>();
  {
    std::vector<std::unique_ptr<SpanData>> dirty;
    for (int i = 0; i < 8; ++i) {
      auto span = acquire_span_data();
      span->context = SpanContext(random_trace_id(), random_span_id(), 1, true,
                                  std::make_shared<const TraceState>());
      span->parent_span_id = random_span_id();
      span->parent_is_remote = true;
      span->name = "a long span name that does not fit in the small string buffer";
      span->kind = SpanKind::kClient;
      span->start_time_unix_nano = 1;
      span->end_time_unix_nano = 2;
      span->attributes = {{"k", attribute(1)}};
      span->dropped_attributes_count = 3;
      span->events.push_back(Event{"e", 5, {{"x", attribute(true)}}, 1});
      span->dropped_events_count = 4;
      span->links.push_back(Link{});
      span->dropped_links_count = 5;
      span->status_code = StatusCode::kError;
      span->status_message = "boom";
      span->resource = resource;
      span->scope = std::make_shared<InstrumentationScope>();
      dirty.push_back(std::move(span));
    }
    for (auto& span : dirty) recycle_span_data(std::move(span));
  }
  std::vector<std::unique_ptr<SpanData>> acquired;
  for (std::size_t i = 0; i < kSpanDataPoolCapacity + 8; ++i) {
    acquired.push_back(acquire_span_data());
    ASSERT_TRUE(is_default(*acquired.back())) << i;
  }
  EXPECT_EQ(resource.use_count(), 1);  // reusing the spans let go of the old resource
  for (auto& span : acquired) recycle_span_data(std::move(span));  // the overflow is deleted
  recycle_span_data(nullptr);
}

TEST(SpanDataPoolTest, AcquiredSpansCarryTheGivenResourceAndScope) {
  auto first = std::make_shared<const Resource>(Resource{{{"service.name", attribute("a")}}, ""});
  auto second = std::make_shared<const Resource>(Resource{{{"service.name", attribute("b")}}, ""});
  auto scope = std::make_shared<const InstrumentationScope>();
  std::vector<std::unique_ptr<SpanData>> spans;
  for (int i = 0; i < 4; ++i) spans.push_back(acquire_span_data(first, scope));
  for (auto& span : spans) {
    EXPECT_EQ(span->resource, first);
    EXPECT_EQ(span->scope, scope);
    recycle_span_data(std::move(span));
  }
  spans.clear();
  // The pool is first in, first out: take all of it to get the four spans back.
  for (std::size_t i = 0; i < kSpanDataPoolCapacity + 8; ++i) {
    spans.push_back(acquire_span_data(second, nullptr));
  }
  for (auto& span : spans) {
    EXPECT_EQ(span->resource, second);
    EXPECT_EQ(span->scope, nullptr);
  }
  EXPECT_EQ(first.use_count(), 1);  // the reused spans dropped the first resource
  for (auto& span : spans) recycle_span_data(std::move(span));
}

TEST(SpanDataPoolTest, SpansRecycledOnAnotherThreadAreReusedHere) {
  // The batch processor's worker recycles the spans that request threads acquired: they must
  // come back to those threads, a bundle at a time, not be freed and allocated again.
  constexpr std::size_t kSpans = 256;
  // Empty the pool first (earlier tests left spans in it): what comes back is then ours.
  std::vector<std::unique_ptr<SpanData>> held;
  for (std::size_t i = 0; i < 2 * kSpanDataPoolCapacity; ++i) held.push_back(acquire_span_data());
  std::vector<std::unique_ptr<SpanData>> spans;
  std::set<const SpanData*> addresses;
  for (std::size_t i = 0; i < kSpans; ++i) {
    spans.push_back(acquire_span_data());
    addresses.insert(spans.back().get());
  }
  std::thread worker([&] {
    for (auto& span : spans) recycle_span_data(std::move(span));
  });
  worker.join();
  std::vector<std::unique_ptr<SpanData>> again;
  std::size_t reused = 0;
  for (std::size_t i = 0; i < kSpans; ++i) {
    again.push_back(acquire_span_data());
    reused += addresses.count(again.back().get());
  }
  // The worker keeps up to two bundles of 64 for itself; what it handed over comes back here.
  EXPECT_GE(reused, kSpans - 128);
  for (auto& span : again) recycle_span_data(std::move(span));
  for (auto& span : held) recycle_span_data(std::move(span));
}

TEST(SpanDataPoolTest, BurstsComeBackFromTheThreadsOwnReserve) {
  // A receiver's burst of spans goes back to its thread's reserve, not to the pool that span
  // starts draw on, and comes back clean for the next burst. On a thread of its own: a fresh
  // reserve and cache.
  std::thread([] {
    auto resource = std::make_shared<const Resource>();
    std::vector<std::unique_ptr<SpanData>> burst;
    std::set<const SpanData*> addresses;
    for (std::size_t i = 0; i < kSpanBurstReserveCapacity; ++i) {
      burst.push_back(acquire_burst_span_data());
      addresses.insert(burst.back().get());
      burst.back()->name = "a long span name that does not fit in the small string buffer";
      burst.back()->attributes = {{"k", attribute(1)}};
      burst.back()->resource = resource;
    }
    for (auto& span : burst) recycle_burst_span_data(std::move(span));
    burst.clear();
    std::vector<std::unique_ptr<SpanData>> started;
    for (std::size_t i = 0; i < 2 * kSpanDataPoolCapacity; ++i) {
      started.push_back(acquire_span_data());
      EXPECT_EQ(addresses.count(started.back().get()), 0u) << i;
    }
    std::size_t reused = 0;
    for (std::size_t i = 0; i < kSpanBurstReserveCapacity; ++i) {
      burst.push_back(acquire_burst_span_data());
      reused += addresses.count(burst.back().get());
      EXPECT_TRUE(is_default(*burst.back())) << i;
    }
    EXPECT_EQ(reused, kSpanBurstReserveCapacity);
    EXPECT_EQ(resource.use_count(), 1);
    // Past the reserve's capacity, a span goes to this thread's cache in the pool: the next
    // span started here takes it.
    burst.push_back(acquire_burst_span_data());
    const SpanData* extra = burst.back().get();
    for (auto& span : burst) recycle_burst_span_data(std::move(span));
    started.push_back(acquire_span_data());
    EXPECT_EQ(started.back().get(), extra);
    for (auto& span : started) recycle_span_data(std::move(span));
  }).join();
}

}  // namespace
}  // namespace tdemo::telemetry
