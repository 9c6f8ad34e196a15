#include "storage/postgres/libpq.h"

#include <dlfcn.h>


namespace tdemo::storage::pq {
namespace {

constexpr const char* kLibrary = "libpq.so.5";  // the soname of every libpq since PostgreSQL 8.0

struct Loaded {
  Api api;
  std::string error;
  bool ok = false;
};

Loaded load() {
  Loaded loaded;
  void* handle = ::dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = ::dlerror();
    loaded.error = std::string("PostgreSQL support needs libpq (Debian: apt-get install libpq5): ") +
                   (reason ? reason : kLibrary);
    return loaded;
  }
  // Never dlclose()d: connections live until exit.
#define TD_LIBPQ_LOAD(name)                                                                   \
  loaded.api.name = reinterpret_cast<decltype(&::name)>(::dlsym(handle, #name));              \
  if (loaded.api.name == nullptr) {                                                           \
    loaded.error = std::string(kLibrary) + " has no " #name " (libpq too old?)";              \
    return loaded;                                                                            \
  }
  TD_LIBPQ_FUNCTIONS(TD_LIBPQ_LOAD)
#undef TD_LIBPQ_LOAD
  loaded.ok = true;
  return loaded;
}

const Loaded& instance() {
  static const Loaded loaded = load();  // thread-safe initialisation
  return loaded;
}

}  // namespace

const Api* api() noexcept {
  const Loaded& loaded = instance();
  return loaded.ok ? &loaded.api : nullptr;
}

const std::string& load_error() noexcept { return instance().error; }

}  // namespace tdemo::storage::pq
