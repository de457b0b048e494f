// zlib streams held by RAII guards; inflation stops at the cap instead of trusting the sender's sizes.
#include "core/util/gzip.h"

#include <zlib.h>

#include <array>

#include "core/error.h"

namespace offline_sync {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // 15-bit window, gzip framing

[[noreturn]] void malformed(const char* what) {
  throw Error(ErrorCategory::protocol, "ERR_PROTOCOL", std::string("Malformed gzip body: ") + what);
}

class DeflateStream {
 public:
  explicit DeflateStream(int level) {
    if (deflateInit2(&stream_, level, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw Error(ErrorCategory::internal, codes::internal, "zlib deflateInit2 failed");
    }
  }
  DeflateStream(const DeflateStream&) = delete;
  DeflateStream& operator=(const DeflateStream&) = delete;
  ~DeflateStream() { deflateEnd(&stream_); }
  z_stream& get() { return stream_; }

 private:
  z_stream stream_{};
};

class InflateStream {
 public:
  InflateStream() {
    // +32: accept gzip or zlib framing.
    if (inflateInit2(&stream_, 15 + 32) != Z_OK) {
      throw Error(ErrorCategory::internal, codes::internal, "zlib inflateInit2 failed");
    }
  }
  InflateStream(const InflateStream&) = delete;
  InflateStream& operator=(const InflateStream&) = delete;
  ~InflateStream() { inflateEnd(&stream_); }
  z_stream& get() { return stream_; }

 private:
  z_stream stream_{};
};

}  // namespace

std::string gzipCompress(std::string_view data, GzipEffort effort) {
  DeflateStream deflater(effort == GzipEffort::fastest ? Z_BEST_SPEED : Z_DEFAULT_COMPRESSION);
  z_stream& stream = deflater.get();
  std::string out;
  out.resize(deflateBound(&stream, static_cast<uLong>(data.size())));
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) {
    throw Error(ErrorCategory::internal, codes::internal, "zlib deflate did not finish");
  }
  out.resize(stream.total_out);
  return out;
}

std::string gzipDecompress(std::string_view data, std::size_t maxOutput) {
  InflateStream inflater;
  z_stream& stream = inflater.get();
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  std::array<char, 64 * 1024> chunk{};
  for (;;) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
    stream.avail_out = static_cast<uInt>(chunk.size());
    const int rc = inflate(&stream, Z_NO_FLUSH);
    const std::size_t produced = chunk.size() - stream.avail_out;
    if (out.size() + produced > maxOutput) {
      throw Error(ErrorCategory::protocol, "ERR_TOO_LARGE",
                  "The body inflates to more than " + std::to_string(maxOutput) + " bytes");
    }
    out.append(chunk.data(), produced);
    if (rc == Z_STREAM_END) {
      if (stream.avail_in != 0) malformed("data after the end of the stream");
      return out;
    }
    if (rc == Z_BUF_ERROR && stream.avail_in == 0) malformed("truncated");
    if (rc != Z_OK && rc != Z_BUF_ERROR) malformed(stream.msg != nullptr ? stream.msg : "corrupt data");
  }
}

}  // namespace offline_sync
