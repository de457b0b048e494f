// libFuzzer entry point: arbitrary requests into the server's Router, over the SQLite storage, as the HTTP session
// hands them over after parsing. The router promises never to throw: any exception, crash, sanitizer report, or an
// answer outside the protocol's statuses (or an error without a JSON body) is a finding.
//
// Input layout: byte 0 picks the method and headers (bits), then the target up to the first '\n', then the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unistd.h>

#include "server/live_hub.h"
#include "server/router.h"
#include "server/sqlite_storage.h"
#include "server/tokens.h"

namespace {

using namespace offline_sync::server;

// One server for the whole run, as a real one serves many requests: state built by earlier inputs (tenants, rows,
// recorded answers) is what later ones meet. A file in a per-process temporary folder, removed at exit.
struct FuzzServer {
  std::filesystem::path dir;
  std::unique_ptr<SqliteStorage> storage;
  TokenTable tokens;
  LiveHub hub;
  std::unique_ptr<Router> router;

  FuzzServer() {
    dir = std::filesystem::temp_directory_path() / ("offline-sync-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    storage = std::make_unique<SqliteStorage>((dir / "server.db").string());
    tokens.add("fuzz-token:fuzz-tenant");
    tokens.add("other-token:other-tenant");
    offline_sync::protocol::Limits limits;
    limits.maxBodyBytes = 64 * 1024;  // small limits: the 413 paths within the fuzzer's reach
    limits.maxValueBytes = 1024;
    limits.maxChangesPerPush = 50;
    router = std::make_unique<Router>(*storage, tokens, hub, limits);
  }
  ~FuzzServer() {
    router.reset();
    storage.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
};

bool knownStatus(int status) {
  switch (status) {
    case 200: case 400: case 401: case 404: case 405: case 413: case 415: case 429: case 500: case 503: return true;
    default: return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static FuzzServer server;
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto newline = rest.find('\n');

  HttpRequest request;
  request.method = (flags & 3) == 0 ? "GET" : (flags & 3) == 1 ? "POST" : (flags & 3) == 2 ? "PUT" : "DELETE";
  request.target = std::string(rest.substr(0, newline));
  request.body = newline == std::string_view::npos ? std::string() : std::string(rest.substr(newline + 1));
  request.authorization = (flags & 4) != 0 ? "Bearer other-token" : (flags & 8) != 0 ? "Bearer x" : "Bearer fuzz-token";
  request.protocolVersion = (flags & 16) != 0 ? "2" : "1";
  request.contentType = (flags & 32) != 0 ? "text/plain" : "application/json";
  request.contentEncoding = (flags & 64) != 0 ? "gzip" : "";
  request.acceptsGzip = (flags & 128) != 0;

  const HttpResponse response = server.router->handle(request);
  if (!knownStatus(response.status)) std::abort();
  if (response.status != 200 && (response.body.empty() || response.body.front() != '{')) std::abort();
  return 0;
}
