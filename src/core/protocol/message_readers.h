// The shape of each protocol v1 message (docs/PROTOCOL.md): required fields, their types and identifier rules,
// read from the root object of a parsed body.
#pragma once

#include "core/protocol/json_reader.h"
#include "core/protocol/messages.h"

namespace offline_sync::protocol {

PushRequest readPushRequest(json::ondemand::object& root, const json::Where& body, const Limits& limits);
PushResponse readPushResponse(json::ondemand::object& root, const json::Where& body, const Limits& limits);
PullResponse readPullResponse(json::ondemand::object& root, const json::Where& body, const Limits& limits);
LiveMessage readLiveMessage(json::ondemand::object& root, const json::Where& body);
ErrorBody readErrorBody(json::ondemand::object& root, const json::Where& body);

}  // namespace offline_sync::protocol
