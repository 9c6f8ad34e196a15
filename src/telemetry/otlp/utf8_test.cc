#include "telemetry/otlp/utf8.h"

#include <gtest/gtest.h>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "telemetry/otlp/decoder.h"
#include "telemetry/otlp/protobuf_encoder.h"
#include "telemetry/otlp/test_spans.h"

namespace tdemo::telemetry::otlp {
namespace {

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
