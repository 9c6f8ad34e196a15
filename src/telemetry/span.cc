#include "telemetry/span.h"

#include <cxxabi.h>
#include <execinfo.h>

#include <cstdlib>
#include <typeinfo>

#include "telemetry/span_limits.h"
#include "telemetry/span_processor.h"

namespace tdemo::telemetry {
namespace {

constexpr int kMaxStackFrames = 64;

// The demangled form of a mangled C++ name, or the name itself when it is not one.
std::string demangle(const char* mangled) {
  int status = 0;
  char* readable = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  if (status != 0 || readable == nullptr) return mangled;
  std::string out(readable);
  std::free(readable);
  return out;
}

// Applies the per-list count limit and the value length limit; counts what was dropped.
void append_limited(Attributes& target, Attributes source, std::size_t max_count,
                    std::size_t max_length, std::uint32_t& dropped) {
  for (auto& attribute : source) {
    truncate_value(attribute.value, max_length);
    if (!set_attribute(target, attribute.key, std::move(attribute.value), max_count)) ++dropped;
  }
}

// A backtrace_symbols line looks like "binary(mangled+0x1f) [0x4011d6]"; demangle the name.
std::string readable_frame(const char* symbol) {
  std::string_view line(symbol);
  const auto open = line.find('(');
  const auto plus = line.find('+', open == std::string_view::npos ? 0 : open);
  if (open == std::string_view::npos || plus == std::string_view::npos || plus == open + 1) {
    return std::string(line);
  }
  const std::string mangled(line.substr(open + 1, plus - open - 1));
  std::string out(line.substr(0, open + 1));
  out += demangle(mangled.c_str());
  out += line.substr(plus);
  return out;
}

}  // namespace

Span::Span(std::unique_ptr<SpanData> data, SpanProcessor* processor,
           const SpanLimits* limits) noexcept
    : context_(data ? data->context : SpanContext()),
      data_(std::move(data)),
      processor_(processor),
      limits_(limits) {}

Span::Span(Span&& other) noexcept
    : context_(std::move(other.context_)),
      data_(std::move(other.data_)),
      processor_(other.processor_),
      limits_(other.limits_) {}

Span& Span::operator=(Span&& other) noexcept {
  if (this != &other) {
    end();
    context_ = std::move(other.context_);
    data_ = std::move(other.data_);
    processor_ = other.processor_;
    limits_ = other.limits_;
  }
  return *this;
}

AttributeValue* Span::attribute_slot(std::string_view key) {
  if (!data_) return nullptr;
  AttributeValue* slot = telemetry::attribute_slot(data_->attributes, key, limits_->attribute_count);
  if (slot == nullptr) ++data_->dropped_attributes_count;
  return slot;
}

void Span::set_attribute(std::string_view key, AttributeValue value) {
  if (AttributeValue* slot = attribute_slot(key)) {
    *slot = std::move(value);
    truncate_value(*slot, limits_->attribute_value_length);
  }
}

void Span::set_attribute(std::string_view key, std::string_view value) {
  if (AttributeValue* slot = attribute_slot(key)) {
    if (auto* text = std::get_if<std::string>(slot)) {
      assign_text(*text, value);  // a new entry holds an empty string: no variant change
    } else {
      slot->emplace<std::string>(value);
    }
    truncate_value(*slot, limits_->attribute_value_length);
  }
}

void Span::set_attribute(std::string_view key, bool value) {
  if (AttributeValue* slot = attribute_slot(key)) *slot = value;
}

void Span::set_attribute(std::string_view key, std::int64_t value) {
  if (AttributeValue* slot = attribute_slot(key)) *slot = value;
}

void Span::set_attribute(std::string_view key, double value) {
  if (AttributeValue* slot = attribute_slot(key)) *slot = value;
}

void Span::set_attributes(Attributes attributes) {
  if (!data_) return;
  append_limited(data_->attributes, std::move(attributes), limits_->attribute_count,
                 limits_->attribute_value_length, data_->dropped_attributes_count);
}

void Span::add_event(std::string_view name, Attributes attributes, std::uint64_t time_unix_nano) {
  if (!data_) return;
  if (data_->events.size() >= limits_->event_count) {
    ++data_->dropped_events_count;
    return;
  }
  Event event;
  event.name = std::string(name);
  event.time_unix_nano = time_unix_nano != 0 ? time_unix_nano : now_unix_nano();
  append_limited(event.attributes, std::move(attributes), limits_->attributes_per_event,
                 limits_->attribute_value_length, event.dropped_attributes_count);
  data_->events.push_back(std::move(event));
}

void Span::add_link(SpanContext context, Attributes attributes) {
  if (!data_) return;
  if (data_->links.size() >= limits_->link_count) {
    ++data_->dropped_links_count;
    return;
  }
  Link link;
  link.context = std::move(context);
  append_limited(link.attributes, std::move(attributes), limits_->attributes_per_link,
                 limits_->attribute_value_length, link.dropped_attributes_count);
  data_->links.push_back(std::move(link));
}

void Span::set_status(StatusCode code, std::string_view description) {
  if (!data_) return;
  // Per the specification: UNSET is ignored, OK is final, a description only goes with ERROR.
  if (code == StatusCode::kUnset || data_->status_code == StatusCode::kOk) return;
  data_->status_code = code;
  if (code == StatusCode::kError) {
    data_->status_message = std::string(description);
  } else {
    data_->status_message.clear();
  }
}

void Span::update_name(std::string_view name) {
  if (data_) data_->name = std::string(name);
}

void Span::record_exception(std::string_view type, std::string_view message,
                            std::string_view stacktrace) {
  if (!data_) return;
  Attributes attributes;
  attributes.reserve(3);
  attributes.push_back({"exception.type", std::string(type)});
  attributes.push_back({"exception.message", std::string(message)});
  if (!stacktrace.empty()) attributes.push_back({"exception.stacktrace", std::string(stacktrace)});
  add_event("exception", std::move(attributes));
}

void Span::record_exception(const std::exception& error) {
  if (!data_) return;
  record_exception(demangle(typeid(error).name()), error.what(), current_stacktrace(2));
}

void Span::end_recording(std::uint64_t end_time_unix_nano) noexcept {
  data_->end_time_unix_nano = end_time_unix_nano != 0 ? end_time_unix_nano : now_unix_nano();
  if (processor_ != nullptr) {
    processor_->on_end(std::move(data_));
  }
  data_.reset();
}

std::string current_stacktrace(int skip) {
  void* frames[kMaxStackFrames];
  const int count = backtrace(frames, kMaxStackFrames);
  char** symbols = backtrace_symbols(frames, count);
  if (symbols == nullptr) return {};
  std::string out;
  for (int i = skip < 0 ? 0 : skip; i < count; ++i) {
    out += readable_frame(symbols[i]);
    out += '\n';
  }
  std::free(symbols);
  return out;
}

}  // namespace tdemo::telemetry
