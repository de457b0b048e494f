// Protocol codec: malformed bytes of every kind (truncated, mutated, deeply nested, invalid UTF-8, NUL bytes, huge
// numbers) give the coded Error, never a crash, a hang or another exception.
#include <gtest/gtest.h>

#include <functional>
#include <random>

#include "core/protocol/codec.h"
#include "protocol_samples.h"

namespace offline_sync::protocol {
namespace {

using samples::expectCodedError;

std::vector<std::string> validMessages() {
  return {encodePushRequest(samples::samplePushRequest()), encodePushResponse(samples::samplePushResponse()),
          encodePullResponse(samples::samplePullResponse()), encodeLiveMessage({LiveMessage::Type::hello, 3}),
          encodeError({"ERR_BUSY", "slow down"})};
}

// Feeds the bytes to every decoder method. Only offline_sync::Error may come out; a message that does decode must
// encode to something that decodes to the same again.
void decodeAll(Decoder& decoder, const std::string& bytes) {
  const auto stable = [&](auto decode, auto encode) {
    try {
      const std::string once = encode(decode(bytes));
      EXPECT_EQ(encode(decode(once)), once) << "unstable round trip of " << bytes;
    } catch (const Error& error) {
      EXPECT_TRUE(error.code() == "ERR_PROTOCOL" || error.code() == "ERR_TOO_LARGE") << error.code();
    }
  };
  stable([&](const std::string& json) { return decoder.pushRequest(json); }, encodePushRequest);
  stable([&](const std::string& json) { return decoder.pushResponse(json); }, encodePushResponse);
  stable([&](const std::string& json) { return decoder.pullResponse(json); }, encodePullResponse);
  stable([&](const std::string& json) { return decoder.liveMessage(json); }, encodeLiveMessage);
  stable([&](const std::string& json) { return decoder.error(json); }, encodeError);
}

TEST(ProtocolMalformedTest, EveryTruncationIsAnError) {
  Decoder decoder;
  const auto messages = validMessages();
  const auto decoders = std::vector<std::function<void(const std::string&)>>{
      [&](const std::string& json) { decoder.pushRequest(json); },
      [&](const std::string& json) { decoder.pushResponse(json); },
      [&](const std::string& json) { decoder.pullResponse(json); },
      [&](const std::string& json) { decoder.liveMessage(json); },
      [&](const std::string& json) { decoder.error(json); },
  };
  for (std::size_t m = 0; m < messages.size(); ++m) {
    ASSERT_NO_THROW(decoders[m](messages[m]));
    for (std::size_t size = 0; size < messages[m].size(); ++size) {
      expectCodedError([&] { decoders[m](messages[m].substr(0, size)); }, "ERR_PROTOCOL");
    }
  }
}

TEST(ProtocolMalformedTest, RandomMutationsNeverCrash) {
  static const std::string kTokens[] = {"{", "}", "[", "]", ",", ":", "\"", "\\", "null", "true", "-", "0", "1e999",
                                        "9223372036854775808", "\"$int\"", "\"$blob\"", "\\u0000", "\\ud800", "\xff",
                                        std::string(1, '\0'), "\xc3", "{\"a\":", "[[[[", " "};
  std::mt19937 random(20261125);  // fixed: a failure reproduces
  const auto messages = validMessages();
  Decoder decoder;
  for (int round = 0; round < 600; ++round) {
    std::string bytes = messages[random() % messages.size()];
    const int mutations = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < mutations && !bytes.empty(); ++i) {
      const std::size_t at = random() % bytes.size();
      switch (random() % 6) {
        case 0: bytes[at] = static_cast<char>(random() % 256); break;
        case 1: bytes.insert(at, kTokens[random() % std::size(kTokens)]); break;
        case 2: bytes.erase(at, 1 + random() % 8); break;
        case 3: bytes.insert(at, bytes.substr(at, 1 + random() % 16)); break;
        case 4: bytes.resize(at); break;
        default: std::swap(bytes[at], bytes[random() % bytes.size()]); break;
      }
    }
    decodeAll(decoder, bytes);
  }
}

TEST(ProtocolMalformedTest, InvalidUtf8IsAnError) {
  Decoder decoder;
  for (const char* bad : {"\xff", "\xc0\x80", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80", "\x80"}) {
    const std::string inValue = R"({"error":{"code":"E","message":")" + std::string(bad) + R"("}})";
    expectCodedError([&] { decoder.error(inValue); }, "ERR_PROTOCOL");
    const std::string inKey = R"({"error":{"code":"E","message":"m",")" + std::string(bad) + R"(":1}})";
    expectCodedError([&] { decoder.error(inKey); }, "ERR_PROTOCOL");
    expectCodedError([&] { decoder.error(std::string(bad) + R"({"error":{"code":"E","message":"m"}})"); },
                     "ERR_PROTOCOL");
  }
  // Escapes that are not whole characters: a lone surrogate is not UTF-8 either.
  for (const char* bad : {R"("\ud800")", R"("\udc00")", R"("\ud800\u0041")", R"("\u12")"}) {
    expectCodedError([&] { decoder.error(R"({"error":{"code":"E","message":)" + std::string(bad) + "}}"); },
                     "ERR_PROTOCOL");
  }
}

TEST(ProtocolMalformedTest, NulBytesAreAnError) {
  Decoder decoder;
  const std::string valid = R"({"type":"hello","cursor":1})";
  const std::string nul(1, '\0');
  for (const std::string& bad : {nul + valid, valid + nul, R"({"type":"hel)" + nul + R"(lo","cursor":1})",
                                 R"({"type":"hello","cursor":1)" + nul + "}", nul}) {
    expectCodedError([&] { decoder.liveMessage(bad); }, "ERR_PROTOCOL");
  }
}

TEST(ProtocolMalformedTest, DeepNestingIsAnError) {
  Decoder decoder;
  const std::string deep(100'000, '[');
  const std::string balanced = std::string(10'000, '[') + std::string(10'000, ']');
  std::string objects;
  for (int i = 0; i < 10'000; ++i) objects += R"({"a":)";
  objects += "1" + std::string(10'000, '}');
  for (const std::string& body :
       {deep, "{" + deep, R"({"type":"hello","cursor":1,"x":)" + deep + "}",
        R"({"type":"hello","cursor":1,"x":)" + balanced + "}", R"({"type":"hello","cursor":1,"x":)" + objects + "}",
        R"({"type":"hello","cursor":)" + balanced + "}"}) {
    expectCodedError([&] { decoder.liveMessage(body); }, "ERR_PROTOCOL");
  }
  const std::string value = R"({"deviceId":"d","changes":[{"id":"d:1","table":"t","row":"r","op":"insert",)"
                            R"("policy":"merge","baseVersion":0,"hlc":"1","columns":{"v":)" +
                            balanced + "}}]}";
  expectCodedError([&] { decoder.pushRequest(value); }, "ERR_PROTOCOL", "changes[0].columns.v");
}

TEST(ProtocolMalformedTest, HugeNumbersAreAnError) {
  Decoder decoder;
  const std::string digits(10'000, '9');
  for (const std::string& cursor : std::vector<std::string>{digits, "1e999999", "-" + digits, "0." + digits + "e99999", "1" + digits + ".0"}) {
    expectCodedError([&] { decoder.liveMessage(R"({"type":"hello","cursor":)" + cursor + "}"); }, "ERR_PROTOCOL");
  }
  const std::string change = R"({"deviceId":"d","changes":[{"id":"d:1","table":"t","row":"r","op":"insert",)"
                             R"("policy":"merge","baseVersion":0,"hlc":")" +
                             digits + R"(","columns":{}}]})";
  expectCodedError([&] { decoder.pushRequest(change); }, "ERR_PROTOCOL", "changes[0].hlc");
}

TEST(ProtocolMalformedTest, ErrorMessagesSayWhere) {
  Decoder decoder;
  try {
    decoder.pushRequest(R"({"deviceId":"d","changes":[{"id":"d:1","table":"t","row":"r","op":"insert",)"
                        R"("policy":"merge","baseVersion":0,"hlc":"1","columns":{"ok":1,"bad\n\u0001":[2]}}]})");
    FAIL() << "decoded";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(),
                 R"(changes[0].columns.bad??: a value is null, a number, a string, {"$int": ...} or {"$blob": ...})");
  }
}

}  // namespace
}  // namespace offline_sync::protocol
