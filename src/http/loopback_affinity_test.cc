#include "http/loopback_affinity.h"

#include <gtest/gtest.h>

namespace tdemo::http::loopback_affinity {
namespace {

TEST(LoopbackAffinityTest, RemembersThePortsThreadUntilItsConnectionForgetsIt) {
  EXPECT_FALSE(thread_of(40001).has_value());
  note(40001, 1);
  EXPECT_EQ(thread_of(40001), 1);
  forget(40001, 0);  // another thread's connection: not ours to forget
  EXPECT_EQ(thread_of(40001), 1);
  note(40001, 0);  // the port reused by a connection on thread 0
  EXPECT_EQ(thread_of(40001), 0);
  forget(40001, 0);
  EXPECT_FALSE(thread_of(40001).has_value());
}

TEST(LoopbackAffinityTest, ThreadsOutsideTheRangeAreNotRecorded) {
  note(40002, -1);  // not on a pool thread
  note(40003, 127);
  EXPECT_FALSE(thread_of(40002).has_value());
  EXPECT_FALSE(thread_of(40003).has_value());
  note(40004, 126);
  EXPECT_EQ(thread_of(40004), 126);
  note(0, 3);
  note(65535, 4);
  EXPECT_EQ(thread_of(0), 3);
  EXPECT_EQ(thread_of(65535), 4);
}

}  // namespace
}  // namespace tdemo::http::loopback_affinity
