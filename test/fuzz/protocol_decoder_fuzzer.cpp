// libFuzzer entry point: arbitrary bytes into every protocol Decoder method. Only offline_sync::Error may come out;
// anything else (a crash, a sanitizer report, another exception, an unstable round trip) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/protocol/codec.h"

namespace {

using namespace offline_sync::protocol;

// A message that decodes must encode to text that decodes to the same message: what one peer accepts, it can send.
template <typename Decode, typename Encode>
void decodeStable(std::string_view bytes, Decode decode, Encode encode) {
  try {
    const std::string once = encode(decode(bytes));
    if (encode(decode(once)) != once) std::abort();
  } catch (const offline_sync::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Small limits reach the ERR_TOO_LARGE paths with inputs the fuzzer can build; one decoder, as a server reuses it.
  static Decoder decoder([] {
    Limits limits;
    limits.maxBodyBytes = 48 * 1024;  // below -max_len, so over-long bodies are reached too
    limits.maxValueBytes = 256;
    limits.maxChangesPerPush = 8;
    limits.maxColumnsPerChange = 8;
    limits.maxPullLimit = 8;
    return limits;
  }());
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  decodeStable(bytes, [](std::string_view json) { return decoder.pushRequest(json); }, encodePushRequest);
  decodeStable(bytes, [](std::string_view json) { return decoder.pushResponse(json); }, encodePushResponse);
  decodeStable(bytes, [](std::string_view json) { return decoder.pullResponse(json); }, encodePullResponse);
  decodeStable(bytes, [](std::string_view json) { return decoder.liveMessage(json); }, encodeLiveMessage);
  decodeStable(bytes, [](std::string_view json) { return decoder.error(json); }, encodeError);
  return 0;
}
