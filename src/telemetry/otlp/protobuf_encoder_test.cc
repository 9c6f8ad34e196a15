#include "telemetry/otlp/protobuf_encoder.h"

#include <gtest/gtest.h>

#include <cmath>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "telemetry/otlp/decoder.h"
#include "telemetry/otlp/test_spans.h"
#include "telemetry/otlp/wire_format.h"

namespace tdemo::telemetry::otlp {
namespace {

namespace pb_common = opentelemetry::proto::common::v1;
namespace pb_trace = opentelemetry::proto::trace::v1;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

std::string bytes_of(const auto& id) { return std::string(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size()); }

const pb_common::AnyValue& attribute_of(const google::protobuf::RepeatedPtrField<pb_common::KeyValue>& list,
                                        std::string_view key) {
  for (const auto& kv : list) {
    if (kv.key() == key) return kv.value();
  }
  ADD_FAILURE() << "no attribute " << key;
  return pb_common::AnyValue::default_instance();
}

// varint_size is what write_varint writes, on each side of every 7-bit boundary.
TEST(WireFormat, VarintSizeIsTheWrittenLength) {
  std::vector<std::uint64_t> values{0, 1, ~std::uint64_t{0}};
  for (int bits = 7; bits < 64; bits += 7) {
    values.push_back((std::uint64_t{1} << bits) - 1);
    values.push_back(std::uint64_t{1} << bits);
  }
  values.push_back(std::uint64_t{1} << 63);
  for (const std::uint64_t v : values) {
    char buffer[16];
    const std::size_t written = static_cast<std::size_t>(wire::write_varint(buffer, v) - buffer);
    EXPECT_EQ(wire::varint_size(v), written) << v;
  }
}

ExportTraceServiceRequest parse(const std::string& bytes) {
  ExportTraceServiceRequest request;
  EXPECT_TRUE(request.ParseFromString(bytes));
  return request;
}

TEST(ProtobufEncoder, EmptyBatchIsEmptyRequest) {
  EXPECT_EQ(encode_protobuf(SpanBatch{}), "");
}

TEST(ProtobufEncoder, GroupsByResourceThenScopeInOrderOfFirstAppearance) {
  const SpanBatch batch = testing::full_batch();
  const auto request = parse(encode_protobuf(batch));
  ASSERT_EQ(request.resource_spans_size(), 2);
  const auto& r1 = request.resource_spans(0);
  EXPECT_EQ(r1.schema_url(), "https://opentelemetry.io/schemas/1.24.0");
  EXPECT_EQ(attribute_of(r1.resource().attributes(), "service.name").string_value(), "checkout");
  EXPECT_EQ(attribute_of(r1.resource().attributes(), "process.pid").int_value(), 4242);
  ASSERT_EQ(r1.scope_spans_size(), 2);
  EXPECT_EQ(r1.scope_spans(0).scope().name(), "tracing-demo");
  EXPECT_EQ(r1.scope_spans(0).scope().version(), "0.1.0");
  EXPECT_EQ(r1.scope_spans(0).schema_url(), "https://example.com/s");
  ASSERT_EQ(r1.scope_spans(0).spans_size(), 2);
  EXPECT_EQ(r1.scope_spans(0).spans(0).name(), "GET /users/{id}");
  EXPECT_EQ(r1.scope_spans(0).spans(1).name(), "internal");
  EXPECT_EQ(r1.scope_spans(1).scope().name(), "db");
  const auto& r2 = request.resource_spans(1);
  EXPECT_EQ(attribute_of(r2.resource().attributes(), "service.name").string_value(), "payments");
  ASSERT_EQ(r2.scope_spans_size(), 1);
  EXPECT_EQ(r2.scope_spans(0).spans_size(), 2);
}

TEST(ProtobufEncoder, EverySpanFieldMatchesLibprotobuf) {
  const SpanBatch batch = testing::full_batch();
  const SpanData& want = *batch[0];
  const auto request = parse(encode_protobuf(batch));
  const pb_trace::Span& got = request.resource_spans(0).scope_spans(0).spans(0);

  EXPECT_EQ(got.trace_id(), bytes_of(want.context.trace_id()));
  EXPECT_EQ(got.span_id(), bytes_of(want.context.span_id()));
  EXPECT_EQ(got.trace_state(), "vendor=abc,x@y=1=2");
  EXPECT_EQ(got.parent_span_id(), bytes_of(want.parent_span_id));
  EXPECT_EQ(got.flags(), 0x03u | 0x100u | 0x200u);  // sampled+random, parent remote
  EXPECT_EQ(got.name(), want.name);
  EXPECT_EQ(got.kind(), pb_trace::Span::SPAN_KIND_SERVER);
  EXPECT_EQ(got.start_time_unix_nano(), want.start_time_unix_nano);
  EXPECT_EQ(got.end_time_unix_nano(), want.end_time_unix_nano);
  EXPECT_EQ(got.dropped_attributes_count(), 3u);
  EXPECT_EQ(got.dropped_events_count(), 4u);
  EXPECT_EQ(got.dropped_links_count(), 5u);
  EXPECT_EQ(got.status().code(), pb_trace::Status::STATUS_CODE_ERROR);
  EXPECT_EQ(got.status().message(), "User 42 not found");

  const auto& attrs = got.attributes();
  ASSERT_EQ(static_cast<std::size_t>(attrs.size()), want.attributes.size());
  EXPECT_EQ(attribute_of(attrs, "str").string_value(), "plain");
  EXPECT_EQ(attribute_of(attrs, "escape").string_value(), std::get<std::string>(want.attributes[1].value));
  EXPECT_EQ(attribute_of(attrs, "empty").value_case(), pb_common::AnyValue::kStringValue);
  EXPECT_TRUE(attribute_of(attrs, "t").bool_value());
  EXPECT_EQ(attribute_of(attrs, "f").value_case(), pb_common::AnyValue::kBoolValue);
  EXPECT_FALSE(attribute_of(attrs, "f").bool_value());
  EXPECT_EQ(attribute_of(attrs, "zero").value_case(), pb_common::AnyValue::kIntValue);
  EXPECT_EQ(attribute_of(attrs, "neg").int_value(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(attribute_of(attrs, "max").int_value(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(attribute_of(attrs, "pi").double_value(), 3.141592653589793);
  EXPECT_EQ(attribute_of(attrs, "tiny").double_value(), 5e-324);
  EXPECT_TRUE(std::isnan(attribute_of(attrs, "nan").double_value()));
  EXPECT_EQ(attribute_of(attrs, "inf").double_value(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(attribute_of(attrs, "ninf").double_value(), -std::numeric_limits<double>::infinity());
  const auto& strs = attribute_of(attrs, "strs").array_value();
  ASSERT_EQ(strs.values_size(), 3);
  EXPECT_EQ(strs.values(1).value_case(), pb_common::AnyValue::kStringValue);
  EXPECT_EQ(strs.values(2).string_value(), "c\"d");
  const auto& bools = attribute_of(attrs, "bools").array_value();
  ASSERT_EQ(bools.values_size(), 3);
  EXPECT_FALSE(bools.values(1).bool_value());
  EXPECT_EQ(bools.values(1).value_case(), pb_common::AnyValue::kBoolValue);
  const auto& ints = attribute_of(attrs, "ints").array_value();
  ASSERT_EQ(ints.values_size(), 4);
  EXPECT_EQ(ints.values(1).int_value(), -2);
  EXPECT_EQ(ints.values(3).int_value(), 1LL << 40);
  const auto& doubles = attribute_of(attrs, "doubles").array_value();
  ASSERT_EQ(doubles.values_size(), 3);
  EXPECT_EQ(doubles.values(1).double_value(), -0.25);
  EXPECT_EQ(attribute_of(attrs, "none").value_case(), pb_common::AnyValue::kArrayValue);
  EXPECT_EQ(attribute_of(attrs, "none").array_value().values_size(), 0);

  ASSERT_EQ(got.events_size(), 2);
  EXPECT_EQ(got.events(0).name(), "exception");
  EXPECT_EQ(got.events(0).time_unix_nano(), want.events[0].time_unix_nano);
  EXPECT_EQ(got.events(0).dropped_attributes_count(), 2u);
  EXPECT_EQ(attribute_of(got.events(0).attributes(), "exception.message").string_value(), "boom");
  EXPECT_EQ(got.events(1).attributes_size(), 0);

  ASSERT_EQ(got.links_size(), 2);
  EXPECT_EQ(got.links(0).trace_id(), bytes_of(want.links[0].context.trace_id()));
  EXPECT_EQ(got.links(0).span_id(), bytes_of(want.links[0].context.span_id()));
  EXPECT_EQ(got.links(0).trace_state(), "k=v");
  EXPECT_EQ(got.links(0).flags(), 0x01u | 0x100u | 0x200u);
  EXPECT_EQ(got.links(0).dropped_attributes_count(), 1u);
  EXPECT_EQ(attribute_of(got.links(0).attributes(), "link.kind").string_value(), "follows");
  EXPECT_EQ(got.links(1).flags(), 0x100u);
}

TEST(ProtobufEncoder, RootSpanHasNoParentAndUnsetStatusIsAbsent) {
  const SpanBatch batch = testing::full_batch();
  const auto request = parse(encode_protobuf(batch));
  const pb_trace::Span& root = request.resource_spans(1).scope_spans(0).spans(1);  // "consume"
  EXPECT_EQ(root.name(), "consume");
  EXPECT_TRUE(root.parent_span_id().empty());
  EXPECT_FALSE(root.has_status());
  EXPECT_EQ(root.kind(), pb_trace::Span::SPAN_KIND_CONSUMER);
  EXPECT_EQ(root.flags(), 0x01u | 0x100u);
}

// Written in field order with proto3 defaults omitted, our bytes are libprotobuf's canonical
// serialization: reserializing the parsed message gives the same bytes.
TEST(ProtobufEncoder, OutputIsCanonicalSerialization) {
  for (const SpanBatch& batch : {testing::full_batch(), testing::realistic_batch(64)}) {
    const std::string ours = encode_protobuf(batch);
    EXPECT_EQ(parse(ours).SerializeAsString(), ours);
  }
}

// Lengths are written after their messages, into slots of the usual size: a span's, an event's,
// a link's and a group's bytes stay canonical at every length around the sizes where the
// length's varint takes one more byte (128, 16384 and 2^21 bytes).
TEST(ProtobufEncoder, CanonicalAroundEveryLengthBoundary) {
  std::vector<std::size_t> sizes;
  for (std::size_t n = 0; n <= 200; ++n) sizes.push_back(n);
  for (std::size_t n = 16200; n <= 16400; ++n) sizes.push_back(n);
  const std::size_t big = std::size_t{1} << 21;
  for (std::size_t n = big - 250; n <= big + 50; n += 10) sizes.push_back(n);
  for (const std::size_t n : sizes) {
    for (const char* where : {"span", "event", "link"}) {
      if (n > 20000 && std::string_view(where) != "span") continue;  // the groups cross 2^21 once
      SpanBatch batch = testing::realistic_batch(1);
      SpanData& span = *batch[0];
      span.attributes.clear();
      span.events.clear();
      const KeyValue text{"k", AttributeValue(std::string(n, 'v'))};
      if (std::string_view(where) == "span") span.attributes.push_back(text);
      if (std::string_view(where) == "event") span.events.push_back(Event{"e", span.start_time_unix_nano, {text}, 0});
      if (std::string_view(where) == "link") span.links.push_back(Link{span.context, {text}, 0});
      const std::string ours = encode_protobuf(batch);
      ASSERT_EQ(parse(ours).SerializeAsString(), ours) << where << " with a value of " << n << " bytes";
    }
  }
}

TEST(ProtobufEncoder, ReusedBufferIsReplaced) {
  std::string out(1000, 'x');
  encode_protobuf(testing::realistic_batch(2), out);
  EXPECT_EQ(out, encode_protobuf(testing::realistic_batch(2)));
}

TEST(ProtobufEncoder, SkipsNullEntries) {
  SpanBatch batch = testing::realistic_batch(2);
  batch.insert(batch.begin() + 1, nullptr);
  EXPECT_EQ(parse(encode_protobuf(batch)).resource_spans(0).scope_spans(0).spans_size(), 2);
}

TEST(ProtobufEncoder, SpanWithoutResourceOrScope) {
  SpanBatch batch = testing::realistic_batch(1);
  batch[0]->resource = nullptr;
  batch[0]->scope = nullptr;
  const auto request = parse(encode_protobuf(batch));
  ASSERT_EQ(request.resource_spans_size(), 1);
  EXPECT_FALSE(request.resource_spans(0).has_resource());
  EXPECT_FALSE(request.resource_spans(0).scope_spans(0).has_scope());
  EXPECT_EQ(request.resource_spans(0).scope_spans(0).spans(0).name(), "GET /api/orders/{id}");
}

TEST(ProtobufEncoder, RoundTripsThroughDecoder) {
  const SpanBatch batch = testing::full_batch();
  const DecodeResult decoded = decode_export_request(encode_protobuf(batch), Format::kProtobuf);
  ASSERT_TRUE(decoded.ok()) << decoded.error;
  EXPECT_EQ(decoded.rejected_spans, 0);
  testing::expect_same_batch(batch, decoded.spans);
}

}  // namespace
}  // namespace tdemo::telemetry::otlp
