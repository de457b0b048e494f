// Names of the conflict policies as they appear in the API, the store and on the wire.
#include "core/merge/conflict_policy.h"

namespace offline_sync {

std::optional<ConflictPolicy> parseConflictPolicy(std::string_view name) {
  if (name == "merge") return ConflictPolicy::merge;
  if (name == "server-wins") return ConflictPolicy::serverWins;
  if (name == "client-wins") return ConflictPolicy::clientWins;
  if (name == "manual") return ConflictPolicy::manual;
  return std::nullopt;
}

std::string_view conflictPolicyName(ConflictPolicy policy) {
  switch (policy) {
    case ConflictPolicy::merge: return "merge";
    case ConflictPolicy::serverWins: return "server-wins";
    case ConflictPolicy::clientWins: return "client-wins";
    case ConflictPolicy::manual: return "manual";
  }
  return "merge";
}

}  // namespace offline_sync
