#include "tracestore/otlp_ingest.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "telemetry/otlp/gzip.h"
#include "telemetry/span_data_pool.h"
#include "telemetry/utf8.h"
#include "tracestore/sqlite_storage.h"
#include "tracestore/trace_store.h"

namespace tdemo::tracestore {
namespace {

constexpr int kInvalidArgument = 3;  // google.rpc.Code
constexpr int kResourceExhausted = 8;
constexpr int kUnavailable = 14;
constexpr std::string_view kProtobufType = "application/x-protobuf";
constexpr std::string_view kJsonType = "application/json";

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// The media type without parameters, lowercased.
std::string media_type(std::string_view content_type) {
  std::string out(content_type.substr(0, content_type.find(';')));
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
  while (!out.empty() && (out.front() == ' ' || out.front() == '\t')) out.erase(out.begin());
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

http::Response status_response(int http_status, int rpc_code, std::string_view message,
                                telemetry::otlp::Format format) {
  // Messages quote client input (a content type, an encoding) that may hold any byte.
  const std::string text = telemetry::to_valid_utf8(message);
  message = text;
  if (format == telemetry::otlp::Format::kJson) {
    boost::json::object status;
    status["code"] = rpc_code;
    status["message"] = message;
    return http::Response::json_text(http_status, boost::json::serialize(status));
  }
  http::Response r;
  r.status = http_status;
  r.content_type = std::string(kProtobufType);
  r.body = encode_rpc_status(rpc_code, message);
  return r;
}

}  // namespace

std::string encode_rpc_status(int code, std::string_view message) {
  std::string out;
  if (code != 0) {
    out.push_back(0x08);  // field 1, varint
    put_varint(out, static_cast<std::uint64_t>(code));
  }
  if (!message.empty()) {
    out.push_back(0x12);  // field 2, length-delimited
    put_varint(out, message.size());
    out.append(message);
  }
  return out;
}

OtlpIngest::OtlpIngest(TraceStore& store, SqliteSpanStorage* storage, IngestOptions options)
    : store_(store), storage_(storage), options_(options) {}

IngestOutcome OtlpIngest::ingest(std::string_view body, telemetry::otlp::Format format) {
  telemetry::otlp::DecodeLimits limits;
  limits.max_spans = options_.max_spans_per_request;
  // The store re-encodes attributes at once: decoded as references into the body, they are
  // never copied into the spans.
  if (format == telemetry::otlp::Format::kProtobuf) {
    return store(telemetry::otlp::decode_protobuf_attribute_refs(body, limits));
  }
  return store(telemetry::otlp::decode_export_request(body, format, limits));
}

IngestOutcome OtlpIngest::store(telemetry::otlp::DecodeResult decoded) {
  IngestOutcome outcome;
  if (!decoded.ok()) {
    outcome.kind = IngestOutcome::Kind::kMalformed;
    outcome.message = decoded.error;
    return outcome;
  }
  if (storage_) {
    telemetry::otlp::materialize_attribute_refs(decoded);  // durable storage writes whole spans
    if (auto error = storage_->append(decoded.spans)) {
      outcome.kind = IngestOutcome::Kind::kUnavailable;
      outcome.message = "storage write failed: " + *error;
      return outcome;
    }
  }
  const std::span<const std::unique_ptr<telemetry::SpanData>> spans(decoded.spans);
  AddResult added;
  if (decoded.attribute_ranges.empty()) {
    added = store_.add(spans);
  } else {
    std::vector<std::span<const telemetry::AttributeRef>> attributes;
    attributes.reserve(decoded.spans.size());
    for (std::size_t i = 0; i < decoded.spans.size(); ++i) attributes.push_back(decoded.attribute_refs_of(i));
    added = store_.add(spans, attributes);
  }
  // The store keeps its own encoding: the spans go back to this thread's reserve for the next
  // request's decoding.
  for (auto& span : decoded.spans) telemetry::recycle_burst_span_data(std::move(span));
  outcome.accepted = static_cast<std::int64_t>(added.accepted);
  outcome.rejected = decoded.rejected_spans + static_cast<std::int64_t>(added.rejected);
  outcome.message = decoded.rejection_summary();
  telemetry::otlp::recycle_decode_buffers(std::move(decoded));  // and the references' memory
  if (added.rejected > 0) {
    if (!outcome.message.empty()) outcome.message += "; ";
    outcome.message += added.first_error;
  }
  return outcome;
}

http::Response OtlpIngest::handle_http(const http::Request& request) {
  using telemetry::otlp::Format;
  const std::string type = media_type(request.header("Content-Type").value_or(""));
  Format format;
  if (type == kProtobufType) {
    format = Format::kProtobuf;
  } else if (type == kJsonType) {
    format = Format::kJson;
  } else {
    return status_response(415, kInvalidArgument,
                           "unsupported content type '" + type +
                               "': use application/x-protobuf or application/json",
                           Format::kJson);
  }
  if (request.body.size() > options_.max_body_bytes) {
    return status_response(413, kResourceExhausted, "request body too large", format);
  }
  std::string_view body = request.body;
  telemetry::otlp::GunzipResult inflated;
  const std::string encoding = media_type(request.header("Content-Encoding").value_or(""));
  if (encoding == "gzip") {
    inflated = telemetry::otlp::gzip_decompress(body, options_.max_decompressed_bytes);
    if (!inflated.ok()) {
      // gzip_decompress reports an over-limit output as "... exceeds N bytes".
      const bool too_large = inflated.error.find("exceeds") != std::string::npos;
      return too_large ? status_response(413, kResourceExhausted, "decompressed body too large", format)
                       : status_response(400, kInvalidArgument, "invalid gzip body: " + inflated.error, format);
    }
    body = inflated.data;
  } else if (!encoding.empty() && encoding != "identity") {
    return status_response(415, kInvalidArgument, "unsupported content encoding '" + encoding + "'", format);
  }

  const IngestOutcome outcome = ingest(body, format);
  switch (outcome.kind) {
    case IngestOutcome::Kind::kMalformed:
      return status_response(400, kInvalidArgument, outcome.message, format);
    case IngestOutcome::Kind::kUnavailable: {
      auto r = status_response(503, kUnavailable, outcome.message, format);
      r.headers.set("Retry-After", "1");
      return r;
    }
    case IngestOutcome::Kind::kOk: break;
  }
  if (format == Format::kJson) {
    boost::json::object response;
    if (outcome.rejected > 0 || !outcome.message.empty()) {
      boost::json::object partial;
      partial["rejectedSpans"] = std::to_string(outcome.rejected);
      partial["errorMessage"] = outcome.message;
      response["partialSuccess"] = std::move(partial);
    }
    return http::Response::json_text(200, boost::json::serialize(response));
  }
  opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse response;
  if (outcome.rejected > 0 || !outcome.message.empty()) {
    auto* partial = response.mutable_partial_success();
    partial->set_rejected_spans(outcome.rejected);
    partial->set_error_message(outcome.message);
  }
  http::Response r;
  r.status = 200;
  r.content_type = std::string(kProtobufType);
  r.body = response.SerializeAsString();
  return r;
}

}  // namespace tdemo::tracestore
