#include "telemetry/otlp/utf8.h"

#include <gtest/gtest.h>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "telemetry/otlp/decoder.h"
#include "telemetry/otlp/protobuf_encoder.h"
#include "telemetry/otlp/test_spans.h"

namespace tdemo::telemetry::otlp {
namespace {

TEST(Utf8, Validation) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii that is longer than eight bytes"));
  EXPECT_TRUE(is_valid_utf8("é 中 🚀 \xF4\x8F\xBF\xBF"));                // up to U+10FFFF
  EXPECT_FALSE(is_valid_utf8("abcdefgh\xff"));                          // bad byte after a word
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));                              // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));                          // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));                      // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE4\xB8"));                              // truncated
  EXPECT_FALSE(is_valid_utf8("\x80"));                                  // lone continuation
}

TEST(Utf8, RepairReplacesEachInvalidByte) {
  EXPECT_EQ(to_valid_utf8("a\xff" "b\xE4\xB8"), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(to_valid_utf8("é ok"), "é ok");
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
