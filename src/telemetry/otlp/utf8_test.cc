#include "telemetry/otlp/utf8.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <vector>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "telemetry/otlp/decoder.h"
#include "telemetry/otlp/protobuf_encoder.h"
#include "telemetry/otlp/test_spans.h"

namespace tdemo::telemetry::otlp {
namespace {

using Edit = std::pair<const char*, std::function<void(SpanBatch&)>>;

// Each puts one invalid byte into another kind of string an encoder writes.
std::vector<Edit> invalid_utf8_edits() {
  const std::string bad = "x\xff";
  const auto state = [=](std::string key, std::string value) {
    return std::make_shared<const TraceState>(std::vector<TraceState::Entry>{{std::move(key), std::move(value)}});
  };
  const auto with_context_state = [](const SpanContext& c, std::shared_ptr<const TraceState> s) {
    return SpanContext(c.trace_id(), c.span_id(), c.flags(), c.remote(), std::move(s));
  };
  // A span's resource or scope is shared (const): edited as a copy given to that span.
  const auto edit_resource = [](SpanData& span, const std::function<void(Resource&)>& edit) {
    auto copy = std::make_shared<Resource>(*span.resource);
    edit(*copy);
    span.resource = std::move(copy);
  };
  const auto edit_scope = [](SpanData& span, const std::function<void(InstrumentationScope&)>& edit) {
    auto copy = std::make_shared<InstrumentationScope>(*span.scope);
    edit(*copy);
    span.scope = std::move(copy);
  };
  return std::vector<Edit>{
      {"span name", [=](SpanBatch& b) { b[0]->name = bad; }},
      {"later span's name", [=](SpanBatch& b) { b.back()->name = bad; }},
      {"status message", [=](SpanBatch& b) { b[0]->status_message = bad; }},
      {"attribute key", [=](SpanBatch& b) { b[0]->attributes[0].key = bad; }},
      {"attribute value", [=](SpanBatch& b) { b[0]->attributes[0].value = bad; }},
      {"string array item",
       [=](SpanBatch& b) { b[0]->attributes.push_back({"a", AttributeValue(std::vector<std::string>{"ok", bad})}); }},
      {"trace state value", [=](SpanBatch& b) { b[0]->context = with_context_state(b[0]->context, state("k", bad)); }},
      {"event name", [=](SpanBatch& b) { b[0]->events[0].name = bad; }},
      {"event attribute", [=](SpanBatch& b) { b[0]->events[0].attributes[0].value = bad; }},
      {"link attribute", [=](SpanBatch& b) { b[0]->links[0].attributes[0].key = bad; }},
      {"link trace state key",
       [=](SpanBatch& b) { b[0]->links[0].context = with_context_state(b[0]->links[0].context, state(bad, "v")); }},
      {"resource attribute", [=](SpanBatch& b) { edit_resource(*b.back(), [=](Resource& r) { r.attributes[0].value = bad; }); }},
      {"resource schema URL", [=](SpanBatch& b) { edit_resource(*b[0], [=](Resource& r) { r.schema_url = bad; }); }},
      {"scope name", [=](SpanBatch& b) { edit_scope(*b.back(), [=](InstrumentationScope& s) { s.name = bad; }); }},
      {"scope version", [=](SpanBatch& b) { edit_scope(*b[0], [=](InstrumentationScope& s) { s.version = bad; }); }},
      {"scope schema URL", [=](SpanBatch& b) { edit_scope(*b[0], [=](InstrumentationScope& s) { s.schema_url = bad; }); }},
  };
}

// full_batch() with its one non-ASCII string (valid UTF-8) made ASCII.
SpanBatch ascii_full_batch() {
  SpanBatch batch = testing::full_batch();
  for (auto& kv : batch[0]->attributes) {
    if (kv.key == "escape") kv.value = std::string("plain");
  }
  return batch;
}

// has_invalid_utf8 looks at every string an encoder writes: one bad byte anywhere is found (the
// all-ASCII pass alone would miss none, and a valid non-ASCII batch passes the full check).
TEST(Utf8, EveryStringOfTheBatchIsChecked) {
  EXPECT_FALSE(has_invalid_utf8(testing::full_batch()));  // holds valid non-ASCII text
  EXPECT_FALSE(has_invalid_utf8(testing::realistic_batch(4)));  // all ASCII
  for (const auto& [where, edit] : invalid_utf8_edits()) {
    SpanBatch batch = testing::full_batch();
    edit(batch);
    EXPECT_TRUE(has_invalid_utf8(batch)) << where;
  }
}

// The protobuf encoder checks a batch only when a string it wrote was not ASCII: every string
// it writes counts (else one bad byte in an otherwise ASCII batch would go out unrepaired, and
// the whole request be refused).
TEST(Utf8, ProtobufEncoderRepairsABadByteInAnyString) {
  ASSERT_FALSE(has_invalid_utf8(ascii_full_batch()));
  for (const auto& [where, edit] : invalid_utf8_edits()) {
    SpanBatch batch = ascii_full_batch();
    edit(batch);
    opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest request;
    const std::string bytes = encode_protobuf(batch);
    EXPECT_TRUE(request.ParseFromString(bytes)) << where;
    EXPECT_TRUE(decode_export_request(bytes, Format::kProtobuf).ok()) << where;
  }
}

TEST(Utf8, ProtobufEncoderRepairsSoParsersAcceptTheRequest) {
  SpanBatch batch = testing::realistic_batch(3);
  batch[1]->name = "bad \xff name";
  batch[2]->attributes.push_back({"bytes\xfe", AttributeValue(std::vector<std::string>{"ok", "x\xC0"})});
  EXPECT_TRUE(has_invalid_utf8(batch));
  EXPECT_FALSE(has_invalid_utf8(testing::full_batch()));
  const std::string bytes = encode_protobuf(batch);
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest request;
  ASSERT_TRUE(request.ParseFromString(bytes));
  ASSERT_EQ(request.resource_spans_size(), 1);  // shared resource and scope still shared
  ASSERT_EQ(request.resource_spans(0).scope_spans_size(), 1);
  const auto& spans = request.resource_spans(0).scope_spans(0).spans();
  ASSERT_EQ(spans.size(), 3);
  EXPECT_EQ(spans[1].name(), "bad \xEF\xBF\xBD name");
  EXPECT_EQ(spans[2].attributes(8).key(), "bytes\xEF\xBF\xBD");
  EXPECT_EQ(spans[2].attributes(8).value().array_value().values(1).string_value(), "x\xEF\xBF\xBD");
  EXPECT_TRUE(decode_export_request(bytes, Format::kProtobuf).ok());
}

}  // namespace
}  // namespace tdemo::telemetry::otlp
