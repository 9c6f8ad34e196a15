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
  constexpr const char* kTrim = "glibc.malloc.trim_threshold";
  EXPECT_FALSE(allocator_setting_chosen_by_environment(nullptr, kTrim, nullptr));
  EXPECT_FALSE(allocator_setting_chosen_by_environment("glibc.malloc.arena_max=2", kTrim, ""));
  EXPECT_TRUE(allocator_setting_chosen_by_environment("glibc.malloc.trim_threshold=1000", kTrim, nullptr));
  EXPECT_TRUE(allocator_setting_chosen_by_environment("glibc.malloc.arena_max=2:glibc.malloc.trim_threshold=1", kTrim,
                                                      nullptr));
  EXPECT_FALSE(allocator_setting_chosen_by_environment("glibc.malloc.trim_threshold=1",
                                                       "glibc.malloc.mmap_threshold", nullptr));
  EXPECT_TRUE(allocator_setting_chosen_by_environment(nullptr, kTrim, "131072"));
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

// Freed blocks stay with the process: RSS does not fall back after a burst of small blocks
// (glibc's default would trim the 16 MiB at the top of the heap at the last free), nor after
// a 2 MiB block (glibc's default would mmap it and munmap it at free).
TEST(AllocatorTuningTest, FreedMemoryIsKeptForTheNextRequest) {
#ifdef TD_SANITIZER_ALLOCATOR
  GTEST_SKIP() << "the sanitizer's allocator replaces glibc's";
#else
  if (std::getenv("GLIBC_TUNABLES") != nullptr || std::getenv("MALLOC_TRIM_THRESHOLD_") != nullptr ||
      std::getenv("MALLOC_MMAP_THRESHOLD_") != nullptr) {
    GTEST_SKIP() << "the environment sets the allocator";
  }
  ASSERT_EQ(tune_allocator(), 2);
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
  // Without the trim threshold, about 16 MiB go back to the kernel here.
  EXPECT_GT(after_free, with_blocks - (4l << 20)) << "with blocks " << with_blocks << ", after free " << after_free;

  constexpr std::size_t kLarge = 2u << 20;
  char* large = static_cast<char*>(std::malloc(kLarge));
  ASSERT_NE(large, nullptr);
  for (std::size_t i = 0; i < kLarge; i += 4096) large[i] = 1;
  const long with_large = resident_bytes();
  std::free(large);
  const long after_large = resident_bytes();
  // Without the mmap threshold, the 2 MiB are unmapped at free.
  EXPECT_GT(after_large, with_large - (1l << 20)) << "with the block " << with_large << ", after free " << after_large;
#endif
}

}  // namespace
}  // namespace tdemo::cli
