// Names of enumerations as they appear on the wire.
#include "core/protocol/messages.h"

namespace offline_sync::protocol {

std::string_view opName(ChangeOp op) {
  switch (op) {
    case ChangeOp::insert: return "insert";
    case ChangeOp::update: return "update";
    case ChangeOp::remove: return "delete";
  }
  return "insert";
}

std::string_view statusName(PushStatus status) {
  switch (status) {
    case PushStatus::applied: return "applied";
    case PushStatus::merged: return "merged";
    case PushStatus::conflict: return "conflict";
    case PushStatus::rejected: return "rejected";
  }
  return "rejected";
}

}  // namespace offline_sync::protocol
