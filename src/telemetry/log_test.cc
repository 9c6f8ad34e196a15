#include "telemetry/log.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <limits>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace tdemo::telemetry {
namespace {

struct Captured {
  std::mutex mutex;
  std::vector<std::string> lines;
  LogSink sink() {
    return [this](std::string_view line) {
      std::lock_guard lock(mutex);
      lines.emplace_back(line);
    };
  }
};

TEST(LoggerTest, OneJsonObjectPerLineWithTraceContext) {
  Captured captured;
  Logger log("orders", LogLevel::kInfo, captured.sink());
  const SpanContext span(*TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736"),
                         *SpanId::from_hex("00f067aa0ba902b7"), 1, false);
  log.info("order \"created\"\n",
           {{"order.id", attribute(42)},
            {"ok", attribute(true)},
            {"price", attribute(9.5)},
            {"tags", AttributeValue(std::vector<std::string>{"a", "b"})}},
           span);
  ASSERT_EQ(captured.lines.size(), 1u);
  const std::string& line = captured.lines[0];
  EXPECT_EQ(line.rfind("{\"timestamp\":\"", 0), 0u);
  EXPECT_EQ(line.substr(line.find("\"level\"")),
            "\"level\":\"info\",\"service\":\"orders\",\"message\":\"order \\\"created\\\"\\n\","
            "\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"span_id\":\"00f067aa0ba902b7\","
            "\"order.id\":42,\"ok\":true,\"price\":9.5,\"tags\":[\"a\",\"b\"]}");
}

// Three decimals exactly, rounded to the nearest; field(double)'s form for non-finite values
// and for magnitudes a fixed three decimals would not fit.
TEST(LoggerTest, ThreeDecimalFields) {
  Captured captured;
  Logger log("s", LogLevel::kInfo, captured.sink());
  log.line(LogLevel::kInfo, "m")
      .field_3_decimals("a", 0.25)
      .field_3_decimals("b", 12.3456)
      .field_3_decimals("c", 0.0)
      .field_3_decimals("d", -1.5)
      .field_3_decimals("e", -0.0001)
      .field_3_decimals("f", 0.0005)
      .field_3_decimals("g", 999.9996)
      .field_3_decimals("h", std::numeric_limits<double>::quiet_NaN())
      .field_3_decimals("i", 123456789.125)
      .write();
  log.line(LogLevel::kInfo, "m").field_3_decimals("x", 1e13).write();
  log.line(LogLevel::kInfo, "m").field("x", 1e13).write();
  ASSERT_EQ(captured.lines.size(), 3u);
  const std::string& line = captured.lines[0];
  EXPECT_EQ(line.substr(line.find("\"a\"")),
            R"("a":0.250,"b":12.346,"c":0.000,"d":-1.500,"e":0.000,"f":0.001,"g":1000.000,"h":"NaN","i":123456789.125})");
  EXPECT_EQ(captured.lines[1].substr(captured.lines[1].find("\"x\"")),
            captured.lines[2].substr(captured.lines[2].find("\"x\"")));
}

// The service name is escaped like any other value (once, when the logger is made).
TEST(LoggerTest, ServiceNameIsEscaped) {
  Captured captured;
  Logger log("my \"svc\"\n", LogLevel::kInfo, captured.sink());
  log.info("m");
  log.info("m");
  ASSERT_EQ(captured.lines.size(), 2u);
  for (const auto& line : captured.lines) {
    EXPECT_NE(line.find(R"(,"service":"my \"svc\"\n","message":"m"})"), std::string::npos) << line;
  }
}

// A line built field by field is the line log() writes for the same fields; each typed field()
// writes its JSON type.
TEST(LoggerTest, LineBuiltFieldByFieldIsTheLineLogWrites) {
  Captured captured;
  Logger log("gateway", LogLevel::kInfo, captured.sink());
  const SpanContext span(*TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736"),
                         *SpanId::from_hex("00f067aa0ba902b7"), 1, false);
  const std::string path = "/users/\"1\"";
  log.line(LogLevel::kInfo, "access", span)
      .field("http.request.method", "GET")
      .field("url.path", path)
      .field("http.response.status_code", 200)
      .field("http.response.body.size", std::size_t{57})
      .field("duration_ms", 0.25)
      .field("cached", false)
      .field("tags", AttributeValue(std::vector<std::string>{"a"}))
      .write();
  log.info("access",
           {{"http.request.method", attribute("GET")},
            {"url.path", attribute(path)},
            {"http.response.status_code", attribute(200)},
            {"http.response.body.size", attribute(57)},
            {"duration_ms", attribute(0.25)},
            {"cached", attribute(false)},
            {"tags", AttributeValue(std::vector<std::string>{"a"})}},
           span);
  ASSERT_EQ(captured.lines.size(), 2u);
  const auto after_timestamp = [](const std::string& line) { return line.substr(line.find("\"level\"")); };
  EXPECT_EQ(after_timestamp(captured.lines[0]), after_timestamp(captured.lines[1]));
  EXPECT_NE(captured.lines[0].find(R"("url.path":"/users/\"1\"","http.response.status_code":200,)"
                                   R"("http.response.body.size":57,"duration_ms":0.25,"cached":false,"tags":["a"]})"),
            std::string::npos)
      << captured.lines[0];
}

// LogLine's keys are literals checked when compiled (LogKey: a key that JSON would escape does
// not compile) and go in as they are; keys only known at run time, given to log(), are escaped.
TEST(LoggerTest, RunTimeKeysAreEscapedCompileTimeKeysNeedNot) {
  static_assert(LogKey("http.response.status_code").text() == "http.response.status_code");
  Captured captured;
  Logger log("svc", LogLevel::kInfo, captured.sink());
  const std::string key = "user \"input\"\n";
  log.info("m", {{key, attribute(1)}});
  log.line(LogLevel::kInfo, "m").field("plain.key", 1).write();
  ASSERT_EQ(captured.lines.size(), 2u);
  EXPECT_NE(captured.lines[0].find(R"(,"user \"input\"\n":1})"), std::string::npos) << captured.lines[0];
  EXPECT_NE(captured.lines[1].find(R"(,"plain.key":1})"), std::string::npos) << captured.lines[1];
}

TEST(LoggerTest, LineBelowTheLevelOrWrittenTwiceWritesNothingMore) {
  Captured captured;
  Logger log("svc", LogLevel::kWarning, captured.sink());
  log.line(LogLevel::kInfo, "dropped").field("a", 1).write();
  EXPECT_TRUE(captured.lines.empty());
  auto line = log.line(LogLevel::kError, "kept");
  line.field("a", 1).write();
  line.write();
  line.field("b", 2).write();
  ASSERT_EQ(captured.lines.size(), 1u);
  EXPECT_EQ(captured.lines[0].find("\"b\""), std::string::npos) << captured.lines[0];
}

// A line's text is written into a buffer of the thread (detail::LineBuffer), short pieces
// copied without memcpy in blocks of 4, 8 and 16 bytes and values checked for escaping a word
// at a time: every byte value, at the start, middle and end of values of every length from 0
// to 40 (at every place up to 9 bytes), comes out as append_json_escaped writes it alone.
TEST(LogLineTest, EveryByteInValuesOfEveryLengthComesOutEscapedAsAlone) {
  Captured captured;
  Logger log("svc", LogLevel::kInfo, captured.sink());
  const std::string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF";
  for (std::size_t length = 0; length <= 40; ++length) {
    const std::string plain = alphabet.substr(0, length);
    std::vector<std::size_t> places = {0, length / 2, length};
    if (length <= 9) {
      places.clear();
      for (std::size_t at = 0; at <= length; ++at) places.push_back(at);
    }
    for (int value = 0; value < 256; ++value) {
      std::string alone;  // the byte escaped on its own (one byte: no word is split)
      append_json_escaped(alone, std::string(1, static_cast<char>(value)));
      for (const std::size_t at : places) {
        std::string text = plain;
        text.insert(at, 1, static_cast<char>(value));
        const std::string expected = ",\"v\":\"" + plain.substr(0, at) + alone + plain.substr(at) + "\"}";
        captured.lines.clear();
        log.line(LogLevel::kInfo, "m").field("v", text).write();
        ASSERT_EQ(captured.lines.size(), 1u);
        const std::string& line = captured.lines[0];
        ASSERT_TRUE(line.size() >= expected.size() && line.compare(line.size() - expected.size(), expected.size(), expected) == 0)
            << "byte " << value << " at " << at << " of " << text.size() << ": " << line;
      }
    }
    // And the plain value itself, and as the message.
    captured.lines.clear();
    log.line(LogLevel::kInfo, plain).field("v", plain).write();
    ASSERT_EQ(captured.lines.size(), 1u);
    const std::string& line = captured.lines[0];
    EXPECT_EQ(line.substr(line.find(",\"message\"")), ",\"message\":\"" + plain + "\",\"v\":\"" + plain + "\"}");
  }
}

// Keys go in with one copy: lengths either side of each block size.
TEST(LogLineTest, KeysOfEveryBlockSizeGoInWhole) {
  Captured captured;
  Logger log("svc", LogLevel::kInfo, captured.sink());
  log.line(LogLevel::kInfo, "m")
      .field("a", 1).field("abc", 3).field("abcd", 4).field("abcdefg", 7).field("abcdefgh", 8)
      .field("abcdefghijklmno", 15).field("abcdefghijklmnop", 16).field("abcdefghijklmnopq", 17)
      .field("abcdefghijklmnopqrstuvwxyz01234", 31).field("abcdefghijklmnopqrstuvwxyz012345", 32)
      .field("abcdefghijklmnopqrstuvwxyz0123456", 33).field("abcdefghijklmnopqrstuvwxyz0123456789ABCD", 40)
      .write();
  ASSERT_EQ(captured.lines.size(), 1u);
  EXPECT_NE(captured.lines[0].find(
                R"(,"a":1,"abc":3,"abcd":4,"abcdefg":7,"abcdefgh":8,"abcdefghijklmno":15,"abcdefghijklmnop":16,)"
                R"("abcdefghijklmnopq":17,"abcdefghijklmnopqrstuvwxyz01234":31,"abcdefghijklmnopqrstuvwxyz012345":32,)"
                R"("abcdefghijklmnopqrstuvwxyz0123456":33,"abcdefghijklmnopqrstuvwxyz0123456789ABCD":40})"),
            std::string::npos)
      << captured.lines[0];
}

// The thread's buffer grows for a long line (past its 512 first bytes, and past the 16 KiB it
// keeps between lines) and the next line starts empty in whichever buffer it gets.
TEST(LogLineTest, LongLinesGrowTheBufferAndTheNextLineStartsEmpty) {
  Captured captured;
  Logger log("svc", LogLevel::kInfo, captured.sink());
  for (const std::size_t length : {600, 100'000, 10, 5'000, 3}) {
    const std::string value(length, 'x');
    log.line(LogLevel::kInfo, "m").field("v", value).field("after", 1).write();
    ASSERT_FALSE(captured.lines.empty());
    const std::string& line = captured.lines.back();
    EXPECT_EQ(line.substr(line.find(",\"message\"")), ",\"message\":\"m\",\"v\":\"" + value + "\",\"after\":1}")
        << length;
  }
}

// A line built while another is being built on the same thread (a field's value computed by
// code that logs) gets a buffer of its own: neither line takes the other's text.
TEST(LogLineTest, ALineBuiltInsideAnotherKeepsItsOwnText) {
  Captured captured;
  Logger log("svc", LogLevel::kInfo, captured.sink());
  log.line(LogLevel::kInfo, "warm").write();  // the thread's buffer exists
  auto outer = log.line(LogLevel::kInfo, "outer");
  outer.field("a", "1");
  log.line(LogLevel::kInfo, "inner").field("b", "2").write();
  {
    auto unwritten = log.line(LogLevel::kInfo, "never written");
    unwritten.field("c", std::string(2'000, 'c'));
  }
  outer.field("d", "3").write();
  log.line(LogLevel::kInfo, "next").field("e", "4").write();
  ASSERT_EQ(captured.lines.size(), 4u);
  const auto tail = [](const std::string& line) { return line.substr(line.find(",\"message\"")); };
  EXPECT_EQ(tail(captured.lines[1]), R"(,"message":"inner","b":"2"})");
  EXPECT_EQ(tail(captured.lines[2]), R"(,"message":"outer","a":"1","d":"3"})");
  EXPECT_EQ(tail(captured.lines[3]), R"(,"message":"next","e":"4"})");
}

TEST(LoggerTest, LevelsFilter) {
  Captured captured;
  Logger log("svc", LogLevel::kWarning, captured.sink());
  log.debug("no");
  log.info("no");
  log.warning("yes");
  log.error("yes");
  EXPECT_EQ(captured.lines.size(), 2u);
  EXPECT_NE(captured.lines[0].find("\"level\":\"warning\""), std::string::npos);
  EXPECT_EQ(captured.lines[0].find("trace_id"), std::string::npos);  // no span: no ids
}

TEST(LoggerTest, ParseLevel) {
  EXPECT_EQ(parse_log_level("DEBUG"), LogLevel::kDebug);
  EXPECT_EQ(parse_log_level("info"), LogLevel::kInfo);
  EXPECT_EQ(parse_log_level("Warning"), LogLevel::kWarning);
  EXPECT_EQ(parse_log_level("warn"), LogLevel::kWarning);
  EXPECT_EQ(parse_log_level("error"), LogLevel::kError);
  EXPECT_FALSE(parse_log_level("verbose"));
}

TEST(JsonEscapeTest, Table) {
  struct Case {
    std::string in;
    std::string out;
  };
  const Case cases[] = {
      {"plain", "plain"},
      {"q\"b\\", "q\\\"b\\\\"},
      {"\t\r\n\b\f", "\\t\\r\\n\\b\\f"},
      {std::string("\x01\x1f\x7f", 3), "\\u0001\\u001f\\u007f"},
      {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},
      {"bad\xFFx", "bad\\ufffdx"},
      {"trunc\xE2\x82", "trunc\\ufffd\\ufffd"},
      {"overlong\xC0\xAF", "overlong\\ufffd\\ufffd"},
      {"surrogate\xED\xA0\x80", "surrogate\\ufffd\\ufffd\\ufffd"},
  };
  for (const auto& c : cases) {
    std::string out;
    append_json_escaped(out, c.in);
    EXPECT_EQ(out, c.out) << c.in;
  }
}

TEST(Rfc3339Test, Millis) {
  EXPECT_EQ(format_rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_millis(1'764'041'073'123'456'789ULL), "2025-11-25T03:24:33.123Z");
}

// The seconds part is cached per thread: a new second, an older one and the same second again
// must each come out right.
TEST(Rfc3339Test, SecondsCacheFollowsTheClockBothWays) {
  const std::uint64_t t = 1'764'041'073'000'000'000ULL;
  EXPECT_EQ(format_rfc3339_millis(t + 5'000'000), "2025-11-25T03:24:33.005Z");
  EXPECT_EQ(format_rfc3339_millis(t + 999'999'999), "2025-11-25T03:24:33.999Z");
  EXPECT_EQ(format_rfc3339_millis(t + 1'000'000'000), "2025-11-25T03:24:34.000Z");
  EXPECT_EQ(format_rfc3339_millis(t - 1), "2025-11-25T03:24:32.999Z");
  EXPECT_EQ(format_rfc3339_millis(t + 42'000'000), "2025-11-25T03:24:33.042Z");
}

TEST(JsonEscapeTest, PlainRunsAndEscapesMix) {
  std::string out;
  append_json_escaped(out, "plain \"q\" back\\slash\ttab\x01\x7f caf\xc3\xa9 bad\xff end");
  EXPECT_EQ(out, "plain \\\"q\\\" back\\\\slash\\ttab\\u0001\\u007f caf\xc3\xa9 bad\\ufffd end");
}

// Text is checked eight bytes at a time, the last word overlapping the one before, and text
// shorter than a word in one word (two overlapping halves of 4 to 7 bytes; the first, middle and
// last of 1 to 3 bytes among spaces): every byte value, at every place of
// strings of every length from 1 to 25, must come out as it does on its own.
TEST(JsonEscapeTest, EveryByteAtEveryPlaceOfALongString) {
  const std::string alphabet = "abcdefghijklmnopqrstuvwx";
  for (std::size_t length = 0; length <= alphabet.size(); ++length) {
    const std::string plain = alphabet.substr(0, length);
    for (int value = 0; value < 256; ++value) {
      const std::string byte(1, static_cast<char>(value));
      std::string alone;
      append_json_escaped(alone, byte);
      for (std::size_t at = 0; at <= plain.size(); ++at) {
        std::string text = plain;
        text.insert(at, byte);
        std::string out;
        append_json_escaped(out, text);
        ASSERT_EQ(out, plain.substr(0, at) + alone + plain.substr(at)) << "byte " << value << " at " << at
                                                                      << " of " << text.size();
      }
    }
  }
  std::string out;
  append_json_escaped(out, "0123456789 long plain text, \"quoted\" near the end\x7f");
  EXPECT_EQ(out, "0123456789 long plain text, \\\"quoted\\\" near the end\\u007f");
}

TEST(RateLimiterTest, OnePerIntervalAndCountsSuppressed) {
  RateLimiter limiter(std::chrono::hours(1));
  EXPECT_EQ(limiter.allow(), 0u);
  EXPECT_FALSE(limiter.allow());
  EXPECT_FALSE(limiter.allow());
  RateLimiter always(std::chrono::milliseconds(0));
  EXPECT_TRUE(always.allow());
  EXPECT_TRUE(always.allow());
}

TEST(LoggerTest, ConcurrentLinesStayWhole) {
  Captured captured;
  Logger log("svc", LogLevel::kInfo, captured.sink());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&log, t] {
      for (int i = 0; i < 100; ++i) log.info("m", {{"t", attribute(t)}});
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_EQ(captured.lines.size(), 400u);
  for (const auto& line : captured.lines) {
    EXPECT_EQ(line.front(), '{');
    EXPECT_EQ(line.back(), '}');
  }
}

// stderr_sink() against a file standing in for stderr.
class StderrSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    flush_stderr_log();
    path_ = ::testing::TempDir() + "stderr_sink_" + std::to_string(::getpid()) + ".log";
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    saved_ = ::dup(STDERR_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  void TearDown() override {
    flush_stderr_log();
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    std::remove(path_.c_str());
  }
  std::vector<std::string> lines() const {
    std::ifstream in(path_);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  std::string path_;
  int saved_ = -1;
};

TEST_F(StderrSinkTest, AQuietLineIsWrittenAtOnce) {
  std::this_thread::sleep_for(std::chrono::milliseconds(30));  // a quiet spell
  Logger log("svc", LogLevel::kInfo, stderr_sink());
  log.info("first");
  const auto written = lines();
  ASSERT_EQ(written.size(), 1u);
  EXPECT_NE(written[0].find("\"message\":\"first\""), std::string::npos);
}

TEST_F(StderrSinkTest, ABurstArrivesWholeInOrderWithoutAnExplicitFlush) {
  Logger log("svc", LogLevel::kInfo, stderr_sink());
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&log, t] {
      for (int i = 0; i < 2000; ++i) log.info("m", {{"t", attribute(t)}, {"i", attribute(i)}});
    });
  }
  for (auto& thread : threads) thread.join();
  // The flusher thread writes what is pending within its interval.
  std::vector<std::string> written;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((written = lines()).size() < 6000 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(written.size(), 6000u);
  int next[3] = {0, 0, 0};
  for (const auto& line : written) {
    ASSERT_EQ(line.front(), '{') << line;
    ASSERT_EQ(line.back(), '}') << line;
    const auto t = line[line.find("\"t\":") + 4] - '0';
    ASSERT_TRUE(t >= 0 && t < 3) << line;
    EXPECT_NE(line.find("\"i\":" + std::to_string(next[t]) + "}"), std::string::npos) << line;
    ++next[t];
  }
}

TEST_F(StderrSinkTest, AWarningWritesWhatIsPendingFirst) {
  Logger log("svc", LogLevel::kInfo, stderr_sink());
  for (int i = 0; i < 50; ++i) log.info("before", {{"i", attribute(i)}});
  log.warning("trouble");
  const auto written = lines();  // no wait: the warning wrote everything
  ASSERT_EQ(written.size(), 51u);
  EXPECT_NE(written.back().find("trouble"), std::string::npos);
  EXPECT_NE(written.front().find("before"), std::string::npos);
}

// stderr as a SOCK_SEQPACKET socket: every write(2) arrives as one packet, so the packets
// count the writes. A burst of lines must take far fewer writes than lines.
TEST(StderrSinkBatching, ABurstOfLinesTakesFewWrites) {
  flush_stderr_log();
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pair), 0);
  const int saved = ::dup(STDERR_FILENO);
  ::dup2(pair[0], STDERR_FILENO);
  ::close(pair[0]);
  constexpr int kLines = 2000;
  std::atomic<int> packets{0};
  std::atomic<int> lines_seen{0};
  std::thread reader([&] {
    std::vector<char> buffer(1 << 20);
    while (lines_seen.load() < kLines) {
      const ssize_t n = ::recv(pair[1], buffer.data(), buffer.size(), 0);
      if (n <= 0) break;
      ++packets;
      lines_seen += static_cast<int>(std::count(buffer.data(), buffer.data() + n, '\n'));
    }
  });
  {
    Logger log("svc", LogLevel::kInfo, stderr_sink());
    for (int i = 0; i < kLines; ++i) log.info("burst", {{"i", attribute(i)}});
  }
  flush_stderr_log();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (lines_seen.load() < kLines && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::shutdown(pair[1], SHUT_RDWR);
  reader.join();
  ::close(pair[1]);
  EXPECT_EQ(lines_seen.load(), kLines);
  // One write per line would be 2000 packets; the writer batches by time (10 ms) and size (64 KiB).
  EXPECT_LE(packets.load(), kLines / 10) << packets.load() << " writes for " << kLines << " lines";
  EXPECT_GE(packets.load(), 1);
}

}  // namespace
}  // namespace tdemo::telemetry
