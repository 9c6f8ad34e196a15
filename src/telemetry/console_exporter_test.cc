#include "telemetry/console_exporter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace tdemo::telemetry {
namespace {

TEST(ConsoleSpanExporterTest, OneReadableLinePerSpan) {
  auto resource = std::make_shared<Resource>();
  resource->attributes = {{"service.name", attribute("orders")}};
  auto span = std::make_unique<SpanData>();
  span->context = SpanContext(*TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736"),
                              *SpanId::from_hex("00f067aa0ba902b7"), 1, false);
  span->parent_span_id = *SpanId::from_hex("b7ad6b7169203331");
  span->name = "GET /orders/{id}";
  span->kind = SpanKind::kServer;
  span->start_time_unix_nano = 1'000'000;
  span->end_time_unix_nano = 3'500'000;
  span->status_code = StatusCode::kError;
  span->status_message = "boom";
  span->attributes = {{"http.status_code", attribute(500)}, {"ok", attribute(false)}};
  span->resource = resource;
  SpanBatch batch;
  batch.push_back(std::move(span));
  batch.push_back(std::make_unique<SpanData>());

  std::ostringstream out;
  ConsoleSpanExporter exporter(&out);
  EXPECT_EQ(exporter.export_spans(batch), ExportResult::kSuccess);
  const std::string text = out.str();
  const auto first_line = text.substr(0, text.find('\n'));
  EXPECT_EQ(first_line,
            "span orders GET /orders/{id} kind=SERVER trace=4bf92f3577b34da6a3ce929d0e0e4736 "
            "span=00f067aa0ba902b7 parent=b7ad6b7169203331 duration=2.500ms "
            "status=ERROR(\"boom\") attrs={http.status_code=500, ok=false}");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_TRUE(exporter.shutdown(std::chrono::milliseconds(1)));
  EXPECT_EQ(exporter.export_spans(batch), ExportResult::kFailure);
}

}  // namespace
}  // namespace tdemo::telemetry
