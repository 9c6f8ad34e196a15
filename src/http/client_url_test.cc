// parse_http_url: the client's split of an http:// URL into host, port and request target.
#include <gtest/gtest.h>

#include "http/client.h"

namespace tdemo::http {
namespace {

TEST(ParseHttpUrlTest, HostPortAndTarget) {
  const auto url = parse_http_url("http://127.0.0.1:8001/users/1?x=2");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8001);
  EXPECT_EQ(url->target, "/users/1?x=2");
  const auto bare = parse_http_url("HTTP://Example.com");
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->host, "Example.com");
  EXPECT_EQ(bare->port, 80);
  EXPECT_EQ(bare->target, "/");
  const auto query_only = parse_http_url("http://h:1?q=1");
  ASSERT_TRUE(query_only.has_value());
  EXPECT_EQ(query_only->host, "h");
  EXPECT_EQ(query_only->target, "/?q=1");
  const auto ipv6 = parse_http_url("http://[::1]:8080/x");
  ASSERT_TRUE(ipv6.has_value());
  EXPECT_EQ(ipv6->host, "::1");
  EXPECT_EQ(ipv6->port, 8080);
  EXPECT_EQ(ipv6->target, "/x");
}

TEST(ParseHttpUrlTest, AnythingElseIsRefused) {
  for (const char* text : {"https://h/", "http://", "http:///x", "http://:80/", "http://user@h/",
                           "http://h:0/", "http://h:65536/", "http://h:x/", "http://[::1/", "http://[::1]x/",
                           "ftp://h/", "h:80/x"}) {
    EXPECT_FALSE(parse_http_url(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace tdemo::http
