// The reference OTLP/protobuf decoder: libprotobuf's generated classes (parsed on an arena),
// then converted to SpanData. The receiver decodes with decoder_wire.cc; this one is the oracle
// the tests and fuzz/otlp_protobuf_fuzz.cc hold it to (it is not linked into tracing-demo).
#include <google/protobuf/arena.h>
#include <google/protobuf/stubs/logging.h>

#include <cstdio>

#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "telemetry/otlp/decoder_internal.h"
#include "telemetry/otlp/reference_decoder.h"
#include "telemetry/otlp/json_encoder.h"

namespace tdemo::telemetry::otlp {
namespace detail {
namespace {

namespace pb_common = opentelemetry::proto::common::v1;
namespace pb_trace = opentelemetry::proto::trace::v1;
namespace pb_collector = opentelemetry::proto::collector::trace::v1;

// Compact JSON of a value our attribute model cannot hold as is.
void append_any_json(std::string& out, const pb_common::AnyValue& v) {
  switch (v.value_case()) {
    case pb_common::AnyValue::kStringValue: append_json_string(out, v.string_value()); break;
    case pb_common::AnyValue::kBoolValue: out += v.bool_value() ? "true" : "false"; break;
    case pb_common::AnyValue::kIntValue: out += std::to_string(v.int_value()); break;
    case pb_common::AnyValue::kDoubleValue: append_json_number(out, v.double_value()); break;
    case pb_common::AnyValue::kBytesValue: append_json_string(out, base64_encode(v.bytes_value())); break;
    case pb_common::AnyValue::kArrayValue:
      out += '[';
      for (int i = 0; i < v.array_value().values_size(); ++i) {
        if (i) out += ',';
        append_any_json(out, v.array_value().values(i));
      }
      out += ']';
      break;
    case pb_common::AnyValue::kKvlistValue:
      out += '{';
      for (int i = 0; i < v.kvlist_value().values_size(); ++i) {
        if (i) out += ',';
        append_json_string(out, v.kvlist_value().values(i).key());
        out += ':';
        append_any_json(out, v.kvlist_value().values(i).value());
      }
      out += '}';
      break;
    case pb_common::AnyValue::VALUE_NOT_SET: out += "null"; break;
  }
}

// A homogeneous array of one scalar type as its typed vector; anything else as nullopt.
template <typename T>
std::optional<AttributeValue> typed_array(const pb_common::ArrayValue& array,
                                          pb_common::AnyValue::ValueCase want, T (pb_common::AnyValue::*get)() const) {
  std::vector<T> values;
  values.reserve(static_cast<std::size_t>(array.values_size()));
  for (const auto& v : array.values()) {
    if (v.value_case() != want) return std::nullopt;
    values.push_back((v.*get)());
  }
  return AttributeValue(std::move(values));
}

AttributeValue to_attribute_value(const pb_common::AnyValue& v) {
  switch (v.value_case()) {
    case pb_common::AnyValue::kStringValue: return v.string_value();
    case pb_common::AnyValue::kBoolValue: return v.bool_value();
    case pb_common::AnyValue::kIntValue: return static_cast<std::int64_t>(v.int_value());
    case pb_common::AnyValue::kDoubleValue: return v.double_value();
    case pb_common::AnyValue::kBytesValue: return base64_encode(v.bytes_value());
    case pb_common::AnyValue::kArrayValue: {
      const auto& array = v.array_value();
      if (array.values_size() == 0) return std::vector<std::string>{};
      std::optional<AttributeValue> typed;
      switch (array.values(0).value_case()) {
        case pb_common::AnyValue::kStringValue: {
          std::vector<std::string> values;
          for (const auto& e : array.values()) {
            if (e.value_case() != pb_common::AnyValue::kStringValue) { values.clear(); break; }
            values.push_back(e.string_value());
          }
          if (values.size() == static_cast<std::size_t>(array.values_size())) typed = std::move(values);
          break;
        }
        case pb_common::AnyValue::kBoolValue: {
          std::vector<bool> values;
          bool same = true;
          for (const auto& e : array.values()) {
            same = same && e.value_case() == pb_common::AnyValue::kBoolValue;
            values.push_back(e.bool_value());
          }
          if (same) typed = std::move(values);
          break;
        }
        case pb_common::AnyValue::kIntValue:
          typed = typed_array<std::int64_t>(array, pb_common::AnyValue::kIntValue, &pb_common::AnyValue::int_value);
          break;
        case pb_common::AnyValue::kDoubleValue:
          typed = typed_array<double>(array, pb_common::AnyValue::kDoubleValue, &pb_common::AnyValue::double_value);
          break;
        default: break;
      }
      if (typed) return std::move(*typed);
      [[fallthrough]];
    }
    case pb_common::AnyValue::kKvlistValue: {
      std::string json;
      append_any_json(json, v);
      return json;
    }
    case pb_common::AnyValue::VALUE_NOT_SET: break;
  }
  return std::string();
}

Attributes to_attributes(const google::protobuf::RepeatedPtrField<pb_common::KeyValue>& list) {
  Attributes out;
  out.reserve(static_cast<std::size_t>(list.size()));
  for (const auto& kv : list) out.push_back(KeyValue{kv.key(), to_attribute_value(kv.value())});
  return out;
}

// The span, or nullptr (and a rejection) when its ids are invalid.
std::unique_ptr<SpanData> to_span(const pb_trace::Span& s, DecodeResult& result, const DecodeLimits& limits) {
  TraceId trace_id;
  SpanId span_id;
  if (!trace_id_from_bytes(s.trace_id(), trace_id)) {
    reject_span(result, limits, "span '" + s.name() + "': invalid trace_id (need 16 bytes, not all zero)");
    return nullptr;
  }
  if (!span_id_from_bytes(s.span_id(), span_id)) {
    reject_span(result, limits, "span '" + s.name() + "': invalid span_id (need 8 bytes, not all zero)");
    return nullptr;
  }
  auto span = std::make_unique<SpanData>();
  if (!s.parent_span_id().empty() && !span_id_from_bytes(s.parent_span_id(), span->parent_span_id)) {
    reject_span(result, limits, "span '" + s.name() + "': invalid parent_span_id (need 8 bytes or none)");
    return nullptr;
  }
  span->context = SpanContext(trace_id, span_id, trace_flags_from(s.flags()), false,
                              trace_state_from_header(s.trace_state()));
  span->parent_is_remote = remote_from(s.flags());
  span->name = s.name();
  span->kind = span_kind_from_int(s.kind());
  span->start_time_unix_nano = s.start_time_unix_nano();
  span->end_time_unix_nano = s.end_time_unix_nano();
  span->attributes = to_attributes(s.attributes());
  span->dropped_attributes_count = s.dropped_attributes_count();
  span->events.reserve(static_cast<std::size_t>(s.events_size()));
  for (const auto& e : s.events()) {
    span->events.push_back(Event{e.name(), e.time_unix_nano(), to_attributes(e.attributes()), e.dropped_attributes_count()});
  }
  span->dropped_events_count = s.dropped_events_count();
  for (const auto& l : s.links()) {
    TraceId link_trace;
    SpanId link_span;
    if (!trace_id_from_bytes(l.trace_id(), link_trace) || !span_id_from_bytes(l.span_id(), link_span)) {
      reject_span(result, limits, "span '" + s.name() + "': link with an invalid trace_id or span_id");
      return nullptr;
    }
    span->links.push_back(Link{SpanContext(link_trace, link_span, trace_flags_from(l.flags()), remote_from(l.flags()),
                                           trace_state_from_header(l.trace_state())),
                               to_attributes(l.attributes()), l.dropped_attributes_count()});
  }
  span->dropped_links_count = s.dropped_links_count();
  span->status_code = status_code_from_int(s.status().code());
  span->status_message = s.status().message();
  return span;
}

}  // namespace
}  // namespace detail

using namespace detail;

// libprotobuf logs an ERROR line for every malformed string it parses (invalid UTF-8); a
// receiver would then print one line per bad request, which anyone can send. The decoder reports
// problems as values instead, so drop libprotobuf's own messages below FATAL.
static void drop_protobuf_logs(google::protobuf::LogLevel level, const char* file, int line,
                        const std::string& message) {
  if (level == google::protobuf::LOGLEVEL_FATAL) {
    std::fprintf(stderr, "libprotobuf FATAL %s:%d: %s\n", file, line, message.c_str());
  }
}

DecodeResult decode_protobuf_with_libprotobuf(std::string_view body, const DecodeLimits& limits) {
  static const bool quiet = [] {
    google::protobuf::SetLogHandler(&drop_protobuf_logs);
    return true;
  }();
  (void)quiet;
  DecodeResult result;
  if (body.size() > static_cast<std::size_t>(INT32_MAX)) {
    result.error = "protobuf body too large";
    return result;
  }
  google::protobuf::ArenaOptions options;
  options.start_block_size = 64 * 1024;
  options.max_block_size = 1 << 20;
  google::protobuf::Arena arena(options);
  auto* request = google::protobuf::Arena::CreateMessage<pb_collector::ExportTraceServiceRequest>(&arena);
  if (!request->ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    result.error = "malformed protobuf ExportTraceServiceRequest";
    return result;
  }
  std::size_t total = 0;
  for (const auto& rs : request->resource_spans()) {
    for (const auto& ss : rs.scope_spans()) total += static_cast<std::size_t>(ss.spans_size());
  }
  if (total > limits.max_spans) {
    result.error = "too many spans in one request (" + std::to_string(total) + " > " +
                   std::to_string(limits.max_spans) + ")";
    return result;
  }
  result.spans.reserve(total);
  for (const auto& rs : request->resource_spans()) {
    auto resource = std::make_shared<Resource>();
    resource->attributes = to_attributes(rs.resource().attributes());
    resource->schema_url = rs.schema_url();
    for (const auto& ss : rs.scope_spans()) {
      auto scope = std::make_shared<InstrumentationScope>();
      scope->name = ss.scope().name();
      scope->version = ss.scope().version();
      scope->schema_url = ss.schema_url();
      for (const auto& s : ss.spans()) {
        auto span = to_span(s, result, limits);
        if (!span) continue;
        span->resource = resource;
        span->scope = scope;
        result.spans.push_back(std::move(span));
      }
    }
  }
  return result;
}

}  // namespace tdemo::telemetry::otlp
