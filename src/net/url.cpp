// Parsing of the sync server's URL: strict, because a typo should fail at configuration, not as a network error.
#include "net/url.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/error.h"

namespace offline_sync::net {
namespace {

[[noreturn]] void invalid(std::string_view url, const std::string& why) {
  throwInvalidArgument("Invalid sync server URL \"" + std::string(url) + "\": " + why);
}

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(),
                    [](char expected, char actual) { return std::tolower(static_cast<unsigned char>(actual)) == expected; });
}

bool isHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

bool isPathChar(char c) {
  // RFC 3986 pchar and '/', percent-encoded bytes included; no '?' or '#'.
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::string_view("-._~!$&'()*+,;=:@/%").find(c) !=
                                                                   std::string_view::npos;
}

}  // namespace

bool isHeaderSafe(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

std::string ServerUrl::where() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + port;
}

ServerUrl parseServerUrl(std::string_view url) {
  ServerUrl out;
  std::string_view rest;
  if (startsWithNoCase(url, "https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else if (startsWithNoCase(url, "http://")) {
    rest = url.substr(7);
  } else {
    invalid(url, "the scheme must be http:// or https://");
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) invalid(url, "user information is not allowed");
  if (path.find_first_of("?#") != std::string_view::npos || authority.find_first_of("?#") != std::string_view::npos) {
    invalid(url, "a query or fragment is not allowed");
  }

  std::string_view portText;
  bool hasPort = false;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) invalid(url, "unterminated IPv6 address");
    out.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') invalid(url, "unexpected text after the IPv6 address");
    hasPort = !after.empty();
    if (hasPort) portText = after.substr(1);
    if (out.host.empty() || !std::all_of(out.host.begin(), out.host.end(), [](char c) {
          return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
        })) {
      invalid(url, "malformed IPv6 address");
    }
  } else {
    const auto colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    hasPort = colon != std::string_view::npos;
    if (hasPort) portText = authority.substr(colon + 1);
    if (out.host.empty()) invalid(url, "the host is missing");
    if (!std::all_of(out.host.begin(), out.host.end(), isHostChar)) invalid(url, "the host has invalid characters");
  }

  if (hasPort) {
    int port = 0;
    const auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (portText.empty() || ec != std::errc() || end != portText.data() + portText.size() || port < 1 || port > 65535) {
      invalid(url, "the port must be a number from 1 to 65535");
    }
    out.port = std::to_string(port);
  } else {
    out.port = out.tls ? "443" : "80";
  }

  if (!std::all_of(path.begin(), path.end(), isPathChar)) invalid(url, "the path has invalid characters");
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  out.prefix = std::string(path);

  const bool ipv6 = out.host.find(':') != std::string::npos;
  out.hostHeader = ipv6 ? "[" + out.host + "]" : out.host;
  if (out.port != (out.tls ? "443" : "80")) out.hostHeader += ":" + out.port;
  return out;
}

}  // namespace offline_sync::net
