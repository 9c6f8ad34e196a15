#include "loadgen/schedule.h"

#include <cmath>

namespace tdemo::loadgen {

Nanoseconds ramp_up_start(std::uint64_t index, std::uint64_t users, Nanoseconds ramp_up) noexcept {
  if (users == 0 || ramp_up.count() <= 0) return Nanoseconds{0};
  // index * ramp / users without overflowing: split ramp into quotient and remainder by users
  // (the remainder part is < users * users, small for any user count we allow).
  const auto ramp = static_cast<std::uint64_t>(ramp_up.count());
  const std::uint64_t whole = ramp / users * index;
  const std::uint64_t part = ramp % users * index / users;
  return Nanoseconds{static_cast<std::int64_t>(whole + part)};
}

Nanoseconds ArrivalSchedule::send_time(std::uint64_t index) const noexcept {
  return Nanoseconds{static_cast<std::int64_t>(std::llround(static_cast<double>(index) * 1e9 / rate_))};
}

std::uint64_t ArrivalSchedule::count_within(Nanoseconds duration) const noexcept {
  if (duration.count() <= 0) return 0;
  // The smallest n with send_time(n) >= duration.
  auto n = static_cast<std::uint64_t>(std::ceil(static_cast<double>(duration.count()) * rate_ / 1e9));
  while (n > 0 && send_time(n - 1) >= duration) --n;
  while (send_time(n) < duration) ++n;
  return n;
}

}  // namespace tdemo::loadgen
