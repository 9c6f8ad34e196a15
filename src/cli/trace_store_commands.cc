// tracing-demo traces: the embedded trace store (OTLP in, Jaeger API + UI out), and
// `traces show` / `traces search` to read it from a terminal.
#include <CLI/CLI.hpp>

#include <boost/json/parse.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "http/message.h"
#include "http/server.h"
#include "metrics/registry.h"
#include "tracestore/terminal_view.h"
#include "tracestore/trace_store_server.h"

namespace tdemo::cli {
namespace {

struct ClientFlags {
  std::string host = "127.0.0.1";
  std::uint16_t ui_port = 16686;
  std::string auth_token;
};

void add_client_flags(CLI::App& cmd, ClientFlags& flags) {
  cmd.add_option("--host", flags.host, "Trace store host")->capture_default_str();
  cmd.add_option("--ui-port", flags.ui_port, "Trace store query/UI port")->capture_default_str();
  cmd.add_option("--auth-token", flags.auth_token, "Bearer token (env TRACESTORE_AUTH_TOKEN)")
      ->envname("TRACESTORE_AUTH_TOKEN");
}

// Fetches `target` and returns the parsed "data", or prints the error and returns nullopt.
std::optional<boost::json::value> fetch_data(const ClientFlags& flags, const std::string& target) {
  auto response = tracestore::blocking_get(flags.host, flags.ui_port, target, flags.auth_token);
  if (response.status == 0) {
    std::cerr << "traces: " << response.body << "\n";
    return std::nullopt;
  }
  boost::system::error_code ec;
  auto body = boost::json::parse(response.body, ec);
  if (ec || !body.is_object()) {
    std::cerr << "traces: HTTP " << response.status << ": unexpected body\n";
    return std::nullopt;
  }
  if (response.status != 200) {
    std::string message = "HTTP " + std::to_string(response.status);
    if (auto* errors = body.as_object().if_contains("errors"); errors && errors->is_array() && !errors->as_array().empty()) {
      message += ": " + std::string(errors->as_array()[0].at("msg").as_string());
    }
    std::cerr << "traces: " << message << "\n";
    return std::nullopt;
  }
  return body.as_object()["data"];
}

std::string encode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

int run_store(const tracestore::TraceStoreServerOptions& options, std::size_t threads) {
  http::block_shutdown_signals();  // before any thread starts
  http::IoPool pool(threads);
  metrics::Registry registry;
  tracestore::TraceStoreServer server(pool, &registry, options);
  if (auto error = server.start()) {
    std::cerr << "traces: " << *error << "\n";
    return 1;
  }
  pool.start();
  if (!server.jaeger_thrift_problem().empty()) {
    std::cerr << "traces: warning: not serving " << server.jaeger_thrift_problem() << "\n";
  }
  std::printf("trace store: OTLP/HTTP http://%s:%u/v1/traces", options.host.c_str(), server.otlp_http_port());
  if (server.otlp_grpc_port()) std::printf(", OTLP/gRPC %s:%u", options.host.c_str(), server.otlp_grpc_port());
  if (server.jaeger_thrift_port()) {
    std::printf(", Jaeger Thrift http://%s:%u/api/traces", options.host.c_str(), server.jaeger_thrift_port());
  }
  std::printf(", UI and Jaeger API http://%s:%u/ (%llu spans loaded)\n", options.host.c_str(), server.ui_port(),
              static_cast<unsigned long long>(server.stats().spans_stored));
  std::fflush(stdout);
  http::wait_for_shutdown_signal();
  server.stop();
  pool.stop();
  return 0;
}

}  // namespace

void add_trace_store_commands(CLI::App& app) {
  auto* traces = app.add_subcommand("traces", "Run the embedded trace store (OTLP in; Jaeger API and web UI out)");
  auto options = std::make_shared<tracestore::TraceStoreServerOptions>();
  auto retention = std::make_shared<std::string>("72h");
  auto threads = std::make_shared<std::size_t>(2);
  auto max_body_mib = std::make_shared<std::size_t>(16);
  traces->add_option("--host", options->host, "Bind address")->capture_default_str();
  traces->add_option("--otlp-http-port", options->otlp_http_port, "OTLP/HTTP port (0: any)")->capture_default_str();
  traces->add_option("--otlp-grpc-port", options->otlp_grpc_port, "OTLP/gRPC port (0: any)")->capture_default_str();
  traces->add_option("--ui-port", options->ui_port, "Query API, UI and /metrics port (0: any)")->capture_default_str();
  traces->add_flag("!--no-grpc", options->enable_grpc, "Do not serve OTLP/gRPC");
  traces->add_option("--jaeger-thrift-port", options->jaeger_thrift_port,
                     "Jaeger clients' collector endpoint, POST /api/traces (0: any; skipped with a warning when taken)")
      ->capture_default_str();
  traces->add_flag("!--no-jaeger-thrift", options->enable_jaeger_thrift, "Do not serve Jaeger Thrift on its own port");
  traces->add_option("--max-traces", options->store.max_traces, "Traces kept in memory (oldest evicted)")
      ->capture_default_str()->check(CLI::PositiveNumber);
  traces->add_option("--max-spans-per-trace", options->store.max_spans_per_trace, "Further spans are rejected")
      ->capture_default_str()->check(CLI::PositiveNumber);
  traces->add_option("--max-body-mib", *max_body_mib, "OTLP request size limit in MiB (413 beyond)")
      ->capture_default_str()->check(CLI::PositiveNumber);
  traces->add_option("--storage", options->storage, "Durable storage: sqlite:PATH (default: memory only)");
  traces->add_option("--retention", *retention, "Drop stored spans older than this (Go duration)")->capture_default_str();
  traces->add_option("--auth-token", options->auth_token, "Require 'Authorization: Bearer TOKEN' for ingest and query")
      ->envname("TRACESTORE_AUTH_TOKEN");
  traces->add_option("--threads", *threads, "I/O threads")->capture_default_str()->check(CLI::PositiveNumber);
  traces->add_flag("--access-log", options->access_log, "Log every request");

  auto show_flags = std::make_shared<ClientFlags>();
  auto show_id = std::make_shared<std::string>();
  auto* show = traces->add_subcommand("show", "Print a trace's waterfall (from a running store)");
  show->add_option("trace_id", *show_id, "Trace id (hex)")->required();
  add_client_flags(*show, *show_flags);
  show->callback([show_flags, show_id] {
    auto data = fetch_data(*show_flags, "/api/traces/" + encode(*show_id));
    if (!data || !data->is_array() || data->as_array().empty()) std::exit(1);
    std::cout << tracestore::render_waterfall(data->as_array()[0].as_object());
    std::exit(0);
  });

  struct SearchFlags {
    ClientFlags client;
    std::string service, operation, lookback = "1h", min_duration, max_duration;
    std::vector<std::string> tags;
    int limit = 20;
  };
  auto search_flags = std::make_shared<SearchFlags>();
  auto* search = traces->add_subcommand("search", "Search traces and print a result table");
  search->add_option("--service", search_flags->service, "Service name")->required();
  search->add_option("--operation", search_flags->operation, "Operation name");
  search->add_option("--tag", search_flags->tags, "key:value (repeatable; all must hold on one span)");
  search->add_option("--lookback", search_flags->lookback, "How far back (Go duration)")->capture_default_str();
  search->add_option("--min-duration", search_flags->min_duration, "e.g. 100ms");
  search->add_option("--max-duration", search_flags->max_duration, "e.g. 2s");
  search->add_option("--limit", search_flags->limit, "Maximum traces")->capture_default_str();
  add_client_flags(*search, search_flags->client);
  search->callback([search_flags] {
    const SearchFlags& f = *search_flags;
    std::string target = "/api/traces?service=" + encode(f.service) + "&lookback=" + encode(f.lookback) +
                         "&limit=" + std::to_string(f.limit);
    if (!f.operation.empty()) target += "&operation=" + encode(f.operation);
    if (!f.min_duration.empty()) target += "&minDuration=" + encode(f.min_duration);
    if (!f.max_duration.empty()) target += "&maxDuration=" + encode(f.max_duration);
    for (const auto& tag : f.tags) target += "&tag=" + encode(tag);
    auto data = fetch_data(f.client, target);
    if (!data || !data->is_array()) std::exit(1);
    std::cout << tracestore::render_search_table(data->as_array());
    std::exit(0);
  });

  traces->callback([traces, options, retention, threads, max_body_mib] {
    if (!traces->get_subcommands().empty()) return;  // show / search ran
    auto parsed = tracestore::parse_retention(*retention);
    if (!parsed) {
      std::cerr << "traces: invalid --retention '" << *retention << "'\n";
      std::exit(2);
    }
    options->retention = *parsed;
    options->ingest.max_body_bytes = *max_body_mib << 20;
    std::exit(run_store(*options, *threads));
  });
}

}  // namespace tdemo::cli
