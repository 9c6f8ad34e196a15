#include "cli/allocator_tuning.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace tdemo::cli {
namespace {

TEST(AllocatorTuningTest, TheEnvironmentsChoiceWins) {
  EXPECT_FALSE(allocator_trim_chosen_by_environment(nullptr, nullptr));
  EXPECT_FALSE(allocator_trim_chosen_by_environment("glibc.malloc.arena_max=2", ""));
  EXPECT_TRUE(allocator_trim_chosen_by_environment("glibc.malloc.trim_threshold=1000", nullptr));
  EXPECT_TRUE(allocator_trim_chosen_by_environment("glibc.malloc.arena_max=2:glibc.malloc.trim_threshold=1", nullptr));
  EXPECT_TRUE(allocator_trim_chosen_by_environment(nullptr, "131072"));
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TD_SANITIZER_ALLOCATOR 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define TD_SANITIZER_ALLOCATOR 1
#endif
#endif

#ifndef TD_SANITIZER_ALLOCATOR
// Resident bytes, read without allocating (a block freed now would sit between the heap's
// free space and its top and keep glibc from trimming).
long resident_bytes() {
  char text[128] = {};
  const int fd = ::open("/proc/self/statm", O_RDONLY);
  if (fd < 0) return -1;
  const ssize_t n = ::read(fd, text, sizeof text - 1);
  ::close(fd);
  long pages_total = 0, pages_resident = 0;
  if (n <= 0 || std::sscanf(text, "%ld %ld", &pages_total, &pages_resident) != 2) return -1;
  return pages_resident * sysconf(_SC_PAGESIZE);
}
#endif

// Freed small blocks stay with the process: RSS does not fall back after a burst (glibc's
// default would trim the 16 MiB at the top of the heap at the last free).
TEST(AllocatorTuningTest, FreedMemoryIsKeptForTheNextRequest) {
#ifdef TD_SANITIZER_ALLOCATOR
  GTEST_SKIP() << "the sanitizer's allocator replaces glibc's";
#else
  if (std::getenv("GLIBC_TUNABLES") != nullptr || std::getenv("MALLOC_TRIM_THRESHOLD_") != nullptr) {
    GTEST_SKIP() << "the environment sets the allocator";
  }
  ASSERT_TRUE(tune_allocator());
  constexpr std::size_t kBlocks = 16 * 1024;
  std::vector<char*> blocks(kBlocks);
  for (auto& b : blocks) {
    b = static_cast<char*>(std::malloc(1000));
    for (int i = 0; i < 1000; i += 64) b[i] = 1;  // touch every cache line: resident
  }
  const long with_blocks = resident_bytes();
  for (char* b : blocks) std::free(b);
  const long after_free = resident_bytes();
  ASSERT_GT(with_blocks, 0);
  // Without the tuning, about 16 MiB go back to the kernel here.
  EXPECT_GT(after_free, with_blocks - (4l << 20)) << "with blocks " << with_blocks << ", after free " << after_free;
#endif
}

}  // namespace
}  // namespace tdemo::cli
