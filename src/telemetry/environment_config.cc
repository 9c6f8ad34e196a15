// config_from_environment: the OpenTelemetry SDK environment variables (and the seed's
// SERVICE_NAME, ENVIRONMENT, JAEGER_HOST, JAEGER_PORT, DEBUG) resolved into a TelemetryConfig.
//
// Precedence, highest first:
//   service name   OTEL_SERVICE_NAME > service.name in OTEL_RESOURCE_ATTRIBUTES > SERVICE_NAME
//                  > the caller's default
//   environment    deployment.environment.name in OTEL_RESOURCE_ATTRIBUTES > ENVIRONMENT
//   endpoint       OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as is)
//                  > OTEL_EXPORTER_OTLP_ENDPOINT (+ "/v1/traces" for HTTP, as is for gRPC)
//                  > JAEGER_HOST/JAEGER_PORT > http://localhost:4318/v1/traces (4317 for gRPC)
//   per signal     OTEL_EXPORTER_OTLP_TRACES_{PROTOCOL,HEADERS,TIMEOUT,COMPRESSION} override
//                  OTEL_EXPORTER_OTLP_{...}; OTEL_SPAN_ATTRIBUTE_* override OTEL_ATTRIBUTE_*.
//
// JAEGER_HOST/JAEGER_PORT mapping: Jaeger (>= 1.35) receives OTLP itself, on 4318 (HTTP) and
// 4317 (gRPC). So JAEGER_PORT unset or 4318 -> http://JAEGER_HOST:4318/v1/traces (OTLP/HTTP);
// JAEGER_PORT=4317 -> OTLP/gRPC to http://JAEGER_HOST:4317 (unless a protocol is set).
// JAEGER_PORT=14268 (the collector's Thrift-over-HTTP port, where the seed's Jaeger clients
// sent) -> the Jaeger Thrift exporter (ExporterKind::kJaegerThrift) to
// http://JAEGER_HOST:14268/api/traces (OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT bounds it), unless
// OTLP is asked for explicitly: an OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT wins as above, and with
// OTEL_TRACES_EXPORTER set the exporter it names is used (for otlp, a warning and OTLP/HTTP to
// JAEGER_HOST:4318). Any other port (6831 agent UDP, ...) is a Jaeger-native protocol we do not
// speak: a warning, and OTLP/HTTP to JAEGER_HOST:4318 instead.
//
// Empty variables count as unset (as the specification says). Bad values never throw: each
// adds one line to `warnings` and the default is kept.
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <limits>

#include "telemetry/propagation/text_util.h"
#include "telemetry/sampler.h"
#include "telemetry/telemetry.h"

namespace tdemo::telemetry {
namespace {

class Reader {
 public:
  Reader(const EnvironmentLookup& env, std::vector<std::string>& warnings)
      : env_(env), warnings_(warnings) {}

  // The value, trimmed; nullopt when unset or empty.
  std::optional<std::string> get(std::string_view name) const {
    auto value = env_(name);
    if (!value) return std::nullopt;
    const auto trimmed = text::trim_ows(*value);
    if (trimmed.empty()) return std::nullopt;
    return std::string(trimmed);
  }

  // The first of `names` that is set.
  std::optional<std::pair<std::string_view, std::string>> first(
      std::initializer_list<std::string_view> names) const {
    for (auto name : names) {
      if (auto value = get(name)) return std::make_pair(name, std::move(*value));
    }
    return std::nullopt;
  }

  void warn(std::string_view name, std::string_view value, std::string_view problem,
            std::string_view used) {
    std::string line(name);
    line += "=\"";
    line += value;
    line += "\": ";
    line += problem;
    line += "; using ";
    line += used;
    warnings_.push_back(std::move(line));
  }

  // A non-negative integer, at least `minimum`.
  template <typename T>
  void integer(std::initializer_list<std::string_view> names, T& target, T minimum = 0) {
    const auto found = first(names);
    if (!found) return;
    const auto& [name, value] = *found;
    unsigned long long parsed = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
    if (ec != std::errc{} || end != value.data() + value.size() || parsed < minimum ||
        parsed > static_cast<unsigned long long>(std::numeric_limits<long long>::max())) {
      warn(name, value, minimum > 0 ? "not a positive integer" : "not a non-negative integer",
           std::to_string(static_cast<unsigned long long>(target)));
      return;
    }
    target = static_cast<T>(parsed);
  }

  void milliseconds(std::initializer_list<std::string_view> names,
                    std::chrono::milliseconds& target) {
    std::uint64_t value = static_cast<std::uint64_t>(target.count());
    integer<std::uint64_t>(names, value);
    target = std::chrono::milliseconds(static_cast<std::int64_t>(value));
  }

  // "true"/"false", case-insensitive (the spec's only boolean spellings).
  void boolean(std::string_view name, bool& target) {
    const auto value = get(name);
    if (!value) return;
    if (text::iequals(*value, "true")) {
      target = true;
    } else if (text::iequals(*value, "false")) {
      target = false;
    } else {
      warn(name, *value, "not true or false", target ? "true" : "false");
    }
  }

 private:
  const EnvironmentLookup& env_;
  std::vector<std::string>& warnings_;
};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto position = text.find(separator);
    parts.push_back(text::trim_ows(text.substr(0, position)));
    if (position == std::string_view::npos) break;
    text.remove_prefix(position + 1);
  }
  return parts;
}

// "k=v,k2=v2" with percent-encoded keys and values (OTEL_RESOURCE_ATTRIBUTES, *_HEADERS).
// Nullopt when any member is malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_key_values(
    std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto member : split(text, ',')) {
    if (member.empty()) continue;
    const auto equals = member.find('=');
    if (equals == std::string_view::npos) return std::nullopt;
    std::string key, value;
    if (!text::percent_decode(text::trim_ows(member.substr(0, equals)), key) ||
        !text::percent_decode(text::trim_ows(member.substr(equals + 1)), value) || key.empty()) {
      return std::nullopt;
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

bool looks_like_url(std::string_view url) {
  const bool http = text::istarts_with(url, "http://") || text::istarts_with(url, "https://");
  const auto host_start = url.find("://");
  return http && host_start != std::string_view::npos && url.size() > host_start + 3;
}

std::string join_traces_path(std::string base) {
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/v1/traces";
}

std::string default_endpoint(OtlpProtocol protocol) {
  return protocol == OtlpProtocol::kGrpc ? "http://localhost:4317"
                                         : "http://localhost:4318/v1/traces";
}

void read_resource(Reader& env, TelemetryConfig& config, std::string_view default_service) {
  std::optional<std::string> resource_service;
  bool has_environment = false;
  if (const auto found = env.first({"OTEL_RESOURCE_ATTRIBUTES"})) {
    const auto pairs = parse_key_values(found->second);
    if (!pairs) {
      env.warn(found->first, found->second, "not a list of key=value (percent-encoded)",
               "no resource attributes from it");
    } else {
      for (const auto& [key, value] : *pairs) {
        if (key == "service.name") resource_service = value;
        if (key == "deployment.environment.name") has_environment = true;
        set_attribute(config.resource_attributes, key, value, SIZE_MAX);
      }
    }
  }
  if (auto environment = env.get("ENVIRONMENT"); environment && !has_environment) {
    set_attribute(config.resource_attributes, "deployment.environment.name", *environment,
                  SIZE_MAX);
  }
  if (auto name = env.get("OTEL_SERVICE_NAME")) {
    config.service_name = *name;
  } else if (resource_service) {
    config.service_name = *resource_service;
  } else if (auto seed_name = env.get("SERVICE_NAME")) {
    config.service_name = *seed_name;
  } else {
    config.service_name = std::string(default_service);
  }
  set_attribute(config.resource_attributes, "service.name", config.service_name, SIZE_MAX);
}

void read_sampler(Reader& env, TelemetryConfig& config) {
  if (const auto name = env.get("OTEL_TRACES_SAMPLER")) {
    if (make_sampler(*name)) {
      config.sampler = *name;
    } else {
      env.warn("OTEL_TRACES_SAMPLER", *name,
               "unknown sampler (always_on, always_off, traceidratio, parentbased_always_on, "
               "parentbased_always_off, parentbased_traceidratio)",
               config.sampler);
    }
  }
  if (const auto arg = env.get("OTEL_TRACES_SAMPLER_ARG")) {
    double ratio = 0;
    auto [end, ec] = std::from_chars(arg->data(), arg->data() + arg->size(), ratio);
    if (ec != std::errc{} || end != arg->data() + arg->size() || !(ratio >= 0.0 && ratio <= 1.0)) {
      env.warn("OTEL_TRACES_SAMPLER_ARG", *arg, "not a number in [0, 1]", "1.0");
    } else {
      config.sampler_arg = ratio;
    }
  }
}

void read_propagators(Reader& env, TelemetryConfig& config) {
  const auto value = env.get("OTEL_PROPAGATORS");
  if (!value) return;
  std::vector<std::string> names;
  for (auto name : split(*value, ',')) {
    if (name.empty()) continue;
    if (name == "none") {
      names.clear();
      break;
    }
    if (!make_propagator(name)) {
      env.warn("OTEL_PROPAGATORS", name, "unsupported propagator (tracecontext, baggage, jaeger)",
               "the others listed");
      continue;
    }
    if (std::find(names.begin(), names.end(), name) == names.end()) names.emplace_back(name);
  }
  config.propagators = std::move(names);
}

// Headers, timeout and compression (the timeout also bounds the Jaeger Thrift exporter).
void read_otlp_options(Reader& env, TelemetryConfig& config) {
  for (const char* name : {"OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"}) {
    const auto value = env.get(name);
    if (!value) continue;
    const auto pairs = parse_key_values(*value);
    if (!pairs) {
      env.warn(name, *value, "not a list of key=value (percent-encoded)", "no headers from it");
      continue;
    }
    for (const auto& [key, header_value] : *pairs) config.headers[key] = header_value;
  }

  env.milliseconds({"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"},
                   config.export_timeout);

  if (const auto found =
          env.first({"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_COMPRESSION"})) {
    const auto& [name, value] = *found;
    if (value == "gzip") {
      config.gzip = true;
    } else if (value == "none") {
      config.gzip = false;
    } else {
      env.warn(name, value, "expected gzip or none", "none");
    }
  }
}

void read_exporter(Reader& env, TelemetryConfig& config) {
  const bool exporter_set = env.get("OTEL_TRACES_EXPORTER").has_value();
  if (const auto value = env.get("OTEL_TRACES_EXPORTER")) {
    bool otlp = false, console = false, none = false, bad = false;
    for (auto name : split(*value, ',')) {
      if (name == "otlp")
        otlp = true;
      else if (name == "console")
        console = true;
      else if (name == "none")
        none = true;
      else if (!name.empty())
        bad = true;
    }
    if (bad || (none && (otlp || console)) || (!otlp && !console && !none)) {
      env.warn("OTEL_TRACES_EXPORTER", *value, "expected otlp, console, none or otlp,console",
               "otlp");
    } else if (none) {
      config.exporter = ExporterKind::kNone;
    } else if (otlp) {
      config.exporter = ExporterKind::kOtlp;
      config.console_too = config.console_too || console;
    } else {
      config.exporter = ExporterKind::kConsole;
    }
  }

  bool protocol_set = false;
  if (const auto found =
          env.first({"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"})) {
    const auto& [name, value] = *found;
    protocol_set = true;
    if (value == "http/protobuf") {
      config.protocol = OtlpProtocol::kHttpProtobuf;
    } else if (value == "http/json") {
      config.protocol = OtlpProtocol::kHttpJson;
    } else if (value == "grpc") {
      config.protocol = OtlpProtocol::kGrpc;
    } else {
      protocol_set = false;
      env.warn(name, value, "expected http/protobuf, http/json or grpc", "http/protobuf");
    }
  }

  // JAEGER_HOST / JAEGER_PORT: see the mapping at the top of this file.
  const bool otlp_endpoint_set = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").has_value() ||
                                 env.get("OTEL_EXPORTER_OTLP_ENDPOINT").has_value();
  std::optional<std::string> jaeger_endpoint;
  if (const auto host = env.get("JAEGER_HOST")) {
    const auto port = env.get("JAEGER_PORT");
    if (port && *port == "14268") {
      if (!otlp_endpoint_set && !exporter_set) {
        config.exporter = ExporterKind::kJaegerThrift;
        config.endpoint = "http://" + *host + ":14268/api/traces";
        return read_otlp_options(env, config);
      }
      if (!otlp_endpoint_set && config.exporter == ExporterKind::kOtlp) {
        env.warn("JAEGER_PORT", *port,
                 "OTEL_TRACES_EXPORTER asks for OTLP, not Jaeger Thrift; Jaeger takes OTLP on 4318",
                 "OTLP/HTTP to " + *host + ":4318");
      }
      jaeger_endpoint = "http://" + *host + ":4318/v1/traces";
    } else if (port && *port == "4317") {
      if (!protocol_set) config.protocol = OtlpProtocol::kGrpc;
      jaeger_endpoint = config.protocol == OtlpProtocol::kGrpc
                            ? "http://" + *host + ":4317"
                            : "http://" + *host + ":4317/v1/traces";
    } else {
      if (port && *port != "4318") {
        env.warn("JAEGER_PORT", *port,
                 "Jaeger-native protocols are not supported; Jaeger takes OTLP on 4318",
                 "OTLP/HTTP to " + *host + ":4318");
      }
      jaeger_endpoint = "http://" + *host + ":4318/v1/traces";
    }
  }

  config.endpoint = default_endpoint(config.protocol);
  if (const auto traces = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) {
    if (looks_like_url(*traces)) {
      config.endpoint = *traces;
    } else {
      env.warn("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", *traces, "not an http(s) URL",
               config.endpoint);
    }
  } else if (const auto base = env.get("OTEL_EXPORTER_OTLP_ENDPOINT")) {
    if (looks_like_url(*base)) {
      config.endpoint = config.protocol == OtlpProtocol::kGrpc ? *base : join_traces_path(*base);
    } else {
      env.warn("OTEL_EXPORTER_OTLP_ENDPOINT", *base, "not an http(s) URL", config.endpoint);
    }
  } else if (jaeger_endpoint) {
    config.endpoint = *jaeger_endpoint;
  }
  read_otlp_options(env, config);
}

void read_batch_and_limits(Reader& env, TelemetryConfig& config) {
  env.integer<std::size_t>({"OTEL_BSP_MAX_QUEUE_SIZE"}, config.bsp_max_queue_size, 1);
  env.milliseconds({"OTEL_BSP_SCHEDULE_DELAY"}, config.bsp_schedule_delay);
  env.integer<std::size_t>({"OTEL_BSP_MAX_EXPORT_BATCH_SIZE"}, config.bsp_max_export_batch_size, 1);
  env.milliseconds({"OTEL_BSP_EXPORT_TIMEOUT"}, config.bsp_export_timeout);
  if (config.bsp_max_export_batch_size > config.bsp_max_queue_size) {
    env.warn("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", std::to_string(config.bsp_max_export_batch_size),
             "larger than OTEL_BSP_MAX_QUEUE_SIZE", std::to_string(config.bsp_max_queue_size));
    config.bsp_max_export_batch_size = config.bsp_max_queue_size;
  }

  SpanLimits& limits = config.limits;
  env.integer<std::size_t>({"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_COUNT_LIMIT"},
                           limits.attribute_count);
  env.integer<std::size_t>(
      {"OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"},
      limits.attribute_value_length);
  env.integer<std::size_t>({"OTEL_SPAN_EVENT_COUNT_LIMIT"}, limits.event_count);
  env.integer<std::size_t>({"OTEL_SPAN_LINK_COUNT_LIMIT"}, limits.link_count);
  env.integer<std::size_t>({"OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT"}, limits.attributes_per_event);
  env.integer<std::size_t>({"OTEL_LINK_ATTRIBUTE_COUNT_LIMIT"}, limits.attributes_per_link);
}

}  // namespace

EnvironmentLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

TelemetryConfig config_from_environment(std::string_view default_service_name,
                                        const EnvironmentLookup& lookup) {
  TelemetryConfig config;
  Reader env(lookup, config.warnings);
  env.boolean("OTEL_SDK_DISABLED", config.sdk_disabled);
  // The seed's DEBUG: also print spans to the console (true/1/yes).
  if (const auto debug = env.get("DEBUG")) {
    config.console_too =
        text::iequals(*debug, "true") || *debug == "1" || text::iequals(*debug, "yes");
  }
  read_resource(env, config, default_service_name);
  read_sampler(env, config);
  read_propagators(env, config);
  read_exporter(env, config);
  read_batch_and_limits(env, config);
  return config;
}

}  // namespace tdemo::telemetry
