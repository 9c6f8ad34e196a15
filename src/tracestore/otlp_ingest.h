// OTLP trace ingest, transport-independent: decodes an ExportTraceServiceRequest, persists it
// (when durable storage is configured), stores it, and builds the OTLP/HTTP answer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.h"
#include "telemetry/otlp/decoder.h"

namespace tdemo::tracestore {

class TraceStore;
class SqliteSpanStorage;

struct IngestOptions {
  std::size_t max_body_bytes = 16u << 20;          // compressed or not, as received -> 413
  std::size_t max_decompressed_bytes = 64u << 20;  // after gunzip -> 413
  std::size_t max_spans_per_request = 1'000'000;   // more -> 400
};

// What one export did, for every transport (HTTP and gRPC answer differently).
struct IngestOutcome {
  enum class Kind { kOk, kMalformed, kUnavailable } kind = Kind::kOk;
  std::int64_t accepted = 0;
  std::int64_t rejected = 0;
  std::string message;  // partial-success message, or why the request failed
};

// Thread-safe (the store and storage are). `store` and `storage` (nullable) must outlive it.
class OtlpIngest {
 public:
  OtlpIngest(TraceStore& store, SqliteSpanStorage* storage, IngestOptions options = {});

  // Decodes an uncompressed body and stores the valid spans. With durable storage, the spans
  // are committed to disk before this returns kOk (kUnavailable when the write failed).
  IngestOutcome ingest(std::string_view body, telemetry::otlp::Format format);
  // The common tail of every ingest format: persists (with durable storage) and stores what a
  // decoder produced (attributes as references too: decode_protobuf_attribute_refs);
  // kMalformed when the decoder reported an error.
  IngestOutcome store(telemetry::otlp::DecodeResult decoded);

  // POST /v1/traces per the OTLP/HTTP spec: 200 with ExportTraceServiceResponse (in the
  // request's encoding; partial_success when spans were rejected), 400 with a google.rpc.Status
  // for malformed bodies, 413 over the size limits, 415 for other content types or encodings,
  // 503 when durable storage failed.
  http::Response handle_http(const http::Request& request);

  const IngestOptions& options() const noexcept { return options_; }

 private:
  TraceStore& store_;
  SqliteSpanStorage* storage_;
  IngestOptions options_;
};

// google.rpc.Status {code, message} in protobuf wire format (for OTLP/HTTP error bodies).
std::string encode_rpc_status(int code, std::string_view message);

}  // namespace tdemo::tracestore
