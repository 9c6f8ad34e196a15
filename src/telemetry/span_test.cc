#include "telemetry/span.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "telemetry/in_memory_exporter.h"
#include "telemetry/simple_span_processor.h"
#include "telemetry/tracer.h"

namespace tdemo::telemetry {
namespace {

namespace app {
struct PaymentDeclined : std::runtime_error {
  using std::runtime_error::runtime_error;
};
}  // namespace app

// A provider with an in-memory exporter and the given limits.
struct Fixture {
  explicit Fixture(SpanLimits limits = {}) {
    auto exporter_owner = std::make_unique<InMemorySpanExporter>();
    exporter = exporter_owner.get();
    TracerProviderOptions options;
    options.sampler = make_always_on_sampler();
    options.limits = limits;
    options.processors.push_back(std::make_unique<SimpleSpanProcessor>(std::move(exporter_owner)));
    provider = std::make_unique<TracerProvider>(std::move(options));
    tracer = provider->tracer("test");
  }
  std::unique_ptr<TracerProvider> provider;
  Tracer tracer;
  InMemorySpanExporter* exporter = nullptr;
};

TEST(SpanTest, AttributeCountAndLengthLimits) {
  SpanLimits limits;
  limits.attribute_count = 2;
  limits.attribute_value_length = 4;
  Fixture f(limits);
  Span span = f.tracer.start_span("s", {});
  span.set_attribute("a", attribute("abcdefgh"));
  span.set_attribute("b", attribute(1));
  span.set_attribute("c", attribute(2));                            // dropped
  span.set_attribute("a", attribute("xy"));                         // replaces, not dropped
  span.set_attributes({{"d", attribute(3)}, {"b", attribute(5)}});  // d dropped, b replaced
  ASSERT_TRUE(span.data());
  EXPECT_EQ(span.data()->attributes.size(), 2u);
  EXPECT_EQ(span.data()->dropped_attributes_count, 2u);
  EXPECT_EQ(std::get<std::string>(span.data()->attributes[0].value), "xy");
  EXPECT_EQ(std::get<std::int64_t>(span.data()->attributes[1].value), 5);
  span.set_attribute("a", attribute("123456789"));
  EXPECT_EQ(std::get<std::string>(span.data()->attributes[0].value), "1234");
}

TEST(SpanTest, TypedSetAttributeStoresEachOtlpTypeUnderTheSameRules) {
  SpanLimits limits;
  limits.attribute_count = 6;
  limits.attribute_value_length = 4;
  Fixture f(limits);
  Span span = f.tracer.start_span("s", {});
  const std::string owned = "owned-string";
  span.set_attribute("literal", "abcdefgh");                  // const char*: truncated to 4
  span.set_attribute("view", std::string_view("xy"));         // std::string_view
  span.set_attribute("owned", owned);                         // const std::string&
  span.set_attribute("int", 7);                               // int -> int64
  span.set_attribute("size", std::size_t{1} << 40);           // any integer -> int64
  span.set_attribute("flag", true);                           // bool, not an integer
  span.set_attribute("ratio", 0.25);                          // dropped: the 7th key
  span.set_attribute("int", "now a string");                  // replaces, changing the type
  span.set_attribute("view", 3.5);                            // replaces a string with a double
  ASSERT_TRUE(span.data());
  const Attributes& attributes = span.data()->attributes;
  ASSERT_EQ(attributes.size(), 6u);
  EXPECT_EQ(span.data()->dropped_attributes_count, 1u);
  EXPECT_EQ(attributes[0].key, "literal");
  EXPECT_EQ(std::get<std::string>(attributes[0].value), "abcd");
  EXPECT_EQ(std::get<double>(attributes[1].value), 3.5);
  EXPECT_EQ(std::get<std::string>(attributes[2].value), "owne");
  EXPECT_EQ(std::get<std::string>(attributes[3].value), "now ");
  EXPECT_EQ(std::get<std::int64_t>(attributes[4].value), std::int64_t{1} << 40);
  EXPECT_EQ(std::get<bool>(attributes[5].value), true);
  // The same calls through AttributeValue give the same list and the same drop count.
  Span general = f.tracer.start_span("g", {});
  general.set_attribute("literal", attribute("abcdefgh"));
  general.set_attribute("view", attribute(std::string_view("xy")));
  general.set_attribute("owned", attribute(owned));
  general.set_attribute("int", attribute(7));
  general.set_attribute("size", attribute(std::int64_t{1} << 40));
  general.set_attribute("flag", attribute(true));
  general.set_attribute("ratio", attribute(0.25));
  general.set_attribute("int", attribute("now a string"));
  general.set_attribute("view", attribute(3.5));
  EXPECT_EQ(general.data()->attributes, attributes);
  EXPECT_EQ(general.data()->dropped_attributes_count, 1u);
}

TEST(SpanTest, LongKeysOfRecycledSpansComeBackIntact) {
  // Keys longer than the inline string buffer reuse the buffers of recycled spans' keys.
  Fixture f;
  for (int round = 0; round < 3; ++round) {
    Span span = f.tracer.start_span("s", {});
    span.set_attribute("http.response.status_code", 200);
    span.set_attribute("a.key.well.past.forty.eight.bytes.long.to.need.a.bigger.one", "v");
    span.set_attribute("short", "v");
    span.end();
  }
  const auto spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), 3u);
  for (const SpanData& span : spans) {
    ASSERT_EQ(span.attributes.size(), 3u);
    EXPECT_EQ(span.attributes[0].key, "http.response.status_code");
    EXPECT_EQ(span.attributes[1].key, "a.key.well.past.forty.eight.bytes.long.to.need.a.bigger.one");
    EXPECT_EQ(span.attributes[2].key, "short");
  }
}

TEST(SpanTest, EventAndLinkLimits) {
  SpanLimits limits;
  limits.event_count = 2;
  limits.link_count = 1;
  limits.attributes_per_event = 1;
  limits.attributes_per_link = 1;
  Fixture f(limits);
  Span span = f.tracer.start_span("s", {});
  span.add_event("e1", {{"k1", attribute(1)}, {"k2", attribute(2)}}, 42);
  span.add_event("e2");
  span.add_event("e3");
  span.add_link(SpanContext(random_trace_id(), random_span_id(), 1, true),
                {{"l1", attribute(1)}, {"l2", attribute(2)}});
  span.add_link(SpanContext(random_trace_id(), random_span_id(), 1, true));
  const SpanData& data = *span.data();
  ASSERT_EQ(data.events.size(), 2u);
  EXPECT_EQ(data.events[0].time_unix_nano, 42u);
  EXPECT_GT(data.events[1].time_unix_nano, 0u);
  EXPECT_EQ(data.events[0].attributes.size(), 1u);
  EXPECT_EQ(data.events[0].dropped_attributes_count, 1u);
  EXPECT_EQ(data.dropped_events_count, 1u);
  ASSERT_EQ(data.links.size(), 1u);
  EXPECT_EQ(data.links[0].dropped_attributes_count, 1u);
  EXPECT_EQ(data.dropped_links_count, 1u);
}

TEST(SpanTest, StatusRules) {
  struct Case {
    std::vector<std::pair<StatusCode, std::string>> calls;
    StatusCode code;
    std::string message;
  };
  const Case cases[] = {
      {{}, StatusCode::kUnset, ""},
      {{{StatusCode::kError, "boom"}}, StatusCode::kError, "boom"},
      {{{StatusCode::kOk, "ignored"}}, StatusCode::kOk, ""},
      {{{StatusCode::kError, "boom"}, {StatusCode::kUnset, ""}}, StatusCode::kError, "boom"},
      {{{StatusCode::kError, "a"}, {StatusCode::kError, "b"}}, StatusCode::kError, "b"},
      {{{StatusCode::kError, "a"}, {StatusCode::kOk, ""}}, StatusCode::kOk, ""},
      {{{StatusCode::kOk, ""}, {StatusCode::kError, "late"}}, StatusCode::kOk, ""},  // OK is final
  };
  Fixture f;
  for (const auto& c : cases) {
    Span span = f.tracer.start_span("s", {});
    for (const auto& [code, message] : c.calls) span.set_status(code, message);
    EXPECT_EQ(span.data()->status_code, c.code);
    EXPECT_EQ(span.data()->status_message, c.message);
  }
}

TEST(SpanTest, RecordExceptionFromStdException) {
  Fixture f;
  Span span = f.tracer.start_span("s", {});
  try {
    throw app::PaymentDeclined("card declined");
  } catch (const std::exception& error) {
    span.record_exception(error);
  }
  ASSERT_EQ(span.data()->events.size(), 1u);
  const Event& event = span.data()->events[0];
  EXPECT_EQ(event.name, "exception");
  ASSERT_EQ(event.attributes.size(), 3u);
  EXPECT_EQ(event.attributes[0].key, "exception.type");
  EXPECT_EQ(std::get<std::string>(event.attributes[0].value),
            "tdemo::telemetry::(anonymous namespace)::app::PaymentDeclined");
  EXPECT_EQ(std::get<std::string>(event.attributes[1].value), "card declined");
  EXPECT_EQ(event.attributes[2].key, "exception.stacktrace");
  EXPECT_FALSE(std::get<std::string>(event.attributes[2].value).empty());
  EXPECT_EQ(span.data()->status_code, StatusCode::kUnset);  // status is the caller's decision
}

TEST(SpanTest, RecordExceptionExplicitWithoutStack) {
  Fixture f;
  Span span = f.tracer.start_span("s", {});
  span.record_exception("ValueError", "bad");
  ASSERT_EQ(span.data()->events.size(), 1u);
  EXPECT_EQ(span.data()->events[0].attributes.size(), 2u);
}

TEST(SpanTest, EndIsIdempotentAndDestructorEnds) {
  Fixture f;
  {
    Span span = f.tracer.start_span("ended-twice", {});
    span.end(100);
    span.end(200);
    EXPECT_FALSE(span.is_recording());
    EXPECT_TRUE(span.context().valid());  // still propagates after end
  }
  { Span span = f.tracer.start_span("by-destructor", {}); }
  const auto spans = f.exporter->spans();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].name, "ended-twice");
  EXPECT_EQ(spans[0].end_time_unix_nano, 100u);
  EXPECT_EQ(spans[1].name, "by-destructor");
  EXPECT_GE(spans[1].end_time_unix_nano, spans[1].start_time_unix_nano);
  EXPECT_EQ(f.provider->stats().spans_ended.load(), 2u);
}

TEST(SpanTest, MoveAssignmentEndsTheOverwrittenSpan) {
  Fixture f;
  Span a = f.tracer.start_span("a", {});
  a = f.tracer.start_span("b", {});
  EXPECT_EQ(f.exporter->size(), 1u);
  EXPECT_EQ(a.data()->name, "b");
  a.update_name("c");
  a.end();
  EXPECT_EQ(f.exporter->spans()[1].name, "c");
}

TEST(SpanTest, NonRecordingSpanIsANoOp) {
  Span span(SpanContext(random_trace_id(), random_span_id(), 0, false));
  span.set_attribute("a", attribute(1));
  span.add_event("e");
  span.set_status(StatusCode::kError, "x");
  span.record_exception(std::runtime_error("x"));
  span.end();
  EXPECT_FALSE(span.is_recording());
  EXPECT_TRUE(span.context().valid());
}

TEST(SpanTest, CurrentStacktraceHasFrames) {
  const std::string stack = current_stacktrace();
  EXPECT_NE(stack.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace tdemo::telemetry
