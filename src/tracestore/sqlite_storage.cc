#include "tracestore/sqlite_storage.h"

#include <sqlite3.h>

#include <cstring>
#include <map>
#include <vector>

#include "tracestore/span_codec.h"
#include "tracestore/trace_store.h"

namespace tdemo::tracestore {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS spans (
  id INTEGER PRIMARY KEY,
  trace_id BLOB NOT NULL,
  span_id BLOB NOT NULL,
  parent_id BLOB NOT NULL,
  name TEXT NOT NULL,
  kind INTEGER NOT NULL,
  start_ns INTEGER NOT NULL,
  end_ns INTEGER NOT NULL,
  status INTEGER NOT NULL,
  resource BLOB NOT NULL,
  scope_name TEXT NOT NULL,
  scope_version TEXT NOT NULL,
  details BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS spans_by_start ON spans(start_ns);
)sql";

std::string resource_blob(const telemetry::SpanData& span) {
  if (!span.resource) return {};
  telemetry::SpanData carrier;
  carrier.attributes = span.resource->attributes;
  carrier.status_message = span.resource->schema_url;  // carried in the same codec
  return encode_span_details(carrier, nullptr);
}

std::string_view column_blob(sqlite3_stmt* stmt, int column) {
  const void* data = sqlite3_column_blob(stmt, column);
  const int size = sqlite3_column_bytes(stmt, column);
  return data ? std::string_view(static_cast<const char*>(data), static_cast<std::size_t>(size))
              : std::string_view();
}

std::string column_text(sqlite3_stmt* stmt, int column) {
  const unsigned char* text = sqlite3_column_text(stmt, column);
  return text ? std::string(reinterpret_cast<const char*>(text),
                            static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)))
              : std::string();
}

}  // namespace

std::unique_ptr<SqliteSpanStorage> SqliteSpanStorage::open(const SqliteOptions& options,
                                                           std::string& error) {
  std::unique_ptr<SqliteSpanStorage> storage(new SqliteSpanStorage());
  if (sqlite3_open_v2(options.path.c_str(), &storage->db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    error = storage->db_ ? sqlite3_errmsg(storage->db_) : "cannot open database";
    return nullptr;
  }
  sqlite3_busy_timeout(storage->db_, options.busy_timeout_ms);
  const std::string pragmas = std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=") +
                              (options.synchronous_full ? "FULL;" : "NORMAL;");
  char* message = nullptr;
  for (const std::string& sql : {pragmas, std::string(kSchema)}) {
    if (sqlite3_exec(storage->db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      error = message ? message : "sqlite error";
      sqlite3_free(message);
      return nullptr;
    }
  }
  const char* insert =
      "INSERT INTO spans(trace_id, span_id, parent_id, name, kind, start_ns, end_ns, status, "
      "resource, scope_name, scope_version, details) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)";
  if (sqlite3_prepare_v2(storage->db_, insert, -1, &storage->insert_, nullptr) != SQLITE_OK) {
    error = sqlite3_errmsg(storage->db_);
    return nullptr;
  }
  return storage;
}

SqliteSpanStorage::~SqliteSpanStorage() {
  sqlite3_finalize(insert_);
  sqlite3_close(db_);
}

std::optional<std::string> SqliteSpanStorage::append(
    std::span<const std::unique_ptr<telemetry::SpanData>> spans) {
  if (spans.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto fail = [this](std::string_view step) -> std::optional<std::string> {
    std::string error = std::string(step) + ": " + sqlite3_errmsg(db_);
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_reset(insert_);
    return error;
  };
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return std::string("begin: ") + sqlite3_errmsg(db_);
  }
  const telemetry::Resource* last_resource = nullptr;
  std::string resource;
  for (const auto& span : spans) {
    if (!span) continue;
    if (span->resource.get() != last_resource || !last_resource) {
      resource = resource_blob(*span);
      last_resource = span->resource.get();
    }
    const std::string details = encode_span_details(*span, nullptr);
    sqlite3_bind_blob(insert_, 1, span->context.trace_id().bytes.data(), 16, SQLITE_STATIC);
    sqlite3_bind_blob(insert_, 2, span->context.span_id().bytes.data(), 8, SQLITE_STATIC);
    sqlite3_bind_blob(insert_, 3, span->parent_span_id.bytes.data(), 8, SQLITE_STATIC);
    sqlite3_bind_text(insert_, 4, span->name.data(), static_cast<int>(span->name.size()), SQLITE_STATIC);
    sqlite3_bind_int(insert_, 5, static_cast<int>(span->kind));
    sqlite3_bind_int64(insert_, 6, static_cast<sqlite3_int64>(span->start_time_unix_nano));
    sqlite3_bind_int64(insert_, 7, static_cast<sqlite3_int64>(span->end_time_unix_nano));
    sqlite3_bind_int(insert_, 8, static_cast<int>(span->status_code));
    sqlite3_bind_blob(insert_, 9, resource.data(), static_cast<int>(resource.size()), SQLITE_STATIC);
    const std::string empty;
    const std::string& scope_name = span->scope ? span->scope->name : empty;
    const std::string& scope_version = span->scope ? span->scope->version : empty;
    sqlite3_bind_text(insert_, 10, scope_name.data(), static_cast<int>(scope_name.size()), SQLITE_STATIC);
    sqlite3_bind_text(insert_, 11, scope_version.data(), static_cast<int>(scope_version.size()), SQLITE_STATIC);
    sqlite3_bind_blob(insert_, 12, details.data(), static_cast<int>(details.size()), SQLITE_STATIC);
    if (sqlite3_step(insert_) != SQLITE_DONE) return fail("insert");
    sqlite3_reset(insert_);
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("commit");
  return std::nullopt;
}

std::size_t SqliteSpanStorage::load_into(TraceStore& store, std::uint64_t min_start_ns) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* select = nullptr;
  const char* sql =
      "SELECT trace_id, span_id, parent_id, name, kind, start_ns, end_ns, status, resource, "
      "scope_name, scope_version, details FROM spans WHERE start_ns >= ? ORDER BY id";
  if (sqlite3_prepare_v2(db_, sql, -1, &select, nullptr) != SQLITE_OK) return 0;
  sqlite3_bind_int64(select, 1, static_cast<sqlite3_int64>(min_start_ns));
  // Resources and scopes are shared between spans, as the decoder shares them.
  std::map<std::string, std::shared_ptr<const telemetry::Resource>, std::less<>> resources;
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const telemetry::InstrumentationScope>> scopes;
  std::vector<std::unique_ptr<telemetry::SpanData>> batch;
  std::size_t loaded = 0;
  auto flush = [&] {
    store.add(std::span<const std::unique_ptr<telemetry::SpanData>>(batch));
    loaded += batch.size();
    batch.clear();
  };
  while (sqlite3_step(select) == SQLITE_ROW) {
    auto span = std::make_unique<telemetry::SpanData>();
    const std::string_view trace = column_blob(select, 0), id = column_blob(select, 1),
                           parent = column_blob(select, 2);
    if (trace.size() != 16 || id.size() != 8 || parent.size() != 8) continue;
    telemetry::TraceId trace_id;
    telemetry::SpanId span_id;
    std::memcpy(trace_id.bytes.data(), trace.data(), 16);
    std::memcpy(span_id.bytes.data(), id.data(), 8);
    std::memcpy(span->parent_span_id.bytes.data(), parent.data(), 8);
    span->context = telemetry::SpanContext(trace_id, span_id, 0, false);
    span->name = column_text(select, 3);
    span->kind = static_cast<telemetry::SpanKind>(sqlite3_column_int(select, 4));
    span->start_time_unix_nano = static_cast<std::uint64_t>(sqlite3_column_int64(select, 5));
    span->end_time_unix_nano = static_cast<std::uint64_t>(sqlite3_column_int64(select, 6));
    span->status_code = static_cast<telemetry::StatusCode>(sqlite3_column_int(select, 7));
    const std::string_view resource = column_blob(select, 8);
    auto rit = resources.find(resource);
    if (rit == resources.end()) {
      telemetry::SpanData carrier;
      auto r = std::make_shared<telemetry::Resource>();
      if (!resource.empty() && decode_span_details(resource, nullptr, carrier)) {
        r->attributes = std::move(carrier.attributes);
        r->schema_url = std::move(carrier.status_message);
      }
      rit = resources.emplace(std::string(resource), std::move(r)).first;
    }
    span->resource = rit->second;
    auto scope_key = std::make_pair(column_text(select, 9), column_text(select, 10));
    auto sit = scopes.find(scope_key);
    if (sit == scopes.end()) {
      auto scope = std::make_shared<telemetry::InstrumentationScope>();
      scope->name = scope_key.first;
      scope->version = scope_key.second;
      sit = scopes.emplace(scope_key, std::move(scope)).first;
    }
    span->scope = sit->second;
    if (!decode_span_details(column_blob(select, 11), nullptr, *span)) continue;
    batch.push_back(std::move(span));
    if (batch.size() >= 1000) flush();
  }
  flush();
  sqlite3_finalize(select);
  return loaded;
}

std::size_t SqliteSpanStorage::delete_older_than(std::uint64_t cutoff_ns) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* del = nullptr;
  if (sqlite3_prepare_v2(db_, "DELETE FROM spans WHERE start_ns < ?", -1, &del, nullptr) != SQLITE_OK) return 0;
  sqlite3_bind_int64(del, 1, static_cast<sqlite3_int64>(cutoff_ns));
  std::size_t removed = 0;
  if (sqlite3_step(del) == SQLITE_DONE) removed = static_cast<std::size_t>(sqlite3_changes(db_));
  sqlite3_finalize(del);
  return removed;
}

std::uint64_t SqliteSpanStorage::span_count() {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* count = nullptr;
  std::uint64_t n = 0;
  if (sqlite3_prepare_v2(db_, "SELECT COUNT(*) FROM spans", -1, &count, nullptr) == SQLITE_OK &&
      sqlite3_step(count) == SQLITE_ROW) {
    n = static_cast<std::uint64_t>(sqlite3_column_int64(count, 0));
  }
  sqlite3_finalize(count);
  return n;
}

}  // namespace tdemo::tracestore
