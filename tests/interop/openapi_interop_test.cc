// Every service's /openapi.json against an independent OpenAPI validator (the official 3.x JSON
// Schemas via @seriousme/openapi-schema-validator, run by openapi_validate.mjs), with every
// $ref resolved, operationIds unique and each {template} in a path a required path parameter.
// The test skips (GTEST_SKIP) only when tests/interop/node_modules is missing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <boost/json.hpp>

#include "interop/node_process.h"
#include "support/http_client.h"
#include "support/process.h"

namespace tdemo::interop {
namespace {

TEST(OpenApiInterop, EveryServicesDocumentIsValidOpenApi31) {
  TD_SKIP_WITHOUT_NODE_PACKAGE("@seriousme/openapi-schema-validator");
  const std::string dir = ::testing::TempDir() + "openapi_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto base = test::free_port_range(4);
  test::ProcessOptions options;
  options.args = {"all", "--base-port", std::to_string(base), "--trace-store=off", "--data-dir", dir + "/data"};
  options.env = {{"OTEL_TRACES_EXPORTER", "none"}};
  test::Process all(TD_BINARY, options);
  const char* services[] = {"gateway", "users", "orders", "payments"};
  std::string files;
  for (int i = 0; i < 4; ++i) {
    const std::string url = "http://127.0.0.1:" + std::to_string(base + i) + "/openapi.json";
    ASSERT_TRUE(test::wait_for_http(url, std::chrono::seconds(30))) << url << "\n" << all.stderr_text();
    const auto response = test::http_get(url);
    ASSERT_EQ(response.status, 200) << url;
    const std::string file = dir + "/" + services[i] + ".json";
    std::ofstream(file) << response.body;
    files += " '" + file + "'";
  }

  NodeProcess node("openapi_validate.mjs" + files);
  ASSERT_TRUE(node.started());
  int documents = 0;
  for (std::string line = node.read_line(); !line.empty(); line = node.read_line()) {
    const auto result = boost::json::parse(line).as_object();
    ++documents;
    EXPECT_TRUE(result.at("valid").as_bool()) << line;
    EXPECT_EQ(result.at("version").as_string(), "3.1") << line;
  }
  EXPECT_EQ(documents, 4);
  EXPECT_EQ(node.close(), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tdemo::interop
