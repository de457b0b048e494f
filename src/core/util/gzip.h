// gzip for request and response bodies, with a hard cap on what inflating may produce.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace offline_sync {

// fastest is zlib's level 1: for answers compressed on every request, where a few percent more bytes cost less than
// the CPU of the default level (a push answer of 500 results: about a third of the instructions).
enum class GzipEffort { standard, fastest };

std::string gzipCompress(std::string_view data, GzipEffort effort = GzipEffort::standard);
// Throws Error(protocol, "ERR_TOO_LARGE") once the output would pass maxOutput (a decompression bomb), and
// Error(protocol, "ERR_PROTOCOL") for data that is not complete gzip.
std::string gzipDecompress(std::string_view data, std::size_t maxOutput);

}  // namespace offline_sync
