#include "cli/allocator_tuning.h"

#include <malloc.h>

#include <cstdlib>
#include <string_view>

namespace tdemo::cli {

bool allocator_trim_chosen_by_environment(const char* glibc_tunables, const char* malloc_trim_threshold) {
  if (malloc_trim_threshold != nullptr && *malloc_trim_threshold != '\0') return true;
  return glibc_tunables != nullptr &&
         std::string_view(glibc_tunables).find("glibc.malloc.trim_threshold") != std::string_view::npos;
}

bool tune_allocator() {
  if (allocator_trim_chosen_by_environment(std::getenv("GLIBC_TUNABLES"), std::getenv("MALLOC_TRIM_THRESHOLD_"))) {
    return false;
  }
  return mallopt(M_TRIM_THRESHOLD, static_cast<int>(kTrimThresholdBytes)) == 1;
}

}  // namespace tdemo::cli
