#include "telemetry/log.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <thread>
#include <utility>

#include "telemetry/decimal.h"
#include "telemetry/propagation/text_util.h"
#include "telemetry/span_data.h"
#include "telemetry/thread_name.h"
#include "telemetry/utf8.h"
#include "telemetry/word_bytes.h"

namespace tdemo::telemetry {
namespace {

inline bool is_plain_json_text(std::string_view text) noexcept;
template <class Out>
void escape_json_into(Out& out, std::string_view text);
template <class Out>
void escape_json_runs(Out& out, std::string_view text);

// `"text"`, escaped. Plain text (the usual case) is checked once and, into a line, written
// with one room check for the whole string.
template <class Out>
void append_quoted(Out& out, std::string_view text) {
  if (!is_plain_json_text(text)) {
    out.push_back('"');
    escape_json_runs(out, text);
    out.push_back('"');
  } else if constexpr (std::is_same_v<Out, detail::LineBuffer>) {
    char* p = out.room(text.size() + 2);
    p[0] = '"';
    detail::LineBuffer::copy_short(p + 1, text.data(), text.size());
    p[text.size() + 1] = '"';
    out.commit(text.size() + 2);
  } else {
    out.push_back('"');
    out.append(text.data(), text.size());
    out.push_back('"');
  }
}

template <class Out>
void append_literal(Out& out, std::string_view text) {
  out.append(text.data(), text.size());
}

template <class Out, typename T>
void append_json_scalar(Out& out, const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    append_quoted(out, value);
  } else if constexpr (std::is_same_v<T, bool>) {
    append_literal(out, value ? "true" : "false");
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    append_decimal(out, value);
  } else {
    if (!std::isfinite(value)) {
      append_literal(out, std::isnan(value) ? "\"NaN\"" : (value > 0 ? "\"Infinity\"" : "\"-Infinity\""));
      return;
    }
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
    out.append(buffer, static_cast<std::size_t>((ec == std::errc{} ? end : buffer) - buffer));
  }
}

template <class Out>
void append_json_value(Out& out, const AttributeValue& value) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool> ||
                      std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
          append_json_scalar(out, v);
        } else {
          out.push_back('[');
          bool first = true;
          for (const auto& item : v) {
            if (!first) out.push_back(',');
            first = false;
            append_json_scalar(out, static_cast<typename T::value_type>(item));
          }
          out.push_back(']');
        }
      },
      value);
}

// `,"key":` (the value follows).
template <class Out>
void append_key(Out& out, std::string_view key) {
  append_literal(out, ",\"");
  escape_json_into(out, key);
  append_literal(out, "\":");
}

template <class Out>
void append_field(Out& out, std::string_view key, std::string_view value) {
  append_key(out, key);
  append_quoted(out, value);
}

}  // namespace

const char* to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::optional<LogLevel> parse_log_level(std::string_view text) noexcept {
  text = text::trim_ows(text);
  if (text::iequals(text, "debug")) return LogLevel::kDebug;
  if (text::iequals(text, "info")) return LogLevel::kInfo;
  if (text::iequals(text, "warning") || text::iequals(text, "warn")) return LogLevel::kWarning;
  if (text::iequals(text, "error")) return LogLevel::kError;
  return std::nullopt;
}

LogLevel log_level_from_environment() {
  if (const char* level = std::getenv("LOG_LEVEL")) {
    if (auto parsed = parse_log_level(level)) return *parsed;
  }
  if (const char* debug = std::getenv("DEBUG")) {
    const std::string_view value(debug);
    if (text::iequals(value, "true") || value == "1") return LogLevel::kDebug;
  }
  return LogLevel::kInfo;
}

namespace {

// The process's stderr, written in batches when lines come fast. Each line is written whole and
// in order. A line that arrives when nothing is pending and the last write is more than
// kQuiet old goes out at once (a quiet process logs exactly as before); lines that follow it
// closely are collected and written together by a flusher thread within kQuiet, or at once
// when kFlushBytes are pending (Logger flushes after a warning or an error). At exit the pending
// lines are written (atexit), and later lines go straight out. Thread-safe; never freed (lines may
// come from static destructors).
class StderrWriter {
 public:
  static constexpr auto kQuiet = std::chrono::milliseconds(10);
  static constexpr std::size_t kFlushBytes = 64 << 10;

  static StderrWriter& instance() {
    static StderrWriter* writer = [] {
      auto* w = new StderrWriter();
      std::atexit([] { instance().at_exit(); });
      return w;
    }();
    return *writer;
  }

  void append(std::string_view line) {
    bool write_now = false;
    {
      std::lock_guard lock(mutex_);
      const auto now = std::chrono::steady_clock::now();
      const bool was_empty = pending_.empty();
      pending_.append(line);
      pending_ += '\n';
      write_now = exiting_ || pending_.size() >= kFlushBytes ||
                  (pending_.size() == line.size() + 1 && now - last_write_ >= kQuiet);
      if (!write_now && !flusher_started_) {
        flusher_started_ = true;
        std::thread([this] {
          set_current_thread_name("log-flush");
          flush_loop();
        }).detach();
      }
      if (!write_now && was_empty) flusher_wake_.notify_one();  // once per batch
    }
    if (write_now) flush();
  }

  void flush() {
    std::lock_guard write_lock(write_mutex_);  // keeps batches in order
    std::string batch;
    {
      std::lock_guard lock(mutex_);
      batch.swap(pending_);
      last_write_ = std::chrono::steady_clock::now();
    }
    write_all(batch);
    if (batch.capacity() <= 2 * kFlushBytes) {
      batch.clear();
      std::lock_guard lock(mutex_);
      if (pending_.empty()) pending_.swap(batch);  // reuse the buffer
    }
  }

 private:
  static void write_all(std::string_view bytes) {
    std::size_t written = 0;
    while (written < bytes.size()) {
      const ssize_t n = ::write(STDERR_FILENO, bytes.data() + written, bytes.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // nowhere to report a failing stderr
      written += static_cast<std::size_t>(n);
    }
  }

  void flush_loop() {
    std::unique_lock lock(mutex_);
    while (true) {
      flusher_wake_.wait(lock, [this] { return !pending_.empty(); });
      // Let the lines of the next kQuiet gather, then write them together.
      lock.unlock();
      std::this_thread::sleep_for(kQuiet);
      flush();
      lock.lock();
    }
  }

  void at_exit() {
    {
      std::lock_guard lock(mutex_);
      exiting_ = true;
    }
    flush();
  }

  std::mutex write_mutex_;
  std::mutex mutex_;
  std::condition_variable flusher_wake_;
  std::string pending_;                                 // guarded by mutex_
  std::chrono::steady_clock::time_point last_write_{};  // guarded by mutex_
  bool flusher_started_ = false;                        // guarded by mutex_
  bool exiting_ = false;                                // guarded by mutex_
};

}  // namespace

LogSink stderr_sink() {
  return [](std::string_view line) { StderrWriter::instance().append(line); };
}

void flush_stderr_log() { StderrWriter::instance().flush(); }

namespace {

// Whether `text` goes into a JSON string as it is (most text does): checked eight bytes at a
// time, the last word overlapping the one before when the length is not a multiple of eight.
[[gnu::always_inline]] inline bool is_plain_json_text(std::string_view text) noexcept {
  const std::size_t n = text.size();
  const char* p = text.data();
  if (n >= 8) {
    std::size_t checked = 0;
    while (checked + 8 <= n) {
      if (word_needs_json_escape(load_word(p + checked))) return false;
      checked += 8;
    }
    return checked == n || !word_needs_json_escape(load_word(p + n - 8));
  }
  // Shorter than a word (a method, a level, a short message): in one word, the bytes of two
  // overlapping halves, or of the text among spaces (which need no escape). No memcpy call.
  if (n >= 4) {
    std::uint32_t head, tail;
    std::memcpy(&head, p, 4);
    std::memcpy(&tail, p + n - 4, 4);
    return !word_needs_json_escape(head | (std::uint64_t{tail} << 32));
  }
  if (n == 0) return true;
  // One to three bytes: the first, the middle and the last cover them.
  const auto byte = [p](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])}; };
  return !word_needs_json_escape(0x2020202020000000ull | byte(0) | (byte(n / 2) << 8) | (byte(n - 1) << 16));
}

template <class Out>
void escape_json_into(Out& out, std::string_view text) {
  if (is_plain_json_text(text)) {
    append_literal(out, text);  // in one go
    return;
  }
  escape_json_runs(out, text);
}

// Text that needs escaping somewhere: plain runs appended whole, the rest byte by byte.
template <class Out>
void escape_json_runs(Out& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < text.size();) {
    // A run of printable ASCII that needs no escape goes in with one append; eight bytes are
    // checked at a time.
    std::size_t plain = i;
    while (plain + 8 <= text.size() && !word_needs_json_escape(load_word(text.data() + plain))) plain += 8;
    while (plain < text.size()) {
      const auto b = static_cast<unsigned char>(text[plain]);
      if (b < 0x20 || b >= 0x7f || b == '"' || b == '\\') break;
      ++plain;
    }
    if (plain > i) {
      out.append(text.data() + i, plain - i);
      i = plain;
      continue;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t length = utf8_sequence_length(text, i);
      if (length == 0) {
        append_literal(out, "\\ufffd");
        ++i;
      } else {
        append_literal(out, text.substr(i, length));
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"':
        append_literal(out, "\\\"");
        break;
      case '\\':
        append_literal(out, "\\\\");
        break;
      case '\n':
        append_literal(out, "\\n");
        break;
      case '\r':
        append_literal(out, "\\r");
        break;
      case '\t':
        append_literal(out, "\\t");
        break;
      case '\b':
        append_literal(out, "\\b");
        break;
      case '\f':
        append_literal(out, "\\f");
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          append_literal(out, "\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0x0f]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
}

}  // namespace

void append_json_escaped(std::string& out, std::string_view text) { escape_json_into(out, text); }

namespace {

template <class Out>
void append_rfc3339_millis(Out& out, std::uint64_t unix_nano) {
  // The "YYYY-MM-DDTHH:MM:SS" of the last second formatted on this thread: a busy service logs
  // many lines per second, and gmtime_r + snprintf cost more than the rest of a line.
  thread_local std::uint64_t cached_second = ~std::uint64_t{0};
  // 19 bytes used; 48 so that a copy of it is never thought to read past its end (-Warray-bounds
  // on LineBuffer::copy_short's memcpy branch for more than 32 bytes, which this never takes).
  thread_local char cached[48];
  thread_local std::size_t cached_length = 0;
  const std::uint64_t second = unix_nano / 1'000'000'000ULL;
  if (second != cached_second) {
    const auto seconds = static_cast<std::time_t>(second);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[96];  // generous: the compiler sizes every int field at its maximum
    const int n =
        std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02d", utc.tm_year + 1900,
                      utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
    cached_length = n > 0 ? std::min<std::size_t>(static_cast<std::size_t>(n), sizeof(cached)) : 0;
    std::memcpy(cached, buffer, cached_length);
    cached_second = second;
  }
  const auto millis = static_cast<unsigned>((unix_nano / 1'000'000ULL) % 1000);
  const char tail[5] = {'.', static_cast<char>('0' + millis / 100),
                        static_cast<char>('0' + millis / 10 % 10),
                        static_cast<char>('0' + millis % 10), 'Z'};
  out.append(cached, cached_length);
  out.append(tail, sizeof(tail));
}

}  // namespace

std::string format_rfc3339_millis(std::uint64_t unix_nano) {
  std::string out;
  append_rfc3339_millis(out, unix_nano);
  return out;
}

Logger::Logger(std::string service, std::optional<LogLevel> level, LogSink sink)
    : level_(level.value_or(log_level_from_environment())),
      sink_(sink ? std::move(sink) : stderr_sink()) {
  append_field(service_field_, "service", service);
}

void Logger::log(LogLevel level, std::string_view message, const Attributes& fields,
                 const SpanContext& span) const {
  if (!enabled(level)) return;
  LogLine built = line(level, message, span);
  for (const auto& field : fields) built.escaped_key_field(field.key, field.value);
  built.write();
}

namespace detail {
namespace {

// The storage of the lines of this thread, between them. Trivially destructible flag beside it:
// lines written after the thread's objects are destroyed (from other thread_local or static
// destructors) make storage of their own.
constexpr std::size_t kLineStartBytes = 512;
constexpr std::size_t kMaxKeptLineBytes = 16 << 10;  // a longer line's storage is freed
struct SpareLine {
  ~SpareLine();
  std::unique_ptr<char[]> data;
  std::size_t capacity = 0;
};
thread_local bool spare_line_gone = false;
thread_local SpareLine spare_line;
SpareLine::~SpareLine() { spare_line_gone = true; }

}  // namespace

void LineBuffer::start() {
  size_ = 0;
  if (data_) return;
  if (!spare_line_gone && spare_line.data) {
    data_ = std::move(spare_line.data);
    capacity_ = std::exchange(spare_line.capacity, 0);
    return;
  }
  data_ = std::make_unique_for_overwrite<char[]>(kLineStartBytes);
  capacity_ = kLineStartBytes;
}

LineBuffer::~LineBuffer() {
  if (!data_ || spare_line_gone || capacity_ > kMaxKeptLineBytes) return;
  // Keeps the larger when a line built inside another already gave its storage back.
  if (spare_line.capacity < capacity_) {
    spare_line.data = std::move(data_);
    spare_line.capacity = capacity_;
  }
}

void LineBuffer::grow(std::size_t n) {
  const std::size_t capacity = std::max({capacity_ * 2, size_ + n, kLineStartBytes});
  auto data = std::make_unique_for_overwrite<char[]>(capacity);
  if (size_ != 0) std::memcpy(data.get(), data_.get(), size_);
  data_ = std::move(data);
  capacity_ = capacity;
}

}  // namespace detail

LogLine::LogLine(const Logger* logger, LogLevel level, std::string_view message,
                 const SpanContext& span)
    : logger_(logger), level_(level) {
  if (logger_ == nullptr) return;
  text_.start();
  append_literal(text_, "{\"timestamp\":\"");
  append_rfc3339_millis(text_, now_unix_nano());
  append_literal(text_, "\",\"level\":\"");
  append_literal(text_, to_string(level));  // one of four plain words
  text_.push_back('"');
  append_literal(text_, logger_->service_field_);
  append_literal(text_, ",\"message\":");
  append_quoted(text_, message);
  if (span.valid()) {
    // Hex digits need no escaping: written in place.
    static constexpr char kIds[] = ",\"trace_id\":\"................................\",\"span_id\":\"................\"";
    char* ids = text_.room(sizeof(kIds) - 1);
    std::memcpy(ids, kIds, sizeof(kIds) - 1);
    span.trace_id().write_hex(ids + 13);
    span.span_id().write_hex(ids + 13 + 32 + 13);
    text_.commit(sizeof(kIds) - 1);
  }
}

bool LogLine::open_field(LogKey key) {
  if (logger_ == nullptr) return false;
  const std::string_view name = key.text();  // needs no escaping (checked when compiled)
  char* p = text_.room(name.size() + 4);
  p[0] = ',';
  p[1] = '"';
  detail::LineBuffer::copy_short(p + 2, name.data(), name.size());
  p[name.size() + 2] = '"';
  p[name.size() + 3] = ':';
  text_.commit(name.size() + 4);
  return true;
}

void LogLine::escaped_key_field(std::string_view key, const AttributeValue& value) {
  if (logger_ == nullptr) return;
  append_key(text_, key);
  append_json_value(text_, value);
}

LogLine& LogLine::field(LogKey key, std::string_view value) {
  if (open_field(key)) append_quoted(text_, value);
  return *this;
}

LogLine& LogLine::field(LogKey key, bool value) {
  if (open_field(key)) append_json_scalar(text_, value);
  return *this;
}

LogLine& LogLine::field(LogKey key, double value) {
  if (open_field(key)) append_json_scalar(text_, value);
  return *this;
}

LogLine& LogLine::field_3_decimals(LogKey key, double value) {
  if (!open_field(key)) return *this;
  if (!std::isfinite(value) || std::fabs(value) >= 1e12) {
    append_json_scalar(text_, value);
    return *this;
  }
  const long long thousandths = std::llround(value * 1000.0);
  if (thousandths < 0) text_.push_back('-');
  const auto magnitude = static_cast<unsigned long long>(thousandths < 0 ? -thousandths : thousandths);
  append_decimal(text_, static_cast<std::uint64_t>(magnitude / 1000));
  const auto fraction = static_cast<unsigned>(magnitude % 1000);
  const char decimals[4] = {'.', static_cast<char>('0' + fraction / 100),
                            static_cast<char>('0' + fraction / 10 % 10), static_cast<char>('0' + fraction % 10)};
  text_.append(decimals, sizeof decimals);
  return *this;
}

LogLine& LogLine::field_int(LogKey key, std::int64_t value) {
  if (open_field(key)) append_json_scalar(text_, value);
  return *this;
}

LogLine& LogLine::field(LogKey key, const AttributeValue& value) {
  if (open_field(key)) append_json_value(text_, value);
  return *this;
}

void LogLine::write() {
  if (logger_ == nullptr) return;
  text_.push_back('}');
  logger_->sink_(text_.view());
  if (level_ >= LogLevel::kWarning) flush_stderr_log();
  logger_ = nullptr;
}

std::optional<std::uint64_t> RateLimiter::allow() noexcept {
  const std::int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count();
  std::int64_t next = next_allowed_ns_.load(std::memory_order_relaxed);
  while (now >= next) {
    const std::int64_t interval =
        std::chrono::duration_cast<std::chrono::nanoseconds>(interval_).count();
    if (next_allowed_ns_.compare_exchange_weak(next, now + interval, std::memory_order_relaxed)) {
      return suppressed_.exchange(0, std::memory_order_relaxed);
    }
  }
  suppressed_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

}  // namespace tdemo::telemetry
