// The conflict rules (docs/CONFLICTS.md) as a table: every situation under every policy, plus the doc's examples.
#include "core/merge/resolve.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace offline_sync::merge {
namespace {

using protocol::ColumnStamp;
using protocol::PushStatus;
using protocol::WireChange;
using store::ChangeOp;
using store::ColumnValue;
using store::Value;
using Names = std::vector<std::string>;

constexpr auto applied = PushStatus::applied;
constexpr auto merged = PushStatus::merged;
constexpr auto conflict = PushStatus::conflict;
// deletedAfter and rowChanged, spelled out in the table.
constexpr bool kLive = false;
constexpr bool kDeleted = true;
constexpr bool kChanged = true;
constexpr bool kUnchanged = false;

ColumnStamp stamp(HlcStamp hlc, std::string device, std::int64_t version) { return {hlc, std::move(device), version}; }

// Lesson L at version 10, its columns last changed long before any change in the table (stamps 50-70).
ServerRow lesson() {
  ServerRow row;
  row.version = 10;
  row.columns = {{"starts_at", std::string("09:00")}, {"minutes", std::int64_t{90}}, {"status", std::string("booked")}};
  row.stamps = {stamp(50, "office", 3), stamp(60, "laptop", 5), stamp(70, "laptop", 10)};
  return row;
}

// The row after another change of one column.
ServerRow with(ServerRow row, const std::string& name, Value value, ColumnStamp columnStamp) {
  row.version = std::max(row.version, columnStamp.version);
  for (std::size_t i = 0; i < row.columns.size(); ++i) {
    if (row.columns[i].name != name) continue;
    row.columns[i].value = std::move(value);
    row.stamps[i] = std::move(columnStamp);
    return row;
  }
  row.columns.push_back({name, std::move(value)});
  row.stamps.push_back(std::move(columnStamp));
  return row;
}

ServerRow deleted(ServerRow row, ColumnStamp deletion) {
  row.deleted = true;
  row.version = deletion.version;
  row.deletion = std::move(deletion);
  return row;
}

WireChange change(ChangeOp op, std::int64_t base, HlcStamp hlc, std::vector<ColumnValue> columns = {}) {
  WireChange out;
  out.id = "office:1";
  out.table = "lessons";
  out.row = "L";
  out.op = op;
  out.baseVersion = base;
  out.hlc = hlc;
  out.columns = std::move(columns);
  return out;
}
WireChange update(std::int64_t base, HlcStamp hlc, std::vector<ColumnValue> columns) {
  return change(ChangeOp::update, base, hlc, std::move(columns));
}
WireChange insert(std::int64_t base, HlcStamp hlc, std::vector<ColumnValue> columns) {
  return change(ChangeOp::insert, base, hlc, std::move(columns));
}
WireChange remove(std::int64_t base, HlcStamp hlc) { return change(ChangeOp::remove, base, hlc); }

const Names kAll{"starts_at", "minutes", "status"};
const std::vector<ColumnValue> kFullLesson{
    {"starts_at", std::string("09:00")}, {"minutes", std::int64_t{45}}, {"status", std::string("booked")}};

struct Expected {
  PushStatus status;
  Names apply;
  Names kept;
  bool deletedAfter;
  bool rowChanged;
};

// One situation: the server's row, a change from `device`, and the answer under each policy.
struct Scenario {
  std::string name;
  std::optional<ServerRow> server;
  WireChange change;
  std::string device;
  Expected merge, serverWins, clientWins, manual;
};

// Server-side changes come from "laptop" (and "tablet"); "laptop" < "office" < "tablet" in byte order.
const std::vector<Scenario>& scenarios() {
  const ServerRow minutesAt11 = with(lesson(), "minutes", std::int64_t{60}, stamp(200, "laptop", 11));
  const ServerRow deletedAt11 = deleted(lesson(), stamp(200, "laptop", 11));
  // Deleted at 12 by a device whose clock is behind the laptop's, which changed minutes at 11.
  const ServerRow minutesThenDeleted =
      deleted(with(lesson(), "minutes", std::int64_t{60}, stamp(250, "laptop", 11)), stamp(200, "tablet", 12));
  ServerRow createdByLaptop = lesson();
  createdByLaptop.version = 11;
  createdByLaptop.stamps.assign(3, stamp(200, "laptop", 11));
  const std::vector<ColumnValue> minutes45{{"minutes", std::int64_t{45}}};
  const std::vector<ColumnValue> cancelled{{"status", std::string("cancelled")}};

  // Each row: name, server row, change, device, then the answers under merge, server-wins, client-wins and manual,
  // each {status, apply, kept, deletedAfter, rowChanged}.
  static const std::vector<Scenario> table{
      {"UpdateUpdateSameColumnChangeNewer", minutesAt11, update(10, 300, minutes45), "office",
       {applied, {"minutes"}, {}, kLive, kChanged}, {merged, {}, {"minutes"}, kLive, kUnchanged},
       {applied, {"minutes"}, {}, kLive, kChanged}, {conflict, {}, {"minutes"}, kLive, kUnchanged}},
      {"UpdateUpdateSameColumnChangeOlder", minutesAt11, update(10, 150, minutes45), "office",
       {merged, {}, {"minutes"}, kLive, kUnchanged}, {merged, {}, {"minutes"}, kLive, kUnchanged},
       {applied, {"minutes"}, {}, kLive, kChanged}, {conflict, {}, {"minutes"}, kLive, kUnchanged}},
      {"UpdateUpdateHlcTieChangeDeviceGreater", minutesAt11, update(10, 200, minutes45), "office",
       {applied, {"minutes"}, {}, kLive, kChanged}, {merged, {}, {"minutes"}, kLive, kUnchanged},
       {applied, {"minutes"}, {}, kLive, kChanged}, {conflict, {}, {"minutes"}, kLive, kUnchanged}},
      {"UpdateUpdateHlcTieChangeDeviceSmaller", with(lesson(), "minutes", std::int64_t{60}, stamp(200, "tablet", 11)),
       update(10, 200, minutes45), "office",
       {merged, {}, {"minutes"}, kLive, kUnchanged}, {merged, {}, {"minutes"}, kLive, kUnchanged},
       {applied, {"minutes"}, {}, kLive, kChanged}, {conflict, {}, {"minutes"}, kLive, kUnchanged}},
      {"UpdateUpdateDisjointColumns", with(lesson(), "status", std::string("completed"), stamp(200, "laptop", 11)),
       update(10, 150, {{"starts_at", std::string("10:00")}}), "office",
       {applied, {"starts_at"}, {}, kLive, kChanged}, {applied, {"starts_at"}, {}, kLive, kChanged},
       {applied, {"starts_at"}, {}, kLive, kChanged}, {applied, {"starts_at"}, {}, kLive, kChanged}},
      {"UpdateUpdateOneColumnConflictsOneDoesNot", minutesAt11,
       update(10, 150, {{"starts_at", std::string("10:00")}, {"minutes", std::int64_t{45}}}), "office",
       {merged, {"starts_at"}, {"minutes"}, kLive, kChanged}, {merged, {"starts_at"}, {"minutes"}, kLive, kChanged},
       {applied, {"starts_at", "minutes"}, {}, kLive, kChanged}, {conflict, {}, {"minutes"}, kLive, kUnchanged}},
      {"UpdateUpdateToTheSameValue", minutesAt11, update(10, 150, {{"minutes", std::int64_t{60}}}), "office",
       {applied, {"minutes"}, {}, kLive, kChanged}, {applied, {"minutes"}, {}, kLive, kChanged},
       {applied, {"minutes"}, {}, kLive, kChanged}, {applied, {"minutes"}, {}, kLive, kChanged}},
      {"UpdateUpdateSameNumberAnotherType", minutesAt11, update(10, 150, {{"minutes", 60.0}}), "office",
       {merged, {}, {"minutes"}, kLive, kUnchanged}, {merged, {}, {"minutes"}, kLive, kUnchanged},
       {applied, {"minutes"}, {}, kLive, kChanged}, {conflict, {}, {"minutes"}, kLive, kUnchanged}},
      {"UpdateOfAColumnTheServerLacks", lesson(), update(0, 150, {{"notes", std::string("x")}}), "office",
       {applied, {"notes"}, {}, kLive, kChanged}, {applied, {"notes"}, {}, kLive, kChanged},
       {applied, {"notes"}, {}, kLive, kChanged}, {applied, {"notes"}, {}, kLive, kChanged}},
      {"UpdateVsNewerDeleteChangeNewer", deletedAt11, update(10, 300, cancelled), "office",
       {applied, {"status"}, {}, kLive, kChanged}, {merged, {}, {"status"}, kDeleted, kUnchanged},
       {applied, {"status"}, {}, kLive, kChanged}, {conflict, {}, {"status"}, kDeleted, kUnchanged}},
      // Merge: the update lost, but its status (150) is newer than the tombstone's (70): kept in the tombstone.
      {"UpdateVsNewerDeleteChangeOlder", deletedAt11, update(10, 150, cancelled), "office",
       {merged, {"status"}, {"status"}, kDeleted, kChanged}, {merged, {}, {"status"}, kDeleted, kUnchanged},
       {applied, {"status"}, {}, kLive, kChanged}, {conflict, {}, {"status"}, kDeleted, kUnchanged}},
      {"UpdateVsNewerDeleteComesBackColumnByColumn", minutesThenDeleted,
       update(10, 220, {{"minutes", std::int64_t{45}}, {"status", std::string("cancelled")}}), "office",
       {merged, {"status"}, {"minutes"}, kLive, kChanged}, {merged, {}, {"minutes", "status"}, kDeleted, kUnchanged},
       {applied, {"minutes", "status"}, {}, kLive, kChanged},
       {conflict, {}, {"minutes", "status"}, kDeleted, kUnchanged}},
      {"UpdateVsNewerDeleteComesBackKeepingEveryColumn", minutesThenDeleted, update(10, 220, minutes45), "office",
       {merged, {}, {"minutes"}, kLive, kChanged}, {merged, {}, {"minutes"}, kDeleted, kUnchanged},
       {applied, {"minutes"}, {}, kLive, kChanged}, {conflict, {}, {"minutes"}, kDeleted, kUnchanged}},
      {"UpdateVsNewerDeleteOlderThanTheTombstonesColumn",
       deleted(with(lesson(), "status", std::string("completed"), stamp(180, "laptop", 11)), stamp(200, "laptop", 12)),
       update(10, 150, cancelled), "office",
       {merged, {}, {"status"}, kDeleted, kUnchanged}, {merged, {}, {"status"}, kDeleted, kUnchanged},
       {applied, {"status"}, {}, kLive, kChanged}, {conflict, {}, {"status"}, kDeleted, kUnchanged}},
      {"UpdateAfterASeenDeleteResurrects", deletedAt11, update(11, 150, cancelled), "office",
       {applied, {"status"}, {}, kLive, kChanged}, {applied, {"status"}, {}, kLive, kChanged},
       {applied, {"status"}, {}, kLive, kChanged}, {applied, {"status"}, {}, kLive, kChanged}},
      {"DeleteVsNewerUpdateDeleteNewer", minutesAt11, remove(10, 300), "office",
       {applied, {}, {}, kDeleted, kChanged}, {merged, {}, {"minutes"}, kLive, kUnchanged},
       {applied, {}, {}, kDeleted, kChanged}, {conflict, {}, {"minutes"}, kLive, kUnchanged}},
      {"DeleteVsNewerUpdatesDeleteOlderThanOne",
       with(with(lesson(), "minutes", std::int64_t{60}, stamp(300, "laptop", 11)), "status", std::string("completed"),
            stamp(150, "tablet", 12)),
       remove(10, 200), "office",
       {merged, {}, {"minutes", "status"}, kLive, kUnchanged}, {merged, {}, {"minutes", "status"}, kLive, kUnchanged},
       {applied, {}, {}, kDeleted, kChanged}, {conflict, {}, {"minutes", "status"}, kLive, kUnchanged}},
      {"DeleteOfAnUnchangedRow", lesson(), remove(10, 150), "office",
       {applied, {}, {}, kDeleted, kChanged}, {applied, {}, {}, kDeleted, kChanged},
       {applied, {}, {}, kDeleted, kChanged}, {applied, {}, {}, kDeleted, kChanged}},
      {"DeleteOfADeletedRow", deletedAt11, remove(10, 300), "office",
       {applied, {}, {}, kDeleted, kUnchanged}, {applied, {}, {}, kDeleted, kUnchanged},
       {applied, {}, {}, kDeleted, kUnchanged}, {applied, {}, {}, kDeleted, kUnchanged}},
      {"InsertInsertSameIdChangeNewer", createdByLaptop, insert(0, 300, kFullLesson), "office",
       {applied, kAll, {}, kLive, kChanged}, {merged, {"starts_at", "status"}, {"minutes"}, kLive, kChanged},
       {applied, kAll, {}, kLive, kChanged}, {conflict, {}, {"minutes"}, kLive, kUnchanged}},
      {"InsertInsertSameIdChangeOlder", createdByLaptop, insert(0, 150, kFullLesson), "office",
       {merged, {"starts_at", "status"}, {"minutes"}, kLive, kChanged},
       {merged, {"starts_at", "status"}, {"minutes"}, kLive, kChanged},
       {applied, kAll, {}, kLive, kChanged}, {conflict, {}, {"minutes"}, kLive, kUnchanged}},
      // A live row the device had seen (base 10): nothing changed since, so nothing conflicts.
      {"InsertOfALiveRowUsesItsBaseVersion", lesson(), insert(10, 150, kFullLesson), "office",
       {applied, kAll, {}, kLive, kChanged}, {applied, kAll, {}, kLive, kChanged},
       {applied, kAll, {}, kLive, kChanged}, {applied, kAll, {}, kLive, kChanged}},
      {"InsertOfARowTheServerNeverSaw", std::nullopt, insert(0, 150, kFullLesson), "office",
       {applied, kAll, {}, kLive, kChanged}, {applied, kAll, {}, kLive, kChanged},
       {applied, kAll, {}, kLive, kChanged}, {applied, kAll, {}, kLive, kChanged}},
      {"UpdateOfARowTheServerNeverSaw", std::nullopt, update(0, 150, minutes45), "office",
       {applied, {"minutes"}, {}, kLive, kChanged}, {applied, {"minutes"}, {}, kLive, kChanged},
       {applied, {"minutes"}, {}, kLive, kChanged}, {applied, {"minutes"}, {}, kLive, kChanged}},
      {"DeleteOfARowTheServerNeverSaw", std::nullopt, remove(0, 150), "office",
       {applied, {}, {}, kDeleted, kChanged}, {applied, {}, {}, kDeleted, kChanged},
       {applied, {}, {}, kDeleted, kChanged}, {applied, {}, {}, kDeleted, kChanged}},
      // The device's own earlier change, applied at 11 before this one (made on base 10) arrived, never conflicts.
      {"UpdateOverTheDevicesOwnEarlierChange", with(lesson(), "minutes", std::int64_t{60}, stamp(200, "office", 11)),
       update(10, 300, minutes45), "office",
       {applied, {"minutes"}, {}, kLive, kChanged}, {applied, {"minutes"}, {}, kLive, kChanged},
       {applied, {"minutes"}, {}, kLive, kChanged}, {applied, {"minutes"}, {}, kLive, kChanged}},
      {"DeleteOverTheDevicesOwnEarlierUpdate", with(lesson(), "minutes", std::int64_t{60}, stamp(200, "office", 11)),
       remove(10, 300), "office",
       {applied, {}, {}, kDeleted, kChanged}, {applied, {}, {}, kDeleted, kChanged},
       {applied, {}, {}, kDeleted, kChanged}, {applied, {}, {}, kDeleted, kChanged}},
      {"InsertOverTheDevicesOwnEarlierDelete", deleted(lesson(), stamp(200, "office", 11)),
       insert(10, 300, kFullLesson), "office",
       {applied, kAll, {}, kLive, kChanged}, {applied, kAll, {}, kLive, kChanged},
       {applied, kAll, {}, kLive, kChanged}, {applied, kAll, {}, kLive, kChanged}},
  };
  return table;
}

struct Case {
  std::string name;
  const Scenario* scenario;
  ConflictPolicy policy;
  Expected expected;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const auto& s : scenarios()) {
    const std::pair<ConflictPolicy, const Expected*> byPolicy[] = {{ConflictPolicy::merge, &s.merge},
                                                                   {ConflictPolicy::serverWins, &s.serverWins},
                                                                   {ConflictPolicy::clientWins, &s.clientWins},
                                                                   {ConflictPolicy::manual, &s.manual}};
    for (const auto& [policy, expected] : byPolicy) {
      std::string name = s.name + "_" + std::string(conflictPolicyName(policy));
      std::replace(name.begin(), name.end(), '-', '_');
      out.push_back({std::move(name), &s, policy, *expected});
    }
  }
  return out;
}

class ResolveTableTest : public testing::TestWithParam<Case> {};

TEST_P(ResolveTableTest, SettlesAsTheRulesSay) {
  const Case& c = GetParam();
  WireChange change = c.scenario->change;
  change.policy = c.policy;
  const Resolution got = resolve(c.scenario->server, change, c.scenario->device);
  EXPECT_EQ(protocol::statusName(got.status), protocol::statusName(c.expected.status));
  EXPECT_EQ(got.apply, c.expected.apply);
  EXPECT_EQ(got.kept, c.expected.kept);
  EXPECT_EQ(got.deletedAfter, c.expected.deletedAfter);
  EXPECT_EQ(got.rowChanged, c.expected.rowChanged);
  // What PROTOCOL.md promises of each status, whatever the row.
  if (got.status == conflict) {
    EXPECT_EQ(c.policy, ConflictPolicy::manual);
    EXPECT_TRUE(got.apply.empty());
  }
  if (got.status == applied) {
    EXPECT_TRUE(got.kept.empty());
  }
  if (got.status == merged) {
    EXPECT_FALSE(got.kept.empty());
  }
  if (!got.rowChanged) {
    EXPECT_TRUE(got.apply.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(EveryPolicy, ResolveTableTest, testing::ValuesIn(cases()),
                         [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

// "The same value" is the same SQLite type and the same value: under manual, a concurrent write of any other
// value is a conflict.
TEST(ResolveValuesTest, CompareExactlyTypeIncluded) {
  const struct {
    Value server;
    Value change;
    bool same;
  } pairs[] = {
      {std::int64_t{60}, 60.0, false},
      {60.0, std::int64_t{60}, false},
      {std::string("60"), std::int64_t{60}, false},
      {std::monostate{}, std::string(), false},
      {store::Blob{}, std::string(), false},
      {0.0, -0.0, false},
      {1.5, 1.5, true},
      {std::monostate{}, std::monostate{}, true},
      {store::Blob{std::byte{1}}, store::Blob{std::byte{1}}, true},
      {std::string("a\0b", 3), std::string("a\0b", 3), true},
  };
  for (const auto& pair : pairs) {
    const ServerRow server = with(lesson(), "value", pair.server, stamp(200, "laptop", 11));
    WireChange change = update(10, 300, {{"value", pair.change}});
    change.policy = ConflictPolicy::manual;
    const Resolution got = resolve(server, change, "office");
    EXPECT_EQ(got.status, pair.same ? applied : conflict) << "pair " << (&pair - pairs);
  }
}

TEST(NewerTest, TheGreaterHlcWinsWhateverTheDevice) {
  EXPECT_TRUE(newer(2, "a", 1, "z"));
  EXPECT_FALSE(newer(1, "z", 2, "a"));
}

TEST(NewerTest, AnHlcTieIsBrokenByDeviceBytes) {
  EXPECT_TRUE(newer(5, "office", 5, "laptop"));
  EXPECT_FALSE(newer(5, "laptop", 5, "office"));
  EXPECT_TRUE(newer(5, "laptop2", 5, "laptop")) << "a longer id after its prefix";
  EXPECT_TRUE(newer(5, "B", 5, "A"));
  EXPECT_TRUE(newer(5, "a", 5, "B")) << "bytes, not case-folded";
  EXPECT_TRUE(newer(5, "\xc3\xa9", 5, "z")) << "bytes compare unsigned";
}

TEST(NewerTest, IsAStrictTotalOrder) {
  struct Stamp {
    HlcStamp hlc;
    std::string device;
  };
  const std::vector<Stamp> stamps{{0, "a"}, {1, "a"}, {1, "b"}, {1, "ab"}, {1, "\xff"}, {2, ""}, {2, "a"},
                                  {~HlcStamp{0}, "a"}, {~HlcStamp{0}, "b"}};
  for (const auto& a : stamps) {
    EXPECT_FALSE(newer(a.hlc, a.device, a.hlc, a.device)) << "irreflexive";
    for (const auto& b : stamps) {
      if (&a == &b) continue;
      EXPECT_NE(newer(a.hlc, a.device, b.hlc, b.device), newer(b.hlc, b.device, a.hlc, a.device))
          << "exactly one of two distinct stamps is newer: " << a.hlc << a.device << " vs " << b.hlc << b.device;
      for (const auto& c : stamps) {
        if (newer(a.hlc, a.device, b.hlc, b.device) && newer(b.hlc, b.device, c.hlc, c.device)) {
          EXPECT_TRUE(newer(a.hlc, a.device, c.hlc, c.device)) << "transitive";
        }
      }
    }
  }
}

// The "Examples" section of docs/CONFLICTS.md, replayed through resolve() and a minimal server that writes what it
// says: the doc's tables are the expectations.
HlcStamp at(int hour, int minute) { return hlcFromMillis(1'796'083'200'000ULL + (hour * 60ULL + minute) * 60'000ULL); }

struct ExampleServer {
  std::optional<ServerRow> row = lesson();
  std::int64_t sequence = 10;

  Resolution push(WireChange change, ConflictPolicy policy, const std::string& device) {
    change.policy = policy;
    const Resolution result = resolve(row, change, device);
    if (!result.rowChanged) return result;
    const ColumnStamp written = stamp(change.hlc, device, ++sequence);
    if (!row) row.emplace();
    for (const auto& name : result.apply) {
      const auto column = std::find_if(change.columns.begin(), change.columns.end(),
                                       [&](const ColumnValue& c) { return c.name == name; });
      row = with(*row, name, column->value, written);
    }
    if (result.deletedAfter && !row->deleted) row->deletion = written;
    row->deleted = result.deletedAfter;
    row->version = sequence;
    return result;
  }
  Value value(const std::string& name) const {
    for (const auto& column : row->columns) {
      if (column.name == name) return column.value;
    }
    return {};
  }
};

// The laptop, first: l1 marks the lesson completed at 8:05, l2 shortens it to 60 minutes at 8:06.
void laptopPushesFirst(ExampleServer& server) {
  for (auto [hlc, column] : {std::pair{at(8, 5), ColumnValue{"status", std::string("completed")}},
                             std::pair{at(8, 6), ColumnValue{"minutes", std::int64_t{60}}}}) {
    ASSERT_EQ(server.push(update(10, hlc, {column}), ConflictPolicy::merge, "laptop").status, applied);
  }
  ASSERT_EQ(server.row->version, 12);
}

constexpr ConflictPolicy kPolicies[] = {ConflictPolicy::merge, ConflictPolicy::serverWins, ConflictPolicy::clientWins,
                                        ConflictPolicy::manual};

TEST(MergeExamplesTest, OfficeMovesTheLessonTheLaptopCompletedIt) {
  for (const auto policy : kPolicies) {
    SCOPED_TRACE(conflictPolicyName(policy));
    ExampleServer server;
    laptopPushesFirst(server);
    const auto result = server.push(update(10, at(8, 1), {{"starts_at", std::string("10:00")}}), policy, "office");
    EXPECT_EQ(result.status, applied);
    EXPECT_EQ(server.value("starts_at"), Value(std::string("10:00")));
    EXPECT_EQ(server.value("minutes"), Value(std::int64_t{60}));
    EXPECT_EQ(server.value("status"), Value(std::string("completed")));
  }
}

TEST(MergeExamplesTest, BothChangeMinutes) {
  const struct {
    ConflictPolicy policy;
    std::int64_t finalMinutes;
    PushStatus status;
    Names columns;
    Names overrode;
  } rows[] = {{ConflictPolicy::merge, 45, applied, {}, {"minutes"}},
              {ConflictPolicy::serverWins, 60, merged, {"minutes"}, {}},
              {ConflictPolicy::clientWins, 45, applied, {}, {"minutes"}},
              {ConflictPolicy::manual, 60, conflict, {"minutes"}, {}}};
  for (const auto& row : rows) {
    SCOPED_TRACE(conflictPolicyName(row.policy));
    ExampleServer server;
    laptopPushesFirst(server);
    const auto result = server.push(update(10, at(8, 7), {{"minutes", std::int64_t{45}}}), row.policy, "office");
    EXPECT_EQ(result.status, row.status);
    EXPECT_EQ(result.kept, row.columns);
    EXPECT_EQ(result.overrode, row.overrode);
    EXPECT_EQ(server.value("minutes"), Value(row.finalMinutes));
  }
}

TEST(MergeExamplesTest, OfficeCancelsWhatTheLaptopDeleted) {
  const struct {
    ConflictPolicy policy;
    PushStatus status;
    bool deleted;
    Names kept;
    Names overrode;      // the change that brings the row back overrides the deletion
    const char* storedStatus;  // merge keeps the office's newer status in the tombstone, for a row that comes back
  } rows[] = {{ConflictPolicy::merge, merged, true, {"status"}, {}, "cancelled"},
              {ConflictPolicy::serverWins, merged, true, {"status"}, {}, "completed"},
              {ConflictPolicy::clientWins, applied, false, {}, {"status"}, "cancelled"},
              {ConflictPolicy::manual, conflict, true, {"status"}, {}, "completed"}};
  for (const auto& row : rows) {
    SCOPED_TRACE(conflictPolicyName(row.policy));
    ExampleServer server;
    laptopPushesFirst(server);
    ASSERT_EQ(server.push(remove(12, at(8, 10)), ConflictPolicy::merge, "laptop").status, applied);
    const auto result =
        server.push(update(10, at(8, 9), {{"status", std::string("cancelled")}}), row.policy, "office");
    EXPECT_EQ(result.status, row.status);
    EXPECT_EQ(result.kept, row.kept);
    EXPECT_EQ(result.overrode, row.overrode);
    EXPECT_EQ(server.row->deleted, row.deleted);
    EXPECT_EQ(server.value("status"), Value(std::string(row.storedStatus)));
  }
}

// Under merge, an update and a newer delete of the same row leave the same tombstone in either order, so the row a
// later change brings back is the same too: each column at its newest write.
TEST(MergeExamplesTest, AnUpdateAndANewerDeleteLeaveTheSameRowInEitherOrder) {
  const auto cancel = update(10, at(8, 9), {{"status", std::string("cancelled")}});
  const auto removal = remove(10, at(8, 10));
  std::vector<std::pair<std::string, Value>> revived[2];
  for (const bool updateFirst : {true, false}) {
    SCOPED_TRACE(updateFirst ? "update first" : "delete first");
    ExampleServer server;
    if (updateFirst) server.push(cancel, ConflictPolicy::merge, "office");
    ASSERT_EQ(server.push(removal, ConflictPolicy::merge, "laptop").status, applied);
    if (!updateFirst) EXPECT_EQ(server.push(cancel, ConflictPolicy::merge, "office").status, merged);
    ASSERT_TRUE(server.row->deleted);
    // The tablet, which never saw the delete, shortens the lesson later: the row comes back.
    ASSERT_EQ(server.push(update(10, at(8, 20), {{"minutes", std::int64_t{45}}}), ConflictPolicy::merge, "tablet")
                  .status,
              applied);
    ASSERT_FALSE(server.row->deleted);
    for (const auto& column : server.row->columns) revived[updateFirst ? 0 : 1].emplace_back(column.name, column.value);
  }
  std::sort(revived[0].begin(), revived[0].end());
  std::sort(revived[1].begin(), revived[1].end());
  EXPECT_EQ(revived[0], revived[1]);
  EXPECT_NE(std::find(revived[0].begin(), revived[0].end(), std::pair<std::string, Value>{"status", "cancelled"}),
            revived[0].end());
}

}  // namespace
}  // namespace offline_sync::merge
