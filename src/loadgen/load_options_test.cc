#include "loadgen/load_options.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tdemo::loadgen {
namespace {

TEST(ParseTarget, HostAndPortForms) {
  struct Case {
    const char* url;
    const char* host;
    std::uint16_t port;
    const char* normalized;
  };
  for (const Case& c : {Case{"http://localhost:8000", "localhost", 8000, "http://localhost:8000"},
                        Case{"http://127.0.0.1:9/", "127.0.0.1", 9, "http://127.0.0.1:9"},
                        Case{"http://example.com", "example.com", 80, "http://example.com:80"},
                        Case{"http://[::1]:8080", "::1", 8080, "http://[::1]:8080"}}) {
    auto t = parse_target(c.url);
    ASSERT_TRUE(t) << c.url << ": " << t.error();
    EXPECT_EQ(t.value().host, c.host);
    EXPECT_EQ(t.value().port, c.port);
    EXPECT_EQ(t.value().url, c.normalized);
  }
}

TEST(ParseTarget, RejectsWhatItCannotUse) {
  for (const char* url : {"https://x:1", "localhost:8000", "http://", "http://:80", "http://h:0",
                          "http://h:70000", "http://h:x", "http://h:", "http://h:80/api", "http://[::1"}) {
    EXPECT_FALSE(parse_target(url)) << url;
  }
}

TEST(MakeLoadOptions, DefaultsAreValid) {
  auto o = make_load_options(LoadTestArgs{});
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o.value().users, 10u);
  EXPECT_EQ(o.value().total_requests(), 1000u);
  ASSERT_EQ(o.value().mix.size(), 1u);
  EXPECT_EQ(o.value().mix[0].name(), "GET /health");
  EXPECT_EQ(o.value().timeout, std::chrono::seconds(10));
}

TEST(MakeLoadOptions, ReadsEveryValue) {
  LoadTestArgs a;
  a.target = "http://127.0.0.1:9000";
  a.users = 3;
  a.requests = 7;
  a.ramp_up_s = 1.5;
  a.mix = "GET /users/1=3,POST /orders=1";
  a.timeout_s = 0.25;
  a.threads = 2;
  a.max_error_rate = 0.01;
  a.max_p99_ms = 50;
  auto o = make_load_options(a);
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o.value().total_requests(), 21u);
  EXPECT_EQ(o.value().ramp_up, std::chrono::milliseconds(1500));
  EXPECT_EQ(o.value().timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(o.value().mix.size(), 2u);
  EXPECT_EQ(o.value().threads, 2u);
}

TEST(MakeLoadOptions, RejectsBadValuesWithAClearMessage) {
  struct Case {
    const char* what;
    void (*change)(LoadTestArgs&);
    const char* message_part;
  };
  const Case cases[] = {
      {"no users", [](LoadTestArgs& a) { a.users = 0; }, "--users"},
      {"too many users", [](LoadTestArgs& a) { a.users = kMaxUsers + 1; }, "--users"},
      {"no requests", [](LoadTestArgs& a) { a.requests = 0; }, "--requests"},
      {"negative ramp", [](LoadTestArgs& a) { a.ramp_up_s = -1; }, "--ramp-up"},
      {"zero timeout", [](LoadTestArgs& a) { a.timeout_s = 0; }, "--timeout"},
      {"nan timeout", [](LoadTestArgs& a) { a.timeout_s = std::nan(""); }, "--timeout"},
      {"ramp longer than duration", [](LoadTestArgs& a) { a.duration_s = 1; a.ramp_up_s = 2; }, "--ramp-up"},
      {"both endpoint and mix", [](LoadTestArgs& a) { a.endpoint = "/a"; a.mix = "/b"; }, "either"},
      {"bad endpoint", [](LoadTestArgs& a) { a.endpoint = "nope"; }, "--endpoint"},
      {"bad mix", [](LoadTestArgs& a) { a.mix = "/a=0"; }, "--mix"},
      {"bad target", [](LoadTestArgs& a) { a.target = "ftp://x"; }, "--target"},
      {"too many threads", [](LoadTestArgs& a) { a.threads = kMaxThreads + 1; }, "--threads"},
      {"error rate above 1", [](LoadTestArgs& a) { a.max_error_rate = 1.5; }, "--max-error-rate"},
      {"p99 zero", [](LoadTestArgs& a) { a.max_p99_ms = 0; }, "--max-p99"},
  };
  for (const auto& c : cases) {
    LoadTestArgs a;
    c.change(a);
    auto o = make_load_options(a);
    ASSERT_FALSE(o) << c.what;
    EXPECT_NE(o.error().find(c.message_part), std::string::npos) << c.what << ": " << o.error();
  }
}

TEST(MakeLoadOptions, DurationReplacesTheRequestCount) {
  LoadTestArgs a;
  a.requests = 0;
  a.duration_s = 2;
  auto o = make_load_options(a);
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o.value().total_requests(), 0u);
  EXPECT_EQ(o.value().duration, std::chrono::seconds(2));
}

}  // namespace
}  // namespace tdemo::loadgen
