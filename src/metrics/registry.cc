#include "metrics/registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace tdemo::metrics {

const std::vector<double>& default_buckets() {
  static const std::vector<double> kBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                            0.5,   1,    2.5,   5,    10};
  return kBuckets;
}

const std::vector<double>& http_duration_buckets() {
  // OpenTelemetry semantic conventions: http.server.request.duration advisory buckets.
  static const std::vector<double> kBuckets{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25,
                                            0.5,   0.75, 1,     2.5,  5,     7.5, 10};
  return kBuckets;
}

std::string_view to_string(MetricType type) noexcept {
  switch (type) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
    case MetricType::kUntyped: return "untyped";
  }
  return "untyped";
}

namespace {
// This thread's stripe: threads take stripes in turn as they first observe.
std::size_t stripe_of_this_thread(std::size_t stripes) noexcept {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t stripe = next.fetch_add(1, std::memory_order_relaxed);
  return stripe % stripes;
}
}  // namespace

Histogram::Histogram(const std::vector<double>* bounds)
    : bounds_(bounds), lines_per_stripe_((bounds->size() + 1 + 7) / 8),
      lines_(new Line[kStripes * lines_per_stripe_]), sums_(new Sum[kStripes]) {
  for (std::size_t i = 0; i < kStripes * lines_per_stripe_; ++i) {
    for (auto& c : lines_[i].counts) c.store(0, std::memory_order_relaxed);
  }
}

void Histogram::observe(double value) noexcept {
  const auto& b = *bounds_;
  // Buckets are "le" (less than or equal): the first bound >= value.
  const std::size_t index =
      static_cast<std::size_t>(std::lower_bound(b.begin(), b.end(), value) - b.begin());
  const std::size_t stripe = stripe_of_this_thread(kStripes);
  count(stripe, index).fetch_add(1, std::memory_order_relaxed);
  sums_[stripe].value.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.cumulative.resize(bounds_->size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_->size(); ++i) {
    for (std::size_t stripe = 0; stripe < kStripes; ++stripe) {
      running += count(stripe, i).load(std::memory_order_relaxed);
    }
    s.cumulative[i] = running;
  }
  s.count = running;
  for (std::size_t stripe = 0; stripe < kStripes; ++stripe) {
    s.sum += sums_[stripe].value.load(std::memory_order_relaxed);
  }
  return s;
}

namespace {

std::string join_key(const LabelValues& values) {
  std::string key;
  for (const auto& v : values) {
    key += v;
    key.push_back('\0');
  }
  return key;
}

template <class Metric>
std::unique_ptr<Metric> make_metric(const std::vector<double>& bounds) {
  if constexpr (std::is_same_v<Metric, Histogram>) {
    return std::make_unique<Histogram>(&bounds);
  } else {
    (void)bounds;
    return std::make_unique<Metric>();
  }
}

}  // namespace

template <class Metric>
Family<Metric>::Family(std::string name, std::string help, std::vector<std::string> label_names,
                       std::vector<double> bounds)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)),
      bounds_(std::move(bounds)) {}

template <class Metric>
Metric& Family<Metric>::with(const LabelValues& values) {
  if (values.size() != label_names_.size()) {
    throw std::invalid_argument("metric " + name_ + ": expected " +
                                std::to_string(label_names_.size()) + " label values");
  }
  const std::string key = join_key(values);
  {
    std::shared_lock lock(mutex_);
    if (auto it = index_.find(key); it != index_.end()) return *children_[it->second].second;
  }
  std::unique_lock lock(mutex_);
  if (auto it = index_.find(key); it != index_.end()) return *children_[it->second].second;
  children_.emplace_back(values, make_metric<Metric>(bounds_));
  index_.emplace(key, children_.size() - 1);
  return *children_.back().second;
}

template <class Metric>
std::vector<std::pair<LabelValues, const Metric*>> Family<Metric>::children() const {
  std::shared_lock lock(mutex_);
  std::vector<std::pair<LabelValues, const Metric*>> out;
  out.reserve(children_.size());
  for (const auto& [labels, metric] : children_) out.emplace_back(labels, metric.get());
  return out;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

bool valid_metric_name(std::string_view name) noexcept {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && digit))) return false;
  }
  return true;
}

bool valid_label_name(std::string_view name) noexcept {
  if (name.empty() || name.find(':') != std::string_view::npos) return false;
  if (name.size() >= 2 && name[0] == '_' && name[1] == '_') return false;  // reserved
  return valid_metric_name(name);
}

struct Registry::Entry {
  std::string name;
  std::string help;
  MetricType type;
  std::unique_ptr<CounterFamily> counter;
  std::unique_ptr<GaugeFamily> gauge;
  std::unique_ptr<HistogramFamily> histogram;
  SampleCallback callback;
};

Registry::Registry() = default;
Registry::~Registry() = default;

namespace {

void check_names(std::string_view name, const std::vector<std::string>& labels) {
  if (!valid_metric_name(name)) throw std::invalid_argument("invalid metric name: " + std::string(name));
  for (const auto& l : labels) {
    if (!valid_label_name(l)) throw std::invalid_argument("invalid label name: " + l);
    if (l == "le") throw std::invalid_argument("label name 'le' is reserved");
  }
}

std::string label_block(const std::vector<std::string>& names, const LabelValues& values,
                        std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out.push_back('"');
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out.push_back(',');
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

}  // namespace

Registry::Entry& Registry::find_or_add(std::string_view name, MetricType type, bool callback) {
  for (auto& e : entries_) {
    if (e->name == name) {
      if (e->type != type || static_cast<bool>(e->callback) != callback || callback) {
        throw std::invalid_argument("metric registered twice with another type: " + e->name);
      }
      return *e;
    }
  }
  auto entry = std::make_unique<Entry>();
  entry->name = std::string(name);
  entry->type = type;
  entries_.push_back(std::move(entry));
  return *entries_.back();
}

CounterFamily& Registry::counter(std::string_view name, std::string_view help,
                                 std::vector<std::string> label_names) {
  check_names(name, label_names);
  std::lock_guard lock(mutex_);
  Entry& e = find_or_add(name, MetricType::kCounter, false);
  if (!e.counter) {
    e.help = std::string(help);
    e.counter = std::make_unique<CounterFamily>(e.name, e.help, std::move(label_names));
  } else if (e.counter->label_names() != label_names) {
    throw std::invalid_argument("metric registered twice with other labels: " + e.name);
  }
  return *e.counter;
}

GaugeFamily& Registry::gauge(std::string_view name, std::string_view help,
                             std::vector<std::string> label_names) {
  check_names(name, label_names);
  std::lock_guard lock(mutex_);
  Entry& e = find_or_add(name, MetricType::kGauge, false);
  if (!e.gauge) {
    e.help = std::string(help);
    e.gauge = std::make_unique<GaugeFamily>(e.name, e.help, std::move(label_names));
  } else if (e.gauge->label_names() != label_names) {
    throw std::invalid_argument("metric registered twice with other labels: " + e.name);
  }
  return *e.gauge;
}

HistogramFamily& Registry::histogram(std::string_view name, std::string_view help,
                                     std::vector<std::string> label_names,
                                     std::vector<double> bounds) {
  check_names(name, label_names);
  if (!std::is_sorted(bounds.begin(), bounds.end()) ||
      std::adjacent_find(bounds.begin(), bounds.end()) != bounds.end()) {
    throw std::invalid_argument("histogram bounds must be strictly increasing: " + std::string(name));
  }
  std::lock_guard lock(mutex_);
  Entry& e = find_or_add(name, MetricType::kHistogram, false);
  if (!e.histogram) {
    e.help = std::string(help);
    e.histogram = std::make_unique<HistogramFamily>(e.name, e.help, std::move(label_names),
                                                    std::move(bounds));
  } else if (e.histogram->label_names() != label_names) {
    throw std::invalid_argument("metric registered twice with other labels: " + e.name);
  }
  return *e.histogram;
}

void Registry::add_callback(std::string_view name, std::string_view help, MetricType type,
                            SampleCallback callback) {
  check_names(name, {});
  if (type == MetricType::kHistogram) throw std::invalid_argument("callback histograms are not supported");
  std::lock_guard lock(mutex_);
  Entry& e = find_or_add(name, type, true);
  e.help = std::string(help);
  e.callback = std::move(callback);
}

void Registry::add_callback_gauge(std::string_view name, std::string_view help,
                                  std::function<double()> read) {
  add_callback(name, help, MetricType::kGauge,
               [read = std::move(read)] { return std::vector<Sample>{Sample{{}, read()}}; });
}

std::string Registry::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& e : entries_) {
    out += "# HELP " + e->name + " " + escape_help(e->help) + "\n";
    out += "# TYPE " + e->name + " " + std::string(to_string(e->type)) + "\n";
    if (e->counter) {
      for (const auto& [values, metric] : e->counter->children()) {
        out += e->name + label_block(e->counter->label_names(), values) + " " +
               format_value(metric->value()) + "\n";
      }
    } else if (e->gauge) {
      for (const auto& [values, metric] : e->gauge->children()) {
        out += e->name + label_block(e->gauge->label_names(), values) + " " +
               format_value(metric->value()) + "\n";
      }
    } else if (e->histogram) {
      const auto& names = e->histogram->label_names();
      for (const auto& [values, metric] : e->histogram->children()) {
        const auto snap = metric->snapshot();
        const auto& bounds = metric->bounds();
        for (std::size_t i = 0; i <= bounds.size(); ++i) {
          const std::string le = i < bounds.size() ? format_value(bounds[i]) : "+Inf";
          out += e->name + "_bucket" + label_block(names, values, "le", le) + " " +
                 std::to_string(snap.cumulative[i]) + "\n";
        }
        out += e->name + "_sum" + label_block(names, values) + " " + format_value(snap.sum) + "\n";
        out += e->name + "_count" + label_block(names, values) + " " + std::to_string(snap.count) + "\n";
      }
    } else if (e->callback) {
      std::vector<Sample> samples;
      try {
        samples = e->callback();
      } catch (...) {
        samples.clear();  // a failing callback leaves its metric empty, never breaks a scrape
      }
      for (const auto& s : samples) {
        out += e->name;
        if (!s.labels.empty()) {
          out.push_back('{');
          for (std::size_t i = 0; i < s.labels.size(); ++i) {
            if (i > 0) out.push_back(',');
            out += s.labels[i].first + "=\"" + escape_label_value(s.labels[i].second) + "\"";
          }
          out.push_back('}');
        }
        out += " " + format_value(s.value) + "\n";
      }
    }
  }
  return out;
}

}  // namespace tdemo::metrics
