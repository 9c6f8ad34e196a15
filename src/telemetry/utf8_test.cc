#include "telemetry/utf8.h"

#include <string>

#include <gtest/gtest.h>

namespace tdemo::telemetry {
namespace {

TEST(Utf8, Validation) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ascii that is longer than eight bytes"));
  EXPECT_TRUE(is_valid_utf8("é 中 🚀 \xF4\x8F\xBF\xBF"));                // up to U+10FFFF
  EXPECT_FALSE(is_valid_utf8("abcdefgh\xff"));                          // bad byte after a word
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));                              // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));                          // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));                      // past U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE4\xB8"));                              // truncated
  EXPECT_FALSE(is_valid_utf8("\x80"));                                  // lone continuation
}

// RFC 3629's table of well-formed sequences, one code point at a time: the reference the
// word-at-a-time validator must agree with.
bool reference_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  const auto in = [&](std::size_t k, int lo, int hi) {
    return k < s.size() && static_cast<unsigned char>(s[k]) >= lo && static_cast<unsigned char>(s[k]) <= hi;
  };
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c <= 0x7F) { i += 1; continue; }
    if (c >= 0xC2 && c <= 0xDF && in(i + 1, 0x80, 0xBF)) { i += 2; continue; }
    const int lo2 = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
    const int hi2 = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    if (c >= 0xE0 && c <= 0xEF && in(i + 1, lo2, hi2) && in(i + 2, 0x80, 0xBF)) { i += 3; continue; }
    if (c >= 0xF0 && c <= 0xF4 && in(i + 1, lo2, hi2) && in(i + 2, 0x80, 0xBF) && in(i + 3, 0x80, 0xBF)) {
      i += 4;
      continue;
    }
    return false;
  }
  return true;
}

TEST(Utf8, AgreesWithTheStandardsTableAtEveryOffset) {
  // Every two-byte pair, and four-byte runs of boundary values, after ASCII prefixes that put
  // them at each position around the validator's eight-byte words.
  const unsigned char edges[] = {0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0,
                                 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
  int checked = 0;
  for (const std::size_t prefix : {0, 1, 3, 6, 7, 8, 9, 15}) {
    const std::string head(prefix, 'a');
    for (int a = 0; a < 256; ++a) {
      for (int b = 0; b < 256; ++b) {
        const std::string s = head + static_cast<char>(a) + static_cast<char>(b);
        ASSERT_EQ(is_valid_utf8(s), reference_valid_utf8(s)) << "prefix " << prefix << " bytes " << a << " " << b;
        ++checked;
      }
    }
    for (unsigned char a : edges) {
      for (unsigned char b : edges) {
        for (unsigned char c : edges) {
          for (unsigned char d : edges) {
            std::string s = head + static_cast<char>(a) + static_cast<char>(b) + static_cast<char>(c) +
                            static_cast<char>(d) + "tail";
            ASSERT_EQ(is_valid_utf8(s), reference_valid_utf8(s)) << "prefix " << prefix << " lead " << int{a};
            s.resize(s.size() - 5);  // cut inside the run
            ASSERT_EQ(is_valid_utf8(s), reference_valid_utf8(s)) << "prefix " << prefix << " lead " << int{a};
            checked += 2;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 1000000);
}

TEST(Utf8, RepairReplacesEachInvalidByte) {
  EXPECT_EQ(to_valid_utf8("a\xff" "b\xE4\xB8"), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(to_valid_utf8("é ok"), "é ok");
}

// AsciiCheck sees a byte of 0x80 or more at every place of every length (the short-text paths
// read some bytes twice and must still read each one), and none in ASCII text.
TEST(Utf8, AsciiCheckSeesEveryByte) {
  for (std::size_t n = 0; n <= 40; ++n) {
    const std::string ascii(n, 'a');
    AsciiCheck clean;
    clean.add(ascii);
    EXPECT_TRUE(clean.ascii()) << n;
    for (std::size_t at = 0; at < n; ++at) {
      std::string text = ascii;
      text[at] = static_cast<char>(0x80);
      AsciiCheck check;
      check.add("plain");
      check.add(text);
      EXPECT_FALSE(check.ascii()) << n << " " << at;
    }
  }
}

}  // namespace
}  // namespace tdemo::telemetry
