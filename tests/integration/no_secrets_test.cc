// Issue 9 point 6, "nothing leaked": after payments with known card numbers (approved,
// declined by the processor, refused by the fraud check, malformed ones answered 422, and the
// other error paths of POST /payments), through the gateway and straight to the payments
// service, no card number appears anywhere the system writes: the exported OTLP requests (raw
// bytes and every decoded field: name, attributes, events, links, status, resource, scope), the
// process's stdout and stderr (JSON logs, access log, DEBUG's console spans), every service's
// /metrics page, every response (headers and body), and the SQLite files. The API takes no CVV.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <random>
#include <thread>

#include "support/http_client.h"
#include "support/process.h"
#include "support/span_capture.h"

namespace tdemo {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A card number that passes the Luhn check: `prefix` + random digits + the check digit.
std::string luhn_card(std::mt19937_64& random, const std::string& prefix, std::size_t length) {
  std::string digits = prefix;
  while (digits.size() < length - 1) digits += static_cast<char>('0' + random() % 10);
  for (int check = 0; check <= 9; ++check) {
    std::string candidate = digits + static_cast<char>('0' + check);
    int sum = 0;
    for (std::size_t i = 0; i < candidate.size(); ++i) {
      int d = candidate[candidate.size() - 1 - i] - '0';
      if (i % 2 == 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    if (sum % 10 == 0) return candidate;
  }
  return digits + "0";
}

// "4917 6123 4567 8901": the number as a person types it.
std::string spaced(const std::string& digits) {
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && i % 4 == 0) out += ' ';
    out += digits[i];
  }
  return out;
}

// Every string a decoded span carries.
std::string everything_in(const telemetry::SpanData& span) {
  std::string out = span.name + "\n" + span.status_message + "\n";
  const auto add = [&out](const telemetry::Attributes& attributes) {
    for (const auto& kv : attributes)
      out += kv.key + "=" + telemetry::to_display_string(kv.value) + "\n";
  };
  add(span.attributes);
  for (const auto& event : span.events) {
    out += event.name + "\n";
    add(event.attributes);
  }
  for (const auto& link : span.links) add(link.attributes);
  if (span.resource) {
    add(span.resource->attributes);
    out += span.resource->schema_url + "\n";
  }
  if (span.scope)
    out += span.scope->name + " " + span.scope->version + " " + span.scope->schema_url + "\n";
  return out;
}

struct Leak {
  std::string secret, where, context;
};

// Every occurrence of each secret in `text` (with some context around it). Only whole numbers
// count: digits inside a longer number (a float's rounding tail as in 1.4000000000000002, a
// timestamp) are not a card.
void scan(const std::vector<std::string>& secrets, const std::string& where,
          const std::string& text, std::vector<Leak>& leaks) {
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  for (const auto& secret : secrets) {
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 1)) {
      const auto end = at + secret.size();
      const bool inside_number = (at > 0 && (is_digit(text[at - 1]) || text[at - 1] == '.')) ||
                                 (end < text.size() && is_digit(text[end]));
      if (inside_number) continue;
      const auto from = at > 120 ? at - 120 : 0;
      leaks.push_back({secret, where, text.substr(from, secret.size() + 240)});
    }
  }
}

TEST(NoSecrets, NoCardNumberInSpansLogsMetricsResponsesOrDatabases) {
  std::mt19937_64 random(std::random_device{}());
  test::SpanCapture capture;
  const auto data_dir = ::testing::TempDir() + "no_secrets_" + std::to_string(::getpid());
  std::filesystem::remove_all(data_dir);
  const auto base = test::free_port_range(4);
  const std::string gateway = "http://127.0.0.1:" + std::to_string(base);
  const std::string payments = "http://127.0.0.1:" + std::to_string(base + 3);
  test::ProcessOptions options;
  // clang-format off
  options.args = {"all", "--base-port", std::to_string(base), "--trace-store=off", "--data-dir", data_dir,
                  "--payment-decline-rate", "0", "--io-threads", "2"};
  // clang-format on
  // Everything on: debug logs, the access log, DEBUG's console spans next to OTLP (protobuf,
  // uncompressed, so the raw bytes are searchable), quick batches.
  options.env = {{"OTEL_EXPORTER_OTLP_ENDPOINT", capture.endpoint()},
                 {"OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"},
                 {"OTEL_BSP_SCHEDULE_DELAY", "100"},
                 {"LOG_LEVEL", "debug"},
                 {"DEBUG", "true"}};
  options.unset_env = {"OTEL_SERVICE_NAME",
                       "SERVICE_NAME",
                       "OTEL_TRACES_EXPORTER",
                       "OTEL_SDK_DISABLED",
                       "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                       "OTEL_EXPORTER_OTLP_COMPRESSION",
                       "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION",
                       "OTEL_TRACES_SAMPLER",
                       "DATABASE_URL",
                       "REDIS_URL",
                       "JAEGER_HOST"};
  test::Process all(TD_BINARY, options);
  ASSERT_TRUE(test::wait_for_http(gateway + "/health", seconds(30))) << all.stderr_text();

  // The secrets: every card sent, as typed and as digits, and the digits the mask hides.
  std::vector<std::string> secrets;
  const auto secret = [&](const std::string& card) {
    std::string digits;
    for (char c : card) {
      if (c >= '0' && c <= '9') digits += c;
    }
    secrets.push_back(card);
    secrets.push_back(digits);
    if (digits.size() > 4) secrets.push_back(digits.substr(0, digits.size() - 4));
    return card;
  };
  const std::string approved = secret(spaced(luhn_card(random, "4917", 16)));
  const std::string approved_direct = secret(luhn_card(random, "5123", 16));
  const std::string other_key = secret(luhn_card(random, "4917", 16));
  const std::string always_declined = secret("4000000000000002");
  const std::string insufficient_funds = secret("4000000000009995");
  const std::string fraud = secret(luhn_card(random, "3714", 15));
  std::string luhn_invalid = luhn_card(random, "4917", 16);
  luhn_invalid.back() = static_cast<char>('0' + (luhn_invalid.back() - '0' + 1) % 10);
  secret(luhn_invalid);
  const std::string too_long = secret(luhn_card(random, "4917", 23));
  const std::string with_letters =
      secret("4917-" + luhn_card(random, "6", 4) + "-ABCD-" + luhn_card(random, "7", 4));
  const std::string missing_order = secret(luhn_card(random, "4917", 19));
  const std::string wrong_amount = secret(luhn_card(random, "4917", 13));
  const std::string reused_key = secret(luhn_card(random, "4917", 16));
  const std::string wrong_type = secret(luhn_card(random, "4917", 16));
  const std::string broken_json = secret(luhn_card(random, "4917", 16));
  const std::string as_number = secret(luhn_card(random, "4917", 16));
  const std::string misnamed = secret(spaced(luhn_card(random, "4917", 16)));
  const std::string in_array = secret(luhn_card(random, "4917", 16));
  const std::string as_body = secret(luhn_card(random, "4917", 16));
  const std::string in_amount = secret(spaced(luhn_card(random, "4917", 16)));
  const std::string in_order = secret(luhn_card(random, "4917", 16));
  const std::string in_query = secret(luhn_card(random, "4917", 16));
  const std::string in_unmatched_path = secret(luhn_card(random, "4917", 16));
  // Card digits where an integer id goes: valid ids, so they reach business attributes.
  const std::string as_user_id = secret(luhn_card(random, "4917", 16));
  const std::string as_order_id = secret(luhn_card(random, "4917", 16));
  const std::string as_flow_user = secret(luhn_card(random, "4917", 16));
  const std::string as_body_user = secret(luhn_card(random, "4917", 16));
  const std::string as_payment_order = secret(luhn_card(random, "4917", 16));
  std::string in_path_param = luhn_card(random, "4917", 16);
  for (std::size_t at : {12u, 8u, 4u}) in_path_param.insert(at, "-");
  secret(in_path_param);

  std::vector<std::pair<std::string, test::HttpResponse>> responses;
  const auto record = [&](const std::string& what, test::HttpResponse response) {
    responses.emplace_back(what, response);
    return response;
  };
  const auto order = [&](const std::string& amount) {
    const auto created =
        test::http_post(gateway + "/orders", R"({"user_id": 1, "amount": )" + amount + "}");
    EXPECT_EQ(created.status, 201) << created.body;
    return std::to_string(boost::json::parse(created.body).at("id").as_int64());
  };
  const auto body = [](const std::string& order_id, const std::string& amount,
                       const std::string& card) {
    return R"({"order_id": )" + order_id + R"(, "amount": )" + amount + R"(, "card_number": ")" +
           card + R"("})";
  };
  const auto pay = [&](const std::string& url, const std::string& what, const std::string& payload,
                       const std::string& key, int expected) {
    test::HeaderList headers;
    if (!key.empty()) headers.push_back({"Idempotency-Key", key});
    const auto response = record(what, test::http_post(url + "/payments", payload, headers));
    EXPECT_EQ(response.status, expected) << what << ": " << response.body;
    return response;
  };

  // Approved (201), replayed (200), and a second payment for the paid order (409).
  const auto paid_order = order("12.34");
  const auto paid =
      pay(gateway, "approved", body(paid_order, "12.34", approved), "key-approved", 201);
  pay(gateway, "replay", body(paid_order, "12.34", approved), "key-approved", 200);
  pay(gateway, "second payment", body(paid_order, "12.34", other_key), "key-other", 409);
  pay(payments, "approved direct", body(order("3.21"), "3.21", approved_direct), "", 201);
  record("get payment",
         test::http_get(gateway + "/payments/" +
                        std::to_string(boost::json::parse(paid.body).at("id").as_int64())));
  // Declined by the processor and by the fraud check (402).
  pay(gateway, "declined", body(order("20.00"), "20.00", always_declined), "key-declined", 402);
  pay(payments, "insufficient funds", body(order("21.00"), "21.00", insufficient_funds), "", 402);
  pay(gateway, "fraud", body(order("6000.00"), "6000.00", fraud), "key-fraud", 402);
  // Malformed cards (422), through the gateway and directly.
  const auto malformed_order = order("30.00");
  for (const auto& url : {gateway, payments}) {
    pay(url, "luhn", body(malformed_order, "30.00", luhn_invalid), "", 422);
    pay(url, "too long", body(malformed_order, "30.00", too_long), "", 422);
    pay(url, "letters", body(malformed_order, "30.00", with_letters), "", 422);
    pay(url, "number",
        R"({"order_id": )" + malformed_order + R"(, "amount": 30.00, "card_number": )" + as_number +
            "}",
        "", 422);
    pay(url, "broken json",
        R"({"order_id": )" + malformed_order + R"(, "card_number": ")" + broken_json, "", 422);
    // Card data where the API does not expect it: a misspelt field, a body that is not an
    // object, the amount or an order field (FastAPI-style 422s echo their input).
    pay(url, "misspelt field",
        R"({"order_id": )" + malformed_order + R"(, "amount": 30.00, "card_numbr": ")" + misnamed +
            R"("})",
        "", 422);
    pay(url, "array body", R"([")" + in_array + R"("])", "", 422);
    pay(url, "string body", R"(")" + as_body + R"(")", "", 422);
    pay(url, "card as amount",
        R"({"order_id": )" + malformed_order + R"(, "amount": ")" + in_amount +
            R"(", "card_number": ")" + approved + R"("})",
        "", 422);
    const auto wrong_content_type =
        record("content type",
               test::http_post(url + "/payments", body(malformed_order, "30.00", wrong_type),
                               {{"Content-Type", "text/plain"}}));
    EXPECT_EQ(wrong_content_type.status, 415) << wrong_content_type.body;
  }
  // ... and in an order, through the gateway and directly.
  for (const auto& url : {gateway, "http://127.0.0.1:" + std::to_string(base + 2)}) {
    const auto card_in_order =
        record("card in order",
               test::http_post(url + "/orders", R"({"user_id": 1, "amount": 1.00, "items": ")" +
                                                    in_order + R"("})"));
    EXPECT_EQ(card_in_order.status, 422) << card_in_order.body;
  }
  // Cards in URLs: a query string, an unmatched path, a path parameter that is not an id (422).
  // Each reaches url.path / url.query / url.full and the access log only masked.
  record("card in query", test::http_get(gateway + "/users/1?card_number=" + in_query));
  EXPECT_EQ(record("card in unmatched path", test::http_get(gateway + "/cards/" + in_unmatched_path)).status, 404);
  EXPECT_EQ(record("card as user id", test::http_get(gateway + "/users/" + in_path_param)).status, 422);
  EXPECT_EQ(record("card digits as user id", test::http_get(gateway + "/users/" + as_user_id)).status, 404);
  EXPECT_EQ(record("card digits as order id", test::http_get(gateway + "/orders/" + as_order_id)).status, 404);
  EXPECT_EQ(record("card digits as flow user", test::http_get(gateway + "/demo/full-flow/" + as_flow_user)).status, 404);
  EXPECT_EQ(record("card digits as order's user",
                   test::http_post(gateway + "/orders", R"({"user_id": )" + as_body_user +
                                                            R"(, "amount": 1.00})")).status, 404);
  pay(gateway, "card digits as payment's order", body(as_payment_order, "1.00", approved), "", 404);
  // The other errors of a well-formed payment: no such order (404), the amount does not match
  // the order (422), a key reused for another request (422).
  pay(gateway, "missing order", body("987654", "1.00", missing_order), "", 404);
  pay(gateway, "wrong amount", body(malformed_order, "31.00", wrong_amount), "", 422);
  pay(gateway, "reused key", body(malformed_order, "30.00", reused_key), "key-approved", 422);

  // /metrics of every service, then a clean shutdown (flushes the spans and the logs).
  std::vector<std::pair<std::string, std::string>> pages;
  for (int i = 0; i < 4; ++i) {
    const auto page = test::http_get("http://127.0.0.1:" + std::to_string(base + i) + "/metrics");
    EXPECT_EQ(page.status, 200);
    pages.emplace_back("/metrics of port " + std::to_string(base + i), page.body);
  }
  ASSERT_EQ(all.terminate(seconds(30)), 0) << all.stderr_text();

  std::vector<Leak> leaks;
  const auto spans = capture.all();
  EXPECT_GT(spans.size(), 50u) << "too few spans exported to prove anything";
  bool saw_masked = false;
  for (const auto& span : spans) {
    const auto text = everything_in(span);
    saw_masked = saw_masked || text.find("****") != std::string::npos;
    scan(secrets, "span " + span.name, text, leaks);
  }
  EXPECT_TRUE(saw_masked) << "no span carries a masked card: the scan would not see a card either";
  for (const auto& raw : capture.bodies()) scan(secrets, "raw OTLP request", raw, leaks);
  const auto stdout_text = all.stdout_text();
  const auto stderr_text = all.stderr_text();
  EXPECT_NE(stderr_text.find("\"trace_id\""), std::string::npos) << "no JSON log lines on stderr";
  EXPECT_NE((stdout_text + stderr_text).find("payments.process"), std::string::npos)
      << "no console spans";
  scan(secrets, "stdout", stdout_text, leaks);
  scan(secrets, "stderr", stderr_text, leaks);
  for (const auto& [where, page] : pages) scan(secrets, where, page, leaks);
  for (const auto& [what, response] : responses) {
    std::string text = response.body;
    for (const auto& [name, value] : response.headers) text += "\n" + name + ": " + value;
    scan(secrets, "response to '" + what + "'", text, leaks);
  }
  for (const auto& entry : std::filesystem::directory_iterator(data_dir)) {
    scan(secrets, "file " + entry.path().filename().string(), test::read_text_file(entry.path()),
         leaks);
  }

  for (const auto& leak : leaks) {
    ADD_FAILURE() << "card data '" << leak.secret << "' leaked in " << leak.where << ":\n"
                  << leak.context;
  }
  std::cout << "[ figures  ] scanned " << spans.size() << " spans, " << capture.bodies().size()
            << " OTLP requests, " << stdout_text.size() + stderr_text.size() << " bytes of output, "
            << responses.size() << " responses, 4 /metrics pages for " << secrets.size()
            << " secrets: " << leaks.size() << " leaks\n";
  std::filesystem::remove_all(data_dir);
}

}  // namespace
}  // namespace tdemo
