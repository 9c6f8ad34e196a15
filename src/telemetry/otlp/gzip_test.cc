#include "telemetry/otlp/gzip.h"

#include <gtest/gtest.h>

namespace tdemo::telemetry::otlp {
namespace {

TEST(Gzip, RoundTrip) {
  std::string data;
  for (int i = 0; i < 10000; ++i) data += "span " + std::to_string(i) + "\n";
  const std::string compressed = gzip_compress(data);
  EXPECT_LT(compressed.size(), data.size());
  const GunzipResult back = gzip_decompress(compressed);
  ASSERT_TRUE(back.ok()) << back.error;
  EXPECT_EQ(back.data, data);
}

TEST(Gzip, EmptyInput) {
  const GunzipResult back = gzip_decompress(gzip_compress(""));
  ASSERT_TRUE(back.ok()) << back.error;
  EXPECT_EQ(back.data, "");
}

TEST(Gzip, ConcatenatedMembers) {
  const GunzipResult back = gzip_decompress(gzip_compress("abc") + gzip_compress("def"));
  ASSERT_TRUE(back.ok()) << back.error;
  EXPECT_EQ(back.data, "abcdef");
}

TEST(Gzip, BombIsRejectedAtTheLimit) {
  const std::string zeros(8u << 20, '\0');  // 8 MiB of zeros compress to ~8 KiB
  const std::string bomb = gzip_compress(zeros, 9);
  EXPECT_LT(bomb.size(), 64u * 1024);
  const GunzipResult capped = gzip_decompress(bomb, 1u << 20);
  EXPECT_FALSE(capped.ok());
  EXPECT_NE(capped.error.find("exceeds"), std::string::npos);
  EXPECT_TRUE(capped.data.empty());
  EXPECT_TRUE(gzip_decompress(bomb, zeros.size()).ok());  // exactly at the limit is fine
}

TEST(Gzip, GarbageTruncatedAndTrailingDataFail) {
  EXPECT_FALSE(gzip_decompress("").ok());
  EXPECT_FALSE(gzip_decompress("definitely not gzip at all").ok());
  const std::string good = gzip_compress(std::string(1000, 'a') + "xyz");
  EXPECT_FALSE(gzip_decompress(good.substr(0, good.size() - 5)).ok());
  EXPECT_FALSE(gzip_decompress(good + "junk").ok());
  std::string corrupt = good;
  corrupt[12] = static_cast<char>(corrupt[12] ^ 0x55);
  corrupt[13] = static_cast<char>(corrupt[13] ^ 0x55);
  EXPECT_FALSE(gzip_decompress(corrupt).ok());
}

}  // namespace
}  // namespace tdemo::telemetry::otlp
