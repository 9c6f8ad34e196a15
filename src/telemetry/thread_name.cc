#include "telemetry/thread_name.h"

#include <pthread.h>

#include <algorithm>

namespace tdemo::telemetry {

namespace {
constexpr std::size_t kMaxNameBytes = 15;  // TASK_COMM_LEN - 1
}  // namespace

void set_current_thread_name(std::string_view name) noexcept {
  char text[kMaxNameBytes + 1] = {};
  name.copy(text, std::min(name.size(), kMaxNameBytes));
  pthread_setname_np(pthread_self(), text);  // cannot fail with a name within the limit
}

std::string current_thread_name() {
  char text[kMaxNameBytes + 1] = {};
  if (pthread_getname_np(pthread_self(), text, sizeof(text)) != 0) return {};
  return text;
}

}  // namespace tdemo::telemetry
