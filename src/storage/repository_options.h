// How the SQLite repositories are opened: the pool (file, size, timeouts) and the slow-query
// knob. One struct per service config (see services/*/config.h).
#pragma once

#include "storage/connection_pool.h"
#include "storage/query_tracer.h"

namespace tdemo::storage {

struct SqliteRepositoryOptions {
  PoolOptions pool;
  SlowQueryKnob slow_query;
};

}  // namespace tdemo::storage
