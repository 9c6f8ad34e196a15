// HTTP span names and the traceresponse header's text.
#include "http/transport_tracing.h"

#include <gtest/gtest.h>

namespace tdemo::http {
namespace {

namespace tel = tdemo::telemetry;

tel::SpanContext context(std::uint8_t flags) {
  return tel::SpanContext(*tel::TraceId::from_hex("0af7651916cd43dd8448eb211c80319c"),
                          *tel::SpanId::from_hex("b7ad6b7169203331"), flags, false);
}

TEST(HttpSpanNameTest, MethodAndRoute) {
  EXPECT_EQ(http_span_name(Method::kGet, "/users/{user_id}"), "GET /users/{user_id}");
  EXPECT_EQ(http_span_name(Method::kPost, ""), "POST");
  EXPECT_EQ(http_span_name(Method::kOther, "/brew"), "HTTP /brew");
  EXPECT_EQ(http_span_name(Method::kOther, ""), "HTTP");
  // The thread's buffer is reused: a longer name, then a shorter one.
  EXPECT_EQ(http_span_name(Method::kDelete, std::string(100, 'x')), "DELETE " + std::string(100, 'x'));
  EXPECT_EQ(http_span_name(Method::kHead, "/"), "HEAD /");
}

TEST(TraceResponseTest, TraceparentLayoutWithTheRespondersSpan) {
  EXPECT_EQ(TraceResponse(context(0x01)).view(), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  EXPECT_EQ(TraceResponse(context(0x00)).view(), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00");
  EXPECT_EQ(TraceResponse(context(0xa3)).view(), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-a3");
}

TEST(TraceResponseTest, EmptyForAnInvalidContext) {
  EXPECT_EQ(TraceResponse(tel::SpanContext()).view(), "");
}

}  // namespace
}  // namespace tdemo::http
