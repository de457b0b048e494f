// Token parsing is strict: a token or tenant with spaces or control characters is a configuration error.
#include "server/tokens.h"

#include <algorithm>
#include <fstream>

#include "core/error.h"

namespace offline_sync::server {
namespace {

bool printable(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte != 0x7f;
  });
}

}  // namespace

void TokenTable::add(std::string_view entry) {
  const auto colon = entry.rfind(':');
  if (colon == std::string_view::npos) throwInvalidArgument("A token entry must be TOKEN:TENANT");
  const std::string_view token = entry.substr(0, colon);
  const std::string_view tenant = entry.substr(colon + 1);
  if (!printable(token) || !printable(tenant) || tenant.size() > 128) {
    throwInvalidArgument("A token entry must be TOKEN:TENANT with no spaces or control characters");
  }
  tenants_[std::string(token)] = std::string(tenant);
}

void TokenTable::addFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) throwInvalidArgument("Cannot read the tokens file '" + path + "'");
  std::string line;
  int number = 0;
  while (std::getline(file, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    try {
      add(line);
    } catch (const Error& e) {
      throwInvalidArgument(path + ":" + std::to_string(number) + ": " + e.what());
    }
  }
}

std::optional<std::string> TokenTable::tenantFor(std::string_view token) const {
  const auto found = tenants_.find(std::string(token));
  if (found == tenants_.end()) return std::nullopt;
  return found->second;
}

std::optional<std::string> TokenTable::tenantForAuthorization(std::string_view header) const {
  constexpr std::string_view scheme = "Bearer ";
  if (header.size() <= scheme.size()) return std::nullopt;
  if (!std::equal(scheme.begin(), scheme.end(), header.begin(),
                  [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)); })) {
    return std::nullopt;
  }
  return tenantFor(header.substr(scheme.size()));
}

}  // namespace offline_sync::server
