#include "cli/allocator_tuning.h"

#include <malloc.h>

#include <cstdlib>
#include <string_view>

namespace tdemo::cli {

bool allocator_setting_chosen_by_environment(const char* glibc_tunables, const char* tunable,
                                             const char* malloc_variable_value) {
  if (malloc_variable_value != nullptr && *malloc_variable_value != '\0') return true;
  return glibc_tunables != nullptr && std::string_view(glibc_tunables).find(tunable) != std::string_view::npos;
}

int tune_allocator() {
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  int changed = 0;
  if (!allocator_setting_chosen_by_environment(tunables, "glibc.malloc.trim_threshold",
                                               std::getenv("MALLOC_TRIM_THRESHOLD_"))) {
    changed += mallopt(M_TRIM_THRESHOLD, static_cast<int>(kTrimThresholdBytes)) == 1;
  }
  if (!allocator_setting_chosen_by_environment(tunables, "glibc.malloc.mmap_threshold",
                                               std::getenv("MALLOC_MMAP_THRESHOLD_"))) {
    changed += mallopt(M_MMAP_THRESHOLD, static_cast<int>(kMmapThresholdBytes)) == 1;
  }
  return changed;
}

}  // namespace tdemo::cli
