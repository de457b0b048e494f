// Bearer tokens and the tenant each one opens: from --token TOKEN:TENANT arguments and a tokens file.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace offline_sync::server {

class TokenTable {
 public:
  // "TOKEN:TENANT"; throws ERR_INVALID_ARG for a malformed entry (empty parts, whitespace, control characters).
  void add(std::string_view entry);
  // One entry per line; blank lines and lines starting with '#' are skipped. Throws naming the line on errors.
  void addFile(const std::string& path);

  std::optional<std::string> tenantFor(std::string_view token) const;
  // The token from an "Authorization: Bearer <token>" header value.
  std::optional<std::string> tenantForAuthorization(std::string_view header) const;
  bool empty() const noexcept { return tenants_.empty(); }

 private:
  std::unordered_map<std::string, std::string> tenants_;
};

}  // namespace offline_sync::server
