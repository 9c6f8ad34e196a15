// UTF-8 repair of span batches. OTLP string fields must be valid UTF-8: protobuf parsers (ours,
// the Collector's) reject a whole request over one bad string, so encoders repair first. (The
// string functions themselves: telemetry/utf8.h.)
#pragma once

#include <cstddef>
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
    const std::size_t n = s.size();
    if (n >= 8) {
      std::size_t i = 0;
      for (; i + 8 <= n; i += 8) bits_ |= load_word(s.data() + i);
      bits_ |= load_word(s.data() + n - 8);  // the tail, overlapping the last whole word
    } else {
      for (const char c : s) bits_ |= static_cast<unsigned char>(c);
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
