// The engine's TokenSource in the addon: the fixed `token` option, or the app's getToken, asked through a 'token'
// event and answered by lib/; its last token is reused until the engine asks for a refresh (after a 401).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "addon/event_channel.h"
#include "core/sync/sync_events.h"

namespace offline_sync::addon {

class JsTokenSource final : public sync::TokenSource {
 public:
  // fixed: the token option; nullopt when the app gave getToken.
  JsTokenSource(EventChannel& channel, std::optional<std::string> fixed)
      : channel_(channel), fixed_(std::move(fixed)) {}

  // The engine's thread. Requests made while one is in flight wait for its answer: getToken runs once for them all.
  void fetch(bool refresh, Callback done) override;
  // JS thread: getToken's answer to request `id` (token, or the message of its failure). Unknown ids are ignored.
  void answer(std::uint64_t id, std::optional<std::string> token, const std::string& failure);
  // Drops waiting callbacks (they hold the engine's rounds); see JsEventSink::clear.
  void clear() noexcept;

 private:
  EventChannel& channel_;
  const std::optional<std::string> fixed_;
  std::mutex mutex_;  // the engine's thread asks, the JS thread answers
  std::optional<std::string> cached_;
  std::uint64_t inFlight_ = 0;  // the id of the request lib/ is answering; 0: none
  std::uint64_t nextId_ = 1;
  std::vector<Callback> waiting_;
};

}  // namespace offline_sync::addon
