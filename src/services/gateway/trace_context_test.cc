// POST /test for the W3C trace-context test suite (gateway started with --trace-context-test):
// for each {url, arguments} of the JSON array body, in order, POST `arguments` to `url` with
// the propagated context (the traced client injects traceparent/tracestate).
#include <boost/json.hpp>

#include "http/client.h"
#include "http/errors.h"
#include "services/common/route_docs.h"
#include "services/gateway/handlers.h"

namespace tdemo::services::gateway {

void add_trace_context_test_route(http::Router& router, ServiceContext& context) {
  auto doc = route_doc("W3C trace-context test suite endpoint", "test");
  doc.include_in_schema = false;
  http::Client* client = &context.client;
  router.post(
      "/test",
      [client](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
        auto body = http::parse_json_body(ctx.request);
        if (body.error) co_return std::move(*body.error);
        if (!body.value.is_array()) co_return http::error_response(400, "expected a JSON array");
        for (const auto& item : body.value.as_array()) {
          const auto* object = item.if_object();
          const auto* url = object ? object->if_contains("url") : nullptr;
          if (url == nullptr || !url->is_string()) continue;
          const auto* arguments = object->if_contains("arguments");
          http::OutgoingRequest request;
          request.method = http::Method::kPost;
          request.url = std::string(url->as_string());
          request.content_type = "application/json";
          request.body = arguments ? boost::json::serialize(*arguments) : std::string("[]");
          (void)co_await client->send(std::move(request), ctx.telemetry);
        }
        co_return http::Response::json_text(200, "{}");
      },
      std::move(doc));
}

}  // namespace tdemo::services::gateway
