// When things happen in a run: virtual users' start times over the ramp-up (closed loop) and
// the intended send times of a constant arrival rate (open loop). Pure functions.
#pragma once

#include <chrono>
#include <cstdint>

namespace tdemo::loadgen {

using Nanoseconds = std::chrono::nanoseconds;

// Virtual user `index` of `users` starts at index * ramp_up / users after the run starts: the
// first at once, the others evenly spread, the last one ramp_up / users before the ramp-up ends.
// Precondition: index < users.
Nanoseconds ramp_up_start(std::uint64_t index, std::uint64_t users, Nanoseconds ramp_up) noexcept;

// A constant arrival rate: request i is meant to be sent at i / rate seconds after the start,
// whatever happened to the requests before it (so latency measured from that time includes any
// queueing: no coordinated omission).
class ArrivalSchedule {
 public:
  // Precondition: requests_per_second > 0.
  explicit ArrivalSchedule(double requests_per_second) noexcept : rate_(requests_per_second) {}

  Nanoseconds send_time(std::uint64_t index) const noexcept;
  // How many requests are due in [0, duration): the requests a run of `duration` sends.
  std::uint64_t count_within(Nanoseconds duration) const noexcept;
  double rate() const noexcept { return rate_; }

 private:
  double rate_;
};

}  // namespace tdemo::loadgen
