// Protocol codec: every validation rule of docs/PROTOCOL.md, one case each, and the limits (ERR_TOO_LARGE).
#include <gtest/gtest.h>

#include <optional>
#include <utility>
#include <vector>

#include "core/protocol/codec.h"
#include "protocol_samples.h"

namespace offline_sync::protocol {
namespace {

using samples::expectCodedError;

constexpr std::string_view kProtocol = "ERR_PROTOCOL";
constexpr std::string_view kTooLarge = "ERR_TOO_LARGE";

// An object as ordered fields of raw JSON, so a case can replace, drop or repeat one of them.
using Fields = std::vector<std::pair<std::string, std::string>>;

std::string object(const Fields& fields) {
  std::string json = "{";
  for (const auto& [key, raw] : fields) json += (json.size() > 1 ? "," : "") + ("\"" + key + "\":") + raw;
  return json + "}";
}

Fields with(Fields fields, const std::string& key, const std::optional<std::string>& raw) {
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    if (it->first != key) continue;
    if (raw) {
      it->second = *raw;
    } else {
      fields.erase(it);
    }
    return fields;
  }
  if (raw) fields.emplace_back(key, *raw);
  return fields;
}

Fields validChange() {
  return {{"id", R"("dev-1:5")"}, {"table", R"("lessons")"}, {"row", R"("r-1")"},
          {"op", R"("update")"},  {"policy", R"("merge")"},  {"baseVersion", "3"},
          {"hlc", R"("42")"},     {"columns", R"({"minutes":90})"}};
}

std::string push(const Fields& change, const std::string& deviceId = R"("dev-1")") {
  return object({{"deviceId", deviceId}, {"changes", "[" + object(change) + "]"}});
}

Fields validRow() {
  return {{"table", R"("lessons")"}, {"row", R"("r-1")"}, {"version", "4"}, {"deleted", "false"},
          {"columns", R"({"a":1,"b":"x"})"}, {"stamps", R"({"b":["2","dev-2",4],"a":["1","dev-1",3]})"}};
}

std::string pull(const Fields& row) { return object({{"rows", "[" + object(row) + "]"}, {"cursor", "4"}, {"more", "false"}}); }

struct Case {
  std::string field;
  std::optional<std::string> raw;  // nullopt: the field is left out
  std::string_view code = kProtocol;
};

TEST(ProtocolValidationTest, IdentifierRule) {
  for (const char* good : {"a", "lessons", "Lessons_2", "_private", "_sync", "sqlite", "x_sync_", "A0"}) {
    EXPECT_TRUE(isValidIdentifier(good)) << good;
  }
  EXPECT_TRUE(isValidIdentifier(std::string(64, 'a')));
  for (const char* bad : {"", "1abc", "9", "a-b", "a b", "a.b", "é", "lessons;", "_sync_x", "_SYNC_outbox",
                          "_Sync_", "sqlite_master", "SQLITE_x", "Sqlite_"}) {
    EXPECT_FALSE(isValidIdentifier(bad)) << bad;
  }
  EXPECT_FALSE(isValidIdentifier(std::string(65, 'a')));
  EXPECT_FALSE(isValidIdentifier(std::string("a\0b", 3)));
}

TEST(ProtocolValidationTest, RowIdRule) {
  for (const char* good : {"r", "0b7c6f6e-5a37-4bd0-9b53-7d7d0a0e4f10", "with space", "Zoë 日本 \xf0\x9f\x9a\x97", "\"'\\"}) {
    EXPECT_TRUE(isValidRowId(good)) << good;
  }
  EXPECT_TRUE(isValidRowId(std::string(128, 'r')));
  std::string wide;
  for (int i = 0; i < 64; ++i) wide += "\xc3\xa9";  // 64 two-byte characters: 128 bytes
  EXPECT_TRUE(isValidRowId(wide));
  EXPECT_FALSE(isValidRowId(wide + "x"));
  for (const char* bad : {"", "a\nb", "\t", "\x1f", "\x7f", "\xc2\x85" /* U+0085, a C1 control */, "\xff", "\xc0\x80",
                          "\xed\xa0\x80" /* an encoded surrogate */}) {
    EXPECT_FALSE(isValidRowId(bad)) << bad;
  }
  EXPECT_FALSE(isValidRowId(std::string(129, 'r')));
  EXPECT_FALSE(isValidRowId(std::string("a\0b", 3)));
  EXPECT_TRUE(isValidRowId("\xc2\xa0"));  // U+00A0 is not a control character
}

TEST(ProtocolValidationTest, DeviceIdRule) {
  for (const char* good : {"d", "office-1", "a.b_c:d-e", "0", "::"}) EXPECT_TRUE(isValidDeviceId(good)) << good;
  EXPECT_TRUE(isValidDeviceId(std::string(128, 'd')));
  for (const char* bad : {"", "a b", "ü", "a/b", "a\"b", "a\nb"}) EXPECT_FALSE(isValidDeviceId(bad)) << bad;
  EXPECT_FALSE(isValidDeviceId(std::string(129, 'd')));
}

TEST(ProtocolValidationTest, ChangeIdRule) {
  EXPECT_TRUE(isValidChangeId("dev-1:1", "dev-1"));
  EXPECT_TRUE(isValidChangeId("dev-1:9223372036854775807", "dev-1"));
  EXPECT_TRUE(isValidChangeId("a:b:7", "a:b"));  // device ids may hold ':'
  for (const char* bad : {"dev-1:0", "dev-1:01", "dev-1:-1", "dev-1:+1", "dev-1:", "dev-1", "dev-1:1x", "dev-1:1 ",
                          "dev-1:9223372036854775808", "dev-2:1", "dev-11:1", "dev-:1", ":1", "dev-1::1"}) {
    EXPECT_FALSE(isValidChangeId(bad, "dev-1")) << bad;
  }
  EXPECT_FALSE(isValidChangeId("a b:1", "a b"));  // the device id itself must be valid
  EXPECT_FALSE(isValidChangeId("a:b:7", "a"));
}

TEST(ProtocolValidationTest, AcceptsValidEdgeCases) {
  const Case cases[] = {
      {"table", "\"" + std::string(64, 't') + "\""},
      {"table", R"("_sync")"},
      {"table", R"("sqlite")"},
      {"row", "\"" + std::string(128, 'r') + "\""},
      {"row", R"("Zo\u00eb \ud83d\ude97")"},
      {"id", R"("dev-1:9223372036854775807")"},
      {"baseVersion", "0"},
      {"baseVersion", "9223372036854775807"},
      {"hlc", R"("0")"},
      {"hlc", R"("18446744073709551615")"},
      {"columns", "{}"},
      {"columns", R"({"a":null,"b":-1,"c":1.5,"d":"","e":{"$int":"-5"},"f":{"$blob":"AQL/"}})"},
      {"unknown", R"({"nested":[1,2.5,"x",true,false,null,{"deep":[[]]}]})"},
      {"policy", R"("client-wins")"},
  };
  Decoder decoder;
  for (const auto& c : cases) {
    EXPECT_NO_THROW(decoder.pushRequest(push(with(validChange(), c.field, c.raw)))) << c.field << " = " << *c.raw;
  }
  EXPECT_NO_THROW(decoder.pushRequest(push(with(validChange(), "id", R"("a.b_c:d-e:7")"), R"("a.b_c:d-e")")));
  EXPECT_NO_THROW(decoder.pushRequest(R"({"deviceId":"d","changes":[]})"));
  // Escaped keys are compared unescaped.
  EXPECT_NO_THROW(decoder.pushRequest(R"({"device\u0049d":"d","changes":[]})"));
  // A delete needs no columns; {} is allowed too.
  const Fields remove = with(validChange(), "op", R"("delete")");
  EXPECT_TRUE(decoder.pushRequest(push(with(remove, "columns", std::nullopt))).changes[0].columns.empty());
  EXPECT_TRUE(decoder.pushRequest(push(with(remove, "columns", "{}"))).changes[0].columns.empty());
}

TEST(ProtocolValidationTest, RejectsEachBrokenChangeField) {
  const Case cases[] = {
      // required fields
      {"id", std::nullopt}, {"table", std::nullopt}, {"row", std::nullopt}, {"op", std::nullopt},
      {"policy", std::nullopt}, {"baseVersion", std::nullopt}, {"hlc", std::nullopt}, {"columns", std::nullopt},
      // types of the identifier fields (their rules are per change: see RejectsChangesThatBreakARule)
      {"id", "5"}, {"id", "null"}, {"table", "5"}, {"table", "[]"}, {"row", "7"}, {"row", "null"},
      // op and policy
      {"op", R"("remove")"}, {"op", R"("INSERT")"}, {"op", "1"}, {"op", "null"},
      {"policy", R"("Merge")"}, {"policy", R"("last-writer-wins")"}, {"policy", R"("serverWins")"}, {"policy", "true"},
      // base versions
      {"baseVersion", R"("3")"}, {"baseVersion", "3.0"}, {"baseVersion", "3e0"}, {"baseVersion", "-1"},
      {"baseVersion", "9223372036854775808"}, {"baseVersion", "true"}, {"baseVersion", "null"},
      // hlc stamps
      {"hlc", "42"}, {"hlc", R"("-1")"}, {"hlc", R"("18446744073709551616")"}, {"hlc", R"("042")"}, {"hlc", R"("")"},
      {"hlc", R"("4 2")"}, {"hlc", R"("0x10")"}, {"hlc", R"("4.2")"}, {"hlc", R"(" 42")"}, {"hlc", "null"},
      // columns and their values
      {"columns", "[]"}, {"columns", R"("x")"}, {"columns", "null"}, {"columns", R"({"a":[1]})"}, {"columns", R"({"a":true})"}, {"columns", R"({"a":{}})"},
      {"columns", R"({"a":{"$int":1}})"}, {"columns", R"({"a":{"$int":"1.0"}})"}, {"columns", R"({"a":{"$int":"01"}})"},
      {"columns", R"({"a":{"$int":"-0"}})"}, {"columns", R"({"a":{"$int":"9223372036854775808"}})"},
      {"columns", R"({"a":{"$int":"-9223372036854775809"}})"}, {"columns", R"({"a":{"$int":""}})"},
      {"columns", R"({"a":{"$int":"1","$blob":""}})"}, {"columns", R"({"a":{"$blob":"AQ="}})"},
      {"columns", R"({"a":{"$blob":"AQL"}})"}, {"columns", R"({"a":{"$blob":"AR=="}})"},
      {"columns", R"({"a":{"$blob":"AQ\nL/"}})"}, {"columns", R"({"a":{"$blob":"AQ-_"}})"},
      {"columns", R"({"a":{"$blob":"=AQL"}})"}, {"columns", R"({"a":{"$blob":null}})"}, {"columns", R"({"a":{"x":1}})"},
      {"columns", R"({"a":9007199254740992})"}, {"columns", R"({"a":-9007199254740992})"},
      {"columns", R"({"a":1e400})"}, {"columns", R"({"a":-1e400})"}, {"columns", R"({"a":99999999999999999999})"},
      {"columns", R"({"a":01})"}, {"columns", R"({"a":.5})"}, {"columns", R"({"a":1.})"}, {"columns", R"({"a":+1})"},
      {"columns", R"({"a":NaN})"}, {"columns", R"({"a":Infinity})"}, {"columns", R"({"a":-})"},
      {"columns", R"({"a":nul})"}, {"columns", R"({"a":"\ud800"})"}, {"columns", R"({"a":"\x"})"},
      // unknown fields are skipped, but must still be JSON
      {"extra", "[1,,2]"}, {"extra", "tru"}, {"extra", R"({"a" 1})"}, {"extra", "[" + std::string(40, '[') + std::string(41, ']')},
  };
  Decoder decoder;
  for (const auto& c : cases) {
    const std::string json = push(with(validChange(), c.field, c.raw));
    expectCodedError([&] { decoder.pushRequest(json); }, c.code, "changes[0]");
  }
}

// The server answers such a change `rejected` and applies the rest of the push, so the decoder records why on the
// change instead of refusing the request.
TEST(ProtocolValidationTest, RejectsChangesThatBreakARule) {
  const struct {
    std::string field;
    std::string raw;
    std::string code;
  } cases[] = {
      {"id", R"("dev-2:5")", "ERR_CHANGE_ID"}, {"id", R"("dev-1:0")", "ERR_CHANGE_ID"},
      {"id", R"("dev-1:05")", "ERR_CHANGE_ID"}, {"id", R"("dev-1:-1")", "ERR_CHANGE_ID"},
      {"id", R"("dev-1:")", "ERR_CHANGE_ID"}, {"id", R"("dev-1")", "ERR_CHANGE_ID"},
      {"id", R"("dev-1:9223372036854775808")", "ERR_CHANGE_ID"}, {"id", R"("dev-1:5x")", "ERR_CHANGE_ID"},
      {"id", R"("dev-11:5")", "ERR_CHANGE_ID"}, {"id", R"("")", "ERR_CHANGE_ID"},
      {"table", R"("")", "ERR_TABLE"}, {"table", R"("1abc")", "ERR_TABLE"}, {"table", R"("a-b")", "ERR_TABLE"},
      {"table", R"("a b")", "ERR_TABLE"}, {"table", "\"" + std::string(65, 't') + "\"", "ERR_TABLE"},
      {"table", R"("_sync_outbox")", "ERR_TABLE"}, {"table", R"("_SYNC_x")", "ERR_TABLE"},
      {"table", R"("sqlite_master")", "ERR_TABLE"}, {"table", R"("SQLite_x")", "ERR_TABLE"},
      {"table", R"("x;DROP TABLE y")", "ERR_TABLE"}, {"table", R"("\u00e9")", "ERR_TABLE"},
      {"table", R"("a\u0000")", "ERR_TABLE"},
      {"row", R"("")", "ERR_ROW_ID"}, {"row", "\"" + std::string(129, 'r') + "\"", "ERR_ROW_ID"},
      {"row", R"("a\nb")", "ERR_ROW_ID"}, {"row", R"("a\u0000b")", "ERR_ROW_ID"}, {"row", R"("\u007f")", "ERR_ROW_ID"},
      {"row", R"("\u0085")", "ERR_ROW_ID"}, {"row", R"("\u001f")", "ERR_ROW_ID"},
      {"columns", R"({"1a":1})", "ERR_COLUMN"}, {"columns", R"({"_sync_x":1})", "ERR_COLUMN"},
      {"columns", R"({"":1})", "ERR_COLUMN"}, {"columns", R"({"a b":1})", "ERR_COLUMN"},
      {"columns", R"({"a":1,"a":2})", "ERR_COLUMN"},
  };
  Decoder decoder;
  for (const auto& c : cases) {
    const std::string body = object({{"deviceId", R"("dev-1")"},
                                     {"changes", "[" + object(with(validChange(), c.field, c.raw)) + "," +
                                                     object(with(validChange(), "id", R"("dev-1:6")")) + "]"}});
    PushRequest request;
    ASSERT_NO_THROW(request = decoder.pushRequest(body)) << c.field << " = " << c.raw;
    ASSERT_EQ(request.changes.size(), 2u);
    const auto& rejection = request.changes[0].rejection;
    ASSERT_TRUE(rejection.has_value()) << c.field << " = " << c.raw;
    EXPECT_EQ(rejection->code, c.code) << c.field << " = " << c.raw;
    EXPECT_EQ(rejection->reason.rfind(c.field, 0), 0u) << rejection->reason;
    EXPECT_FALSE(request.changes[1].rejection.has_value()) << "the next change is not affected";
  }
}

TEST(ProtocolValidationTest, ARejectedChangeKeepsWhatItSaid) {
  Decoder decoder;
  const auto request = decoder.pushRequest(
      push(with(with(validChange(), "table", R"("sqlite_x")"), "columns", R"({"a":1,"a":2,"1b":3})")));
  const WireChange& change = request.changes[0];
  ASSERT_TRUE(change.rejection);
  EXPECT_EQ(change.rejection->code, "ERR_TABLE");  // the first rule broken
  EXPECT_EQ(change.table, "sqlite_x");
  EXPECT_EQ(change.columns.size(), 3u);
  // A change id of another device wins over any other break: results are recorded under change ids.
  const auto other = decoder.pushRequest(push(with(with(validChange(), "table", R"("sqlite_x")"), "id", R"("x:1")")));
  EXPECT_EQ(other.changes[0].rejection->code, "ERR_CHANGE_ID");
}

TEST(ProtocolValidationTest, RejectsADeleteWithColumns) {
  Decoder decoder;
  expectCodedError([&] { decoder.pushRequest(push(with(validChange(), "op", R"("delete")"))); }, kProtocol,
                   "changes[0].columns: a delete has no columns");
}

TEST(ProtocolValidationTest, RejectsRepeatedFields) {
  Decoder decoder;
  Fields change = validChange();
  change.emplace_back("table", R"("other")");
  expectCodedError([&] { decoder.pushRequest(push(change)); }, kProtocol, "changes[0].table: field given twice");
  expectCodedError([&] { decoder.pushRequest(R"({"deviceId":"d","deviceId":"d","changes":[]})"); }, kProtocol,
                   "deviceId: field given twice");
}

TEST(ProtocolValidationTest, RejectsBrokenPushRequestBodies) {
  const std::string bodies[] = {
      R"({"changes":[]})",
      R"({"deviceId":"d"})",
      R"({"deviceId":"","changes":[]})",
      R"({"deviceId":"a b","changes":[]})",
      R"({"deviceId":"\u00fc","changes":[]})",
      R"({"deviceId":")" + std::string(129, 'd') + R"(","changes":[]})",
      R"({"deviceId":5,"changes":[]})",
      R"({"deviceId":"d","changes":{}})",
      R"({"deviceId":"d","changes":[5]})",
      R"({"deviceId":"d","changes":[]}})",
      R"({"deviceId":"d","changes":[]} {})",
      R"({"deviceId":"d","changes":[]} x)",
      R"([])",
      R"("text")",
      "",
      "   ",
      "null",
  };
  Decoder decoder;
  for (const auto& body : bodies) expectCodedError([&] { decoder.pushRequest(body); }, kProtocol);
  // The device part of every change id is checked against deviceId, wherever deviceId comes.
  const auto late = decoder.pushRequest(R"({"changes":[)" + object(validChange()) + R"(],"deviceId":"dev-2"})");
  EXPECT_EQ(late.changes.at(0).rejection->code, "ERR_CHANGE_ID");
}

TEST(ProtocolValidationTest, RejectsBrokenPushResults) {
  const std::string row = object(validRow());
  const std::string results[] = {
      R"({"id":"d:1","status":"ok","version":1})",
      R"({"id":"d:1","status":"applied"})",
      R"({"id":"d:1","status":"applied","version":-1})",
      R"({"id":"d:1","version":1})",
      R"({"status":"applied","version":1})",
      R"({"id":"d","status":"applied","version":1})",
      R"({"id":"a b:1","status":"applied","version":1})",
      R"({"id":"d:1","status":"merged","kept":[],"row":)" + row + "}",
      R"({"id":"d:1","status":"merged","version":1,"row":)" + row + "}",
      R"({"id":"d:1","status":"merged","version":1,"kept":[]})",
      R"({"id":"d:1","status":"merged","version":1,"kept":["1x"],"row":)" + row + "}",
      R"({"id":"d:1","status":"merged","version":1,"kept":["a","a"],"row":)" + row + "}",
      R"({"id":"d:1","status":"merged","version":1,"kept":"a","row":)" + row + "}",
      R"({"id":"d:1","status":"conflict","row":)" + row + "}",
      R"({"id":"d:1","status":"conflict","columns":["a"]})",
      R"({"id":"d:1","status":"conflict","columns":["a"],"row":{}})",
      R"({"id":"d:1","status":"rejected","reason":"x"})",
      R"({"id":"d:1","status":"rejected","code":"ERR_X"})",
      R"({"id":"d:1","status":"rejected","code":5,"reason":"x"})",
  };
  Decoder decoder;
  for (const auto& result : results) {
    expectCodedError([&] { decoder.pushResponse(R"({"results":[)" + result + R"(],"cursor":1})"); }, kProtocol,
                     "results[0]");
  }
  for (const char* body : {R"({"results":[]})", R"({"cursor":1})", R"({"results":[],"cursor":-1})",
                           R"({"results":[],"cursor":1.0})", R"({"results":{},"cursor":1})"}) {
    expectCodedError([&] { decoder.pushResponse(body); }, kProtocol);
  }
}

TEST(ProtocolValidationTest, RejectsBrokenPullRows) {
  const Case cases[] = {
      {"table", std::nullopt}, {"row", std::nullopt}, {"version", std::nullopt}, {"deleted", std::nullopt},
      {"columns", std::nullopt}, {"stamps", std::nullopt},
      {"table", R"("sqlite_x")"}, {"row", R"("")"}, {"version", "-1"}, {"version", "4.5"}, {"deleted", R"("false")"},
      {"deleted", "0"}, {"columns", R"({"a":1,"a":2})"},
      {"stamps", R"({"a":["1","dev-1",3]})"},
      {"stamps", R"({"a":["1","dev-1",3],"b":["2","dev-2",4],"c":["3","dev-3",5]})"},
      {"stamps", R"({"a":["1","dev-1",3],"c":["2","dev-2",4]})"},
      {"stamps", R"({"a":["1","dev-1",3],"a":["1","dev-1",3]})"},
      {"stamps", R"({"a":["1","dev-1"],"b":["2","dev-2",4]})"},
      {"stamps", R"({"a":["1","dev-1",3,4],"b":["2","dev-2",4]})"},
      {"stamps", R"({"a":[1,"dev-1",3],"b":["2","dev-2",4]})"},
      {"stamps", R"({"a":["1","dev 1",3],"b":["2","dev-2",4]})"},
      {"stamps", R"({"a":["1","dev-1",-3],"b":["2","dev-2",4]})"},
      {"stamps", R"({"a":{},"b":["2","dev-2",4]})"},
      {"stamps", "[]"},
  };
  Decoder decoder;
  EXPECT_NO_THROW(decoder.pullResponse(pull(validRow())));
  for (const auto& c : cases) {
    expectCodedError([&] { decoder.pullResponse(pull(with(validRow(), c.field, c.raw))); }, c.code, "rows[0]");
  }
  for (const char* body : {R"({"cursor":1,"more":false})", R"({"rows":[],"more":false})", R"({"rows":[],"cursor":1})",
                           R"({"rows":[],"cursor":1,"more":"no"})", R"({"rows":[],"cursor":-1,"more":false})"}) {
    expectCodedError([&] { decoder.pullResponse(body); }, kProtocol);
  }
}

TEST(ProtocolValidationTest, RejectsBrokenLiveMessagesAndErrorBodies) {
  Decoder decoder;
  for (const char* body : {R"({"type":"bye","cursor":1})", R"({"cursor":1})", R"({"type":"hello"})",
                           R"({"type":"hello","cursor":-1})", R"({"type":"hello","cursor":1.5})",
                           R"({"type":1,"cursor":1})"}) {
    expectCodedError([&] { decoder.liveMessage(body); }, kProtocol);
  }
  EXPECT_EQ(decoder.liveMessage(R"({"type":"hello","cursor":1,"later":{"x":[1]}})").cursor, 1);
  for (const char* body : {R"({})", R"({"error":"x"})", R"({"error":{"message":"m"}})", R"({"error":{"code":"E"}})",
                           R"({"error":{"code":"E","message":5}})"}) {
    expectCodedError([&] { decoder.error(body); }, kProtocol);
  }
}

TEST(ProtocolLimitsTest, DefaultsAreThoseOfTheSpec) {
  const Limits limits;
  EXPECT_EQ(limits.maxBodyBytes, 8u * 1024 * 1024);
  EXPECT_EQ(limits.maxValueBytes, 1024u * 1024);
  EXPECT_EQ(limits.maxChangesPerPush, 1000u);
  EXPECT_EQ(limits.maxColumnsPerChange, 63u);
  EXPECT_EQ(limits.maxPullLimit, 5000u);
  EXPECT_EQ(limits.maxResponseBytes, 64u * 1024 * 1024);
  EXPECT_EQ(limits.maxPullPageBytes, 8u * 1024 * 1024);
}

Limits smallLimits() {
  Limits limits;
  limits.maxValueBytes = 8;
  limits.maxChangesPerPush = 2;
  limits.maxColumnsPerChange = 2;
  limits.maxPullLimit = 2;
  return limits;
}

TEST(ProtocolLimitsTest, BodySize) {
  // Requests by the request limit, responses by the (larger) response limit.
  Limits limits;
  const std::string body = R"({"type":"hello","cursor":1})";
  limits.maxResponseBytes = body.size();
  limits.maxBodyBytes = 4;
  Decoder decoder(limits);
  EXPECT_NO_THROW(decoder.liveMessage(body));
  expectCodedError([&] { decoder.liveMessage(body + " "); }, kTooLarge, "body");
  expectCodedError([&] { decoder.pullResponse(std::string(body.size() + 1, '{')); }, kTooLarge);
  expectCodedError([&] { decoder.pushResponse(std::string(body.size() + 1, '{')); }, kTooLarge);
  expectCodedError([&] { decoder.pushRequest(std::string(5, '{')); }, kTooLarge);
  expectCodedError([&] { decoder.pushRequest(R"({"deviceId":"d","changes":[]})"); }, kTooLarge);
}

TEST(ProtocolLimitsTest, ValueSize) {
  Decoder decoder(smallLimits());
  EXPECT_NO_THROW(decoder.pushRequest(push(with(validChange(), "columns", R"({"a":"12345678"})"))));
  EXPECT_NO_THROW(decoder.pushRequest(push(with(validChange(), "columns", R"({"a":"\u00e9\u00e9\u00e9\u00e9"})"))));
  EXPECT_NO_THROW(decoder.pushRequest(push(with(validChange(), "columns", R"({"a":{"$blob":"AAAAAAAAAAA="}})"))));
  for (const char* columns : {R"({"a":"123456789"})", R"({"a":"\u00e9\u00e9\u00e9\u00e9x"})",
                              R"({"a":{"$blob":"AAAAAAAAAAAA"}})", R"({"a":{"$blob":"AAAAAAAAAAAAAAAAAAAAAAAAAAAA"}})"}) {
    // In a push, the change is rejected and the others go on.
    const auto request = decoder.pushRequest(push(with(validChange(), "columns", columns)));
    ASSERT_TRUE(request.changes[0].rejection) << columns;
    EXPECT_EQ(request.changes[0].rejection->code, "ERR_TOO_LARGE");
    EXPECT_EQ(request.changes[0].rejection->reason, "columns.a: value over the limit of 8 bytes");
  }
  // Values in pull rows have the same limit.
  expectCodedError([&] { decoder.pullResponse(pull(with(validRow(), "columns", R"({"a":1,"b":"123456789"})"))); },
                   kTooLarge, "rows[0].columns.b");
}

TEST(ProtocolLimitsTest, ChangesPerPush) {
  Decoder decoder(smallLimits());
  const std::string change = object(validChange());
  EXPECT_NO_THROW(decoder.pushRequest(R"({"deviceId":"dev-1","changes":[)" + change + "," + change + "]}"));
  expectCodedError(
      [&] { decoder.pushRequest(R"({"deviceId":"dev-1","changes":[)" + change + "," + change + "," + change + "]}"); },
      kTooLarge, "changes");
  const std::string result = R"({"id":"d:1","status":"applied","version":1})";
  EXPECT_NO_THROW(decoder.pushResponse(R"({"results":[)" + result + "," + result + R"(],"cursor":1})"));
  expectCodedError(
      [&] { decoder.pushResponse(R"({"results":[)" + result + "," + result + "," + result + R"(],"cursor":1})"); },
      kTooLarge, "results");
}

TEST(ProtocolLimitsTest, ColumnsPerChange) {
  Decoder decoder(smallLimits());
  EXPECT_FALSE(decoder.pushRequest(push(with(validChange(), "columns", R"({"a":1,"b":2})"))).changes[0].rejection);
  const auto request = decoder.pushRequest(push(with(validChange(), "columns", R"({"a":1,"b":2,"c":3})")));
  ASSERT_TRUE(request.changes[0].rejection);
  EXPECT_EQ(request.changes[0].rejection->code, "ERR_TOO_LARGE");
  EXPECT_EQ(request.changes[0].rejection->reason, "columns: more than 2 columns");
  expectCodedError(
      [&] {
        decoder.pullResponse(pull(with(with(validRow(), "columns", R"({"a":1,"b":2,"c":3})"), "stamps",
                                       R"({"a":["1","d",1],"b":["1","d",1],"c":["1","d",1]})")));
      },
      kTooLarge, "rows[0].columns");
  const std::string row = object(validRow());
  expectCodedError(
      [&] {
        decoder.pushResponse(R"({"results":[{"id":"d:1","status":"conflict","columns":["a","b","c"],"row":)" + row +
                             R"(}],"cursor":1})");
      },
      kTooLarge, "results[0].columns");
}

TEST(ProtocolLimitsTest, RowsPerPullPage) {
  Decoder decoder(smallLimits());
  const std::string row = object(validRow());
  EXPECT_NO_THROW(decoder.pullResponse(R"({"rows":[)" + row + "," + row + R"(],"cursor":4,"more":true})"));
  expectCodedError(
      [&] { decoder.pullResponse(R"({"rows":[)" + row + "," + row + "," + row + R"(],"cursor":4,"more":true})"); },
      kTooLarge, "rows");
}

}  // namespace
}  // namespace offline_sync::protocol
