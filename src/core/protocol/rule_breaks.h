// What the decoder does when data breaks a rule of the protocol (an identifier, a value over the limits) rather than
// the shape of a message: a push request records it on the change, anything else is refused whole.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/protocol/json_reader.h"
#include "core/protocol/messages.h"

namespace offline_sync::protocol {

// Rejection codes, as the server answers them (docs/PROTOCOL.md, push result "rejected").
namespace rejection_codes {
inline constexpr std::string_view table = "ERR_TABLE";
inline constexpr std::string_view rowId = "ERR_ROW_ID";
inline constexpr std::string_view column = "ERR_COLUMN";
inline constexpr std::string_view changeId = "ERR_CHANGE_ID";
inline constexpr std::string_view tooLarge = "ERR_TOO_LARGE";
}  // namespace rejection_codes

inline constexpr std::string_view kIdentifierRule =
    "1-64 of [A-Za-z0-9_], not starting with a digit, _sync_ or sqlite_";

// One bad change must not cost the others: the server answers it `rejected` and the device drops it, where refusing
// the whole push would block every later change of that device. A server's answer has no such way out.
class RuleBreaks {
 public:
  // Throws: ERR_TOO_LARGE for rejection_codes::tooLarge, ERR_PROTOCOL for the others.
  RuleBreaks() = default;
  // Records the first break into *rejection, its reason relative to `change` ("columns.notes: ...").
  RuleBreaks(std::optional<Rejection>& rejection, const json::Where& change)
      : rejection_(&rejection), change_(&change) {}

  void report(std::string_view code, const json::Where& where, std::string_view problem);

 private:
  std::optional<Rejection>* rejection_ = nullptr;
  const json::Where* change_ = nullptr;
};

}  // namespace offline_sync::protocol
