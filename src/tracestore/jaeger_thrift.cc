#include "tracestore/jaeger_thrift.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "telemetry/otlp/decoder_internal.h"
#include "telemetry/utf8.h"
#include "tracestore/otlp_ingest.h"

namespace tdemo::tracestore {
namespace {

using telemetry::Attributes;
using telemetry::AttributeValue;
using telemetry::otlp::DecodeLimits;
using telemetry::otlp::DecodeResult;

// Thrift's binary protocol type ids.
enum class TType : std::uint8_t {
  kStop = 0,
  kBool = 2,
  kByte = 3,
  kDouble = 4,
  kI16 = 6,
  kI32 = 8,
  kI64 = 10,
  kString = 11,
  kStruct = 12,
  kMap = 13,
  kSet = 14,
  kList = 15,
};

constexpr int kMaxDepth = 64;

struct Malformed {
  std::string what;
};

// A bounds-checked big-endian reader over the body; every failure throws Malformed (caught
// once, at the top).
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  std::uint8_t byte() {
    need(1);
    return static_cast<std::uint8_t>(data_[pos_++]);
  }
  std::int16_t i16() { return static_cast<std::int16_t>(big_endian(2)); }
  std::int32_t i32() { return static_cast<std::int32_t>(big_endian(4)); }
  std::int64_t i64() { return static_cast<std::int64_t>(big_endian(8)); }
  double f64() { return std::bit_cast<double>(big_endian(8)); }
  std::string_view bytes() {
    const std::int32_t size = i32();
    if (size < 0) throw Malformed{"negative string length"};
    need(static_cast<std::size_t>(size));
    const std::string_view out = data_.substr(pos_, static_cast<std::size_t>(size));
    pos_ += static_cast<std::size_t>(size);
    return out;
  }
  // A list header; the size is checked against the bytes left (every element takes >= 1 byte),
  // so a forged size cannot make us reserve gigabytes.
  std::size_t list(TType expected) {
    const auto element = static_cast<TType>(byte());
    const std::int32_t size = i32();
    if (size < 0) throw Malformed{"negative list size"};
    if (static_cast<std::size_t>(size) > data_.size() - pos_)
      throw Malformed{"list size beyond the body"};
    if (size > 0 && element != expected) throw Malformed{"list of the wrong element type"};
    return static_cast<std::size_t>(size);
  }
  // Skips one value of `type` (unknown fields), nested at most kMaxDepth deep.
  void skip(TType type, int depth = 0) {
    if (depth > kMaxDepth) throw Malformed{"nesting deeper than 64"};
    switch (type) {
      case TType::kBool:
      case TType::kByte:
        need(1), pos_ += 1;
        return;
      case TType::kI16:
        need(2), pos_ += 2;
        return;
      case TType::kI32:
        need(4), pos_ += 4;
        return;
      case TType::kDouble:
      case TType::kI64:
        need(8), pos_ += 8;
        return;
      case TType::kString:
        bytes();
        return;
      case TType::kStruct:
        for (;;) {
          const auto field = static_cast<TType>(byte());
          if (field == TType::kStop) return;
          i16();
          skip(field, depth + 1);
        }
      case TType::kMap: {
        const auto key = static_cast<TType>(byte());
        const auto value = static_cast<TType>(byte());
        const std::int32_t size = i32();
        if (size < 0 || static_cast<std::size_t>(size) > data_.size() - pos_)
          throw Malformed{"bad map size"};
        for (std::int32_t i = 0; i < size; ++i) skip(key, depth + 1), skip(value, depth + 1);
        return;
      }
      case TType::kSet:
      case TType::kList: {
        const auto element = static_cast<TType>(byte());
        const std::int32_t size = i32();
        if (size < 0 || static_cast<std::size_t>(size) > data_.size() - pos_)
          throw Malformed{"bad list size"};
        for (std::int32_t i = 0; i < size; ++i) skip(element, depth + 1);
        return;
      }
      default:
        throw Malformed{"unknown Thrift type " + std::to_string(static_cast<int>(type))};
    }
  }
  bool at_end() const noexcept { return pos_ == data_.size(); }

 private:
  void need(std::size_t n) const {
    if (data_.size() - pos_ < n) throw Malformed{"truncated body"};
  }
  std::uint64_t big_endian(std::size_t n) {
    need(n);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<std::uint8_t>(data_[pos_ + i]);
    pos_ += n;
    return v;
  }
  std::string_view data_;
  std::size_t pos_ = 0;
};

// Reads a struct's fields: calls on_field(id, type) for each, which must consume the value
// (or return false to have it skipped).
template <class OnField>
void read_struct(Reader& in, OnField&& on_field) {
  for (;;) {
    const auto type = static_cast<TType>(in.byte());
    if (type == TType::kStop) return;
    const std::int16_t id = in.i16();
    if (!on_field(id, type)) in.skip(type);
  }
}

void expect(TType actual, TType expected, const char* field) {
  if (actual != expected) throw Malformed{std::string("field ") + field + " has the wrong type"};
}

std::string text(std::string_view raw) {
  return telemetry::to_valid_utf8(raw);
}

// jaeger.thrift Tag {1: key, 2: vType, 3: vStr, 4: vDouble, 5: vBool, 6: vLong, 7: vBinary}.
telemetry::KeyValue read_tag(Reader& in) {
  std::string key;
  std::int32_t vtype = 0;
  std::string str, binary;
  double dbl = 0;
  bool boolean = false;
  std::int64_t integer = 0;
  read_struct(in, [&](std::int16_t id, TType type) {
    switch (id) {
      case 1:
        expect(type, TType::kString, "Tag.key");
        key = text(in.bytes());
        return true;
      case 2:
        expect(type, TType::kI32, "Tag.vType");
        vtype = in.i32();
        return true;
      case 3:
        expect(type, TType::kString, "Tag.vStr");
        str = text(in.bytes());
        return true;
      case 4:
        expect(type, TType::kDouble, "Tag.vDouble");
        dbl = in.f64();
        return true;
      case 5:
        expect(type, TType::kBool, "Tag.vBool");
        boolean = in.byte() != 0;
        return true;
      case 6:
        expect(type, TType::kI64, "Tag.vLong");
        integer = in.i64();
        return true;
      case 7:
        expect(type, TType::kString, "Tag.vBinary");
        binary = std::string(in.bytes());
        return true;
      default:
        return false;
    }
  });
  switch (vtype) {
    case 0:
      return {std::move(key), std::move(str)};  // STRING
    case 1:
      return {std::move(key), dbl};  // DOUBLE
    case 2:
      return {std::move(key), boolean};  // BOOL
    case 3:
      return {std::move(key), integer};  // LONG
    case 4:
      return {std::move(key), telemetry::otlp::detail::base64_encode(binary)};  // BINARY
    default:
      return {std::move(key), "<Unknown Jaeger TagType " + std::to_string(vtype) + ">"};
  }
}

Attributes read_tags(Reader& in) {
  Attributes out;
  const std::size_t n = in.list(TType::kStruct);
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto kv = read_tag(in);
    telemetry::set_attribute(out, kv.key, std::move(kv.value), SIZE_MAX);
  }
  return out;
}

struct Reference {
  std::int32_t type = 0;  // 0 CHILD_OF, 1 FOLLOWS_FROM
  std::uint64_t trace_low = 0, trace_high = 0, span = 0;
};

struct RawLog {
  std::int64_t timestamp = 0;
  Attributes fields;
};

struct RawSpan {
  std::uint64_t trace_low = 0, trace_high = 0, span = 0, parent = 0;
  std::string operation;
  std::vector<Reference> references;
  std::int32_t flags = 0;
  std::int64_t start = 0, duration = 0;
  Attributes tags;
  std::vector<RawLog> logs;
};

telemetry::TraceId trace_id_of(std::uint64_t high, std::uint64_t low) {
  telemetry::TraceId id;
  for (int i = 0; i < 8; ++i) {
    id.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(high >> (56 - 8 * i));
    id.bytes[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>(low >> (56 - 8 * i));
  }
  return id;
}

telemetry::SpanId span_id_of(std::uint64_t v) {
  telemetry::SpanId id;
  for (int i = 0; i < 8; ++i)
    id.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (56 - 8 * i));
  return id;
}

Reference read_reference(Reader& in) {
  Reference r;
  read_struct(in, [&](std::int16_t id, TType type) {
    switch (id) {
      case 1:
        expect(type, TType::kI32, "SpanRef.refType");
        r.type = in.i32();
        return true;
      case 2:
        expect(type, TType::kI64, "SpanRef.traceIdLow");
        r.trace_low = static_cast<std::uint64_t>(in.i64());
        return true;
      case 3:
        expect(type, TType::kI64, "SpanRef.traceIdHigh");
        r.trace_high = static_cast<std::uint64_t>(in.i64());
        return true;
      case 4:
        expect(type, TType::kI64, "SpanRef.spanId");
        r.span = static_cast<std::uint64_t>(in.i64());
        return true;
      default:
        return false;
    }
  });
  return r;
}

RawLog read_log(Reader& in) {
  RawLog log;
  read_struct(in, [&](std::int16_t id, TType type) {
    switch (id) {
      case 1:
        expect(type, TType::kI64, "Log.timestamp");
        log.timestamp = in.i64();
        return true;
      case 2:
        expect(type, TType::kList, "Log.fields");
        log.fields = read_tags(in);
        return true;
      default:
        return false;
    }
  });
  return log;
}

RawSpan read_span(Reader& in) {
  RawSpan s;
  read_struct(in, [&](std::int16_t id, TType type) {
    switch (id) {
      case 1:
        expect(type, TType::kI64, "Span.traceIdLow");
        s.trace_low = static_cast<std::uint64_t>(in.i64());
        return true;
      case 2:
        expect(type, TType::kI64, "Span.traceIdHigh");
        s.trace_high = static_cast<std::uint64_t>(in.i64());
        return true;
      case 3:
        expect(type, TType::kI64, "Span.spanId");
        s.span = static_cast<std::uint64_t>(in.i64());
        return true;
      case 4:
        expect(type, TType::kI64, "Span.parentSpanId");
        s.parent = static_cast<std::uint64_t>(in.i64());
        return true;
      case 5:
        expect(type, TType::kString, "Span.operationName");
        s.operation = text(in.bytes());
        return true;
      case 6: {
        expect(type, TType::kList, "Span.references");
        const std::size_t n = in.list(TType::kStruct);
        for (std::size_t i = 0; i < n; ++i) s.references.push_back(read_reference(in));
        return true;
      }
      case 7:
        expect(type, TType::kI32, "Span.flags");
        s.flags = in.i32();
        return true;
      case 8:
        expect(type, TType::kI64, "Span.startTime");
        s.start = in.i64();
        return true;
      case 9:
        expect(type, TType::kI64, "Span.duration");
        s.duration = in.i64();
        return true;
      case 10:
        expect(type, TType::kList, "Span.tags");
        s.tags = read_tags(in);
        return true;
      case 11: {
        expect(type, TType::kList, "Span.logs");
        const std::size_t n = in.list(TType::kStruct);
        for (std::size_t i = 0; i < n; ++i) s.logs.push_back(read_log(in));
        return true;
      }
      default:
        return false;
    }
  });
  return s;
}

std::shared_ptr<const telemetry::Resource> read_process(Reader& in) {
  auto resource = std::make_shared<telemetry::Resource>();
  std::string service;
  Attributes tags;
  read_struct(in, [&](std::int16_t id, TType type) {
    switch (id) {
      case 1:
        expect(type, TType::kString, "Process.serviceName");
        service = text(in.bytes());
        return true;
      case 2:
        expect(type, TType::kList, "Process.tags");
        tags = read_tags(in);
        return true;
      default:
        return false;
    }
  });
  if (!service.empty()) resource->attributes.push_back({"service.name", service});
  for (auto& kv : tags)
    telemetry::set_attribute(resource->attributes, kv.key, std::move(kv.value), SIZE_MAX);
  return resource;
}

// Removes `key` and returns its value.
std::optional<AttributeValue> take(Attributes& attrs, std::string_view key) {
  for (auto it = attrs.begin(); it != attrs.end(); ++it) {
    if (it->key == key) {
      AttributeValue v = std::move(it->value);
      attrs.erase(it);
      return v;
    }
  }
  return std::nullopt;
}

std::string as_string(const AttributeValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return telemetry::to_display_string(v);
}

telemetry::SpanKind kind_of(std::string_view kind) {
  if (kind == "client") return telemetry::SpanKind::kClient;
  if (kind == "server") return telemetry::SpanKind::kServer;
  if (kind == "producer") return telemetry::SpanKind::kProducer;
  if (kind == "consumer") return telemetry::SpanKind::kConsumer;
  return telemetry::SpanKind::kInternal;
}

// Microseconds (negative: 0) to nanoseconds, saturating instead of wrapping.
std::uint64_t nanos(std::int64_t micros) {
  if (micros <= 0) return 0;
  const auto us = static_cast<std::uint64_t>(micros);
  return us > UINT64_MAX / 1000 ? UINT64_MAX : us * 1000;
}

// The collector's status rule: error=true wins; else otel.status_code (OK / ERROR); the
// description from otel.status_description. The tags are consumed.
void take_status(Attributes& tags, telemetry::SpanData& span) {
  bool error = false;
  if (auto it =
          std::find_if(tags.begin(), tags.end(), [](const auto& kv) { return kv.key == "error"; });
      it != tags.end()) {
    if (const auto* b = std::get_if<bool>(&it->value); b && *b) {
      error = true;
      tags.erase(it);
    }
  }
  const auto code = take(tags, "otel.status_code");
  auto description = take(tags, "otel.status_description");
  if (error) {
    span.status_code = telemetry::StatusCode::kError;
  } else if (code) {
    const std::string c = as_string(*code);
    if (c == "OK") span.status_code = telemetry::StatusCode::kOk;
    if (c == "ERROR") span.status_code = telemetry::StatusCode::kError;
  }
  if (span.status_code == telemetry::StatusCode::kError && description)
    span.status_message = as_string(*description);
}

std::unique_ptr<telemetry::SpanData> to_span_data(
    RawSpan raw, const std::shared_ptr<const telemetry::Resource>& resource,
    std::map<std::pair<std::string, std::string>,
             std::shared_ptr<const telemetry::InstrumentationScope>>& scopes) {
  auto span = std::make_unique<telemetry::SpanData>();
  const telemetry::TraceId trace_id = trace_id_of(raw.trace_high, raw.trace_low);
  Attributes& tags = raw.tags;
  std::shared_ptr<const telemetry::TraceState> state;
  if (auto ts = take(tags, "w3c.tracestate"))
    state = telemetry::otlp::detail::trace_state_from_header(as_string(*ts));
  span->context =
      telemetry::SpanContext(trace_id, span_id_of(raw.span),
                             static_cast<std::uint8_t>(raw.flags & 0x01), false, std::move(state));
  span->name = std::move(raw.operation);
  span->start_time_unix_nano = nanos(raw.start);
  const std::uint64_t duration = nanos(raw.duration);
  span->end_time_unix_nano = span->start_time_unix_nano > UINT64_MAX - duration
                                 ? UINT64_MAX
                                 : span->start_time_unix_nano + duration;
  span->resource = resource;

  // The parent: parentSpanId, else the first CHILD_OF reference within the trace.
  std::uint64_t parent = raw.parent;
  if (parent == 0) {
    for (const auto& r : raw.references) {
      if (r.type == 0 && r.trace_high == raw.trace_high && r.trace_low == raw.trace_low &&
          r.span != 0) {
        parent = r.span;
        break;
      }
    }
  }
  if (parent != 0) span->parent_span_id = span_id_of(parent);
  for (const auto& r : raw.references) {
    if (r.type == 0 && r.span == parent && r.trace_high == raw.trace_high &&
        r.trace_low == raw.trace_low)
      continue;
    if (r.span == 0 || (r.trace_high == 0 && r.trace_low == 0)) continue;  // names no span: no link
    telemetry::Link link;
    link.context = telemetry::SpanContext(trace_id_of(r.trace_high, r.trace_low),
                                          span_id_of(r.span), 0, false);
    if (r.type == 0) link.attributes.push_back({"opentracing.ref_type", std::string("child_of")});
    span->links.push_back(std::move(link));
  }

  if (auto kind = take(tags, "span.kind")) span->kind = kind_of(as_string(*kind));
  take_status(tags, *span);
  auto scope_name = take(tags, "otel.scope.name");
  if (!scope_name) scope_name = take(tags, "otel.library.name");
  auto scope_version = take(tags, "otel.scope.version");
  if (!scope_version) scope_version = take(tags, "otel.library.version");
  if (scope_name) {
    const std::string name = as_string(*scope_name),
                      version = scope_version ? as_string(*scope_version) : "";
    auto& scope = scopes[{name, version}];
    if (!scope)
      scope = std::make_shared<const telemetry::InstrumentationScope>(
          telemetry::InstrumentationScope{name, version, ""});
    span->scope = scope;
  }
  span->attributes = std::move(tags);

  for (auto& log : raw.logs) {
    telemetry::Event event;
    event.time_unix_nano = nanos(log.timestamp);
    if (auto name = take(log.fields, "event")) event.name = as_string(*name);
    event.attributes = std::move(log.fields);
    span->events.push_back(std::move(event));
  }
  return span;
}

}  // namespace

DecodeResult decode_jaeger_thrift_batch(std::string_view body, const DecodeLimits& limits) {
  DecodeResult result;
  try {
    Reader in(body);
    std::shared_ptr<const telemetry::Resource> resource;
    std::vector<RawSpan> raw_spans;
    bool has_spans = false;
    // Batch {1: Process process, 2: list<Span> spans, 3: seqNo, 4: stats}.
    read_struct(in, [&](std::int16_t id, TType type) {
      switch (id) {
        case 1:
          expect(type, TType::kStruct, "Batch.process");
          resource = read_process(in);
          return true;
        case 2: {
          expect(type, TType::kList, "Batch.spans");
          const std::size_t n = in.list(TType::kStruct);
          if (n > limits.max_spans)
            throw Malformed{"more than " + std::to_string(limits.max_spans) + " spans"};
          raw_spans.reserve(n);
          for (std::size_t i = 0; i < n; ++i) raw_spans.push_back(read_span(in));
          has_spans = true;
          return true;
        }
        default:
          return false;
      }
    });
    if (!in.at_end()) throw Malformed{"trailing bytes after the Batch"};
    if (!resource) throw Malformed{"Batch.process is missing"};
    if (!has_spans) throw Malformed{"Batch.spans is missing"};
    std::map<std::pair<std::string, std::string>,
             std::shared_ptr<const telemetry::InstrumentationScope>>
        scopes;
    for (auto& raw : raw_spans) {
      if (raw.trace_high == 0 && raw.trace_low == 0) {
        telemetry::otlp::detail::reject_span(result, limits,
                                             "span '" + raw.operation + "': trace id is zero");
        continue;
      }
      if (raw.span == 0) {
        telemetry::otlp::detail::reject_span(result, limits,
                                             "span '" + raw.operation + "': span id is zero");
        continue;
      }
      result.spans.push_back(to_span_data(std::move(raw), resource, scopes));
    }
  } catch (const Malformed& e) {
    result.spans.clear();
    result.rejected_spans = 0;
    result.messages.clear();
    result.error = "not a jaeger.thrift Batch in Thrift's binary protocol: " + e.what;
  }
  return result;
}

http::Response handle_jaeger_thrift_http(OtlpIngest& ingest, const http::Request& request) {
  std::string type(request.header("Content-Type").value_or(""));
  type = type.substr(0, type.find(';'));
  for (auto& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  if (type != "application/x-thrift" && type != "application/vnd.apache.thrift.binary") {
    return http::Response::text(400, "Unsupported content type: " + type + "\n");
  }
  if (request.body.size() > ingest.options().max_body_bytes) {
    return http::Response::text(413, "Request body too large\n");
  }
  telemetry::otlp::DecodeLimits limits;
  limits.max_spans = ingest.options().max_spans_per_request;
  const IngestOutcome outcome = ingest.store(decode_jaeger_thrift_batch(request.body, limits));
  switch (outcome.kind) {
    case IngestOutcome::Kind::kMalformed:
      return http::Response::text(400, "Unable to process request body: " + outcome.message + "\n");
    case IngestOutcome::Kind::kUnavailable: {
      auto r = http::Response::text(503, "Cannot submit Jaeger batch: " + outcome.message + "\n");
      r.headers.set("Retry-After", "1");
      return r;
    }
    case IngestOutcome::Kind::kOk:
      break;
  }
  return http::Response::empty(202);
}

}  // namespace tdemo::tracestore
