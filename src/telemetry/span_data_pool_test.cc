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

}  // namespace
}  // namespace tdemo::telemetry
