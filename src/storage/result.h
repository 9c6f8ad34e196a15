// Expected failures as values: a small Result<T> for storage and domain code (no exceptions on
// request paths). C++20 has no std::expected; this is the subset we need.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace tdemo::storage {

enum class ErrorCode {
  kNotFound,     // the row does not exist
  kConflict,     // a unique constraint refused the write
  kBusy,         // no connection within the timeout, or SQLITE_BUSY past the busy timeout
  kInvalid,      // the caller's input was rejected
  kInternal,     // anything else the database reported
};

const char* to_string(ErrorCode code) noexcept;

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

// Either a T or an E (storage::Error unless said otherwise). Value type.
template <class T, class E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}          // NOLINT: implicit on purpose
  Result(E error) : state_(std::move(error)) {}          // NOLINT
  bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { assert(ok()); return std::get<0>(state_); }
  const T& value() const& { assert(ok()); return std::get<0>(state_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
  const E& error() const { assert(!ok()); return std::get<1>(state_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, E> state_;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

}  // namespace tdemo::storage
