#include <gtest/gtest.h>

#include "telemetry/propagation.h"

namespace tdemo::telemetry {
namespace {

constexpr char kTrace[] = "12345678901234567890123456789012";
constexpr char kSpan[] = "1234567890123456";

// The traceparent cases of the w3c/trace-context test suite (test/test.py), plus a few more.
TEST(ParseTraceparentTest, W3cSuiteTable) {
  struct Case {
    std::string value;
    bool valid;
  };
  const std::string base = std::string("-") + kTrace + "-" + kSpan + "-";
  const Case cases[] = {
      {"00" + base + "01", true},
      {"00" + base + "00", true},
      {"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", true},
      // trailing data on version 00
      {"00" + base + "01.", false},
      {"00" + base + "01-what-the-future-will-be-like", false},
      // future version: parsed by the first 55 characters, then end or '-'
      {"cc" + base + "01", true},
      {"cc" + base + "01-what-the-future-will-be-like", true},
      {"cc" + base + "01.what-the-future-will-be-like", false},
      {"ff" + base + "01", false},  // version ff
      {".0" + base + "01", false},
      {"0." + base + "01", false},
      {"000" + base + "01", false},
      {"0000" + base + "01", false},
      {"0" + base + "01", false},
      {"0A" + base + "01", false},  // uppercase version
      {"00-00000000000000000000000000000000-1234567890123456-01", false},
      {"00-.2345678901234567890123456789012-1234567890123456-01", false},
      {"00-1234567890123456789012345678901.-1234567890123456-01", false},
      {"00-123456789012345678901234567890123-1234567890123456-01", false},
      {"00-1234567890123456789012345678901-1234567890123456-01", false},
      {"00-ABCDEF78901234567890123456789012-1234567890123456-01", false},  // uppercase id
      {"00-12345678901234567890123456789012-0000000000000000-01", false},
      {"00-12345678901234567890123456789012-.234567890123456-01", false},
      {"00-12345678901234567890123456789012-123456789012345.-01", false},
      {"00-12345678901234567890123456789012-12345678901234567-01", false},
      {"00-12345678901234567890123456789012-123456789012345-01", false},
      {"00-12345678901234567890123456789012-ABCDEF7890123456-01", false},
      {"00" + base + ".0", false},
      {"00" + base + "0.", false},
      {"00" + base + "001", false},
      {"00" + base + "1", false},
      {"00" + base + "0A", false},  // uppercase flags
      // OWS around the value is not part of it
      {" 00" + base + "01", true},
      {"\t00" + base + "01", true},
      {"00" + base + "01 ", true},
      {"00" + base + "01\t", true},
      {"\t 00" + base + "01 \t", true},
      // two headers joined by the carrier
      {"00" + base + "01,00" + base + "01", false},
      {"", false},
      {"00_" + std::string(kTrace) + "-" + kSpan + "-01", false},
  };
  for (const auto& c : cases) {
    const auto context = parse_traceparent(c.value);
    EXPECT_EQ(context.has_value(), c.valid) << "'" << c.value << "'";
    if (context && c.valid) {
      EXPECT_TRUE(context->remote());
      EXPECT_TRUE(context->valid());
    }
  }
}

TEST(ParseTraceparentTest, FieldsAndFlags) {
  const auto context = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(context);
  EXPECT_EQ(context->trace_id().hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(context->span_id().hex(), "00f067aa0ba902b7");
  EXPECT_TRUE(context->sampled());
  const auto unknown_flags = parse_traceparent(std::string("00-") + kTrace + "-" + kSpan + "-fe");
  ASSERT_TRUE(unknown_flags);
  EXPECT_EQ(unknown_flags->flags(), 0);  // only the sampled flag is defined in Level 1
}

TEST(FormatTraceparentTest, RoundTrip) {
  const SpanContext context(*TraceId::from_hex(kTrace), *SpanId::from_hex(kSpan), 1, false);
  EXPECT_EQ(format_traceparent(context), std::string("00-") + kTrace + "-" + kSpan + "-01");
  const auto parsed = parse_traceparent(format_traceparent(context));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->trace_id(), context.trace_id());
}

Context extract(const std::vector<HeaderListCarrier::Header>& headers) {
  return make_trace_context_propagator()->extract(HeaderListCarrier(headers), Context{});
}

const std::string kParent = std::string("00-") + kTrace + "-" + kSpan + "-00";

TEST(TraceContextPropagatorTest, HeaderNamesAreCaseInsensitive) {
  for (const char* name : {"traceparent", "TraceParent", "TrAcEpArEnT", "TRACEPARENT"}) {
    const Context context = extract({{name, kParent}});
    EXPECT_EQ(context.span.trace_id().hex(), kTrace) << name;
    EXPECT_TRUE(context.span.remote());
  }
  for (const char* wrong : {"trace-parent", "trace.parent"}) {
    EXPECT_FALSE(extract({{wrong, kParent}}).span.valid()) << wrong;
  }
}

TEST(TraceContextPropagatorTest, DuplicatedTraceparentIsInvalid) {
  const Context context =
      extract({{"traceparent", std::string("00-") + kTrace + "-" + kSpan + "-01"},
               {"traceparent", kParent}});
  EXPECT_FALSE(context.span.valid());
}

TEST(TraceContextPropagatorTest, TracestateTable) {
  struct Case {
    std::vector<HeaderListCarrier::Header> headers;
    std::string expected;  // serialized tracestate after extraction ("" = dropped/empty)
  };
  std::vector<HeaderListCarrier::Header> members32, members33;
  members32.emplace_back("traceparent", kParent);
  members33.emplace_back("traceparent", kParent);
  std::string all32;
  for (int i = 1; i <= 32; ++i) {
    all32 += (i > 1 ? "," : "") + std::string("bar") + std::to_string(i) + "=" + std::to_string(i);
  }
  members32.emplace_back("tracestate", all32);
  members33.emplace_back("tracestate", all32);
  members33.emplace_back("tracestate", "bar33=33");
  const Case cases[] = {
      {{{"traceparent", kParent}, {"tracestate", "foo=1,bar=2"}}, "foo=1,bar=2"},
      {{{"traceparent", kParent}, {"TrAcEsTaTe", "foo=1"}}, "foo=1"},
      {{{"traceparent", kParent}, {"trace-state", "foo=1"}}, ""},
      {{{"traceparent", kParent}, {"tracestate", ""}}, ""},
      {{{"traceparent", kParent}, {"tracestate", "foo=1"}, {"tracestate", ""}}, "foo=1"},
      {{{"traceparent", kParent}, {"tracestate", ""}, {"tracestate", "foo=1"}}, "foo=1"},
      {{{"traceparent", kParent},
        {"tracestate", "foo=1,bar=2"},
        {"tracestate", "rojo=1,congo=2"},
        {"tracestate", "baz=3"}},
       "foo=1,bar=2,rojo=1,congo=2,baz=3"},
      {{{"traceparent", kParent}, {"tracestate", "foo=1"}, {"tracestate", "foo=2"}}, ""},
      {{{"traceparent", kParent},
        {"tracestate", "foo=1"},
        {"tracestate", std::string(257, 'z') + "=1"}},
       ""},
      {{{"traceparent", kParent}, {"tracestate", "foo=1 \t , \t bar=2, \t baz=3"}},
       "foo=1,bar=2,baz=3"},
      {members32, all32},
      {members33, ""},
      // an invalid traceparent: a new trace, tracestate is dropped
      {{{"traceparent", "ff" + kParent.substr(2)}, {"tracestate", "foo=1"}}, ""},
      {{{"tracestate", "foo=1"}}, ""},
  };
  for (const auto& c : cases) {
    const Context context = extract(c.headers);
    EXPECT_EQ(context.span.trace_state().serialize(), c.expected) << c.headers.back().second;
  }
}

TEST(TraceContextPropagatorTest, InjectWritesBothHeaders) {
  auto state = std::make_shared<const TraceState>(*TraceState::parse("congo=t61rcWkgMzE"));
  const Context context{
      SpanContext(*TraceId::from_hex(kTrace), *SpanId::from_hex(kSpan), 1, false, state), nullptr};
  HeaderListCarrier carrier;
  make_trace_context_propagator()->inject(context, carrier);
  EXPECT_EQ(carrier.get("traceparent"), std::string("00-") + kTrace + "-" + kSpan + "-01");
  EXPECT_EQ(carrier.get("tracestate"), "congo=t61rcWkgMzE");

  HeaderListCarrier empty;
  make_trace_context_propagator()->inject(Context{}, empty);
  EXPECT_TRUE(empty.headers().empty());  // nothing to propagate for an invalid context
}

}  // namespace
}  // namespace tdemo::telemetry
