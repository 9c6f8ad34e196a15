// Decoding of OTLP ExportTraceServiceRequest bodies (protobuf or JSON) into SpanData, for
// receivers such as the trace store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/span_data.h"

namespace tdemo::telemetry::otlp {

enum class Format { kProtobuf, kJson };

struct DecodeLimits {
  std::size_t max_spans = 1'000'000;      // more spans in one request: the request is rejected
  std::size_t max_json_depth = 64;        // JSON nesting; protobuf uses libprotobuf's limit (100)
  std::size_t max_rejection_messages = 10;  // further invalid spans are counted, not described
};

struct DecodeResult {
  // The valid spans, in request order. Spans of one ResourceSpans share one Resource object,
  // and spans of one ScopeSpans one InstrumentationScope object. The protobuf decoder takes
  // them with acquire_burst_span_data (span_data_pool.h): a receiver done with them may give
  // them back with recycle_burst_span_data, so the next request on its thread reuses them.
  std::vector<std::unique_ptr<SpanData>> spans;
  // Spans left out because they were invalid (bad trace/span/parent id), with the reasons
  // (at most DecodeLimits::max_rejection_messages lines). Answer with partial success.
  std::int64_t rejected_spans = 0;
  std::vector<std::string> messages;
  // Non-empty when the body as a whole is malformed (not protobuf/JSON, wrong field types,
  // over a limit): then `spans` is empty. Answer 400.
  std::string error;

  // Only from decode_protobuf_attribute_refs: the attributes of spans[i] (whose `attributes`
  // stay empty) are attribute_refs[attribute_ranges[i].first, + .second), pointing into the
  // request body and into converted_values (values kept as AttributeValue: arrays, bytes...).
  std::vector<AttributeRef> attribute_refs;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> attribute_ranges;
  std::deque<AttributeValue> converted_values;

  bool ok() const noexcept { return error.empty(); }
  std::span<const AttributeRef> attribute_refs_of(std::size_t span) const {
    const auto [first, count] = attribute_ranges[span];
    return std::span<const AttributeRef>(attribute_refs).subspan(first, count);
  }
  // The partial-success message: the joined `messages` (empty when nothing was rejected).
  std::string rejection_summary() const;
};

// Decodes one request body (already decompressed). Never throws on bad input.
//
// Mapping into SpanData: ids from bytes (protobuf) or hex (JSON; upper- and lowercase accepted);
// Span.flags bits 0-7 become the trace flags and bit 9 (when bit 8 is set) parent_is_remote;
// Link.flags likewise give the link context's flags and remote bit; kind 0 (unspecified) or
// unknown becomes INTERNAL; unknown status codes become UNSET. Attribute values outside what the
// OpenTelemetry API allows are kept as strings: bytes as base64, key/value lists and nested or
// mixed arrays as compact JSON, an empty AnyValue as "". JSON integers are accepted as numbers
// or decimal strings, doubles also as "NaN"/"Infinity"/"-Infinity".
DecodeResult decode_export_request(std::string_view body, Format format, const DecodeLimits& limits = {});

// decode_export_request(body, Format::kProtobuf, limits), except that span attributes are not
// copied into each SpanData but returned as references into `body` (DecodeResult::
// attribute_refs_of), which must outlive the result: for a receiver that re-encodes them at
// once (the trace store), so a span's attribute strings are never allocated. Accepts, rejects
// and maps exactly as decode_export_request does (the unit tests and fuzz/otlp_protobuf_fuzz.cc
// compare the two).
DecodeResult decode_protobuf_attribute_refs(std::string_view body, const DecodeLimits& limits = {});

// Gives back the buffers of a decode_protobuf_attribute_refs result its receiver is done with
// (the spans it still holds are dropped: recycle them first): the next such decoding on this
// thread writes into the same memory. A batch's references are a few hundred KiB: allocated
// afresh for every request, the vector was regrown from empty and its memory written cold (the
// decoder's faults, though, were the store's growth and moved elsewhere: docs/performance.md,
// "Session 20").
void recycle_decode_buffers(DecodeResult&& result) noexcept;

// Copies the attributes of a decode_protobuf_attribute_refs result into its spans and drops the
// references: the result decode_export_request gives (for a receiver that keeps whole spans).
void materialize_attribute_refs(DecodeResult& result);

}  // namespace tdemo::telemetry::otlp
