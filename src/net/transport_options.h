// What an HttpTransport is configured with: the server's URL, extra CA certificates, deadlines and limits.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace offline_sync::net {

struct TransportOptions {
  std::string url;  // http[s]://host[:port][/prefix]
  std::string ca;   // PEM text of extra CA certificates for https; empty: the system's CAs only
  std::chrono::milliseconds connectTimeout{10000};  // resolve + connect + TLS handshake (+ WebSocket upgrade)
  std::chrono::milliseconds requestTimeout{30000};  // writing one request and reading its response
  std::chrono::seconds livePing{20};                // live channel: ping after this long idle, close after twice it
  std::size_t maxResponseBytes = 64 * 1024 * 1024;  // one response body, on the wire and after gunzip
};

}  // namespace offline_sync::net
