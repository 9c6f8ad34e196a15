#include "http/static_files.h"

#include <gtest/gtest.h>

namespace tdemo::http {
namespace {

TEST(StaticFilesTest, ContentTypes) {
  EXPECT_EQ(content_type_for("/docs/swagger-ui.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("swagger-ui-bundle.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("index.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("a.png"), "image/png");
  EXPECT_EQ(content_type_for("noext"), "application/octet-stream");
  EXPECT_EQ(content_type_for("dir.d/noext"), "application/octet-stream");
}

TEST(StaticFilesTest, EtagAndConditionalGet) {
  Request request;
  auto r = static_file_response(request, "app.js", "console.log(1)", 600);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "console.log(1)");
  const std::string tag(*r.headers.get("etag"));
  EXPECT_EQ(tag, etag_for("console.log(1)"));
  EXPECT_EQ(tag.size(), 18u);
  EXPECT_NE(tag, etag_for("console.log(2)"));
  EXPECT_EQ(r.headers.get("cache-control"), "public, max-age=600");

  request.headers.set("If-None-Match", "\"other\", " + tag);
  auto cached = static_file_response(request, "app.js", "console.log(1)", 0);
  EXPECT_EQ(cached.status, 304);
  EXPECT_TRUE(cached.body.empty());
  EXPECT_EQ(cached.headers.get("cache-control"), "no-cache");
}

}  // namespace
}  // namespace tdemo::http
