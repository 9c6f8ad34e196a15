#include "telemetry/otlp/decoder.h"

#include <algorithm>
#include <cstring>

#include "telemetry/otlp/decoder_internal.h"
#include "telemetry/word_bytes.h"

namespace tdemo::telemetry::otlp {

std::string DecodeResult::rejection_summary() const {
  std::string out;
  for (const auto& m : messages) {
    if (!out.empty()) out += "; ";
    out += m;
  }
  if (rejected_spans > static_cast<std::int64_t>(messages.size()) && !messages.empty()) {
    out += "; ...";
  }
  return out;
}

namespace {

template <class Decode>
DecodeResult without_exceptions(Decode&& decode) {
  try {
    return decode();
  } catch (const std::exception& e) {  // allocation failure and the like: still a value
    DecodeResult result;
    result.error = std::string("decode failed: ") + e.what();
    return result;
  }
}

}  // namespace

DecodeResult decode_export_request(std::string_view body, Format format, const DecodeLimits& limits) {
  return without_exceptions([&] {
    return format == Format::kProtobuf ? detail::decode_protobuf(body, limits)
                                       : detail::decode_json(body, limits);
  });
}

namespace {

// The buffers recycle_decode_buffers gave back on this thread, empty with their capacity. Kept
// up to kMaxKept references or spans (2.5 MiB), so one huge request does not stay resident.
struct SpareDecodeBuffers {
  std::vector<std::unique_ptr<SpanData>> spans;
  std::vector<AttributeRef> attribute_refs;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> attribute_ranges;
};
constexpr std::size_t kMaxKept = 1u << 16;
thread_local SpareDecodeBuffers spare_decode_buffers;

}  // namespace

DecodeResult decode_protobuf_attribute_refs(std::string_view body, const DecodeLimits& limits) {
  return without_exceptions([&] {
    DecodeResult result;
    result.spans = std::move(spare_decode_buffers.spans);
    result.attribute_refs = std::move(spare_decode_buffers.attribute_refs);
    result.attribute_ranges = std::move(spare_decode_buffers.attribute_ranges);
    return detail::decode_protobuf(body, limits, true, std::move(result));
  });
}

void recycle_decode_buffers(DecodeResult&& result) noexcept {
  if (result.attribute_refs.capacity() > kMaxKept || result.spans.capacity() > kMaxKept) return;
  result.spans.clear();
  result.attribute_refs.clear();
  result.attribute_ranges.clear();
  spare_decode_buffers.spans = std::move(result.spans);
  spare_decode_buffers.attribute_refs = std::move(result.attribute_refs);
  spare_decode_buffers.attribute_ranges = std::move(result.attribute_ranges);
}

void materialize_attribute_refs(DecodeResult& result) {
  for (std::size_t i = 0; i < result.attribute_ranges.size() && i < result.spans.size(); ++i) {
    Attributes& attributes = result.spans[i]->attributes;
    for (const AttributeRef& ref : result.attribute_refs_of(i)) attributes.push_back(to_key_value(ref));
  }
  result.attribute_refs.clear();
  result.attribute_ranges.clear();
  result.converted_values.clear();
}

namespace detail {
namespace {

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// An id as sent (8 or 16 bytes): copied whole and tested for zero a word at a time (a step per
// byte cost ~90 instructions per trace id, three ids per span decoded).
template <std::size_t N>
bool from_bytes(std::string_view bytes, std::array<std::uint8_t, N>& out) noexcept {
  static_assert(N % 8 == 0);
  if (bytes.size() != N) return false;
  std::memcpy(out.data(), bytes.data(), N);
  std::uint64_t any = 0;
  for (std::size_t i = 0; i < N; i += 8) any |= load_word(bytes.data() + i);
  return any != 0;
}

template <std::size_t N>
bool from_hex(std::string_view hex, std::array<std::uint8_t, N>& out) noexcept {
  if (hex.size() != 2 * N) return false;
  for (std::size_t i = 0; i < N; ++i) {
    const int hi = hex_digit(hex[2 * i]);
    const int lo = hex_digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return std::any_of(out.begin(), out.end(), [](std::uint8_t b) { return b != 0; });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool trace_id_from_bytes(std::string_view bytes, TraceId& out) noexcept { return from_bytes(bytes, out.bytes); }
bool span_id_from_bytes(std::string_view bytes, SpanId& out) noexcept { return from_bytes(bytes, out.bytes); }
bool trace_id_from_hex(std::string_view hex, TraceId& out) noexcept { return from_hex(hex, out.bytes); }
bool span_id_from_hex(std::string_view hex, SpanId& out) noexcept { return from_hex(hex, out.bytes); }

std::shared_ptr<const TraceState> trace_state_from_header(std::string_view header) {
  if (header.empty()) return nullptr;  // nearly every span
  std::vector<TraceState::Entry> entries;
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    const std::string_view member = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    if (member.empty()) continue;
    const std::size_t eq = member.find('=');
    if (eq == std::string_view::npos) continue;
    entries.emplace_back(std::string(member.substr(0, eq)), std::string(member.substr(eq + 1)));
  }
  if (entries.empty()) return nullptr;
  return std::make_shared<const TraceState>(std::move(entries));
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  const auto b = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = b(i) << 16 | b(i + 1) << 8 | b(i + 2);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (const std::size_t rest = bytes.size() - i; rest != 0) {
    const std::uint32_t v = b(i) << 16 | (rest == 2 ? b(i + 1) << 8 : 0);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

void reject_span(DecodeResult& result, const DecodeLimits& limits, std::string reason) {
  ++result.rejected_spans;
  if (result.messages.size() < limits.max_rejection_messages) result.messages.push_back(std::move(reason));
}

}  // namespace detail
}  // namespace tdemo::telemetry::otlp
