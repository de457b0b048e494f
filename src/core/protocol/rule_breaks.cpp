// Rule breaks: thrown for responses, recorded on the change for push requests.
#include "core/protocol/rule_breaks.h"

namespace offline_sync::protocol {

void RuleBreaks::report(std::string_view code, const json::Where& where, std::string_view problem) {
  if (rejection_ == nullptr) {
    if (code == rejection_codes::tooLarge) json::failTooLarge(where, problem);
    json::fail(where, problem);
  }
  if (*rejection_) return;  // the first break is the reason; the change is rejected either way
  *rejection_ = Rejection{std::string(code), where.relativeTo(*change_) + ": " + std::string(problem)};
}

}  // namespace offline_sync::protocol
