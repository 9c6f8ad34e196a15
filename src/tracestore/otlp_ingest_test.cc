#include "tracestore/otlp_ingest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include <boost/json/parse.hpp>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "telemetry/otlp/gzip.h"
#include "telemetry/otlp/json_encoder.h"
#include "telemetry/otlp/protobuf_encoder.h"
#include "tracestore/sqlite_storage.h"
#include "tracestore/test_spans.h"
#include "tracestore/trace_store.h"

namespace tdemo::tracestore {
namespace {

constexpr std::uint64_t kT0 = 1'700'000'000'000'000'000ULL;

telemetry::SpanBatch batch_of(std::uint64_t trace, int spans) {
  telemetry::SpanBatch batch;
  auto res = testing::resource("svc");
  for (int i = 1; i <= spans; ++i) {
    batch.push_back(std::make_unique<telemetry::SpanData>(
        testing::span(trace, static_cast<std::uint64_t>(i), i == 1 ? 0 : 1, "op", res, kT0, 10)));
  }
  return batch;
}

http::Request post(std::string body, std::string type, std::string encoding = "") {
  http::Request r;
  r.set_target("POST", "/v1/traces");
  r.headers.set("Content-Type", type);
  if (!encoding.empty()) r.headers.set("Content-Encoding", encoding);
  r.body = std::move(body);
  return r;
}

class OtlpIngestTest : public ::testing::Test {
 protected:
  TraceStore store;
  OtlpIngest ingest{store, nullptr, IngestOptions{.max_body_bytes = 4096, .max_decompressed_bytes = 8192}};
};

TEST_F(OtlpIngestTest, AcceptsProtobuf) {
  auto r = ingest.handle_http(post(telemetry::otlp::encode_protobuf(batch_of(1, 3)), "application/x-protobuf"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/x-protobuf");
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse response;
  ASSERT_TRUE(response.ParseFromString(r.body));
  EXPECT_FALSE(response.has_partial_success());
  EXPECT_EQ(store.get_trace(testing::trace_id(1))->spans.size(), 3u);
}

// Protobuf spans are stored from references into the body (decode_protobuf_attribute_refs):
// every attribute type must come back as sent.
TEST_F(OtlpIngestTest, StoresProtobufAttributesOfEveryTypeAsSent) {
  auto batch = batch_of(4, 2);
  batch[0]->attributes = {{"http.route", std::string("/users/{user_id}")},
                          {"ok", true},
                          {"n", std::int64_t{-7}},
                          {"ratio", 0.25},
                          {"tags", std::vector<std::string>{"a", "b"}},
                          {"flags", std::vector<bool>{true}},
                          {"ids", std::vector<std::int64_t>{1, 2}},
                          {"weights", std::vector<double>{0.5}}};
  batch[1]->attributes = {{"only", std::string("one")}};
  auto r = ingest.handle_http(post(telemetry::otlp::encode_protobuf(batch), "application/x-protobuf"));
  ASSERT_EQ(r.status, 200);
  const auto trace = store.get_trace(testing::trace_id(4));
  ASSERT_TRUE(trace);
  ASSERT_EQ(trace->spans.size(), 2u);
  EXPECT_EQ(trace->spans[0].attributes, batch[0]->attributes);
  EXPECT_EQ(trace->spans[1].attributes, batch[1]->attributes);
}

// ... and what it persists with durable storage are still whole spans.
TEST(OtlpIngestDurable, PersistsProtobufAttributes) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("otlp_ingest_durable_" + std::to_string(::getpid()) + ".db")).string();
  const auto remove_files = [&] {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  };
  remove_files();
  const auto open = [&] {
    std::string error;
    auto storage = SqliteSpanStorage::open({.path = path, .synchronous_full = false}, error);
    EXPECT_TRUE(storage) << error;
    return storage;
  };
  auto batch = batch_of(7, 1);
  batch[0]->attributes = {{"http.route", std::string("/users/{user_id}")}, {"ids", std::vector<std::int64_t>{1, 2}}};
  {
    auto storage = open();
    TraceStore live;
    OtlpIngest durable(live, storage.get());
    const auto outcome = durable.ingest(telemetry::otlp::encode_protobuf(batch), telemetry::otlp::Format::kProtobuf);
    ASSERT_EQ(outcome.kind, IngestOutcome::Kind::kOk) << outcome.message;
    EXPECT_EQ(live.get_trace(testing::trace_id(7))->spans.at(0).attributes, batch[0]->attributes);
  }
  TraceStore reloaded;
  EXPECT_EQ(open()->load_into(reloaded, 0), 1u);
  const auto trace = reloaded.get_trace(testing::trace_id(7));
  ASSERT_TRUE(trace);
  EXPECT_EQ(trace->spans.at(0).attributes, batch[0]->attributes);
  remove_files();
}

TEST_F(OtlpIngestTest, AcceptsJsonAndGzip) {
  auto r = ingest.handle_http(post(telemetry::otlp::encode_json(batch_of(2, 2)), "application/json; charset=utf-8"));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "{}");
  auto gz = ingest.handle_http(post(telemetry::otlp::gzip_compress(telemetry::otlp::encode_protobuf(batch_of(3, 2))),
                                    "application/x-protobuf", "gzip"));
  EXPECT_EQ(gz.status, 200);
  EXPECT_TRUE(store.get_trace(testing::trace_id(2)));
  EXPECT_TRUE(store.get_trace(testing::trace_id(3)));
}

TEST_F(OtlpIngestTest, ReportsPartialSuccessForInvalidSpans) {
  const std::string body = R"({"resourceSpans":[{"scopeSpans":[{"spans":[
    {"traceId":"ab000000000000000000000000000009","spanId":"0000000000000001","name":"ok"},
    {"traceId":"00000000000000000000000000000000","spanId":"0000000000000002","name":"bad"}]}]}]})";
  auto r = ingest.handle_http(post(body, "application/json"));
  EXPECT_EQ(r.status, 200);
  auto json = boost::json::parse(r.body).as_object();
  EXPECT_EQ(json.at("partialSuccess").at("rejectedSpans").as_string(), "1");
  EXPECT_NE(json.at("partialSuccess").at("errorMessage").as_string(), "");
  EXPECT_TRUE(store.get_trace(testing::trace_id(9)));
}

TEST_F(OtlpIngestTest, RejectsMalformedBodiesWithAStatus) {
  auto pb = ingest.handle_http(post("\xff\xff\xff garbage", "application/x-protobuf"));
  EXPECT_EQ(pb.status, 400);
  EXPECT_EQ(pb.content_type, "application/x-protobuf");
  EXPECT_EQ(pb.body[0], '\x08');  // google.rpc.Status.code
  auto js = ingest.handle_http(post("{not json", "application/json"));
  EXPECT_EQ(js.status, 400);
  EXPECT_EQ(boost::json::parse(js.body).at("code").as_int64(), 3);
  EXPECT_EQ(ingest.handle_http(post("not gzip", "application/json", "gzip")).status, 400);
}

TEST_F(OtlpIngestTest, RejectsOtherContentTypesAndEncodings) {
  EXPECT_EQ(ingest.handle_http(post("{}", "text/plain")).status, 415);
  EXPECT_EQ(ingest.handle_http(post("{}", "")).status, 415);
  EXPECT_EQ(ingest.handle_http(post("{}", "application/json", "br")).status, 415);
  // The message quotes the type; bytes that are not UTF-8 must not make the JSON invalid.
  const auto odd = ingest.handle_http(post("{}", "text/\xff\xfe"));
  EXPECT_EQ(odd.status, 415);
  boost::system::error_code ec;
  const auto status = boost::json::parse(odd.body, ec);
  ASSERT_FALSE(ec) << odd.body;
  EXPECT_NE(status.at("message").as_string().find("text/\xEF\xBF\xBD"), std::string::npos);
}

TEST_F(OtlpIngestTest, EnforcesSizeLimits) {
  EXPECT_EQ(ingest.handle_http(post(std::string(5000, ' '), "application/json")).status, 413);
  // A small gzip body that inflates past max_decompressed_bytes.
  const std::string bomb = telemetry::otlp::gzip_compress(std::string(100000, ' '));
  ASSERT_LT(bomb.size(), 4096u);
  EXPECT_EQ(ingest.handle_http(post(bomb, "application/json", "gzip")).status, 413);
}

TEST(EncodeRpcStatus, WritesCodeAndMessage) {
  EXPECT_EQ(encode_rpc_status(3, "bad"), std::string("\x08\x03\x12\x03" "bad", 7));
}

}  // namespace
}  // namespace tdemo::tracestore
