// The HTTP/1.1 wire format as the load generator needs it: requests built once into bytes (with
// an optional fixed-width slot for a per-request traceparent), and an incremental response
// parser that allocates nothing unless asked to keep the body.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tdemo::loadgen {

inline constexpr std::size_t kTraceparentLength = 55;  // "00-<32 hex>-<16 hex>-<2 hex>"

// A request serialized once. When built with a traceparent slot, the 55 bytes at
// traceparent_offset() are meant to be overwritten before each send. Value type.
class RequestBytes {
 public:
  // `host` is the Host header value ("localhost:8000"). `headers` are extra header lines.
  static RequestBytes build(std::string_view method, std::string_view target, std::string_view host,
                            std::string_view body, bool traceparent_slot,
                            const std::vector<std::pair<std::string, std::string>>& headers = {});

  std::string_view bytes() const noexcept { return bytes_; }
  bool has_traceparent_slot() const noexcept { return slot_ != std::string::npos; }
  // Precondition: has_traceparent_slot().
  char* traceparent_slot() noexcept { return bytes_.data() + slot_; }

 private:
  std::string bytes_;
  std::size_t slot_ = std::string::npos;
};

// Limits of what a response may be; beyond them the parser reports an error.
struct ResponseLimits {
  std::size_t max_header_bytes = 64 * 1024;
  std::size_t max_body_bytes = 16 * 1024 * 1024;
};

// Parses one response at a time, fed in pieces. Handles Content-Length, chunked bodies and
// responses without a body (1xx, 204, 304, replies to HEAD). A body without length is read
// until the connection closes (finish_at_eof()). Thread-compatible; reuse with reset().
class ResponseParser {
 public:
  enum class Status { kNeedMore, kDone, kError };
  struct Progress {
    Status status;
    std::size_t consumed;  // bytes of the input used; the caller drops them before feeding again
  };

  explicit ResponseParser(ResponseLimits limits = {}, bool keep_body = false)
      : limits_(limits), keep_body_(keep_body) {}

  void reset(bool head_request = false) noexcept;
  // Feed what is buffered (including earlier unconsumed bytes). After kDone, call reset()
  // before the next response.
  Progress feed(std::string_view data);
  // The peer closed: completes a body delimited by the end of the connection.
  bool finish_at_eof() noexcept;

  int status_code() const noexcept { return status_code_; }
  bool keep_alive() const noexcept { return keep_alive_; }
  const std::string& body() const noexcept { return body_; }
  // The value of a header of this response (case-insensitive name). Only `traceresponse`, and
  // `content-type` when keeping the body, are remembered; empty for any other name.
  std::string_view header(std::string_view name) const noexcept;
  const char* error() const noexcept { return error_; }

 private:
  enum class State { kHeaders, kBody, kBodyUntilClose, kChunkSize, kChunkData, kChunkEnd, kTrailers, kDone };
  Progress fail(const char* why) noexcept;
  Progress parse_head(std::string_view head);
  void append_body(std::string_view part);

  ResponseLimits limits_;
  bool keep_body_;
  State state_ = State::kHeaders;
  bool head_request_ = false;
  int status_code_ = 0;
  bool keep_alive_ = true;
  std::uint64_t remaining_ = 0;
  std::size_t body_size_ = 0;
  std::string body_;
  std::string traceresponse_;
  std::string content_type_;
  const char* error_ = nullptr;
};

}  // namespace tdemo::loadgen
