// A request and a response as the router sees them: plain values, so handlers are tested without sockets.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace offline_sync::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query
  std::string authorization;
  std::string protocolVersion;  // the X-Offline-Sync-Protocol header
  std::string contentType;
  std::string contentEncoding;
  bool acceptsGzip = false;
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type and Content-Length
};

}  // namespace offline_sync::server
