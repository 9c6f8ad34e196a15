#include "loadgen/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tdemo::loadgen {
namespace {
constexpr int kLinearBits = 8;                                // 256 exact buckets
constexpr std::uint64_t kLinearCount = 1u << kLinearBits;     // 256
constexpr std::uint64_t kHalf = kLinearCount / 2;             // 128 buckets per power of two
}  // namespace

std::size_t LatencyHistogram::bucket_index(std::uint64_t value) noexcept {
  if (value < kLinearCount) return static_cast<std::size_t>(value);
  const int shift = std::bit_width(value) - kLinearBits;  // value >> shift is in [128, 256)
  return static_cast<std::size_t>(kLinearCount + (shift - 1) * kHalf + ((value >> shift) - kHalf));
}

std::uint64_t LatencyHistogram::bucket_lower(std::size_t index) noexcept {
  if (index < kLinearCount) return index;
  const std::uint64_t k = index - kLinearCount;
  const std::uint64_t shift = k / kHalf + 1;
  return (k % kHalf + kHalf) << shift;
}

std::uint64_t LatencyHistogram::bucket_width(std::size_t index) noexcept {
  if (index < kLinearCount) return 1;
  return std::uint64_t{1} << ((index - kLinearCount) / kHalf + 1);
}

void LatencyHistogram::record(std::uint64_t value, std::uint64_t times) noexcept {
  if (times == 0) return;
  if (value > kMaxValue) {
    value = kMaxValue;
    clamped_ += times;
  }
  const std::size_t index = bucket_index(value);
  if (index >= counts_.size()) counts_.resize(index + 1, 0);
  counts_[index] += times;
  if (count_ == 0 || value < min_) min_ = value;
  if (value > max_) max_ = value;
  count_ += times;
  sum_ += static_cast<long double>(value) * times;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  if (other.counts_.size() > counts_.size()) counts_.resize(other.counts_.size(), 0);
  for (std::size_t i = 0; i < other.counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  clamped_ += other.clamped_;
  sum_ += other.sum_;
}

void LatencyHistogram::reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = clamped_ = min_ = max_ = 0;
  sum_ = 0;
}

double LatencyHistogram::mean() const noexcept {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / count_);
}

std::uint64_t LatencyHistogram::percentile(double p) const noexcept {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      // The middle of the bucket: at most half a bucket (0.4%) from any value in it.
      const std::uint64_t mid = bucket_lower(i) + (bucket_width(i) - 1) / 2;
      return std::clamp(mid, min_, max_);
    }
  }
  return max_;
}

std::vector<LatencyHistogram::Bucket> LatencyHistogram::buckets() const {
  std::vector<Bucket> out;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] != 0) out.push_back({bucket_lower(i), bucket_lower(i) + bucket_width(i), counts_[i]});
  }
  return out;
}

}  // namespace tdemo::loadgen
