#include "loadgen/http_wire.h"

#include <algorithm>
#include <charconv>

namespace tdemo::loadgen {
namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] + 32) : a[i];
    const char y = (b[i] >= 'A' && b[i] <= 'Z') ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

bool icontains(std::string_view haystack, std::string_view needle) noexcept {
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (iequals(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

RequestBytes RequestBytes::build(std::string_view method, std::string_view target,
                                 std::string_view host, std::string_view body,
                                 bool traceparent_slot,
                                 const std::vector<std::pair<std::string, std::string>>& headers) {
  RequestBytes r;
  std::string& b = r.bytes_;
  b.reserve(160 + target.size() + body.size());
  b.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: ").append(host);
  b.append("\r\nUser-Agent: tracing-demo-loadgen/" TD_VERSION "\r\nAccept: */*\r\n");
  if (traceparent_slot) {
    b.append("traceparent: ");
    r.slot_ = b.size();
    b.append("00-00000000000000000000000000000000-0000000000000000-00\r\n");
  }
  for (const auto& [name, value] : headers) b.append(name).append(": ").append(value).append("\r\n");
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    b.append("Content-Type: application/json\r\nContent-Length: ");
    b.append(std::to_string(body.size())).append("\r\n");
  }
  b.append("\r\n").append(body);
  return r;
}

void ResponseParser::reset(bool head_request) noexcept {
  state_ = State::kHeaders;
  head_request_ = head_request;
  status_code_ = 0;
  keep_alive_ = true;
  remaining_ = 0;
  body_size_ = 0;
  body_.clear();
  traceresponse_.clear();
  content_type_.clear();
  error_ = nullptr;
}

ResponseParser::Progress ResponseParser::fail(const char* why) noexcept {
  error_ = why;
  keep_alive_ = false;
  return {Status::kError, 0};
}

std::string_view ResponseParser::header(std::string_view name) const noexcept {
  if (iequals(name, "traceresponse")) return traceresponse_;
  if (iequals(name, "content-type")) return content_type_;
  return {};
}

void ResponseParser::append_body(std::string_view part) {
  body_size_ += part.size();
  if (keep_body_) body_.append(part);
}

ResponseParser::Progress ResponseParser::parse_head(std::string_view head) {
  // Status line: HTTP/1.x SP 3DIGIT SP reason
  const auto line_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, line_end);
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.") || status_line[8] != ' ') {
    return fail("malformed status line");
  }
  const bool http10 = status_line[7] == '0';
  keep_alive_ = !http10;
  int code = 0;
  const auto [end, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, code);
  if (ec != std::errc{} || end != status_line.data() + 12 || code < 100 || code > 599) {
    return fail("malformed status code");
  }
  status_code_ = code;
  bool chunked = false;
  bool has_length = false;
  std::uint64_t length = 0;
  std::string_view rest = head.substr(line_end + 2);
  while (!rest.empty()) {
    const auto eol = rest.find("\r\n");
    const std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 2);
    if (line.empty()) break;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail("malformed header line");
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      const auto [p, e] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (e != std::errc{} || p != value.data() + value.size()) return fail("bad Content-Length");
      has_length = true;
    } else if (iequals(name, "transfer-encoding")) {
      chunked = icontains(value, "chunked");
    } else if (iequals(name, "connection")) {
      if (icontains(value, "close")) keep_alive_ = false;
      if (icontains(value, "keep-alive")) keep_alive_ = true;
    } else if (iequals(name, "traceresponse")) {
      traceresponse_.assign(value);
    } else if (keep_body_ && iequals(name, "content-type")) {
      content_type_.assign(value);
    }
  }
  if (head_request_ || code < 200 || code == 204 || code == 304) {
    state_ = State::kDone;
  } else if (chunked) {
    state_ = State::kChunkSize;
  } else if (has_length) {
    if (length > limits_.max_body_bytes) return fail("body larger than the limit");
    remaining_ = length;
    state_ = length == 0 ? State::kDone : State::kBody;
  } else {
    keep_alive_ = false;
    state_ = State::kBodyUntilClose;
  }
  return {Status::kNeedMore, head.size()};
}

ResponseParser::Progress ResponseParser::feed(std::string_view data) {
  std::size_t used = 0;
  while (true) {
    const std::string_view in = data.substr(used);
    switch (state_) {
      case State::kHeaders: {
        const auto end = in.find("\r\n\r\n");
        if (end == std::string_view::npos) {
          if (in.size() > limits_.max_header_bytes) return fail("header larger than the limit");
          return {Status::kNeedMore, used};
        }
        if (end + 4 > limits_.max_header_bytes) return fail("header larger than the limit");
        const auto head = parse_head(in.substr(0, end + 4));
        if (head.status == Status::kError) return head;
        // Interim 1xx responses are skipped; the final one follows.
        if (status_code_ < 200) state_ = State::kHeaders;
        used += head.consumed;
        break;
      }
      case State::kBody: {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size()));
        append_body(in.substr(0, n));
        used += n;
        remaining_ -= n;
        if (remaining_ != 0) return {Status::kNeedMore, used};
        state_ = State::kDone;
        break;
      }
      case State::kBodyUntilClose: {
        if (body_size_ + in.size() > limits_.max_body_bytes) return fail("body larger than the limit");
        append_body(in);
        return {Status::kNeedMore, used + in.size()};
      }
      case State::kChunkSize: {
        const auto eol = in.find("\r\n");
        if (eol == std::string_view::npos) {
          if (in.size() > 1024) return fail("chunk size line too long");
          return {Status::kNeedMore, used};
        }
        std::string_view size_text = in.substr(0, eol);
        size_text = trim(size_text.substr(0, size_text.find(';')));
        std::uint64_t size = 0;
        const auto [p, e] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
        if (e != std::errc{} || p != size_text.data() + size_text.size()) return fail("bad chunk size");
        if (body_size_ + size > limits_.max_body_bytes) return fail("body larger than the limit");
        used += eol + 2;
        remaining_ = size;
        state_ = size == 0 ? State::kTrailers : State::kChunkData;
        break;
      }
      case State::kChunkData: {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size()));
        append_body(in.substr(0, n));
        used += n;
        remaining_ -= n;
        if (remaining_ != 0) return {Status::kNeedMore, used};
        state_ = State::kChunkEnd;
        break;
      }
      case State::kChunkEnd: {
        if (in.size() < 2) return {Status::kNeedMore, used};
        if (in[0] != '\r' || in[1] != '\n') return fail("missing CRLF after chunk");
        used += 2;
        state_ = State::kChunkSize;
        break;
      }
      case State::kTrailers: {
        const auto eol = in.find("\r\n");
        if (eol == std::string_view::npos) {
          if (in.size() > limits_.max_header_bytes) return fail("trailers larger than the limit");
          return {Status::kNeedMore, used};
        }
        used += eol + 2;
        if (eol == 0) state_ = State::kDone;
        break;
      }
      case State::kDone:
        return {Status::kDone, used};
    }
  }
}

bool ResponseParser::finish_at_eof() noexcept {
  if (state_ == State::kBodyUntilClose) {
    state_ = State::kDone;
    return true;
  }
  return state_ == State::kDone;
}

}  // namespace tdemo::loadgen
