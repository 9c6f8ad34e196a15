#include "telemetry/word_bytes.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace tdemo::telemetry {
namespace {

// same_bytes answers as memcmp for every length up to a few words and a difference at every
// place (the overlapping last word included), and with equal bytes.
TEST(WordBytes, SameBytesAgreesWithMemcmp) {
  for (std::size_t n = 0; n <= 40; ++n) {
    const std::string a(n, 'k');
    EXPECT_TRUE(same_bytes(a.data(), a.data(), n));
    EXPECT_TRUE(same_bytes(a.data(), std::string(a).data(), n)) << n;
    for (std::size_t at = 0; at < n; ++at) {
      for (const char other : {'\0', 'j', '\x80', '\xff'}) {
        std::string b = a;
        b[at] = other;
        EXPECT_EQ(same_bytes(a.data(), b.data(), n), std::memcmp(a.data(), b.data(), n) == 0) << n << " " << at;
      }
    }
  }
}

// Every byte value at every place of a word of plain letters: the word needs escaping exactly
// when that byte is below 0x20, 0x7f or above, '"' or '\\'.
TEST(WordBytes, WordNeedsJsonEscapeForEachByteAtEachPlace) {
  for (int value = 0; value < 256; ++value) {
    const bool needs = value < 0x20 || value >= 0x7f || value == '"' || value == '\\';
    for (int place = 0; place < 8; ++place) {
      char bytes[8] = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};
      bytes[place] = static_cast<char>(value);
      ASSERT_EQ(word_needs_json_escape(load_word(bytes)), needs) << "byte " << value << " at " << place;
    }
  }
}

// load_word_prefix holds the first min(n, 8) bytes in memory order and zeros past them.
TEST(WordBytes, LoadWordPrefixIsTheFirstBytesZeroPadded) {
  const char text[] = "\x01\x82\x03\xf4\x05\x06\x07\x88\x09\x0a";
  for (std::size_t n = 0; n <= 10; ++n) {
    std::uint64_t expected = 0;
    std::memcpy(&expected, text, n < 8 ? n : 8);
    EXPECT_EQ(load_word_prefix(text, n), expected) << n;
  }
}

// Every byte value at every place among fillers of every value: each test's bits are not zero
// exactly when one byte answers it (the fillers are chosen not to).
TEST(WordBytes, BitsTestsForEachByteAtEachPlace) {
  for (int value = 0; value < 256; ++value) {
    for (int place = 0; place < 8; ++place) {
      char bytes[8];
      std::memset(bytes, 'k', sizeof bytes);
      bytes[place] = static_cast<char>(value);
      const std::uint64_t word = load_word(bytes);
      ASSERT_EQ(zero_byte_bits(word) != 0, value == 0) << value << " at " << place;
      ASSERT_EQ(byte_bits(word, '\r') != 0, value == '\r') << value << " at " << place;
      ASSERT_EQ(byte_bits(word, 0x7f) != 0, value == 0x7f) << value << " at " << place;
      // Exact for words without high bytes, as callers use it (with `word & kByteHighs`).
      if (value < 0x80) {
        ASSERT_EQ(byte_below_bits(word, 0x20) != 0, value < 0x20) << value << " at " << place;
      }
    }
  }
}

}  // namespace
}  // namespace tdemo::telemetry
