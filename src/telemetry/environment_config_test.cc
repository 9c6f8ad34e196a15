#include <gtest/gtest.h>

#include <map>

#include "telemetry/telemetry.h"

namespace tdemo::telemetry {
namespace {

using Env = std::map<std::string, std::string, std::less<>>;

TelemetryConfig read(const Env& env, std::string_view default_name = "gateway") {
  return config_from_environment(default_name,
                                 [&env](std::string_view name) -> std::optional<std::string> {
                                   const auto it = env.find(name);
                                   if (it == env.end()) return std::nullopt;
                                   return it->second;
                                 });
}

std::string resource_value(const TelemetryConfig& config, std::string_view key) {
  for (const auto& kv : config.resource_attributes) {
    if (kv.key == key) return to_display_string(kv.value);
  }
  return "<absent>";
}

TEST(EnvironmentConfigTest, DefaultsFollowTheSpecification) {
  const TelemetryConfig config = read({});
  EXPECT_EQ(config.service_name, "gateway");
  EXPECT_EQ(resource_value(config, "service.name"), "gateway");
  EXPECT_EQ(config.sampler, "parentbased_always_on");
  EXPECT_FALSE(config.sampler_arg);
  EXPECT_EQ(config.propagators, (std::vector<std::string>{"tracecontext", "baggage"}));
  EXPECT_EQ(config.exporter, ExporterKind::kOtlp);
  EXPECT_EQ(config.protocol, OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(config.endpoint, "http://localhost:4318/v1/traces");
  EXPECT_EQ(config.export_timeout, std::chrono::milliseconds(10000));
  EXPECT_FALSE(config.gzip);
  EXPECT_EQ(config.bsp_max_queue_size, 2048u);
  EXPECT_EQ(config.bsp_schedule_delay, std::chrono::milliseconds(5000));
  EXPECT_EQ(config.bsp_max_export_batch_size, 512u);
  EXPECT_EQ(config.bsp_export_timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(config.limits.attribute_count, 128u);
  EXPECT_EQ(config.limits.attribute_value_length, 0u);
  EXPECT_FALSE(config.sdk_disabled);
  EXPECT_FALSE(config.console_too);
  EXPECT_TRUE(config.warnings.empty());
}

TEST(EnvironmentConfigTest, ServiceNamePrecedence) {
  struct Case {
    Env env;
    std::string expected;
  };
  const Case cases[] = {
      {{{"SERVICE_NAME", "seed"}}, "seed"},
      {{{"SERVICE_NAME", "seed"}, {"OTEL_RESOURCE_ATTRIBUTES", "service.name=res"}}, "res"},
      {{{"OTEL_SERVICE_NAME", "otel"}, {"OTEL_RESOURCE_ATTRIBUTES", "service.name=res"}}, "otel"},
      {{{"OTEL_SERVICE_NAME", ""}, {"SERVICE_NAME", "seed"}}, "seed"},  // empty = unset
  };
  for (const auto& c : cases) {
    const auto config = read(c.env);
    EXPECT_EQ(config.service_name, c.expected);
    EXPECT_EQ(resource_value(config, "service.name"), c.expected);
  }
}

TEST(EnvironmentConfigTest, ResourceAttributesArePercentDecoded) {
  const auto config = read(
      {{"OTEL_RESOURCE_ATTRIBUTES", "service.version=1.2.3, team=core%20platform,note=a%2Cb%3Dc"},
       {"ENVIRONMENT", "staging"}});
  EXPECT_EQ(resource_value(config, "service.version"), "1.2.3");
  EXPECT_EQ(resource_value(config, "team"), "core platform");
  EXPECT_EQ(resource_value(config, "note"), "a,b=c");
  EXPECT_EQ(resource_value(config, "deployment.environment.name"), "staging");
  EXPECT_TRUE(config.warnings.empty());

  const auto explicit_env = read({{"OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=prod"},
                                  {"ENVIRONMENT", "staging"}});
  EXPECT_EQ(resource_value(explicit_env, "deployment.environment.name"), "prod");

  const auto bad = read({{"OTEL_RESOURCE_ATTRIBUTES", "a=1,broken,b=2"}});
  EXPECT_EQ(resource_value(bad, "a"), "<absent>");  // the whole variable is discarded
  ASSERT_EQ(bad.warnings.size(), 1u);
  EXPECT_NE(bad.warnings[0].find("OTEL_RESOURCE_ATTRIBUTES"), std::string::npos);
}

TEST(EnvironmentConfigTest, EndpointResolution) {
  struct Case {
    Env env;
    std::string endpoint;
    OtlpProtocol protocol;
    std::size_t warnings;
    ExporterKind exporter = ExporterKind::kOtlp;
  };
  const Case cases[] = {
      {{{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"}},
       "http://collector:4318/v1/traces",
       OtlpProtocol::kHttpProtobuf,
       0},
      {{{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"}},
       "http://collector:4318/v1/traces",
       OtlpProtocol::kHttpProtobuf,
       0},
      {{{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"},
        {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "https://x:9/custom"}},
       "https://x:9/custom",
       OtlpProtocol::kHttpProtobuf,
       0},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}}, "http://localhost:4317", OtlpProtocol::kGrpc, 0},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"}},
       "http://c:4317",
       OtlpProtocol::kGrpc,
       0},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"}},
       "http://localhost:4318/v1/traces",
       OtlpProtocol::kHttpJson,
       0},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
        {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/json"}},
       "http://localhost:4318/v1/traces",
       OtlpProtocol::kHttpJson,
       0},
      {{{"JAEGER_HOST", "jaeger"}}, "http://jaeger:4318/v1/traces", OtlpProtocol::kHttpProtobuf, 0},
      {{{"JAEGER_HOST", "jaeger"}, {"JAEGER_PORT", "4318"}},
       "http://jaeger:4318/v1/traces",
       OtlpProtocol::kHttpProtobuf,
       0},
      {{{"JAEGER_HOST", "jaeger"}, {"JAEGER_PORT", "4317"}},
       "http://jaeger:4317",
       OtlpProtocol::kGrpc,
       0},
      {{{"JAEGER_HOST", "jaeger"}, {"JAEGER_PORT", "6831"}},  // agent UDP: not spoken
       "http://jaeger:4318/v1/traces",
       OtlpProtocol::kHttpProtobuf,
       1},
      {{{"JAEGER_HOST", "jaeger"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel:4318"}},
       "http://otel:4318/v1/traces",
       OtlpProtocol::kHttpProtobuf,
       0},
      {{{"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"}},
       "http://localhost:4318/v1/traces",
       OtlpProtocol::kHttpProtobuf,
       1},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/thrift"}},
       "http://localhost:4318/v1/traces",
       OtlpProtocol::kHttpProtobuf,
       1},
  };
  for (const auto& c : cases) {
    const auto config = read(c.env);
    EXPECT_EQ(config.endpoint, c.endpoint) << c.env.begin()->second;
    EXPECT_EQ(config.protocol, c.protocol) << c.env.begin()->second;
    EXPECT_EQ(config.warnings.size(), c.warnings) << c.env.begin()->second;
    EXPECT_EQ(config.exporter, c.exporter) << c.env.begin()->second;
  }
}

// JAEGER_PORT=14268, where the seed's Jaeger clients sent: the Jaeger Thrift exporter, unless
// an OTLP endpoint or OTEL_TRACES_EXPORTER asks for something else.
TEST(EnvironmentConfigTest, JaegerPort14268SelectsTheJaegerThriftExporter) {
  struct Case {
    Env env;
    ExporterKind exporter;
    std::string endpoint;
    std::size_t warnings;
  };
  const Env jaeger = {{"JAEGER_HOST", "jaeger"}, {"JAEGER_PORT", "14268"}};
  const auto with = [&jaeger](Env more) {
    more.insert(jaeger.begin(), jaeger.end());
    return more;
  };
  const Case cases[] = {
      {jaeger, ExporterKind::kJaegerThrift, "http://jaeger:14268/api/traces", 0},
      {with({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}}), ExporterKind::kJaegerThrift,
       "http://jaeger:14268/api/traces", 0},
      {with({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel:4318"}}), ExporterKind::kOtlp,
       "http://otel:4318/v1/traces", 0},
      {with({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://otel:4318/v1/traces"}}),
       ExporterKind::kOtlp, "http://otel:4318/v1/traces", 0},
      {with({{"OTEL_TRACES_EXPORTER", "otlp"}}), ExporterKind::kOtlp,
       "http://jaeger:4318/v1/traces", 1},
      {with({{"OTEL_TRACES_EXPORTER", "none"}}), ExporterKind::kNone,
       "http://jaeger:4318/v1/traces", 0},
      {with({{"OTEL_TRACES_EXPORTER", "console"}}), ExporterKind::kConsole,
       "http://jaeger:4318/v1/traces", 0},
      {{{"JAEGER_PORT", "14268"}}, ExporterKind::kOtlp, "http://localhost:4318/v1/traces", 0},
  };
  for (const auto& c : cases) {
    const auto config = read(c.env);
    std::string env;
    for (const auto& [k, v] : c.env) env += k + "=" + v + " ";
    EXPECT_EQ(config.exporter, c.exporter) << env;
    EXPECT_EQ(config.endpoint, c.endpoint) << env;
    EXPECT_EQ(config.warnings.size(), c.warnings) << env;
  }
  const auto timed = read(with({{"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"}}));
  EXPECT_EQ(timed.export_timeout, std::chrono::milliseconds(2500));  // bounds every exporter
}

TEST(EnvironmentConfigTest, HeadersTimeoutCompression) {
  const auto config = read({{"OTEL_EXPORTER_OTLP_HEADERS", "api-key=abc%3D%3D,x-team=core"},
                            {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-team=traces"},
                            {"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"},
                            {"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "gzip"}});
  EXPECT_EQ(config.headers.at("api-key"), "abc==");
  EXPECT_EQ(config.headers.at("x-team"), "traces");
  EXPECT_EQ(config.export_timeout, std::chrono::milliseconds(2500));
  EXPECT_TRUE(config.gzip);
  EXPECT_TRUE(config.warnings.empty());
}

// Every bad value: one warning naming the variable, and the default kept.
TEST(EnvironmentConfigTest, BadValuesWarnOnceAndKeepDefaults) {
  struct Case {
    const char* name;
    const char* value;
  };
  const Case cases[] = {
      {"OTEL_BSP_MAX_QUEUE_SIZE", "lots"},
      {"OTEL_BSP_MAX_QUEUE_SIZE", "0"},
      {"OTEL_BSP_MAX_QUEUE_SIZE", "-5"},
      {"OTEL_BSP_SCHEDULE_DELAY", "5s"},
      {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "1e3"},
      {"OTEL_BSP_EXPORT_TIMEOUT", "99999999999999999999999"},
      {"OTEL_EXPORTER_OTLP_TIMEOUT", "ten"},
      {"OTEL_EXPORTER_OTLP_COMPRESSION", "zstd"},
      {"OTEL_EXPORTER_OTLP_HEADERS", "novalue"},
      {"OTEL_TRACES_SAMPLER", "sometimes"},
      {"OTEL_TRACES_SAMPLER_ARG", "1.5"},
      {"OTEL_TRACES_SAMPLER_ARG", "half"},
      {"OTEL_TRACES_EXPORTER", "zipkin"},
      {"OTEL_SDK_DISABLED", "yes"},
      {"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "many"},
      {"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "-1"},
      {"OTEL_SPAN_EVENT_COUNT_LIMIT", "x"},
      {"OTEL_PROPAGATORS", "b3"},
  };
  const TelemetryConfig defaults = read({});
  for (const auto& c : cases) {
    const auto config = read({{c.name, c.value}});
    ASSERT_EQ(config.warnings.size(), 1u) << c.name << "=" << c.value;
    EXPECT_NE(config.warnings[0].find(c.name), std::string::npos) << config.warnings[0];
    EXPECT_NE(config.warnings[0].find("using"), std::string::npos) << config.warnings[0];
    EXPECT_EQ(config.bsp_max_queue_size, defaults.bsp_max_queue_size);
    EXPECT_EQ(config.bsp_schedule_delay, defaults.bsp_schedule_delay);
    EXPECT_EQ(config.bsp_max_export_batch_size, defaults.bsp_max_export_batch_size);
    EXPECT_EQ(config.bsp_export_timeout, defaults.bsp_export_timeout);
    EXPECT_EQ(config.export_timeout, defaults.export_timeout);
    EXPECT_EQ(config.gzip, defaults.gzip);
    EXPECT_EQ(config.sampler, defaults.sampler);
    EXPECT_EQ(config.sampler_arg, defaults.sampler_arg);
    EXPECT_EQ(config.exporter, defaults.exporter);
    EXPECT_EQ(config.sdk_disabled, defaults.sdk_disabled);
    EXPECT_EQ(config.limits.attribute_count, defaults.limits.attribute_count);
    EXPECT_EQ(config.limits.attribute_value_length, defaults.limits.attribute_value_length);
    EXPECT_EQ(config.limits.event_count, defaults.limits.event_count);
  }
}

TEST(EnvironmentConfigTest, BatchLimitsAndSamplerAndPropagators) {
  const auto config = read({{"OTEL_BSP_MAX_QUEUE_SIZE", "100"},
                            {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "200"},
                            {"OTEL_BSP_SCHEDULE_DELAY", "250"},
                            {"OTEL_ATTRIBUTE_COUNT_LIMIT", "10"},
                            {"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "20"},
                            {"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "64"},
                            {"OTEL_SPAN_EVENT_COUNT_LIMIT", "5"},
                            {"OTEL_SPAN_LINK_COUNT_LIMIT", "6"},
                            {"OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "7"},
                            {"OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "8"},
                            {"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"},
                            {"OTEL_TRACES_SAMPLER_ARG", "0.25"},
                            {"OTEL_PROPAGATORS", "jaeger, tracecontext,b3,jaeger"}});
  EXPECT_EQ(config.bsp_max_queue_size, 100u);
  EXPECT_EQ(config.bsp_max_export_batch_size, 100u);  // clamped to the queue, with a warning
  EXPECT_EQ(config.bsp_schedule_delay, std::chrono::milliseconds(250));
  EXPECT_EQ(config.limits.attribute_count, 20u);  // the span-specific variable wins
  EXPECT_EQ(config.limits.attribute_value_length, 64u);
  EXPECT_EQ(config.limits.event_count, 5u);
  EXPECT_EQ(config.limits.link_count, 6u);
  EXPECT_EQ(config.limits.attributes_per_event, 7u);
  EXPECT_EQ(config.limits.attributes_per_link, 8u);
  EXPECT_EQ(config.sampler, "parentbased_traceidratio");
  EXPECT_EQ(config.sampler_arg, 0.25);
  EXPECT_EQ(config.propagators, (std::vector<std::string>{"jaeger", "tracecontext"}));
  EXPECT_EQ(config.warnings.size(), 2u);  // batch size clamped, b3 unsupported
  EXPECT_TRUE(read({{"OTEL_PROPAGATORS", "none"}}).propagators.empty());
}

TEST(EnvironmentConfigTest, ExporterSwitches) {
  struct Case {
    Env env;
    ExporterKind exporter;
    bool console_too;
    bool disabled;
  };
  const Case cases[] = {
      {{{"OTEL_TRACES_EXPORTER", "console"}}, ExporterKind::kConsole, false, false},
      {{{"OTEL_TRACES_EXPORTER", "none"}}, ExporterKind::kNone, false, false},
      {{{"OTEL_TRACES_EXPORTER", "otlp,console"}}, ExporterKind::kOtlp, true, false},
      {{{"DEBUG", "true"}}, ExporterKind::kOtlp, true, false},
      {{{"DEBUG", "false"}}, ExporterKind::kOtlp, false, false},
      {{{"OTEL_SDK_DISABLED", "TRUE"}}, ExporterKind::kOtlp, false, true},
      {{{"OTEL_SDK_DISABLED", "false"}}, ExporterKind::kOtlp, false, false},
  };
  for (const auto& c : cases) {
    const auto config = read(c.env);
    EXPECT_EQ(config.exporter, c.exporter) << c.env.begin()->second;
    EXPECT_EQ(config.console_too, c.console_too) << c.env.begin()->second;
    EXPECT_EQ(config.sdk_disabled, c.disabled) << c.env.begin()->second;
    EXPECT_TRUE(config.warnings.empty());
  }
}

}  // namespace
}  // namespace tdemo::telemetry
