#include <gtest/gtest.h>

#include "telemetry/propagation.h"

namespace tdemo::telemetry {
namespace {

TEST(BaggageTest, ParseTable) {
  struct Case {
    std::string header;
    Baggage expected;
  };
  const Case cases[] = {
      {"key1=value1,key2=value2", {{"key1", "value1", ""}, {"key2", "value2", ""}}},
      {" key1 = value1 ,\tkey2=value2\t", {{"key1", "value1", ""}, {"key2", "value2", ""}}},
      {"userId=alice%20smith%2C%3Bx", {{"userId", "alice smith,;x", ""}}},
      {"k=v;prop1;prop2=x", {{"k", "v", "prop1;prop2=x"}}},
      {"k=v ; p = 1", {{"k", "v", "p = 1"}}},
      {"k=", {{"k", "", ""}}},
      {"bad key=1,good=2", {{"good", "2", ""}}},  // invalid members are skipped
      {"noequals,good=2", {{"good", "2", ""}}},
      {"bad=%zz,good=2", {{"good", "2", ""}}},  // malformed escape
      {"a=1,,b=2", {{"a", "1", ""}, {"b", "2", ""}}},
      // A value is *baggage-octet: a raw space, quote, backslash, control or non-ASCII byte
      // makes the member invalid (percent-encoded, the same text is fine).
      {"bad=two words,good=2", {{"good", "2", ""}}},
      {"bad=q\"uote,good=2", {{"good", "2", ""}}},
      {"bad=back\\slash,good=2", {{"good", "2", ""}}},
      {"bad=ctl\x01,good=2", {{"good", "2", ""}}},
      {"bad=caf\xc3\xa9,good=caf%C3%A9", {{"good", "caf\xc3\xa9", ""}}},
  };
  for (const auto& c : cases) {
    const auto baggage = parse_baggage(c.header);
    ASSERT_TRUE(baggage) << c.header;
    EXPECT_EQ(*baggage, c.expected) << c.header;
  }
  EXPECT_FALSE(parse_baggage("").has_value());
  EXPECT_FALSE(parse_baggage("no equals sign").has_value());
}

TEST(BaggageTest, Limits) {
  std::string many;
  for (std::size_t i = 0; i < kMaxBaggageMembers + 20; ++i) {
    many += (i ? "," : "") + std::string("k") + std::to_string(i) + "=v";
  }
  EXPECT_EQ(parse_baggage(many)->size(), kMaxBaggageMembers);

  const std::string big_value(3000, 'x');
  std::string big;
  for (int i = 0; i < 4; ++i)
    big += (i ? "," : "") + std::string("k") + std::to_string(i) + "=" + big_value;
  EXPECT_EQ(parse_baggage(big)->size(), 2u);  // the third member crosses 8192 bytes

  Baggage too_many;
  for (std::size_t i = 0; i < kMaxBaggageMembers + 5; ++i) {
    too_many.push_back({"k" + std::to_string(i), "v", ""});
  }
  EXPECT_EQ(parse_baggage(format_baggage(too_many))->size(), kMaxBaggageMembers);
  Baggage huge{{"a", std::string(5000, 'x'), ""}, {"b", "1", ""}};
  EXPECT_EQ(format_baggage(huge), "b=1");  // a member over 4096 bytes is not sent
}

TEST(BaggageTest, RoundTripThroughThePropagator) {
  auto baggage = std::make_shared<const Baggage>(Baggage{
      {"user.id", "42", ""}, {"note", "a b,c;d=e%f\"g\\h", "ttl=10"}, {"utf8", "caf\xC3\xA9", ""}});
  HeaderListCarrier carrier;
  const auto propagator = make_baggage_propagator();
  propagator->inject(Context{SpanContext(), baggage}, carrier);
  const std::string header = *carrier.get("baggage");
  EXPECT_EQ(header.find(' '), std::string::npos);
  const Context extracted = propagator->extract(carrier, Context{});
  ASSERT_TRUE(extracted.baggage);
  EXPECT_EQ(*extracted.baggage, *baggage);
}

TEST(JaegerPropagatorTest, ExtractTable) {
  struct Case {
    std::string header;
    bool valid;
    std::string trace_id;
    std::string span_id;
    bool sampled;
  };
  const Case cases[] = {
      {"4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1", true,
       "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true},
      {"a3ce929d0e0e4736:f067aa0ba902b7:0:0", true, "0000000000000000a3ce929d0e0e4736",
       "00f067aa0ba902b7", false},
      {"1:2:0:3", true, "00000000000000000000000000000001", "0000000000000002", true},
      {"ABC:DEF:0:2", true, "00000000000000000000000000000abc", "0000000000000def", true},
      {"4bf92f3577b34da6%3A00f067aa0ba902b7%3A0%3A1", true, "00000000000000004bf92f3577b34da6",
       "00f067aa0ba902b7", true},
      {"0:00f067aa0ba902b7:0:1", false, "", "", false},
      {"4bf92f3577b34da6:0:0:1", false, "", "", false},
      {"4bf92f3577b34da6:00f067aa0ba902b7:0", false, "", "", false},
      {"4bf92f3577b34da6:00f067aa0ba902b7:0:1:9", false, "", "", false},
      {"4bf92f3577b34da6a3ce929d0e0e47361:00f067aa0ba902b7:0:1", false, "", "", false},
      {"xyz:00f067aa0ba902b7:0:1", false, "", "", false},
      {"4bf92f3577b34da6:00f067aa0ba902b7:0:", false, "", "", false},
  };
  const auto propagator = make_jaeger_propagator();
  for (const auto& c : cases) {
    const Context context =
        propagator->extract(HeaderListCarrier({{"Uber-Trace-Id", c.header}}), Context{});
    EXPECT_EQ(context.span.valid(), c.valid) << c.header;
    if (c.valid && context.span.valid()) {
      EXPECT_EQ(context.span.trace_id().hex(), c.trace_id) << c.header;
      EXPECT_EQ(context.span.span_id().hex(), c.span_id) << c.header;
      EXPECT_EQ(context.span.sampled(), c.sampled) << c.header;
      EXPECT_TRUE(context.span.remote());
    }
  }
}

TEST(JaegerPropagatorTest, BaggageAndInject) {
  const auto propagator = make_jaeger_propagator();
  HeaderListCarrier in({{"uber-trace-id", "4bf92f3577b34da6:00f067aa0ba902b7:0:1"},
                        {"UberCtx-Customer", "alice%20smith"},
                        {"uberctx-", "ignored"}});
  const Context context = propagator->extract(in, Context{});
  ASSERT_TRUE(context.baggage);
  ASSERT_EQ(context.baggage->size(), 1u);
  EXPECT_EQ((*context.baggage)[0].name, "customer");
  EXPECT_EQ((*context.baggage)[0].value, "alice smith");

  HeaderListCarrier out;
  propagator->inject(context, out);
  EXPECT_EQ(out.get("uber-trace-id"), "00000000000000004bf92f3577b34da6:00f067aa0ba902b7:0:1");
  EXPECT_EQ(out.get("uberctx-customer"), "alice%20smith");
}

TEST(CompositePropagatorTest, ExtractsAndInjectsEveryPart) {
  std::vector<std::unique_ptr<TextMapPropagator>> parts;
  parts.push_back(make_propagator("tracecontext"));
  parts.push_back(make_propagator("baggage"));
  const auto composite = make_composite_propagator(std::move(parts));
  EXPECT_EQ(composite->fields(),
            (std::vector<std::string>{"traceparent", "tracestate", "baggage"}));
  HeaderListCarrier in({{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
                        {"baggage", "k=v"}});
  const Context context = composite->extract(in, Context{});
  EXPECT_TRUE(context.span.valid());
  ASSERT_TRUE(context.baggage);
  EXPECT_EQ((*context.baggage)[0].value, "v");
  HeaderListCarrier out;
  composite->inject(context, out);
  EXPECT_EQ(out.get("traceparent"), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  EXPECT_EQ(out.get("baggage"), "k=v");
  EXPECT_EQ(make_propagator("b3"), nullptr);
}

}  // namespace
}  // namespace tdemo::telemetry
