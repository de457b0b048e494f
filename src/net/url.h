// The sync server's base URL split into what the connections need: scheme, host, port and path prefix.
#pragma once

#include <string>
#include <string_view>

namespace offline_sync::net {

struct ServerUrl {
  bool tls = false;        // https (and wss for the live channel)
  std::string host;        // without brackets for IPv6: what is resolved, sent as SNI and verified
  std::string port;        // always set: the URL's, or 80 / 443
  std::string prefix;      // "" or "/path" without a trailing slash; prepended to every request target
  std::string hostHeader;  // the Host header: host, bracketed for IPv6, with the port when it is not the default

  std::string where() const;  // "host:port", for error messages
};

// No control characters: safe to put in a request line or a header value.
bool isHeaderSafe(std::string_view text);

// Throws Error(argument, ERR_INVALID_ARG) for anything but http[s]://host[:port][/prefix] (no query, fragment or
// user info: a token in the URL would end up in logs).
ServerUrl parseServerUrl(std::string_view url);

}  // namespace offline_sync::net
