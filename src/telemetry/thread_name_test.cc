#include "telemetry/thread_name.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

namespace tdemo::telemetry {
namespace {

std::string name_set_on_new_thread(std::string_view name) {
  std::string seen;
  std::thread([&] {
    set_current_thread_name(name);
    seen = current_thread_name();
  }).join();
  return seen;
}

TEST(ThreadName, NamesTheCallingThread) {
  EXPECT_EQ(name_set_on_new_thread("span-export"), "span-export");
  EXPECT_NE(current_thread_name(), "span-export");  // only the thread that set it
}

TEST(ThreadName, CutsANameLongerThanTheKernelKeeps) {
  EXPECT_EQ(name_set_on_new_thread("store-retention-and-more"), "store-retention");
  EXPECT_EQ(name_set_on_new_thread(""), "");
}

}  // namespace
}  // namespace tdemo::telemetry
