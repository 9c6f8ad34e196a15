#include "services/common/downstream.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace tdemo::services {
namespace {

// json() parses into the storage given (a buffer on the caller's stack), or the heap; a body
// that is not JSON is null either way. json_text() passes JSON text on as received.
TEST(DownstreamReplyTest, JsonParsesIntoTheStorageGiven) {
  const DownstreamReply order{200, R"({"id":7,"amount":99.99,"items":["a"]})"};
  unsigned char buffer[1024];
  boost::json::monotonic_resource arena(buffer, sizeof buffer);
  const boost::json::value parsed = order.json(&arena);
  ASSERT_TRUE(parsed.is_object());
  EXPECT_EQ(parsed.storage().get(), &arena);
  EXPECT_EQ(parsed.as_object().at("amount").as_double(), 99.99);
  EXPECT_EQ(order.json(), parsed);  // the heap's document is the same
  EXPECT_EQ(order.json_text(), order.text);

  const DownstreamReply broken{200, R"({"id":7,)"};
  EXPECT_TRUE(broken.json(&arena).is_null());
  EXPECT_TRUE(broken.json().is_null());
  EXPECT_EQ(broken.json_text(), "null");
}

}  // namespace
}  // namespace tdemo::services
