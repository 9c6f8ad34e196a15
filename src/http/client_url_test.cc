// parse_http_url: the client's split of an http:// URL into host, port and request target.
#include <cstdint>

#include <gtest/gtest.h>

#include "http/client.h"

namespace tdemo::http {
namespace {

TEST(ParseHttpUrlTest, HostPortAndTarget) {
  struct Case {
    const char* url;
    const char* host;
    std::uint16_t port;
    const char* target;
  };
  for (const Case& c : {Case{"http://127.0.0.1:8001/users/1?x=2", "127.0.0.1", 8001, "/users/1?x=2"},
                        Case{"HTTP://Example.com", "Example.com", 80, "/"},
                        Case{"http://h:1?q=1", "h", 1, "/?q=1"},
                        Case{"http://[::1]:8080/x", "::1", 8080, "/x"}}) {
    const auto url = parse_http_url(c.url);
    ASSERT_TRUE(url.has_value()) << c.url;
    EXPECT_EQ(url->host, c.host) << c.url;
    EXPECT_EQ(url->port, c.port) << c.url;
    EXPECT_EQ(url->target, c.target) << c.url;
  }
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
