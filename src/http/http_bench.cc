// Benchmarks of the HTTP layer, and a tiny server for wrk:
//   http_bench [--benchmark_min_time=0.2]          router match, client->server round trip
//   http_bench --serve PORT [THREADS]              GET /health until SIGINT/SIGTERM, e.g.
//     wrk -t2 -c32 -d5s http://127.0.0.1:PORT/health
#include <cstdlib>
#include <cstring>
#include <iostream>

#include <benchmark/benchmark.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "http/client.h"
#include "http/router.h"
#include "http/server.h"

namespace tdemo::http {
namespace {

namespace asio = boost::asio;

Router bench_router() {
  Router router;
  router.get("/health", [](RequestContext&) -> asio::awaitable<Response> {
    co_return Response::json_text(200, R"({"status":"healthy","service":"bench"})");
  });
  RouteDoc doc;
  doc.params = {path_param("user_id", ParamType::kInteger)};
  for (const char* p : {"/", "/users", "/orders", "/payments", "/openapi.json", "/docs", "/metrics"}) {
    router.get(p, [](RequestContext&) -> asio::awaitable<Response> { co_return Response::empty(204); });
  }
  router.get("/users/{user_id}", [](RequestContext&) -> asio::awaitable<Response> {
    co_return Response::empty(204);
  }, doc);
  router.get("/orders/{order_id}", [](RequestContext&) -> asio::awaitable<Response> {
    co_return Response::empty(204);
  });
  return router;
}

void BM_RouterMatch(benchmark::State& state) {
  const Router router = bench_router();
  Request request;
  request.set_target("GET", "/users/42");
  for (auto _ : state) {
    request.path_params.clear();
    auto match = router.match(request);
    benchmark::DoNotOptimize(match.route);
  }
}
BENCHMARK(BM_RouterMatch);

// One GET /health over a pooled keep-alive connection: client on this thread, server on one
// pool thread.
void BM_ClientServerRoundTrip(benchmark::State& state) {
  const Router router = bench_router();
  IoPool pool(1);
  ServerOptions options;
  options.access_log = false;
  Server server(pool, router, {}, nullptr, options);
  if (auto error = server.start()) {
    state.SkipWithError(error->c_str());
    return;
  }
  pool.start();
  asio::io_context io(1);
  {
    Client client;
    const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/health";
    std::size_t failures = 0;
    for (auto _ : state) {
      asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        OutgoingRequest request;
        request.url = url;
        auto result = co_await client.send(std::move(request));
        if (!result || result->status != 200) ++failures;
      }, asio::detached);
      io.run();
      io.restart();
    }
    if (failures > 0) state.SkipWithError("requests failed");
    state.SetItemsProcessed(state.iterations());
  }
  server.stop();
  pool.stop();
}
BENCHMARK(BM_ClientServerRoundTrip)->UseRealTime();

int serve(int argc, char** argv) {
  const auto port = static_cast<std::uint16_t>(argc > 2 ? std::atoi(argv[2]) : 8080);
  const std::size_t threads = argc > 3 ? static_cast<std::size_t>(std::atoi(argv[3])) : 0;
  block_shutdown_signals();  // before the pool's threads start
  const Router router = bench_router();
  IoPool pool(threads);
  ServerOptions options;
  options.port = port;
  options.access_log = false;
  Server server(pool, router, {}, nullptr, options);
  if (auto error = server.start()) {
    std::cerr << *error << "\n";
    return 1;
  }
  pool.start();
  std::cout << "serving http://127.0.0.1:" << server.port() << "/health on " << pool.size()
            << " threads" << std::endl;
  wait_for_shutdown_signal();
  server.stop();
  pool.stop();
  return 0;
}

}  // namespace
}  // namespace tdemo::http

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--serve") == 0) return tdemo::http::serve(argc, argv);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
