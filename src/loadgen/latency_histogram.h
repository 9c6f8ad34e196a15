// An HDR-style latency histogram: log-linear buckets with at most 0.8% relative width, so any
// percentile it reports is within 1% of the exact one. Values are nanoseconds.
#pragma once

#include <cstdint>
#include <vector>

namespace tdemo::loadgen {

// Values below 256 get a bucket each; above, every power of two is split into 128 buckets
// (relative width <= 1/128). Storage grows lazily up to the bucket of the largest value seen
// (at most 4608 counters, 36 KiB). Values above kMaxValue are recorded as kMaxValue and counted
// in clamped().
//
// Thread-compatible: one writer at a time. Give each thread its own and merge() at the end.
class LatencyHistogram {
 public:
  static constexpr std::uint64_t kMaxValue = (std::uint64_t{1} << 42) - 1;  // ~73 minutes in ns

  struct Bucket {
    std::uint64_t lower;  // inclusive
    std::uint64_t upper;  // exclusive
    std::uint64_t count;
  };

  void record(std::uint64_t value) noexcept { record(value, 1); }
  void record(std::uint64_t value, std::uint64_t times) noexcept;
  void merge(const LatencyHistogram& other);
  void reset() noexcept;

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t clamped() const noexcept { return clamped_; }
  // Exact; 0 when empty.
  std::uint64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
  std::uint64_t max() const noexcept { return max_; }
  double mean() const noexcept;

  // The nearest-rank percentile (the smallest recorded value v with at least p% of the values
  // <= v), within 1% of it, never outside [min(), max()]. p is clamped to [0, 100]; 0 when empty.
  std::uint64_t percentile(double p) const noexcept;

  // The non-empty buckets in increasing order.
  std::vector<Bucket> buckets() const;

  static std::size_t bucket_index(std::uint64_t value) noexcept;
  static std::uint64_t bucket_lower(std::size_t index) noexcept;
  static std::uint64_t bucket_width(std::size_t index) noexcept;

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t clamped_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
  long double sum_ = 0;  // for the mean
};

}  // namespace tdemo::loadgen
