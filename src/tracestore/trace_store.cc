#include "tracestore/trace_store.h"

#include <algorithm>
#include <cstring>
#include <mutex>

#include "tracestore/id_hex.h"
#include "tracestore/span_codec.h"

namespace tdemo::tracestore {

using telemetry::SpanData;
using telemetry::SpanKind;
using telemetry::StatusCode;

// A stored span: hot fields as members (search touches only these), the rest encoded.
struct TraceStore::SpanRecord {
  telemetry::SpanId span_id;
  telemetry::SpanId parent_id;
  std::uint64_t start_ns = 0;
  std::uint64_t duration_ns = 0;
  std::uint32_t name_id = 0;
  std::uint32_t process_id = 0;
  std::uint32_t service_id = 0;
  std::uint32_t scope_id = 0;
  SpanKind kind = SpanKind::kInternal;
  StatusCode status = StatusCode::kUnset;
  std::string details;  // encode_span_details with interned keys
};

struct TraceStore::TraceRecord {
  telemetry::TraceId id;
  std::uint64_t start_ns = 0;
  std::uint64_t end_ns = 0;
  std::uint64_t indexed_start_ns = 0;  // its key in by_start_, when indexed
  bool indexed = false;                // in by_start_
  bool start_changed = false;          // in start_changed_
  std::vector<SpanRecord> spans;
  std::vector<std::uint32_t> service_ids;  // distinct, small
};

struct TraceStore::Process {
  std::uint32_t service_id = 0;
  std::shared_ptr<const telemetry::Resource> resource;
};

struct TraceStore::Scope {
  std::shared_ptr<const telemetry::InstrumentationScope> scope;
};

namespace {

constexpr std::string_view kNoServiceName = "OTLPResourceNoServiceName";

std::string_view service_of(const telemetry::Resource* resource) {
  if (!resource) return kNoServiceName;
  for (const auto& kv : resource->attributes) {
    if (kv.key == "service.name") {
      if (const auto* s = std::get_if<std::string>(&kv.value); s && !s->empty()) return *s;
    }
  }
  return kNoServiceName;
}

std::uint64_t percentile(std::vector<std::uint64_t>& values, double p) {
  if (values.empty()) return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index), values.end());
  return values[index];
}

}  // namespace

const char* jaeger_span_kind(SpanKind kind) noexcept {
  switch (kind) {
    case SpanKind::kServer: return "server";
    case SpanKind::kClient: return "client";
    case SpanKind::kProducer: return "producer";
    case SpanKind::kConsumer: return "consumer";
    case SpanKind::kInternal: return "internal";
  }
  return "";
}

std::optional<SpanKind> parse_jaeger_span_kind(std::string_view text) noexcept {
  for (SpanKind k : {SpanKind::kInternal, SpanKind::kServer, SpanKind::kClient,
                     SpanKind::kProducer, SpanKind::kConsumer}) {
    if (text == jaeger_span_kind(k)) return k;
  }
  return std::nullopt;
}

std::size_t TraceStore::TraceIdHash::operator()(const telemetry::TraceId& id) const noexcept {
  std::uint64_t a, b;
  std::memcpy(&a, id.bytes.data(), 8);
  std::memcpy(&b, id.bytes.data() + 8, 8);
  return static_cast<std::size_t>(a ^ (b * 0x9E3779B97F4A7C15ULL));
}

TraceStore::TraceStore(TraceStoreOptions options) : options_(options) {
  if (options_.max_traces == 0) options_.max_traces = 1;
}
TraceStore::~TraceStore() = default;

std::uint32_t TraceStore::process_id_locked(const SpanData& span) {
  std::string key;
  if (span.resource) {
    SpanData carrier;  // reuse the codec to build a canonical key for the resource
    carrier.attributes = span.resource->attributes;
    key = encode_span_details(carrier, nullptr);
    key += span.resource->schema_url;
  }
  if (auto it = process_ids_.find(key); it != process_ids_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(processes_.size());
  Process process;
  process.service_id = strings_.intern(service_of(span.resource.get()));
  process.resource = span.resource ? span.resource : std::make_shared<const telemetry::Resource>();
  processes_.push_back(std::move(process));
  process_ids_.emplace(std::move(key), id);
  return id;
}

std::uint32_t TraceStore::scope_id_locked(const SpanData& span) {
  std::pair<std::string, std::string> key;
  if (span.scope) key = {span.scope->name, span.scope->version};
  if (auto it = scope_ids_.find(key); it != scope_ids_.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(scopes_.size());
  scopes_.push_back(Scope{span.scope ? span.scope
                                     : std::make_shared<const telemetry::InstrumentationScope>()});
  scope_ids_.emplace(std::move(key), id);
  return id;
}

// The frame of every add(): counts, the exclusive lock, eviction. add_one(i, result) adds the
// i-th span.
template <class AddOne>
AddResult TraceStore::add_locked_run(std::size_t count, AddOne&& add_one) {
  AddResult result;
  spans_received_ += count;
  std::unique_lock lock(mutex_);
  last_resource_ = {};  // an address may be reused between calls
  last_scope_ = {};
  try {
    for (std::size_t i = 0; i < count; ++i) add_one(i, result);
  } catch (...) {
    index_changed_starts_locked();  // the spans added so far, searchable as before
    throw;
  }
  index_changed_starts_locked();
  evict_locked();
  spans_rejected_ += result.rejected;
  return result;
}

AddResult TraceStore::add(std::span<const std::unique_ptr<SpanData>> spans) {
  return add_locked_run(spans.size(), [&](std::size_t i, AddResult& result) {
    if (spans[i]) {
      add_one_locked(*spans[i], result);
    } else {
      ++result.rejected;
    }
  });
}

AddResult TraceStore::add(std::span<const std::unique_ptr<SpanData>> spans,
                          std::span<const std::span<const telemetry::AttributeRef>> attributes) {
  return add_locked_run(spans.size(), [&](std::size_t i, AddResult& result) {
    if (spans[i] && i < attributes.size()) {
      add_one_locked(*spans[i], result, &attributes[i]);
    } else {
      ++result.rejected;
    }
  });
}

AddResult TraceStore::add(std::span<const SpanData> spans) {
  return add_locked_run(spans.size(), [&](std::size_t i, AddResult& result) { add_one_locked(spans[i], result); });
}

AddResult TraceStore::add_one_locked(const SpanData& span, AddResult& result,
                                     const std::span<const telemetry::AttributeRef>* attributes) {
  auto reject = [&result](const char* why) {
    if (result.rejected++ == 0) result.first_error = why;
    return result;
  };
  if (!is_valid(span.context.trace_id())) return reject("invalid (all-zero) trace id");
  if (!is_valid(span.context.span_id())) return reject("invalid (all-zero) span id");
  auto [it, inserted] = traces_.try_emplace(span.context.trace_id());
  if (inserted) {
    it->second = std::make_unique<TraceRecord>();
    it->second->id = span.context.trace_id();
    arrival_order_.push_back(it->second.get());
  }
  TraceRecord& trace = *it->second;
  if (trace.spans.size() >= options_.max_spans_per_trace) {
    return reject("trace exceeds the maximum number of spans per trace");
  }
  SpanRecord record;
  record.span_id = span.context.span_id();
  record.parent_id = span.parent_span_id;
  record.start_ns = span.start_time_unix_nano;
  record.duration_ns = span.end_time_unix_nano > span.start_time_unix_nano
                           ? span.end_time_unix_nano - span.start_time_unix_nano
                           : 0;
  record.name_id = strings_.intern(span.name);
  // Resources and scopes are shared by the spans of one ResourceSpans or ScopeSpans: each is
  // looked up (its resource encoded as a key) once per run of spans sharing it.
  record.process_id = last_resource_.id_of(span.resource, [&] { return process_id_locked(span); });
  record.service_id = processes_[record.process_id].service_id;
  record.scope_id = last_scope_.id_of(span.scope, [&] { return scope_id_locked(span); });
  record.kind = span.kind;
  record.status = span.status_code;
  record.details = encode_span_details(span, &strings_, attributes);  // exact size
  details_bytes_ += record.details.size() > 15 ? record.details.capacity() + 1 : 0;

  const std::uint64_t end = record.start_ns + record.duration_ns;
  if (trace.spans.empty() || record.start_ns < trace.start_ns) {
    trace.start_ns = record.start_ns;
    if (!trace.start_changed) {
      start_changed_.push_back(&trace);
      trace.start_changed = true;
    }
  }
  trace.end_ns = std::max(trace.end_ns, end);
  if (std::find(trace.service_ids.begin(), trace.service_ids.end(), record.service_id) ==
      trace.service_ids.end()) {
    trace.service_ids.push_back(record.service_id);
  }
  ++operations_[record.service_id][{record.name_id, static_cast<std::uint8_t>(record.kind)}];
  trace.spans.push_back(std::move(record));
  ++spans_stored_;
  ++result.accepted;
  return result;
}

void TraceStore::index_changed_starts_locked() {
  for (TraceRecord* trace : start_changed_) {
    trace->start_changed = false;
    if (trace->indexed) {
      if (trace->indexed_start_ns == trace->start_ns) continue;
      by_start_.erase({trace->indexed_start_ns, trace});
      trace->indexed = false;
    }
    by_start_.insert({trace->start_ns, trace});
    trace->indexed_start_ns = trace->start_ns;
    trace->indexed = true;
  }
  start_changed_.clear();
}

void TraceStore::evict_locked() {
  while (traces_.size() > options_.max_traces && !arrival_order_.empty()) {
    TraceRecord* oldest = arrival_order_.front();
    arrival_order_.pop_front();
    if (oldest->indexed) by_start_.erase({oldest->indexed_start_ns, oldest});
    spans_stored_ -= oldest->spans.size();
    spans_evicted_ += oldest->spans.size();
    for (const auto& s : oldest->spans) {
      details_bytes_ -= s.details.size() > 15 ? s.details.capacity() + 1 : 0;
    }
    ++traces_evicted_;
    traces_.erase(oldest->id);
  }
}

bool TraceStore::span_matches(const SpanRecord& span, const TraceQuery& query,
                              std::optional<std::uint32_t> service_id,
                              std::optional<std::uint32_t> operation_id) const {
  if (service_id && span.service_id != *service_id) return false;
  if (operation_id && span.name_id != *operation_id) return false;
  if (span.start_ns < query.start_min_ns || span.start_ns > query.start_max_ns) return false;
  if (query.duration_min_ns && span.duration_ns < *query.duration_min_ns) return false;
  if (query.duration_max_ns && *query.duration_max_ns != 0 &&
      span.duration_ns > *query.duration_max_ns)
    return false;
  for (const auto& [key, value] : query.tags) {
    // Synthetic tags, as the Jaeger mapping adds them.
    if (key == "span.kind") {
      if (value == jaeger_span_kind(span.kind)) continue;
      return false;
    }
    if (key == "error" && value == "true" && span.status == StatusCode::kError) continue;
    if (key == "otel.status_code") {
      if ((value == "ERROR" && span.status == StatusCode::kError) ||
          (value == "OK" && span.status == StatusCode::kOk))
        continue;
      return false;
    }
    const auto& scope = *scopes_[span.scope_id].scope;
    if (key == "otel.scope.name" && value == scope.name) continue;
    if (key == "otel.scope.version" && value == scope.version) continue;
    if (details_have_tag(span.details, &strings_, key, value)) continue;
    bool in_process = false;
    for (const auto& kv : processes_[span.process_id].resource->attributes) {
      if (kv.key == key && tag_string(kv.value) == value) {
        in_process = true;
        break;
      }
    }
    if (!in_process) return false;
  }
  return true;
}

template <typename Fn>
void TraceStore::for_each_match(const TraceQuery& query, Fn&& fn) const {
  std::optional<std::uint32_t> service_id, operation_id;
  if (!query.service.empty()) {
    service_id = strings_.find(query.service);
    if (!service_id) return;
  }
  if (!query.operation.empty()) {
    operation_id = strings_.find(query.operation);
    if (!operation_id) return;
  }
  std::size_t found = 0;
  // Newest first: walk traces by start time downwards from the window's end.
  auto it = by_start_.upper_bound({query.start_max_ns, reinterpret_cast<TraceRecord*>(UINTPTR_MAX)});
  while (it != by_start_.begin() && found < query.limit) {
    --it;
    const TraceRecord& trace = *it->second;
    if (trace.end_ns < query.start_min_ns) continue;
    if (service_id && std::find(trace.service_ids.begin(), trace.service_ids.end(),
                                *service_id) == trace.service_ids.end())
      continue;
    for (const auto& span : trace.spans) {
      if (span_matches(span, query, service_id, operation_id)) {
        fn(trace);
        ++found;
        break;
      }
    }
  }
}

std::vector<Trace> TraceStore::find_traces(const TraceQuery& query) const {
  std::vector<Trace> out;
  std::shared_lock lock(mutex_);
  for_each_match(query, [&](const TraceRecord& t) { out.push_back(decode_locked(t)); });
  return out;
}

std::vector<telemetry::TraceId> TraceStore::find_trace_ids(const TraceQuery& query) const {
  std::vector<telemetry::TraceId> out;
  std::shared_lock lock(mutex_);
  for_each_match(query, [&](const TraceRecord& t) { out.push_back(t.id); });
  return out;
}

Trace TraceStore::decode_locked(const TraceRecord& trace) const {
  Trace out;
  out.id = trace.id;
  out.spans.resize(trace.spans.size());
  for (std::size_t i = 0; i < trace.spans.size(); ++i) {
    const SpanRecord& r = trace.spans[i];
    SpanData& s = out.spans[i];
    s.context = telemetry::SpanContext(trace.id, r.span_id, 0, false);
    s.parent_span_id = r.parent_id;
    s.name = std::string(strings_.get(r.name_id));
    s.kind = r.kind;
    s.start_time_unix_nano = r.start_ns;
    s.end_time_unix_nano = r.start_ns + r.duration_ns;
    s.status_code = r.status;
    s.resource = processes_[r.process_id].resource;
    s.scope = scopes_[r.scope_id].scope;
    decode_span_details(r.details, &strings_, s);
  }
  return out;
}

std::optional<Trace> TraceStore::get_trace(const telemetry::TraceId& id) const {
  std::shared_lock lock(mutex_);
  auto it = traces_.find(id);
  if (it == traces_.end()) return std::nullopt;
  return decode_locked(*it->second);
}

std::vector<std::string> TraceStore::services() const {
  std::vector<std::string> out;
  std::shared_lock lock(mutex_);
  for (const auto& [service_id, ops] : operations_) out.emplace_back(strings_.get(service_id));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Operation> TraceStore::operations(std::string_view service,
                                              std::optional<SpanKind> kind) const {
  std::vector<Operation> out;
  std::shared_lock lock(mutex_);
  auto service_id = strings_.find(service);
  if (!service_id) return out;
  auto it = operations_.find(*service_id);
  if (it == operations_.end()) return out;
  for (const auto& [key, count] : it->second) {
    const auto op_kind = static_cast<SpanKind>(key.second);
    if (kind && *kind != op_kind) continue;
    out.push_back(Operation{std::string(strings_.get(key.first)), op_kind});
  }
  std::sort(out.begin(), out.end(), [](const Operation& a, const Operation& b) {
    return std::tie(a.name, a.kind) < std::tie(b.name, b.kind);
  });
  return out;
}

std::vector<DependencyLink> TraceStore::dependencies(std::uint64_t end_ns,
                                                     std::uint64_t lookback_ns) const {
  struct Edge {
    std::uint64_t calls = 0, errors = 0;
    std::vector<std::uint64_t> durations;
  };
  std::map<std::pair<std::uint32_t, std::uint32_t>, Edge> edges;
  std::vector<DependencyLink> out;
  {
    std::shared_lock lock(mutex_);
    const std::uint64_t begin = end_ns > lookback_ns ? end_ns - lookback_ns : 0;
    auto it = by_start_.lower_bound({begin, nullptr});
    std::unordered_map<std::uint64_t, std::uint32_t> service_of_span;
    for (; it != by_start_.end() && it->first <= end_ns; ++it) {
      const TraceRecord& trace = *it->second;
      if (trace.service_ids.size() < 2) continue;
      service_of_span.clear();
      for (const auto& s : trace.spans) {
        std::uint64_t key;
        std::memcpy(&key, s.span_id.bytes.data(), 8);
        service_of_span[key] = s.service_id;
      }
      for (const auto& s : trace.spans) {
        if (!is_valid(s.parent_id)) continue;
        std::uint64_t key;
        std::memcpy(&key, s.parent_id.bytes.data(), 8);
        auto parent = service_of_span.find(key);
        if (parent == service_of_span.end() || parent->second == s.service_id) continue;
        Edge& e = edges[{parent->second, s.service_id}];
        ++e.calls;
        if (s.status == StatusCode::kError) ++e.errors;
        e.durations.push_back(s.duration_ns);
      }
    }
    for (auto& [key, e] : edges) {
      DependencyLink link;
      link.parent = std::string(strings_.get(key.first));
      link.child = std::string(strings_.get(key.second));
      link.call_count = e.calls;
      link.error_count = e.errors;
      link.p50_duration_ns = percentile(e.durations, 0.50);
      link.p95_duration_ns = percentile(e.durations, 0.95);
      out.push_back(std::move(link));
    }
  }
  return out;
}

StoreStats TraceStore::stats() const {
  StoreStats s;
  s.spans_received = spans_received_.load();
  s.spans_rejected = spans_rejected_.load();
  std::shared_lock lock(mutex_);
  s.traces_stored = traces_.size();
  s.spans_stored = spans_stored_;
  s.traces_evicted = traces_evicted_;
  s.spans_evicted = spans_evicted_;
  s.memory_bytes = spans_stored_ * sizeof(SpanRecord) + details_bytes_ +
                   traces_.size() * (sizeof(TraceRecord) + 64 /* map + set + deque nodes */) +
                   strings_.memory_bytes();
  return s;
}

}  // namespace tdemo::tracestore
