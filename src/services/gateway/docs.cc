// GET /docs: Swagger UI (from the pinned npm package swagger-ui-dist, compiled into the binary)
// rendering /openapi.json.
#include "embedded/swagger_assets.h"
#include "http/openapi.h"
#include "http/static_files.h"
#include "services/common/route_docs.h"
#include "services/gateway/handlers.h"

namespace tdemo::services::gateway {

void add_docs_routes(http::Router& router) {
  auto doc = route_doc("Swagger UI", "docs");
  doc.include_in_schema = false;
  router.get(
      "/docs",
      [](http::RequestContext&) -> boost::asio::awaitable<http::Response> {
        co_return http::Response::html(200, http::swagger_ui_html("tracing-demo gateway - Swagger UI"));
      },
      doc);
  for (const char* name : {"swagger-ui.css", "swagger-ui-bundle.js"}) {
    const auto* file = embedded::swagger_assets::find(name);
    if (file == nullptr) continue;  // not embedded: the page loads without styling
    router.get(
        std::string("/docs/") + name,
        [file](http::RequestContext& ctx) -> boost::asio::awaitable<http::Response> {
          co_return http::static_file_response(ctx.request, file->path, file->data, 86400);
        },
        doc);
  }
}

}  // namespace tdemo::services::gateway
