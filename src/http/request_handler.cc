#include "http/request_handler.h"

#include <chrono>
#include <mutex>

#include "http/errors.h"
#include "metrics/registry.h"
#include "telemetry/span.h"

namespace tdemo::http {

namespace {

namespace tel = tdemo::telemetry;

// Host header "name[:port]" (or "[v6]:port") split; empty when absent.
std::pair<std::string_view, std::int64_t> split_host(std::string_view host) {
  std::int64_t port = -1;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return {host, port};
    if (close + 1 < host.size() && host[close + 1] == ':') {
      port = parse_int64(host.substr(close + 2)).value_or(-1);
    }
    return {host.substr(1, close - 1), port};
  }
  const auto colon = host.rfind(':');
  if (colon != std::string_view::npos) {
    port = parse_int64(host.substr(colon + 1)).value_or(-1);
    return {host.substr(0, colon), port};
  }
  return {host, port};
}

// The server span's attributes at its start (visible to the sampler). Keys go through
// append_attribute, which reuses the key buffers of recycled spans: no allocation per key.
tel::Attributes start_attributes(const Request& request, std::string_view route,
                                 const TransportTracing& tracing) {
  tel::Attributes a = tel::take_attribute_list(14);
  const auto text = [&a](std::string_view key, std::string_view value) {
    tel::append_text_attribute(a, key, value);
  };
  const auto number = [&a](std::string_view key, std::int64_t value) {
    tel::append_attribute(a, key) = value;
  };
  text("http.request.method", to_string(request.method));
  if (request.method == Method::kOther) text("http.request.method_original", request.method_text);
  tel::append_attribute(a, "url.path") = tracing.redacted(request.path);
  if (!request.query.empty()) tel::append_attribute(a, "url.query") = tracing.redacted(request.query);
  text("url.scheme", "http");
  if (!route.empty()) text("http.route", route);
  auto [host, port] = split_host(request.header("host").value_or(""));
  if (!host.empty()) {
    text("server.address", host);
    number("server.port", port >= 0 ? port : static_cast<std::int64_t>(request.server_port));
  } else {
    text("server.address", request.server_address);
    number("server.port", static_cast<std::int64_t>(request.server_port));
  }
  text("client.address", request.client_address);
  number("client.port", static_cast<std::int64_t>(request.client_port));
  if (auto agent = request.header("user-agent")) text("user_agent.original", *agent);
  text("network.protocol.version", request.version == 10 ? "1.0" : "1.1");
  if (!request.body.empty()) {
    number("http.request.body.size", static_cast<std::int64_t>(request.body.size()));
  }
  return a;
}

bool has_attribute(const tel::Span& span, std::string_view key) {
  const tel::SpanData* data = span.data();
  if (data == nullptr) return false;
  for (const auto& kv : data->attributes) {
    if (kv.key == key) return true;
  }
  return false;
}

}  // namespace

RequestHandler::RequestHandler(const Router& router, TransportTracing tracing,
                               metrics::Registry* registry, const ServerOptions& options,
                               std::size_t workers)
    : router_(router), tracing_(std::move(tracing)), options_(options),
      workers_(new PerWorker[workers == 0 ? 1 : workers]), worker_count_(workers == 0 ? 1 : workers) {
  if (options_.access_log) {
    logger_ = options_.logger ? options_.logger
                              : std::make_shared<const telemetry::Logger>(
                                    options_.service_name.empty() ? "http" : options_.service_name);
    if (!logger_->enabled(telemetry::LogLevel::kInfo)) logger_.reset();  // level check once
  }
  if (registry != nullptr) {
    duration_ = &registry->histogram("http_server_request_duration_seconds",
                                     "Duration of HTTP server requests.",
                                     {"method", "route", "status"});
  }
}

RequestHandler::~RequestHandler() = default;

std::uint64_t RequestHandler::in_flight() const noexcept {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < worker_count_; ++i) n += workers_[i].in_flight.load(std::memory_order_relaxed);
  return n;
}

std::uint64_t RequestHandler::requests() const noexcept {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < worker_count_; ++i) n += workers_[i].requests.load(std::memory_order_relaxed);
  return n;
}

std::uint64_t RequestHandler::rejected() const noexcept {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < worker_count_; ++i) n += workers_[i].rejected.load(std::memory_order_relaxed);
  return n;
}

void RequestHandler::record_duration(PerWorker& worker, Method method, const Route* route, int status,
                                     double seconds) {
  if (duration_ == nullptr) return;
  const DurationKey key{method, route, status};
  auto it = worker.histograms.find(key);
  if (it == worker.histograms.end()) {
    // Unmatched paths share one label value so a scanner cannot grow the label set.
    metrics::Histogram& h = duration_->with(
        {std::string(to_string(method)), route == nullptr ? std::string("unmatched") : route->pattern,
         std::to_string(status)});
    it = worker.histograms.emplace(key, &h).first;
  }
  it->second->observe(seconds);
}

boost::asio::awaitable<RequestHandler::Outcome> RequestHandler::handle(Request& request,
                                                                       std::size_t worker_index) {
  PerWorker& worker = workers_[worker_index < worker_count_ ? worker_index : 0];
  const auto started = std::chrono::steady_clock::now();
  worker.requests.fetch_add(1, std::memory_order_relaxed);
  Outcome outcome;

  if (worker.in_flight.load(std::memory_order_relaxed) >= options_.max_in_flight_per_thread) {
    worker.rejected.fetch_add(1, std::memory_order_relaxed);
    outcome.response = service_unavailable(options_.retry_after_seconds);
    co_return outcome;
  }
  worker.in_flight.fetch_add(1, std::memory_order_relaxed);

  RouteMatch match = router_.match(request);
  const std::string_view route = match.route != nullptr ? std::string_view(match.route->pattern)
                                                        : std::string_view{};
  outcome.head_only = request.method == Method::kHead;

  tel::Context parent;
  if (tracing_.propagator != nullptr) {
    parent = tracing_.propagator->extract(HeadersCarrier(request.headers), parent);
  }
  tel::Span span;
  if (tracing_.tracer.may_record()) {
    tel::StartSpanOptions start;
    start.kind = tel::SpanKind::kServer;
    start.attributes = start_attributes(request, route, tracing_);
    span = tracing_.tracer.start_span(http_span_name(request.method, route), parent, std::move(start));
  } else if (tracing_.tracer.enabled()) {
    span = tracing_.tracer.start_span({}, parent, {});  // propagates only
  }

  RequestContext context{request, tel::context_with(parent, span), span, route};
  if (match.response) {
    outcome.response = std::move(*match.response);
  } else {
    outcome.response = co_await invoke(*match.route, context);
  }
  Response& response = outcome.response;

  if (span.is_recording()) {
    span.set_attribute("http.response.status_code", static_cast<std::int64_t>(response.status));
    span.set_attribute("http.response.body.size", static_cast<std::int64_t>(response.body.size()));
    if (response.status >= 500) {
      if (!has_attribute(span, "error.type")) {
        span.set_attribute("error.type", std::to_string(response.status));
      }
      span.set_status(tel::StatusCode::kError);
    }
  }
  if (span.context().valid()) {
    response.headers.set("traceresponse", TraceResponse(span.context()).view());
  }
  span.end();

  worker.in_flight.fetch_sub(1, std::memory_order_relaxed);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  record_duration(worker, request.method, match.route, response.status, seconds);
  if (logger_) {
    write_access_log(request, response.status, response.body.size(), seconds, span.context());
  }
  co_return outcome;
}

void RequestHandler::write_access_log(const Request& request, int status,
                                      std::size_t response_bytes, double seconds,
                                      const telemetry::SpanContext& span) const {
  if (!logger_ || !logger_->enabled(telemetry::LogLevel::kInfo)) return;
  logger_->line(telemetry::LogLevel::kInfo, "access", span)
      .field("http.request.method", request.method_text)
      .field("url.path", tracing_.redacted(request.path))
      .field("http.response.status_code", status)
      .field("http.response.body.size", response_bytes)
      .field_3_decimals("duration_ms", seconds * 1000.0)
      .field("client.address", request.client_address)
      .write();
}

}  // namespace tdemo::http
