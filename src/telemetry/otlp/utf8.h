// UTF-8 repair of span batches. OTLP string fields must be valid UTF-8: protobuf parsers (ours,
// the Collector's) reject a whole request over one bad string, so encoders repair first. (The
// string functions themselves: telemetry/utf8.h.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "telemetry/span_processor.h"
#include "telemetry/utf8.h"
#include "telemetry/word_bytes.h"

namespace tdemo::telemetry::otlp {

// The OR of every byte of the strings added: all of them are ASCII (so valid UTF-8) when no
// high bit is set. Eight bytes at a time, without a branch per string on the result. (The
// protobuf encoder adds every string it writes, and checks the batch only when one is not.)
class AsciiCheck {
 public:
  void add(std::string_view s) noexcept {
    const char* p = s.data();
    const std::size_t n = s.size();
    if (n >= 8) {
      for (std::size_t i = 0; i + 8 < n; i += 8) bits_ |= load_word(p + i);
      bits_ |= load_word(p + n - 8);  // the last eight, overlapping the word before
    } else if (n >= 4) {  // two four-byte loads, overlapping
      std::uint32_t head;
      std::uint32_t tail;
      std::memcpy(&head, p, 4);
      std::memcpy(&tail, p + n - 4, 4);
      bits_ |= head | tail;
    } else if (n > 0) {  // first, middle and last: every byte of 1-3
      bits_ |= static_cast<unsigned char>(p[0]) | static_cast<unsigned char>(p[n / 2]) |
               static_cast<unsigned char>(p[n - 1]);
    }
  }
  bool ascii() const noexcept { return (bits_ & kByteHighs) == 0; }

 private:
  std::uint64_t bits_ = 0;
};

// Whether any string of the batch (names, keys, values, status, trace state, resource, scope)
// is invalid UTF-8. Fast for the usual all-ASCII case.
bool has_invalid_utf8(const SpanBatch& batch) noexcept;

// A deep copy of `batch` with every string made valid. Spans that shared a resource or scope
// still share one (repaired) object.
SpanBatch with_valid_utf8(const SpanBatch& batch);

}  // namespace tdemo::telemetry::otlp
