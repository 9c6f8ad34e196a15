#include "telemetry/thread_counter.h"

#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

namespace tdemo::telemetry {
namespace {

TEST(ThreadCounterTest, SumsAddsFromOneThread) {
  ThreadCounter counter;
  EXPECT_EQ(counter.load(), 0u);
  counter.add();
  counter.add(41);
  EXPECT_EQ(counter.load(), 42u);
}

TEST(ThreadCounterTest, SumsAddsFromManyThreadsWithoutLosingAny) {
  ThreadCounter counter;
  constexpr int kThreads = 8;
  constexpr int kAdds = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kAdds; ++i) counter.add();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counter.load(), static_cast<std::uint64_t>(kThreads) * kAdds);
}

TEST(ThreadCounterTest, ReadsWhileOthersAddAreMonotonic) {
  ThreadCounter counter;
  std::atomic<bool> stop{false};
  std::thread adder([&] {
    while (!stop.load()) counter.add();
  });
  std::uint64_t last = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t now = counter.load();
    EXPECT_GE(now, last);
    last = now;
  }
  stop = true;
  adder.join();
}

// Many counters on one thread (more than its cache holds, made and destroyed in turn, as tests
// make providers): each counts only its own adds.
TEST(ThreadCounterTest, CountersNeverShareCells) {
  std::vector<std::unique_ptr<ThreadCounter>> counters;
  for (int i = 0; i < 200; ++i) counters.push_back(std::make_unique<ThreadCounter>());
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < counters.size(); ++i) counters[i]->add(i + 1);
  }
  for (std::size_t i = 0; i < counters.size(); ++i) EXPECT_EQ(counters[i]->load(), 3 * (i + 1));
  for (int i = 0; i < 100; ++i) {
    counters.erase(counters.begin());
    auto fresh = std::make_unique<ThreadCounter>();
    fresh->add();
    EXPECT_EQ(fresh->load(), 1u);
    counters.push_back(std::move(fresh));
  }
}

// Threads that come and go (a pool growing and shrinking): the sum stays exact.
TEST(ThreadCounterTest, CountsAddsOfThreadsThatHaveExited) {
  ThreadCounter counter;
  for (int i = 0; i < 50; ++i) {
    std::thread([&] { counter.add(2); }).join();
  }
  EXPECT_EQ(counter.load(), 100u);
}

}  // namespace
}  // namespace tdemo::telemetry
