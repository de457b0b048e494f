// How a tracked table settles a column changed on two devices: the four policies of the public contract.
#pragma once

#include <optional>
#include <string_view>

namespace offline_sync {

enum class ConflictPolicy { merge, serverWins, clientWins, manual };

// "merge", "server-wins", "client-wins", "manual"; nullopt for anything else.
std::optional<ConflictPolicy> parseConflictPolicy(std::string_view name);
std::string_view conflictPolicyName(ConflictPolicy policy);

}  // namespace offline_sync
