// A small structured logger: one JSON object per line on stderr, with the trace context.
//
//   Logger log("orders");                         // level from LOG_LEVEL / DEBUG
//   log.info("order created", {{"order.id", attribute(42)}}, span.context());
//   -> {"timestamp":"2026-11-25T03:04:33.123Z","level":"info","service":"orders",
//       "message":"order created","trace_id":"...","span_id":"...","order.id":42}
#pragma once

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "telemetry/attributes.h"
#include "telemetry/span_context.h"

namespace tdemo::telemetry {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

const char* to_string(LogLevel level) noexcept;  // "debug", "info", "warning", "error"
// debug / info / warning (or warn) / error, case-insensitive; nullopt otherwise.
std::optional<LogLevel> parse_log_level(std::string_view text) noexcept;
// LOG_LEVEL when valid, else debug when DEBUG=true (or 1), else info.
LogLevel log_level_from_environment();

// Receives each finished line (without the newline). Must be thread-safe.
using LogSink = std::function<void(std::string_view line)>;
// Writes line + '\n' to stderr; lines never interleave and keep their order. A line after a
// quiet spell (10 ms) is written at once; lines that come faster are batched into one write(2)
// within 10 ms (a busy server's access log costs one syscall per batch, not per line). Pending
// lines are written by flush_stderr_log(), by every warning or error, and at exit.
LogSink stderr_sink();
// Writes the lines stderr_sink() holds now. Thread-safe.
void flush_stderr_log();

class Logger;

// A LogLine field's name, checked when the program is compiled: a string literal of characters
// that a JSON string holds as they are (printable ASCII but '"' and '\\'), so no line escapes
// its keys at run time. Keys known only at run time go through Logger::log, which escapes them.
class LogKey {
 public:
  template <std::size_t N>
  consteval LogKey(const char (&key)[N]) : text_(key, N - 1) {  // NOLINT: implicit by design
    for (const char c : text_) {
      const auto byte = static_cast<unsigned char>(c);
      // Not a constant expression, so a key that would need escaping does not compile.
      if (byte < 0x20 || byte >= 0x7f || c == '"' || c == '\\') throw "a log key must not need JSON escaping";
    }
  }
  constexpr std::string_view text() const noexcept { return text_; }

 private:
  std::string_view text_;
};

namespace detail {
// A log line's text as it is built: pieces written through a pointer with one room check each
// (std::string's appends check and terminate per piece, and a push_back was a call). The
// storage is the calling thread's, taken by start() and given back at destruction, so a line
// allocates nothing once its thread has written one of its length; a line built while another
// is being built on the same thread gets storage of its own. Before start() it holds nothing
// (a line below the logger's level costs no more than it did).
class LineBuffer {
 public:
  LineBuffer() = default;
  ~LineBuffer();
  LineBuffer(const LineBuffer&) = delete;
  LineBuffer& operator=(const LineBuffer&) = delete;

  // Room for `n` more bytes at the end; write them, then commit(n).
  char* room(std::size_t n) {
    if (capacity_ - size_ < n) grow(n);
    return data_.get() + size_;
  }
  void commit(std::size_t n) noexcept { size_ += n; }
  void append(const char* bytes, std::size_t n) {
    copy_short(room(n), bytes, n);
    size_ += n;
  }
  void append(std::string_view text) { append(text.data(), text.size()); }
  void push_back(char c) {
    *room(1) = c;
    ++size_;
  }
  std::string_view view() const noexcept { return {data_.get(), size_}; }
  // Takes the thread's storage (or makes some), empty.
  void start();

  // Copies n bytes; those of a key or a short value without a call (most pieces of a line
  // are under 32 bytes, where memcpy's call and dispatch cost more than the copy): two loads
  // and two stores of the widest block that fits, overlapping in the middle.
  static void copy_short(char* to, const char* from, std::size_t n) noexcept {
    if (n >= 16) {
      if (n > 32) {
        std::memcpy(to, from, n);
      } else {
        copy_ends<16>(to, from, n);
      }
    } else if (n >= 8) {
      copy_ends<8>(to, from, n);
    } else if (n >= 4) {
      copy_ends<4>(to, from, n);
    } else if (n != 0) {  // the first, middle and last bytes cover 1 to 3 (a loop here became a memcpy call)
      const char first = from[0], middle = from[n / 2], last = from[n - 1];
      to[0] = first;
      to[n / 2] = middle;
      to[n - 1] = last;
    }
  }

 private:
  // The first and the last B bytes of n (B <= n <= 2B): both read before either is written.
  template <std::size_t B>
  static void copy_ends(char* to, const char* from, std::size_t n) noexcept {
    char head[B], tail[B];
    std::memcpy(head, from, B);
    std::memcpy(tail, from + n - B, B);
    std::memcpy(to, head, B);
    std::memcpy(to + n - B, tail, B);
  }
  void grow(std::size_t n);
  std::unique_ptr<char[]> data_;  // capacity_ bytes; the line is the first size_
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
};
}  // namespace detail

// One line built field by field, for hot paths (the access log) that would otherwise build an
// Attributes vector per line; Logger::log builds its lines with it too. Nothing is formatted
// when the logger's level is above the line's.
//   log.line(LogLevel::kInfo, "access", span.context()).field("url.path", path)
//       .field("http.response.status_code", 200).write();
class LogLine {
 public:
  LogLine& field(LogKey key, std::string_view value);
  LogLine& field(LogKey key, const char* value) { return field(key, std::string_view(value)); }
  LogLine& field(LogKey key, const std::string& value) { return field(key, std::string_view(value)); }
  LogLine& field(LogKey key, bool value);
  LogLine& field(LogKey key, double value);
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  LogLine& field(LogKey key, T value) {
    return field_int(key, static_cast<std::int64_t>(value));
  }
  LogLine& field(LogKey key, const AttributeValue& value);
  // A number with exactly three decimals (`12.345`, `0.250`), such as a duration in
  // milliseconds to the microsecond: cheaper than the shortest form field(double) writes.
  // Non-finite values and magnitudes from 1e12 on are written as field(double) writes them.
  LogLine& field_3_decimals(LogKey key, double value);
  // Hands the line to the logger's sink (once; later calls do nothing).
  void write();

 private:
  friend class Logger;
  LogLine(const Logger* logger, LogLevel level, std::string_view message, const SpanContext& span);
  LogLine& field_int(LogKey key, std::int64_t value);
  bool open_field(LogKey key);
  // A field whose key is known only at run time (Logger::log's attributes): the key escaped.
  void escaped_key_field(std::string_view key, const AttributeValue& value);

  const Logger* logger_;  // null: disabled, or written
  LogLevel level_;
  detail::LineBuffer text_;
};

// Thread-safe; cheap to copy. Fields with the reserved names (timestamp, level, ...) are
// written after them, so a reader that keeps the first occurrence sees the reserved ones.
class Logger {
 public:
  explicit Logger(std::string service, std::optional<LogLevel> level = std::nullopt,
                  LogSink sink = nullptr);

  bool enabled(LogLevel level) const noexcept { return level >= level_; }
  LogLevel level() const noexcept { return level_; }

  void log(LogLevel level, std::string_view message, const Attributes& fields = {},
           const SpanContext& span = {}) const;
  LogLine line(LogLevel level, std::string_view message, const SpanContext& span = {}) const {
    return LogLine(enabled(level) ? this : nullptr, level, message, span);
  }
  void debug(std::string_view message, const Attributes& fields = {},
             const SpanContext& span = {}) const {
    log(LogLevel::kDebug, message, fields, span);
  }
  void info(std::string_view message, const Attributes& fields = {},
            const SpanContext& span = {}) const {
    log(LogLevel::kInfo, message, fields, span);
  }
  void warning(std::string_view message, const Attributes& fields = {},
               const SpanContext& span = {}) const {
    log(LogLevel::kWarning, message, fields, span);
  }
  void error(std::string_view message, const Attributes& fields = {},
             const SpanContext& span = {}) const {
    log(LogLevel::kError, message, fields, span);
  }

 private:
  friend class LogLine;
  std::string service_field_;  // `,"service":"<escaped name>"`, escaped once here
  LogLevel level_;
  LogSink sink_;
};

// Lets one message through per interval and counts the rest, for repeated warnings such as
// "spans dropped". Thread-safe and lock-free.
//   static RateLimiter limiter(std::chrono::seconds(10));
//   if (auto suppressed = limiter.allow()) log.warning("spans dropped",
//       {{"suppressed", attribute(static_cast<std::int64_t>(*suppressed))}});
class RateLimiter {
 public:
  explicit RateLimiter(std::chrono::milliseconds interval) : interval_(interval) {}
  // When a message may go out now: how many were suppressed since the last one. Else nullopt.
  std::optional<std::uint64_t> allow() noexcept;

 private:
  const std::chrono::milliseconds interval_;
  std::atomic<std::int64_t> next_allowed_ns_{0};  // steady clock
  std::atomic<std::uint64_t> suppressed_{0};
};

// Appends `text` to `out` as the inside of a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD.
void append_json_escaped(std::string& out, std::string_view text);
// "2026-11-25T03:04:33.123Z" for a Unix time in nanoseconds.
std::string format_rfc3339_millis(std::uint64_t unix_nano);

}  // namespace tdemo::telemetry
