#include "telemetry/otlp/utf8.h"

#include <cstring>
#include <map>
#include <variant>

namespace tdemo::telemetry::otlp {

std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t n;
  std::uint32_t cp;
  if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
  else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
    return 0;
  }
  return n;
}

bool is_valid_utf8(std::string_view s) noexcept {
  constexpr std::uint64_t kHighs = 0x8080808080808080ull;
  const auto word_at = [&](std::size_t at) {
    std::uint64_t word;
    std::memcpy(&word, s.data() + at, 8);
    return word;
  };
  // Most text is ASCII: checked eight bytes at a time, the last word overlapping the one before
  // when the length is not a multiple of eight, short text byte by byte.
  std::size_t i = 0;
  if (s.size() >= 8) {
    while (i + 8 <= s.size() && (word_at(i) & kHighs) == 0) i += 8;
    if (i == s.size() || (i + 8 > s.size() && (word_at(s.size() - 8) & kHighs) == 0)) return true;
  } else {
    unsigned char any = 0;
    for (const char c : s) any |= static_cast<unsigned char>(c);
    if (any < 0x80) return true;
  }
  // From the first word holding a byte over 0x7F (everything before it is ASCII).
  while (i < s.size()) {
    if (i + 8 <= s.size() && (word_at(i) & kHighs) == 0) {
      i += 8;
      continue;
    }
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string to_valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence_length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  return out;
}

namespace {

bool valid(const AttributeValue& value) noexcept {
  if (const auto* s = std::get_if<std::string>(&value)) return is_valid_utf8(*s);
  if (const auto* list = std::get_if<std::vector<std::string>>(&value)) {
    for (const auto& s : *list) {
      if (!is_valid_utf8(s)) return false;
    }
  }
  return true;
}

bool valid(const Attributes& attributes) noexcept {
  for (const auto& kv : attributes) {
    if (!is_valid_utf8(kv.key) || !valid(kv.value)) return false;
  }
  return true;
}

bool valid(const SpanContext& context) noexcept {
  if (!context.trace_state_ptr()) return true;
  for (const auto& [k, v] : context.trace_state_ptr()->entries()) {
    if (!is_valid_utf8(k) || !is_valid_utf8(v)) return false;
  }
  return true;
}

void repair(std::string& s) {
  if (!is_valid_utf8(s)) s = to_valid_utf8(s);
}

void repair(Attributes& attributes) {
  for (auto& kv : attributes) {
    repair(kv.key);
    if (auto* s = std::get_if<std::string>(&kv.value)) repair(*s);
    if (auto* list = std::get_if<std::vector<std::string>>(&kv.value)) {
      for (auto& s : *list) repair(s);
    }
  }
}

SpanContext repaired(const SpanContext& c) {
  if (valid(c)) return c;
  auto entries = c.trace_state_ptr()->entries();
  for (auto& [k, v] : entries) {
    repair(k);
    repair(v);
  }
  return SpanContext(c.trace_id(), c.span_id(), c.flags(), c.remote(), std::make_shared<const TraceState>(std::move(entries)));
}

}  // namespace

bool has_invalid_utf8(const SpanBatch& batch) noexcept {
  const Resource* last_resource = nullptr;
  const InstrumentationScope* last_scope = nullptr;
  for (const auto& span : batch) {
    if (!span) continue;
    if (!is_valid_utf8(span->name) || !is_valid_utf8(span->status_message) || !valid(span->attributes) ||
        !valid(span->context)) {
      return true;
    }
    for (const auto& e : span->events) {
      if (!is_valid_utf8(e.name) || !valid(e.attributes)) return true;
    }
    for (const auto& l : span->links) {
      if (!valid(l.attributes) || !valid(l.context)) return true;
    }
    if (span->resource && span->resource.get() != last_resource) {
      last_resource = span->resource.get();
      if (!valid(last_resource->attributes) || !is_valid_utf8(last_resource->schema_url)) return true;
    }
    if (span->scope && span->scope.get() != last_scope) {
      last_scope = span->scope.get();
      if (!is_valid_utf8(last_scope->name) || !is_valid_utf8(last_scope->version) ||
          !is_valid_utf8(last_scope->schema_url)) {
        return true;
      }
    }
  }
  return false;
}

SpanBatch with_valid_utf8(const SpanBatch& batch) {
  std::map<const Resource*, std::shared_ptr<const Resource>> resources;
  std::map<const InstrumentationScope*, std::shared_ptr<const InstrumentationScope>> scopes;
  SpanBatch out;
  out.reserve(batch.size());
  for (const auto& span : batch) {
    if (!span) continue;
    auto copy = std::make_unique<SpanData>(*span);
    repair(copy->name);
    repair(copy->status_message);
    repair(copy->attributes);
    copy->context = repaired(copy->context);
    for (auto& e : copy->events) {
      repair(e.name);
      repair(e.attributes);
    }
    for (auto& l : copy->links) {
      repair(l.attributes);
      l.context = repaired(l.context);
    }
    if (span->resource) {
      auto& r = resources[span->resource.get()];
      if (!r) {
        auto fixed = std::make_shared<Resource>(*span->resource);
        repair(fixed->attributes);
        repair(fixed->schema_url);
        r = std::move(fixed);
      }
      copy->resource = r;
    }
    if (span->scope) {
      auto& s = scopes[span->scope.get()];
      if (!s) {
        auto fixed = std::make_shared<InstrumentationScope>(*span->scope);
        repair(fixed->name);
        repair(fixed->version);
        repair(fixed->schema_url);
        s = std::move(fixed);
      }
      copy->scope = s;
    }
    out.push_back(std::move(copy));
  }
  return out;
}

}  // namespace tdemo::telemetry::otlp
