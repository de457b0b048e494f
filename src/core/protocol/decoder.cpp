// The Decoder: one reused simdjson parser, the body-size limit, and the checks around a message's root object.
#include <simdjson.h>

#include "core/protocol/codec.h"
#include "core/protocol/json_reader.h"
#include "core/protocol/message_readers.h"

namespace offline_sync::protocol {

struct Decoder::Impl {
  // Buffers past this size (a large push answer or pull page) are freed after the message, not kept for the
  // decoder's life: the parser's index takes several times the body.
  static constexpr std::size_t kKeptBytes = 8 * 1024 * 1024;

  simdjson::ondemand::parser parser;
  // The body copied with SIMDJSON_PADDING readable bytes after it, as simdjson requires; kept between calls so a
  // steady stream of messages does not allocate.
  std::string padded;

  struct ReleaseIfLarge {
    Impl& impl;
    ~ReleaseIfLarge() {
      if (impl.padded.capacity() <= kKeptBytes) return;
      impl.padded = std::string();
      impl.parser = simdjson::ondemand::parser();
    }
  };

  // Parses `body` (at most maxBytes) and hands its root object to readRoot; then insists nothing follows the message.
  template <typename ReadRoot>
  auto decode(std::string_view body, std::size_t maxBytes, ReadRoot&& readRoot) {
    const json::Where where;
    if (body.size() > maxBytes) {
      json::failTooLarge(where, "body over the limit of " + std::to_string(maxBytes) + " bytes");
    }
    const ReleaseIfLarge release{*this};
    padded.assign(body);
    padded.resize(body.size() + simdjson::SIMDJSON_PADDING);
    simdjson::ondemand::document document;
    json::check(parser.iterate(padded.data(), body.size(), padded.size()).get(document), where, "a JSON object");
    simdjson::ondemand::object root;
    json::check(document.get_object().get(root), where, "a JSON object");
    auto message = readRoot(root, where);
    // On-Demand stops at the root's closing brace; anything after it ("{...}}" or "{...} {...}") is not one message.
    if (document.current_location().error() != simdjson::OUT_OF_BOUNDS) json::fail(where, "content after the message");
    return message;
  }
};

Decoder::Decoder(Limits limits) : limits_(limits), impl_(std::make_unique<Impl>()) {}
Decoder::~Decoder() = default;

PushRequest Decoder::pushRequest(std::string_view json) {
  return impl_->decode(json, limits_.maxBodyBytes, [&](auto& root, const json::Where& body) {
    return readPushRequest(root, body, limits_);
  });
}

PushResponse Decoder::pushResponse(std::string_view json) {
  return impl_->decode(json, limits_.maxResponseBytes, [&](auto& root, const json::Where& body) {
    return readPushResponse(root, body, limits_);
  });
}

PullResponse Decoder::pullResponse(std::string_view json) {
  return impl_->decode(json, limits_.maxResponseBytes, [&](auto& root, const json::Where& body) {
    return readPullResponse(root, body, limits_);
  });
}

LiveMessage Decoder::liveMessage(std::string_view json) {
  return impl_->decode(json, limits_.maxResponseBytes,
                       [](auto& root, const json::Where& body) { return readLiveMessage(root, body); });
}

ErrorBody Decoder::error(std::string_view json) {
  return impl_->decode(json, limits_.maxResponseBytes,
                       [](auto& root, const json::Where& body) { return readErrorBody(root, body); });
}

}  // namespace offline_sync::protocol
