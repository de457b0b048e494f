// Protocol codec: round trips of every message, exact value types, and golden JSON that pins the wire format.
#include "core/protocol/codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "protocol_samples.h"

namespace offline_sync::protocol {
namespace {

using namespace samples;
using store::Value;

constexpr std::int64_t kTwo53 = std::int64_t{1} << 53;

// A push request with one insert holding the value as column "v".
PushRequest oneValue(const Value& value) {
  return {"d", {{"d:1", "t", "r", ChangeOp::insert, ConflictPolicy::merge, 0, 1, {{"v", value}}, std::nullopt, {}}}};
}

Value roundTrip(const Value& value) {
  Decoder decoder;
  const auto decoded = decoder.pushRequest(encodePushRequest(oneValue(value)));
  return decoded.changes.at(0).columns.at(0).value;
}

// The JSON spelling of a value, cut out of an encoded request.
std::string spelling(const Value& value) {
  const std::string json = encodePushRequest(oneValue(value));
  const std::string open = "\"columns\":{\"v\":";
  const auto from = json.find(open) + open.size();
  return json.substr(from, json.size() - from - std::string("}}]}").size());
}

TEST(ProtocolCodecTest, PushRequestRoundTrips) {
  const PushRequest original = samplePushRequest();
  const std::string json = encodePushRequest(original);
  Decoder decoder;
  const PushRequest decoded = decoder.pushRequest(json);
  EXPECT_EQ(decoded.deviceId, original.deviceId);
  ASSERT_EQ(decoded.changes.size(), original.changes.size());
  for (std::size_t i = 0; i < original.changes.size(); ++i) {
    const WireChange& a = original.changes[i];
    const WireChange& b = decoded.changes[i];
    EXPECT_EQ(b.id, a.id);
    EXPECT_EQ(b.table, a.table);
    EXPECT_EQ(b.row, a.row);
    EXPECT_EQ(b.op, a.op);
    EXPECT_EQ(b.policy, a.policy);
    EXPECT_EQ(b.baseVersion, a.baseVersion);
    EXPECT_EQ(b.hlc, a.hlc);
    EXPECT_EQ(b.columns, a.columns);
    EXPECT_FALSE(b.rejection.has_value()) << b.rejection->code;
  }
  EXPECT_EQ(encodePushRequest(decoded), json);
}

TEST(ProtocolCodecTest, PushResponseRoundTrips) {
  const PushResponse original = samplePushResponse();
  const std::string json = encodePushResponse(original);
  Decoder decoder;
  const PushResponse decoded = decoder.pushResponse(json);
  EXPECT_EQ(decoded.cursor, 119);
  ASSERT_EQ(decoded.results.size(), 4u);
  for (std::size_t i = 0; i < original.results.size(); ++i) {
    const PushResult& a = original.results[i];
    const PushResult& b = decoded.results[i];
    EXPECT_EQ(b.id, a.id);
    EXPECT_EQ(b.status, a.status);
    EXPECT_EQ(b.version, a.version);
    EXPECT_EQ(b.columns, a.columns);
    EXPECT_EQ(b.code, a.code);
    EXPECT_EQ(b.reason, a.reason);
    ASSERT_EQ(b.row.has_value(), a.row.has_value());
    if (a.row) {
      EXPECT_EQ(b.row->columns, a.row->columns);
      EXPECT_EQ(b.row->stamps, a.row->stamps);
      EXPECT_EQ(b.row->version, a.row->version);
    }
  }
  EXPECT_EQ(encodePushResponse(decoded), json);
}

TEST(ProtocolCodecTest, PullResponseRoundTrips) {
  const PullResponse original = samplePullResponse();
  const std::string json = encodePullResponse(original);
  Decoder decoder;
  const PullResponse decoded = decoder.pullResponse(json);
  EXPECT_EQ(decoded.cursor, 120);
  EXPECT_TRUE(decoded.more);
  ASSERT_EQ(decoded.rows.size(), 2u);
  for (std::size_t i = 0; i < original.rows.size(); ++i) {
    EXPECT_EQ(decoded.rows[i].table, original.rows[i].table);
    EXPECT_EQ(decoded.rows[i].row, original.rows[i].row);
    EXPECT_EQ(decoded.rows[i].version, original.rows[i].version);
    EXPECT_EQ(decoded.rows[i].deleted, original.rows[i].deleted);
    EXPECT_EQ(decoded.rows[i].columns, original.rows[i].columns);
    EXPECT_EQ(decoded.rows[i].stamps, original.rows[i].stamps);
  }
  EXPECT_EQ(encodePullResponse(decoded), json);
  EXPECT_TRUE(decoder.pullResponse(encodePullResponse({})).rows.empty());
}

TEST(ProtocolCodecTest, LiveMessagesAndErrorsRoundTrip) {
  Decoder decoder;
  const LiveMessage hello = decoder.liveMessage(encodeLiveMessage({LiveMessage::Type::hello, 7}));
  EXPECT_EQ(hello.type, LiveMessage::Type::hello);
  EXPECT_EQ(hello.cursor, 7);
  const LiveMessage changed = decoder.liveMessage(encodeLiveMessage({LiveMessage::Type::changed, 8}));
  EXPECT_EQ(changed.type, LiveMessage::Type::changed);
  EXPECT_EQ(changed.cursor, 8);
  const ErrorBody error = decoder.error(encodeError({"ERR_BUSY", "try again \"later\""}));
  EXPECT_EQ(error.code, "ERR_BUSY");
  EXPECT_EQ(error.message, "try again \"later\"");
}

TEST(ProtocolCodecTest, GoldenPushRequest) {
  PushRequest request = samplePushRequest();
  request.changes.resize(1);
  EXPECT_EQ(encodePushRequest(request),
            R"({"deviceId":"office-1","changes":[{"id":"office-1:41","table":"lessons",)"
            R"("row":"0b7c6f6e-5a37-4bd0-9b53-7d7d0a0e4f10","op":"update","policy":"merge","baseVersion":117,)"
            R"("hlc":"111546104115200007","columns":{"starts_at":"2026-12-02T10:00","minutes":90},)"
            R"("stamps":{"starts_at":"111546104115200001"}}]})");
  const PushRequest values{"d",
                           {{"d:2", "t", "r", ChangeOp::insert, ConflictPolicy::clientWins, 0, 0,
                             {{"n", std::monostate{}},
                              {"i", std::int64_t{3}},
                              {"r", 3.0},
                              {"s", std::string("a\"b\\\n\x01")},
                              {"b", bytes({0, 1, 255})},
                              {"big", kTwo53}},
                             std::nullopt},
                            {"d:3", "t", "r", ChangeOp::remove, ConflictPolicy::serverWins, 4, 5, {}, std::nullopt, {}}}};
  EXPECT_EQ(encodePushRequest(values),
            R"({"deviceId":"d","changes":[{"id":"d:2","table":"t","row":"r","op":"insert","policy":"client-wins",)"
            R"("baseVersion":0,"hlc":"0","columns":{"n":null,"i":3,"r":3.0,"s":"a\"b\\\n\u0001",)"
            R"("b":{"$blob":"AAH/"},"big":{"$int":"9007199254740992"}}},)"
            R"({"id":"d:3","table":"t","row":"r","op":"delete","policy":"server-wins","baseVersion":4,"hlc":"5",)"
            R"("columns":{}}]})");
}

TEST(ProtocolCodecTest, GoldenPullResponse) {
  PullResponse response;
  response.rows.push_back(sampleRow());
  response.cursor = 118;
  EXPECT_EQ(encodePullResponse(response),
            R"({"rows":[{"table":"lessons","row":"0b7c6f6e-5a37-4bd0-9b53-7d7d0a0e4f10","version":118,)"
            R"("deleted":false,"columns":{"starts_at":"2026-12-02T10:00","minutes":90},)"
            R"("stamps":{"starts_at":["111546104115200007","office-1",118],)"
            R"("minutes":["111546000000000000","laptop-2",77]}}],"cursor":118,"more":false})");
}

TEST(ProtocolCodecTest, GoldenPushResponseLiveAndError) {
  PushResponse response = samplePushResponse();
  response.results = {response.results[0], response.results[3]};
  EXPECT_EQ(encodePushResponse(response),
            R"({"results":[{"id":"office-1:41","status":"applied","version":118},)"
            R"({"id":"office-1:44","status":"rejected","code":"ERR_ROW_ID","reason":"row id too long"}],"cursor":119})");
  const std::string merged = encodePushResponse(samplePushResponse());
  EXPECT_NE(merged.find(R"({"id":"office-1:42","status":"merged","version":119,"kept":["minutes"],"row":{)"),
            std::string::npos);
  EXPECT_NE(merged.find(R"({"id":"office-1:43","status":"conflict","columns":["minutes"],"row":{)"),
            std::string::npos);
  EXPECT_EQ(encodeLiveMessage({LiveMessage::Type::hello, 5}), R"({"type":"hello","cursor":5})");
  EXPECT_EQ(encodeLiveMessage({LiveMessage::Type::changed, 6}), R"({"type":"changed","cursor":6})");
  EXPECT_EQ(encodeError({"ERR_AUTH", "unknown token"}), R"({"error":{"code":"ERR_AUTH","message":"unknown token"}})");
}

TEST(ProtocolCodecTest, OverrodeTravelsWithAppliedAndMergedOnly) {
  PushResponse response;
  response.results.push_back({"office-1:41", PushStatus::applied, 118, {}, {}, {}, {}, {"minutes"}});
  response.cursor = 118;
  const auto json = encodePushResponse(response);
  EXPECT_EQ(json, R"({"results":[{"id":"office-1:41","status":"applied","version":118,"overrode":["minutes"]}],)"
                  R"("cursor":118})");
  Decoder decoder;
  EXPECT_EQ(decoder.pushResponse(json).results.at(0).overrode, std::vector<std::string>{"minutes"});
  // Ignored where it means nothing; an invalid name is malformed.
  const auto rejected = decoder.pushResponse(
      R"({"results":[{"id":"a:1","status":"rejected","code":"ERR_ROW_ID","reason":"r","overrode":["x"]}],"cursor":1})");
  EXPECT_TRUE(rejected.results.at(0).overrode.empty());
  EXPECT_THROW(decoder.pushResponse(
                   R"({"results":[{"id":"a:1","status":"applied","version":1,"overrode":["1; DROP"]}],"cursor":1})"),
               Error);
}

TEST(ProtocolCodecTest, DecodesTheSpecExamplesWithWhitespace) {
  Decoder decoder;
  const PushRequest request = decoder.pushRequest(R"({
    "deviceId": "office-1",
    "changes": [
      {
        "id": "office-1:41", "table": "lessons", "row": "0b7c6f6e-5a37-4bd0-9b53-7d7d0a0e4f10",
        "op": "update", "policy": "merge", "baseVersion": 117, "hlc": "111546104115200007",
        "columns": { "starts_at": "2026-12-02T10:00", "minutes": 90 }
      }
    ]
  })");
  EXPECT_EQ(request.changes.at(0).columns, samplePushRequest().changes[0].columns);
  const PullResponse pull = decoder.pullResponse(R"({
    "rows": [ { "table": "lessons", "row": "x", "version": 118, "deleted": false,
                "columns": { "status": "booked", "minutes": 90 },
                "stamps": { "minutes": ["111546104115200007", "office-1", 118],
                            "status": ["111546000000000000", "laptop-2", 77] } } ],
    "cursor": 118, "more": false })");
  // Stamps are matched to columns by name, whatever order they come in.
  const auto& row = pull.rows.at(0);
  EXPECT_EQ(row.columns[0].name, "status");
  EXPECT_EQ(row.stamps[0], (ColumnStamp{111546000000000000ULL, "laptop-2", 77}));
  EXPECT_EQ(row.stamps[1], (ColumnStamp{111546104115200007ULL, "office-1", 118}));
  const LiveMessage live = decoder.liveMessage(R"( {"type": "changed", "cursor": 119} )");
  EXPECT_EQ(live.cursor, 119);
}

TEST(ProtocolCodecTest, IntegerAndRealStayDistinct) {
  EXPECT_EQ(spelling(std::int64_t{3}), "3");
  EXPECT_EQ(spelling(3.0), "3.0");
  EXPECT_EQ(roundTrip(std::int64_t{3}).index(), 1u);
  EXPECT_EQ(roundTrip(3.0).index(), 2u);
  EXPECT_EQ(roundTrip(3.0), Value(3.0));
  EXPECT_EQ(roundTrip(std::int64_t{0}), Value(std::int64_t{0}));
}

TEST(ProtocolCodecTest, IntegersBeyondTwoTo53TravelAsText) {
  const struct {
    std::int64_t value;
    std::string json;
  } cases[] = {
      {kTwo53 - 1, "9007199254740991"},
      {-(kTwo53 - 1), "-9007199254740991"},
      {kTwo53, R"({"$int":"9007199254740992"})"},
      {-kTwo53, R"({"$int":"-9007199254740992"})"},
      {kTwo53 + 1, R"({"$int":"9007199254740993"})"},
      {std::numeric_limits<std::int64_t>::max(), R"({"$int":"9223372036854775807"})"},
      {std::numeric_limits<std::int64_t>::min(), R"({"$int":"-9223372036854775808"})"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(spelling(c.value), c.json);
    EXPECT_EQ(roundTrip(c.value), Value(c.value)) << c.json;
  }
}

TEST(ProtocolCodecTest, RealsUseTheShortestExactSpelling) {
  const struct {
    double value;
    std::string json;
  } cases[] = {
      {0.1, "0.1"},
      {-0.0, "-0.0"},
      {45.0, "45.0"},
      {1e-7, "1e-07"},
      {1e21, "1e+21"},
      {123456789.0, "123456789.0"},
      {5e-324, "5e-324"},
      {std::numeric_limits<double>::max(), "1.7976931348623157e+308"},
      {-2.2250738585072014e-308, "-2.2250738585072014e-308"},
      {static_cast<double>(kTwo53 + 2), "9007199254740994.0"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(spelling(c.value), c.json);
    const Value back = roundTrip(c.value);
    ASSERT_EQ(back.index(), 2u) << c.json;
    EXPECT_EQ(std::get<double>(back), c.value) << c.json;
    EXPECT_EQ(std::signbit(std::get<double>(back)), std::signbit(c.value)) << c.json;
  }
}

TEST(ProtocolCodecTest, NonFiniteRealsAreSentAsNull) {
  for (const double value : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity()}) {
    EXPECT_EQ(spelling(value), "null");
    EXPECT_EQ(roundTrip(value), Value(std::monostate{}));
  }
}

TEST(ProtocolCodecTest, DecodesEveryNumberSpelling) {
  Decoder decoder;
  const auto decode = [&](const std::string& json) {
    return decoder
        .pushRequest(R"({"deviceId":"d","changes":[{"id":"d:1","table":"t","row":"r","op":"insert",)"
                     R"("policy":"merge","baseVersion":0,"hlc":"1","columns":{"v":)" +
                     json + "}}]}")
        .changes[0]
        .columns[0]
        .value;
  };
  EXPECT_EQ(decode("1E5"), Value(100000.0));
  EXPECT_EQ(decode("1e5"), Value(100000.0));
  EXPECT_EQ(decode("2.50"), Value(2.5));
  EXPECT_EQ(decode("-0"), Value(std::int64_t{0}));
  EXPECT_EQ(decode("1e-400"), Value(0.0));
  EXPECT_EQ(decode(R"({"$int":"5"})"), Value(std::int64_t{5}));
  EXPECT_EQ(decode(R"({"$int":"-9223372036854775808"})"), Value(std::numeric_limits<std::int64_t>::min()));
  EXPECT_EQ(decode(R"("\u00e9\ud83d\ude00")"), Value(std::string("\xc3\xa9\xf0\x9f\x98\x80")));
  EXPECT_EQ(decode(R"({"$blob":""})"), Value(Blob{}));
}

TEST(ProtocolCodecTest, TextKeepsEveryCharacter) {
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls += static_cast<char>(c);
  const std::string texts[] = {
      "",
      "booked",
      "quote \" backslash \\ slash / apostrophe '",
      "line\nbreak\r\ttab",
      std::string("nul \0 inside", 12),
      controls + "\x7f",
      "Grüße, 日本語, Ελληνικά",
      "emoji \xf0\x9f\x9a\x97\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd",
      "\xe2\x80\xa8 line separator",
  };
  for (const auto& text : texts) {
    EXPECT_EQ(roundTrip(text), Value(text)) << text;
    const std::string json = spelling(text);
    for (const char c : json) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "raw control character in " << json;
  }
  EXPECT_EQ(spelling(std::string("\x01\x1f\b\f", 4)), R"("\u0001\u001f\b\f")");
  EXPECT_EQ(spelling(std::string("\0", 1)), R"("\u0000")");
}

TEST(ProtocolCodecTest, BlobsKeepEveryByte) {
  Blob all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::byte>(i));
  for (const Blob& blob : {Blob{}, bytes({0}), bytes({1, 2}), bytes({0xfb, 0xff, 0xfe}), bytes({1, 2, 3, 4}), all}) {
    EXPECT_EQ(roundTrip(blob), Value(blob));
  }
  EXPECT_EQ(spelling(Blob{}), R"({"$blob":""})");
  EXPECT_EQ(spelling(bytes({1, 2, 255})), R"({"$blob":"AQL/"})");
  EXPECT_EQ(spelling(bytes({0xff})), R"({"$blob":"/w=="})");
  EXPECT_EQ(spelling(bytes({0xfb, 0xff})), R"({"$blob":"+/8="})");
}

TEST(ProtocolCodecTest, HlcStampsAreDecimalStrings) {
  PushRequest request = oneValue(std::monostate{});
  request.changes[0].hlc = std::numeric_limits<std::uint64_t>::max();
  const std::string json = encodePushRequest(request);
  EXPECT_NE(json.find(R"("hlc":"18446744073709551615")"), std::string::npos);
  Decoder decoder;
  EXPECT_EQ(decoder.pushRequest(json).changes[0].hlc, std::numeric_limits<std::uint64_t>::max());
}

TEST(ProtocolCodecTest, EncoderRefusesRowsItCannotSpell) {
  RowState row = sampleRow();
  row.stamps.pop_back();
  PullResponse pull;
  pull.rows.push_back(row);
  EXPECT_THROW(encodePullResponse(pull), Error);
  PushResponse push;
  push.results.push_back({"d:1", PushStatus::merged, 3, {}, std::nullopt, "", ""});
  EXPECT_THROW(encodePushResponse(push), Error);
}

TEST(ProtocolCodecTest, OneDecoderDecodesManyMessages) {
  Decoder decoder;
  const std::string push = encodePushRequest(samplePushRequest());
  const std::string pull = encodePullResponse(samplePullResponse());
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(decoder.pushRequest(push).changes.size(), 3u);
    EXPECT_EQ(decoder.pullResponse(pull).rows.size(), 2u);
    EXPECT_THROW(decoder.pullResponse(push), Error);
  }
  // A 12 MB page (its buffers are freed after it), then small messages again, then the large one again.
  PullResponse large = samplePullResponse();
  for (int i = 0; i < 12; ++i) {
    large.rows.push_back(large.rows.at(0));
    large.rows.back().columns.at(0).value = std::string(1'000'000, 'x');
  }
  const std::string big = encodePullResponse(large);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(decoder.pullResponse(big).rows.size(), 14u);
    EXPECT_EQ(decoder.pullResponse(pull).rows.size(), 2u);
    EXPECT_EQ(decoder.pushRequest(push).changes.size(), 3u);
  }
}

}  // namespace
}  // namespace offline_sync::protocol
