// offline-sync-server: the reference sync server (docs/PROTOCOL.md) on an embedded SQLite file.
//   offline-sync-server --host 127.0.0.1 --port 0 --db server.db --token TOKEN:TENANT [--token ...] [--tokens-file F]
// Prints "listening on http://HOST:PORT" as its first line on stdout; SIGTERM or SIGINT stop it cleanly.
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

#include "core/error.h"
#include "server/http_server.h"
#include "server/sqlite_storage.h"

namespace {

using namespace offline_sync;

struct Arguments {
  server::ServerOptions options;
  std::string database = "offline-sync-server.db";
  server::SqliteStorageOptions storage;
  server::TokenTable tokens;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "offline-sync-server: " << problem << "\n"
            << "usage: offline-sync-server [--host 127.0.0.1] [--port 8080] [--db FILE] [--threads N]\n"
            << "                           --token TOKEN:TENANT [--token ...] [--tokens-file FILE]\n"
            << "                           [--live-ping-seconds 20] [--row-index-flush 65536]\n";
  std::exit(2);
}

// A whole number from `least` to `most`, digits only: " 5", "+5", "5x" and "0x10" are refused, not read leniently.
std::size_t parseNumber(const std::string& text, const std::string& flag, long long least, long long most) {
  const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  try {
    const long long number = digits ? std::stoll(text) : -1;
    if (digits && number >= least && number <= most) return static_cast<std::size_t>(number);
  } catch (const std::exception&) {  // out of range of long long
  }
  usage(flag + " needs a whole number from " + std::to_string(least) + " to " + std::to_string(most));
}

Arguments parse(int argc, char** argv) {
  Arguments arguments;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(std::string(flag) + " needs a value");
      return argv[++i];
    };
    if (flag == "--host") {
      arguments.options.host = value();
    } else if (flag == "--port") {
      arguments.options.port = static_cast<std::uint16_t>(parseNumber(value(), "--port", 0, 65535));
    } else if (flag == "--db") {
      arguments.database = value();
    } else if (flag == "--live-ping-seconds") {
      arguments.options.livePingInterval =
          std::chrono::seconds(parseNumber(value(), "--live-ping-seconds", 1, 24 * 60 * 60));
    } else if (flag == "--row-index-flush") {
      arguments.storage.rowIndexFlushRows = parseNumber(value(), "--row-index-flush", 1, 1LL << 30);
    } else if (flag == "--threads") {
      arguments.options.threads = static_cast<int>(parseNumber(value(), "--threads", 1, 256));
    } else if (flag == "--token") {
      arguments.tokens.add(value());
    } else if (flag == "--tokens-file") {
      arguments.tokens.addFile(value());
    } else if (flag == "--help" || flag == "-h") {
      usage("help");
    } else {
      usage("unknown argument " + std::string(flag));
    }
  }
  if (arguments.tokens.empty()) usage("at least one --token TOKEN:TENANT (or --tokens-file) is required");
  return arguments;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Arguments arguments = parse(argc, argv);
    server::SqliteStorage storage(arguments.database, arguments.storage);
    server::LiveHub hub;
    server::Router router(storage, arguments.tokens, hub);
    server::HttpServer http(router, hub, arguments.options);
    http.stopOnSignals();
    http.start();
    const std::string& host = arguments.options.host;
    const bool ipv6 = host.find(':') != std::string::npos;
    std::cout << "listening on http://" << (ipv6 ? "[" + host + "]" : host) << ":" << http.port() << std::endl;
    http.wait();
    std::cerr << "offline-sync-server: stopped" << std::endl;
    return 0;
  } catch (const offline_sync::Error& e) {
    std::cerr << "offline-sync-server: " << e.code() << ": " << e.what() << std::endl;
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "offline-sync-server: " << e.what() << std::endl;
    return 1;
  }
}
