#include "tracestore/span_codec.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>

#include "tracestore/go_json.h"

namespace tdemo::tracestore {
namespace {

using telemetry::AttributeValue;
using telemetry::Attributes;

// A link's flags varint: OTLP's SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE | CONTEXT_IS_REMOTE.
constexpr std::uint32_t kLinkIsRemote = 0x300;

enum ValueType : std::uint8_t {
  kString = 0, kBool = 1, kInt = 2, kDouble = 3,
  kStringArray = 4, kBoolArray = 5, kIntArray = 6, kDoubleArray = 7
};

// A growable byte buffer written through a raw pointer: each field checks the room once and
// then stores its bytes, where std::string::push_back checked the capacity and wrote the
// terminator for every byte (encoding these blobs is a quarter of the store's ingest).
class ByteBuffer {
 public:
  char* begin() noexcept { return data_.get(); }
  std::size_t capacity() const noexcept { return capacity_; }
  // Makes room for at least `size` bytes, keeping the first `used`.
  void reserve(std::size_t size, std::size_t used) {
    if (size <= capacity_) return;
    const std::size_t capacity = std::max(size, 2 * capacity_);
    auto data = std::make_unique_for_overwrite<char[]>(capacity);
    if (used > 0) std::memcpy(data.get(), data_.get(), used);
    data_ = std::move(data);
    capacity_ = capacity;
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t capacity_ = 0;
};

class Writer {
 public:
  Writer(StringInterner* keys, ByteBuffer& buffer) : keys_(keys), buffer_(buffer) {
    buffer_.reserve(kInitialBytes, 0);
    p_ = buffer_.begin();
    end_ = p_ + buffer_.capacity();
  }
  std::string_view written() const noexcept {
    return {buffer_.begin(), static_cast<std::size_t>(p_ - buffer_.begin())};
  }

  void varint(std::uint64_t v) {
    room(kMaxVarintBytes);
    put_varint(v);
  }
  void svarint(std::int64_t v) {
    varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  void byte(std::uint8_t b) {
    room(1);
    *p_++ = static_cast<char>(b);
  }
  void bytes(const void* data, std::size_t n) {
    room(n);
    std::memcpy(p_, data, n);
    p_ += n;
  }
  void string(std::string_view s) {
    room(kMaxVarintBytes + s.size());
    put_varint(s.size());
    if (s.empty()) return;  // an empty view may have no data pointer: not for memcpy
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void key(std::string_view k) {
    if (keys_) {
      varint(keys_->intern(k));
    } else {
      string(k);
    }
  }
  void value(const AttributeValue& v) {
    byte(static_cast<std::uint8_t>(v.index()));
    switch (v.index()) {
      case kString: string(std::get<std::string>(v)); break;
      case kBool: byte(std::get<bool>(v) ? 1 : 0); break;
      case kInt: svarint(std::get<std::int64_t>(v)); break;
      case kDouble: { double d = std::get<double>(v); bytes(&d, sizeof d); break; }
      case kStringArray: {
        const auto& a = std::get<std::vector<std::string>>(v);
        varint(a.size());
        for (const auto& s : a) string(s);
        break;
      }
      case kBoolArray: {
        const auto& a = std::get<std::vector<bool>>(v);
        varint(a.size());
        for (bool b : a) byte(b ? 1 : 0);
        break;
      }
      case kIntArray: {
        const auto& a = std::get<std::vector<std::int64_t>>(v);
        varint(a.size());
        for (auto i : a) svarint(i);
        break;
      }
      case kDoubleArray: {
        const auto& a = std::get<std::vector<double>>(v);
        varint(a.size());
        for (double d : a) bytes(&d, sizeof d);
        break;
      }
    }
  }
  void attributes(const Attributes& attrs) {
    varint(attrs.size());
    for (const auto& kv : attrs) {
      key(kv.key);
      value(kv.value);
    }
  }
  // The same encoding from references (the alternatives' order is AttributeValue's).
  void attributes(std::span<const telemetry::AttributeRef> refs) {
    varint(refs.size());
    for (const auto& ref : refs) {
      key(ref.key);
      switch (ref.value.index()) {
        case kString: byte(kString); string(std::get<std::string_view>(ref.value)); break;
        case kBool: byte(kBool); byte(std::get<bool>(ref.value) ? 1 : 0); break;
        case kInt: byte(kInt); svarint(std::get<std::int64_t>(ref.value)); break;
        case kDouble: {
          byte(kDouble);
          const double d = std::get<double>(ref.value);
          bytes(&d, sizeof d);
          break;
        }
        default: value(*std::get<const AttributeValue*>(ref.value)); break;
      }
    }
  }

 private:
  static constexpr std::size_t kMaxVarintBytes = 10;
  static constexpr std::size_t kInitialBytes = 1024;

  void room(std::size_t n) {
    if (static_cast<std::size_t>(end_ - p_) >= n) [[likely]] return;
    const auto used = static_cast<std::size_t>(p_ - buffer_.begin());
    buffer_.reserve(used + n, used);
    p_ = buffer_.begin() + used;
    end_ = buffer_.begin() + buffer_.capacity();
  }
  // Needs kMaxVarintBytes of room.
  void put_varint(std::uint64_t v) noexcept {
    while (v >= 0x80) {
      *p_++ = static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    *p_++ = static_cast<char>(v);
  }

  StringInterner* keys_;
  ByteBuffer& buffer_;
  char* p_ = nullptr;
  char* end_ = nullptr;
};

class Reader {
 public:
  Reader(std::string_view in, const StringInterner* keys) : in_(in), keys_(keys) {}
  bool ok() const noexcept { return ok_; }
  bool at_end() const noexcept { return pos_ >= in_.size(); }

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return fail();
      const auto b = static_cast<std::uint8_t>(in_[pos_++]);
      v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return fail();
  }
  std::int64_t svarint() {
    const std::uint64_t u = varint();
    return static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  std::uint8_t byte() {
    if (pos_ >= in_.size()) return static_cast<std::uint8_t>(fail());
    return static_cast<std::uint8_t>(in_[pos_++]);
  }
  std::string_view string_view() {
    const std::uint64_t n = varint();
    if (!ok_ || n > in_.size() - pos_) {
      fail();
      return {};
    }
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  void raw(void* out, std::size_t n) {
    if (n > in_.size() - pos_) {
      fail();
      std::memset(out, 0, n);
      return;
    }
    std::memcpy(out, in_.data() + pos_, n);
    pos_ += n;
  }
  double float64() {
    double d = 0;
    raw(&d, sizeof d);
    return d;
  }
  // Reads a key; returns it as a view (interned or inline).
  std::string_view key() {
    if (!keys_) return string_view();
    const std::uint64_t id = varint();
    if (!ok_ || id >= keys_->size()) {
      fail();
      return {};
    }
    return keys_->get(static_cast<std::uint32_t>(id));
  }
  // Bounded element count: every element takes at least one byte.
  std::uint64_t count() {
    const std::uint64_t n = varint();
    if (n > in_.size() - pos_) return fail();
    return n;
  }
  AttributeValue value() {
    const std::uint8_t type = byte();
    switch (type) {
      case kString: return std::string(string_view());
      case kBool: return byte() != 0;
      case kInt: return svarint();
      case kDouble: return float64();
      case kStringArray: {
        std::vector<std::string> a(count());
        for (auto& s : a) s = std::string(string_view());
        return a;
      }
      case kBoolArray: {
        std::vector<bool> a(count());
        for (std::size_t i = 0; i < a.size(); ++i) a[i] = byte() != 0;
        return a;
      }
      case kIntArray: {
        std::vector<std::int64_t> a(count());
        for (auto& i : a) i = svarint();
        return a;
      }
      case kDoubleArray: {
        std::vector<double> a(count());
        for (auto& d : a) d = float64();
        return a;
      }
      default: fail(); return std::string();
    }
  }
  // Skips a value without allocating.
  void skip_value() {
    const std::uint8_t type = byte();
    switch (type) {
      case kString: string_view(); break;
      case kBool: byte(); break;
      case kInt: varint(); break;
      case kDouble: float64(); break;
      case kStringArray: for (auto n = count(); n > 0 && ok_; --n) string_view(); break;
      case kBoolArray: for (auto n = count(); n > 0 && ok_; --n) byte(); break;
      case kIntArray: for (auto n = count(); n > 0 && ok_; --n) varint(); break;
      case kDoubleArray: for (auto n = count(); n > 0 && ok_; --n) float64(); break;
      default: fail();
    }
  }
  Attributes attributes() {
    Attributes attrs(count());
    for (auto& kv : attrs) {
      kv.key = std::string(key());
      kv.value = value();
      if (!ok_) break;
    }
    return attrs;
  }
  // Scans an attribute list for key==value (as tag strings). Consumes the list.
  bool attributes_have(std::string_view want_key, std::string_view want_value) {
    bool found = false;
    for (auto n = count(); n > 0 && ok_; --n) {
      const std::string_view k = key();
      if (!found && k == want_key) {
        found = tag_string(value()) == want_value;
      } else {
        skip_value();
      }
    }
    return found && ok_;
  }

 private:
  std::uint64_t fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }
  std::string_view in_;
  const StringInterner* keys_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

template <typename T>
void append_number(std::string& out, T v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec == std::errc()) out.append(buf, end);
}

}  // namespace

std::string tag_string(const AttributeValue& value) {
  std::string out;
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          out = v;
        } else if constexpr (std::is_same_v<T, bool>) {
          out = v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
          append_number(out, v);
        } else {
          out = go_json_array(v);
        }
      },
      value);
  return out;
}

namespace {
// tracestate rendered as "k1=v1,k2=v2" (done here rather than via TraceState::serialize so the
// store depends only on the telemetry headers).
std::string join_state(const std::shared_ptr<const telemetry::TraceState>& state) {
  std::string out;
  if (!state) return out;
  for (const auto& [k, v] : state->entries()) {
    if (!out.empty()) out.push_back(',');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}
}  // namespace

std::string encode_span_details(const telemetry::SpanData& span, StringInterner* keys,
                                const std::span<const telemetry::AttributeRef>* attributes) {
  // Written into this thread's buffer, which keeps its capacity, then copied once at its exact
  // size: no regrowth while writing and nothing to shrink afterwards (stores keep many blobs).
  thread_local ByteBuffer buffer;
  Writer w(keys, buffer);
  if (attributes != nullptr) {
    w.attributes(*attributes);
  } else {
    w.attributes(span.attributes);
  }
  w.varint(span.context.flags());
  w.string(join_state(span.context.trace_state_ptr()));
  w.varint(span.context.remote() ? 1 : 0);
  w.varint(span.parent_is_remote ? 1 : 0);
  w.string(span.status_message);
  w.varint(span.dropped_attributes_count);
  w.varint(span.dropped_events_count);
  w.varint(span.dropped_links_count);
  w.varint(span.events.size());
  for (const auto& e : span.events) {
    w.string(e.name);
    w.svarint(static_cast<std::int64_t>(e.time_unix_nano - span.start_time_unix_nano));
    w.attributes(e.attributes);
    w.varint(e.dropped_attributes_count);
  }
  w.varint(span.links.size());
  for (const auto& l : span.links) {
    w.bytes(l.context.trace_id().bytes.data(), 16);
    w.bytes(l.context.span_id().bytes.data(), 8);
    // W3C trace flags in the low byte; 0x300 marks a remote link context (OTLP's SpanFlags
    // bits). Blobs written before the bits existed decode as not remote.
    w.varint(l.context.flags() | (l.context.remote() ? kLinkIsRemote : 0u));
    w.string(join_state(l.context.trace_state_ptr()));
    w.attributes(l.attributes);
    w.varint(l.dropped_attributes_count);
  }
  return std::string(w.written());
}

namespace {
std::shared_ptr<const telemetry::TraceState> parse_state(std::string_view text) {
  if (text.empty()) return nullptr;
  std::vector<telemetry::TraceState::Entry> entries;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view member = text.substr(0, comma);
    const std::size_t eq = member.find('=');
    if (eq != std::string_view::npos) {
      entries.emplace_back(std::string(member.substr(0, eq)), std::string(member.substr(eq + 1)));
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return std::make_shared<const telemetry::TraceState>(std::move(entries));
}
}  // namespace

bool decode_span_details(std::string_view blob, const StringInterner* keys,
                         telemetry::SpanData& span) {
  Reader r(blob, keys);
  span.attributes = r.attributes();
  const auto flags = static_cast<std::uint8_t>(r.varint());
  const std::string_view state = r.string_view();
  const bool remote = r.varint() != 0;
  span.context = telemetry::SpanContext(span.context.trace_id(), span.context.span_id(), flags,
                                        remote, parse_state(state));
  span.parent_is_remote = r.varint() != 0;
  span.status_message = std::string(r.string_view());
  span.dropped_attributes_count = static_cast<std::uint32_t>(r.varint());
  span.dropped_events_count = static_cast<std::uint32_t>(r.varint());
  span.dropped_links_count = static_cast<std::uint32_t>(r.varint());
  span.events.resize(r.count());
  for (auto& e : span.events) {
    e.name = std::string(r.string_view());
    e.time_unix_nano = span.start_time_unix_nano + static_cast<std::uint64_t>(r.svarint());
    e.attributes = r.attributes();
    e.dropped_attributes_count = static_cast<std::uint32_t>(r.varint());
    if (!r.ok()) break;
  }
  span.links.resize(r.count());
  for (auto& l : span.links) {
    telemetry::TraceId trace;
    telemetry::SpanId id;
    r.raw(trace.bytes.data(), 16);
    r.raw(id.bytes.data(), 8);
    const std::uint64_t link_flags = r.varint();
    const std::string_view link_state = r.string_view();
    l.context = telemetry::SpanContext(trace, id, static_cast<std::uint8_t>(link_flags & 0xFF),
                                       (link_flags & kLinkIsRemote) == kLinkIsRemote,
                                       parse_state(link_state));
    l.attributes = r.attributes();
    l.dropped_attributes_count = static_cast<std::uint32_t>(r.varint());
    if (!r.ok()) break;
  }
  return r.ok() && r.at_end();
}

bool details_have_tag(std::string_view blob, const StringInterner* keys, std::string_view key,
                      std::string_view value) {
  Reader r(blob, keys);
  if (r.attributes_have(key, value)) return true;
  r.varint();
  r.string_view();
  r.varint();
  r.varint();
  r.string_view();
  r.varint();
  r.varint();
  r.varint();
  for (auto n = r.count(); n > 0 && r.ok(); --n) {
    r.string_view();
    r.svarint();
    if (r.attributes_have(key, value)) return true;
    r.varint();
  }
  return false;
}

}  // namespace tdemo::tracestore
