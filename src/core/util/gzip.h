// gzip for request and response bodies, with a hard cap on what inflating may produce.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace offline_sync {

std::string gzipCompress(std::string_view data);
// Throws Error(protocol, "ERR_TOO_LARGE") once the output would pass maxOutput (a decompression bomb), and
// Error(protocol, "ERR_PROTOCOL") for data that is not complete gzip.
std::string gzipDecompress(std::string_view data, std::size_t maxOutput);

}  // namespace offline_sync
