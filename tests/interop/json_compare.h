// Structural comparison of JSON values for the interop tests, reporting the first difference
// by its path ("spans[2].attributes[0][1]: {...} vs {...}").
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

namespace tdemo::interop {

// The decimal text of an int64 or uint64 JSON number.
inline std::string integer_text(const boost::json::value& v) {
  return v.is_int64() ? std::to_string(v.get_int64()) : std::to_string(v.get_uint64());
}

// Numbers compare by value whatever their JSON kind (2 == 2.0); two integers compare exactly
// (no rounding through double above 2^53). Objects compare by key set, arrays in order.
inline bool same_json(const boost::json::value& a, const boost::json::value& b,
                      const std::string& path, std::string& where) {
  namespace json = boost::json;
  if (a.is_number() && b.is_number()) {
    if (!a.is_double() && !b.is_double()) {
      if (integer_text(a) == integer_text(b)) return true;
    } else if (a.to_number<double>() == b.to_number<double>()) {
      return true;
    }
  } else if (a.kind() == b.kind()) {
    if (a.is_object()) {
      const auto& ao = a.get_object();
      const auto& bo = b.get_object();
      for (const auto& [k, v] : ao) {
        const auto* other = bo.if_contains(k);
        if (other == nullptr)
          return where = path + "." + std::string(k) + ": missing on the right", false;
        if (!same_json(v, *other, path + "." + std::string(k), where)) return false;
      }
      for (const auto& [k, v] : bo) {
        if (!ao.contains(k))
          return where = path + "." + std::string(k) + ": missing on the left", false;
      }
      return true;
    }
    if (a.is_array()) {
      const auto& aa = a.get_array();
      const auto& ba = b.get_array();
      for (std::size_t i = 0; i < aa.size() && i < ba.size(); ++i) {
        if (!same_json(aa[i], ba[i], path + "[" + std::to_string(i) + "]", where)) return false;
      }
      if (aa.size() != ba.size()) {
        where =
            path + ": " + std::to_string(aa.size()) + " vs " + std::to_string(ba.size()) + " items";
        return false;
      }
      return true;
    }
    if (a == b) return true;
  }
  where = path + ": " + json::serialize(a) + " vs " + json::serialize(b);
  return false;
}

// EXPECTs that `expected` and `actual` are the same; the message names the first difference.
inline void expect_same_json(const boost::json::value& expected, const boost::json::value& actual,
                             const std::string& root = "spans") {
  std::string where;
  EXPECT_TRUE(same_json(expected, actual, root, where)) << where;
}

}  // namespace tdemo::interop
