#include "telemetry/tracer.h"

#include <gtest/gtest.h>

#include <thread>

#include "telemetry/in_memory_exporter.h"
#include "telemetry/simple_span_processor.h"

namespace tdemo::telemetry {
namespace {

struct Pipeline {
  explicit Pipeline(std::unique_ptr<Sampler> sampler, int exporters = 1) {
    TracerProviderOptions options;
    options.sampler = std::move(sampler);
    for (int i = 0; i < exporters; ++i) {
      auto exporter = std::make_unique<InMemorySpanExporter>();
      this->exporters.push_back(exporter.get());
      options.processors.push_back(std::make_unique<SimpleSpanProcessor>(std::move(exporter)));
    }
    provider = std::make_unique<TracerProvider>(std::move(options));
  }
  std::vector<InMemorySpanExporter*> exporters;
  std::unique_ptr<TracerProvider> provider;
};

TEST(TracerTest, RootAndChild) {
  Pipeline p(make_always_on_sampler());
  Tracer tracer = p.provider->tracer("scope", "1.2");
  Span root = tracer.start_span("root", {}, {SpanKind::kServer, {{"a", attribute(1)}}, {}, 0});
  ASSERT_TRUE(root.is_recording());
  EXPECT_TRUE(root.context().valid());
  EXPECT_TRUE(root.context().sampled());
  EXPECT_FALSE(root.context().remote());
  EXPECT_FALSE(root.data()->parent_span_id.valid());
  EXPECT_EQ(root.data()->kind, SpanKind::kServer);
  EXPECT_EQ(root.data()->attributes.size(), 1u);
  EXPECT_EQ(root.data()->scope->name, "scope");
  EXPECT_EQ(root.data()->scope->version, "1.2");

  const Context child_context = context_with(Context{}, root);
  Span child = tracer.start_span("child", child_context);
  EXPECT_EQ(child.context().trace_id(), root.context().trace_id());
  EXPECT_NE(child.context().span_id(), root.context().span_id());
  EXPECT_EQ(child.data()->parent_span_id, root.context().span_id());
  EXPECT_FALSE(child.data()->parent_is_remote);
  child.end();
  root.end();
  EXPECT_EQ(p.exporters[0]->size(), 2u);
  EXPECT_EQ(p.provider->stats().spans_started.load(), 2u);
  EXPECT_EQ(p.provider->stats().spans_ended.load(), 2u);
}

TEST(TracerTest, RemoteParentKeepsTraceStateAndFlag) {
  Pipeline p(make_parent_based_sampler(make_always_on_sampler()));
  auto state = std::make_shared<const TraceState>(*TraceState::parse("vendor=x"));
  const SpanContext remote(*TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736"),
                           *SpanId::from_hex("00f067aa0ba902b7"), kTraceFlagSampled, true, state);
  Span span = p.provider->tracer("t").start_span("server", Context{remote, nullptr});
  EXPECT_EQ(span.context().trace_id().hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(span.data()->parent_is_remote);
  EXPECT_EQ(span.data()->parent_span_id.hex(), "00f067aa0ba902b7");
  EXPECT_EQ(span.context().trace_state().get("vendor"), "x");
}

TEST(TracerTest, NotSampledSpanPropagatesButRecordsNothing) {
  Pipeline p(make_parent_based_sampler(make_always_on_sampler()));
  const SpanContext remote(random_trace_id(), random_span_id(), 0, true);
  Span span = p.provider->tracer("t").start_span("server", Context{remote, nullptr});
  EXPECT_FALSE(span.is_recording());
  EXPECT_TRUE(span.context().valid());
  EXPECT_FALSE(span.context().sampled());
  EXPECT_EQ(span.context().trace_id(), remote.trace_id());
  EXPECT_NE(span.context().span_id(), remote.span_id());
  span.end();
  EXPECT_EQ(p.exporters[0]->size(), 0u);
  EXPECT_EQ(p.provider->stats().spans_not_sampled.load(), 1u);
}

TEST(TracerTest, NoOpTracerPropagatesParent) {
  Tracer noop;
  EXPECT_FALSE(noop.enabled());
  const SpanContext parent(random_trace_id(), random_span_id(), 1, true);
  Span span = noop.start_span("x", Context{parent, nullptr});
  EXPECT_FALSE(span.is_recording());
  EXPECT_EQ(span.context().span_id(), parent.span_id());
}

TEST(TracerTest, FanOutToSeveralProcessors) {
  Pipeline p(make_always_on_sampler(), 3);
  p.provider->tracer("t").start_span("x", {}).end();
  for (auto* exporter : p.exporters) EXPECT_EQ(exporter->size(), 1u);
}

TEST(TracerTest, StartAttributesAreDedupedAndLimited) {
  TracerProviderOptions options;
  options.limits.attribute_count = 2;
  TracerProvider provider(std::move(options));
  StartSpanOptions start;
  start.attributes = {
      {"a", attribute(1)}, {"a", attribute(2)}, {"b", attribute(3)}, {"c", attribute(4)}};
  Span span = provider.tracer("t").start_span("x", {}, std::move(start));
  ASSERT_EQ(span.data()->attributes.size(), 2u);
  EXPECT_EQ(std::get<std::int64_t>(span.data()->attributes[0].value), 2);
  EXPECT_EQ(span.data()->dropped_attributes_count, 1u);
}

// Start attributes with a repeated key take the general path (the later value replaces the
// earlier), wherever the repeat is among up to 16 keys of any length: the check that sends
// them there compares only keys whose signature bit an earlier key set.
TEST(TracerTest, ARepeatedStartKeyIsFoundAmongAnyNumberOfKeys) {
  TracerProvider provider(TracerProviderOptions{});
  Tracer tracer = provider.tracer("t");
  const auto key = [](std::size_t i) {
    // Short and long keys, some sharing their first or last eight bytes.
    return i % 3 == 0 ? "k" + std::to_string(i)
                      : (i % 3 == 1 ? "http.request.header." + std::to_string(i) : std::to_string(i) + ".server.address");
  };
  for (std::size_t n = 1; n < 16; ++n) {
    for (std::size_t repeated = 0; repeated < n; ++repeated) {
      StartSpanOptions start;
      for (std::size_t i = 0; i < n; ++i) start.attributes.push_back({key(i), attribute(static_cast<std::int64_t>(i))});
      start.attributes.push_back({key(repeated), attribute(std::int64_t{1000})});
      Span span = tracer.start_span("x", {}, std::move(start));
      const auto& attributes = span.data()->attributes;
      ASSERT_EQ(attributes.size(), n) << n << " keys, " << repeated << " repeated";
      for (std::size_t i = 0; i < n; ++i) {
        EXPECT_EQ(attributes[i].key, key(i));
        EXPECT_EQ(std::get<std::int64_t>(attributes[i].value), i == repeated ? 1000 : static_cast<std::int64_t>(i));
      }
    }
  }
}

// The caller's start list becomes the span's (no entry moved), and the started span's empty
// recycled list is what the next take_attribute_list on this thread returns: in the steady
// state starting a span with attributes allocates nothing. On a thread of its own, whose spare
// lists and span pool no earlier test has filled.
void start_lists_and_recycled_lists_take_turns() {
  Pipeline p(make_always_on_sampler());
  Tracer tracer = p.provider->tracer("t");
  const auto start = [&](int count, const KeyValue** given) {
    StartSpanOptions options;
    options.attributes = take_attribute_list(16);
    for (int i = 0; i < count; ++i) append_attribute(options.attributes, "k" + std::to_string(i)) = std::int64_t{i};
    *given = options.attributes.data();
    return tracer.start_span("s", {}, std::move(options));
  };
  const KeyValue* first_list = nullptr;
  Span first = start(2, &first_list);
  EXPECT_EQ(first.data()->attributes.data(), first_list);
  first.end();  // back to this thread's pool, its list with it
  const KeyValue* second_list = nullptr;
  Span second = start(6, &second_list);  // the recycled span: its list goes to the spare
  EXPECT_EQ(second.data()->attributes.data(), second_list);
  ASSERT_EQ(second.data()->attributes.size(), 6u);
  EXPECT_EQ(second.data()->attributes[5].key, "k5");
  EXPECT_EQ(std::get<std::int64_t>(second.data()->attributes[5].value), 5);
  second.end();
  Attributes spare = take_attribute_list(4);
  EXPECT_EQ(spare.data(), first_list);
  EXPECT_TRUE(spare.empty());
  EXPECT_GE(spare.capacity(), 16u);
}

TEST(TracerTest, StartListsAndRecycledListsTakeTurns) {
  std::thread(start_lists_and_recycled_lists_take_turns).join();
}

TEST(TracerTest, ShutdownIsIdempotentAndStopsRecording) {
  Pipeline p(make_always_on_sampler());
  Tracer tracer = p.provider->tracer("t");
  EXPECT_TRUE(tracer.may_record());
  EXPECT_FALSE(Tracer().may_record());
  EXPECT_TRUE(p.provider->shutdown());
  EXPECT_FALSE(tracer.may_record());  // instrumentation skips names and attributes from here
  EXPECT_TRUE(tracer.enabled());
  EXPECT_TRUE(p.provider->shutdown());
  Span span = tracer.start_span("late", {});
  EXPECT_FALSE(span.is_recording());
  EXPECT_FALSE(p.provider->force_flush());
}

TEST(ResourceTest, DefaultAndMerge) {
  const Resource defaults = default_resource();
  EXPECT_EQ(defaults.service_name(), "unknown_service");
  const auto find = [](const Resource& r, std::string_view key) -> const AttributeValue* {
    for (const auto& kv : r.attributes) {
      if (kv.key == key) return &kv.value;
    }
    return nullptr;
  };
  for (const char* key : {"service.instance.id", "telemetry.sdk.name", "telemetry.sdk.language",
                          "telemetry.sdk.version", "host.name", "process.pid"}) {
    EXPECT_NE(find(defaults, key), nullptr) << key;
  }
  EXPECT_EQ(std::get<std::string>(*find(defaults, "telemetry.sdk.language")), "cpp");
  EXPECT_EQ(std::get<std::string>(*find(defaults, "service.instance.id")).size(), 36u);
  EXPECT_NE(std::get<std::string>(*find(defaults, "service.instance.id")),
            std::get<std::string>(*find(default_resource(), "service.instance.id")));

  Resource updating;
  updating.attributes = {{"service.name", attribute("users")}, {"team", attribute("core")}};
  const Resource merged = merge_resources(defaults, updating);
  EXPECT_EQ(merged.service_name(), "users");
  EXPECT_EQ(merged.attributes.size(), defaults.attributes.size() + 1);
}

}  // namespace
}  // namespace tdemo::telemetry
