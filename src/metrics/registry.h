// A Prometheus metrics registry: counters, gauges and histograms with labels, plus callback
// metrics, rendered in the text exposition format 0.0.4.
//
// There is no global registry: each service owns one (the `all` mode runs several in one
// process). Hot-path updates are lock-free atomics on a metric object whose address the caller
// looks up once (`family.with({...})`) and may cache: returned references stay valid for the
// registry's lifetime.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tdemo::metrics {

// The Content-Type of the exposition text.
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// Prometheus' default buckets, and the OpenTelemetry HTTP duration buckets (seconds).
const std::vector<double>& default_buckets();
const std::vector<double>& http_duration_buckets();

using LabelValues = std::vector<std::string>;

// A monotonically increasing value. Thread-safe, lock-free.
class Counter {
 public:
  void inc(double amount = 1.0) noexcept { value_.fetch_add(amount, std::memory_order_relaxed); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// A value that goes up and down. Thread-safe, lock-free.
class Gauge {
 public:
  void set(double value) noexcept { value_.store(value, std::memory_order_relaxed); }
  void inc(double amount = 1.0) noexcept { value_.fetch_add(amount, std::memory_order_relaxed); }
  void dec(double amount = 1.0) noexcept { value_.fetch_sub(amount, std::memory_order_relaxed); }
  double value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Fixed upper bounds (ascending, +Inf implied). Thread-safe, lock-free observe().
//
// Observations go to one of kStripes copies of the counts, chosen by thread, each on cache lines
// of its own: the I/O threads observe the same child (one route's durations) on every request,
// and a single copy made both cores write one line per request. snapshot() sums the stripes.
class Histogram {
 public:
  explicit Histogram(const std::vector<double>* bounds);
  void observe(double value) noexcept;

  struct Snapshot {
    std::vector<std::uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
    std::uint64_t count = 0;
  };
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const noexcept { return *bounds_; }

 private:
  static constexpr std::size_t kStripes = 8;
  struct alignas(64) Line {
    std::atomic<std::uint64_t> counts[8];
  };
  struct alignas(64) Sum {
    std::atomic<double> value{0.0};
  };
  std::atomic<std::uint64_t>& count(std::size_t stripe, std::size_t bucket) const noexcept {
    return lines_[stripe * lines_per_stripe_ + bucket / 8].counts[bucket % 8];
  }

  const std::vector<double>* bounds_;  // owned by the family
  std::size_t lines_per_stripe_;       // holding bounds + 1 counts (the last: +Inf)
  std::unique_ptr<Line[]> lines_;      // kStripes * lines_per_stripe_
  std::unique_ptr<Sum[]> sums_;        // kStripes
};

enum class MetricType { kCounter, kGauge, kHistogram, kUntyped };
std::string_view to_string(MetricType type) noexcept;  // "counter", ...

// A named metric with a fixed list of label names and one child per label-value set.
// with() is thread-safe (a shared lock, an exclusive one on first use of a label set).
template <class Metric>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> bounds = {});
  // The child for `values` (same count as the label names; extra/missing values are a
  // programmer error and throw std::invalid_argument). The reference is stable.
  Metric& with(const LabelValues& values);
  const std::string& name() const noexcept { return name_; }
  const std::string& help() const noexcept { return help_; }
  const std::vector<std::string>& label_names() const noexcept { return label_names_; }
  // Children in creation order (for rendering).
  std::vector<std::pair<LabelValues, const Metric*>> children() const;

 private:
  std::string name_, help_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;  // histograms only
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::size_t> index_;  // joined label values -> children_
  std::vector<std::pair<LabelValues, std::unique_ptr<Metric>>> children_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

// One sample reported by a callback metric.
struct Sample {
  std::vector<std::pair<std::string, std::string>> labels;  // name, value
  double value = 0;
};
// Called at scrape time, from the scraping thread; must be thread-safe and quick.
using SampleCallback = std::function<std::vector<Sample>()>;

// Owns metric families. Thread-safe. Registering a name twice returns the existing family when
// its type and label names match, else throws std::invalid_argument (programmer error).
// Metric and label names must match Prometheus' rules ([a-zA-Z_:][a-zA-Z0-9_:]*), else throws.
class Registry {
 public:
  Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  ~Registry();

  CounterFamily& counter(std::string_view name, std::string_view help,
                         std::vector<std::string> label_names = {});
  GaugeFamily& gauge(std::string_view name, std::string_view help,
                     std::vector<std::string> label_names = {});
  HistogramFamily& histogram(std::string_view name, std::string_view help,
                             std::vector<std::string> label_names,
                             std::vector<double> bounds = http_duration_buckets());
  // A metric whose samples come from `callback` at scrape time (type kCounter, kGauge or
  // kUntyped), e.g. a trace store's span counters or an exporter's queue depth.
  void add_callback(std::string_view name, std::string_view help, MetricType type,
                    SampleCallback callback);
  // Convenience: a single unlabelled gauge read from `read`.
  void add_callback_gauge(std::string_view name, std::string_view help,
                          std::function<double()> read);

  // The whole registry in the text format 0.0.4 (families in registration order).
  std::string render() const;

 private:
  struct Entry;
  Entry& find_or_add(std::string_view name, MetricType type, bool callback);
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

// Text-format helpers, exposed for tests and other renderers.
std::string escape_label_value(std::string_view value);  // \\, \", \n
std::string escape_help(std::string_view help);          // \\, \n
std::string format_value(double value);                  // "+Inf", "-Inf", "NaN", shortest round-trip
bool valid_metric_name(std::string_view name) noexcept;
bool valid_label_name(std::string_view name) noexcept;

}  // namespace tdemo::metrics
