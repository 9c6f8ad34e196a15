#include "telemetry/otlp/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <stdexcept>

namespace tdemo::telemetry::otlp {
namespace {
constexpr int kGzipWindowBits = 15 + 16;      // 15-bit window, gzip header and trailer
constexpr std::size_t kChunk = 64 * 1024;
}  // namespace

std::string gzip_compress(std::string_view data, int level) {
  z_stream zs{};
  if (deflateInit2(&zs, level, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("gzip: deflateInit2 failed");
  }
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const std::size_t written = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("gzip: deflate did not finish");
  out.resize(written);
  return out;
}

GunzipResult gzip_decompress(std::string_view data, std::size_t max_output) {
  GunzipResult result;
  if (data.size() < 18 || static_cast<unsigned char>(data[0]) != 0x1f ||
      static_cast<unsigned char>(data[1]) != 0x8b) {
    result.error = "not a gzip stream";
    return result;
  }
  z_stream zs{};
  if (inflateInit2(&zs, kGzipWindowBits) != Z_OK) {
    result.error = "gzip: inflateInit2 failed";
    return result;
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string& out = result.data;
  for (;;) {
    if (out.size() - zs.total_out == 0) {
      if (zs.total_out >= max_output) {
        result.error = "gzip: decompressed size exceeds " + std::to_string(max_output) + " bytes";
        break;
      }
      // Grow by a chunk (or to just past the limit, to detect overflow), never beyond.
      out.resize(std::min<std::size_t>(zs.total_out + kChunk, max_output + 1));
    }
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + zs.total_out);
    zs.avail_out = static_cast<uInt>(out.size() - zs.total_out);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      if (zs.total_out > max_output) {
        result.error = "gzip: decompressed size exceeds " + std::to_string(max_output) + " bytes";
        break;
      }
      if (zs.avail_in == 0) break;
      // Another gzip member follows: keep going (RFC 1952 allows concatenation).
      if (zs.avail_in < 2 || zs.next_in[0] != 0x1f || zs.next_in[1] != 0x8b) {
        result.error = "gzip: trailing data after the stream";
        break;
      }
      const uLong produced = zs.total_out;
      if (inflateReset(&zs) != Z_OK) { result.error = "gzip: reset failed"; break; }
      zs.total_out = produced;
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) { result.error = "gzip: truncated stream"; break; }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      result.error = std::string("gzip: ") + (zs.msg ? zs.msg : "corrupt stream");
      break;
    }
    if (zs.total_out > max_output) {
      result.error = "gzip: decompressed size exceeds " + std::to_string(max_output) + " bytes";
      break;
    }
  }
  inflateEnd(&zs);
  if (result.ok()) out.resize(zs.total_out); else out.clear();
  return result;
}

}  // namespace tdemo::telemetry::otlp
