// Per-column stamps: a pending update amended by a write of other columns keeps each column's own stamp, through the
// outbox, a resend, a put-back, the wire and the server's rules, so an older value never wins as if it were newer.
#include "core/store/column_stamps.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/merge/resolve.h"
#include "core/protocol/codec.h"
#include "core/store/outbox.h"
#include "store_fixture.h"

namespace offline_sync::store {
namespace {

using offline_sync::Error;

constexpr int kStudentBit = 0;
constexpr int kMinutesBit = 1;

TEST(ColumnStampsTest, TextFormRoundTrips) {
  const ColumnStamps stamps{{0, 5}, {7, 123456789012345678ULL}};
  EXPECT_EQ(formatColumnStamps(stamps), "0:5;7:123456789012345678");
  EXPECT_EQ(parseColumnStamps(formatColumnStamps(stamps)), stamps);
  EXPECT_TRUE(parseColumnStamps("").empty());
  EXPECT_THROW(parseColumnStamps("0:x"), Error);
  EXPECT_THROW(parseColumnStamps("5"), Error);
}

TEST(ColumnStampsTest, FoldKeepsTheStampsOfColumnsTheNewerWriteLeavesAlone) {
  // Older: columns 0 and 1 at 10 (column 0 at 4 before that); newer: column 1 and 2 at 20.
  const auto folded = foldColumnStamps({0b011, 10, {{0, 4}}}, {0b110, 20, {}});
  EXPECT_EQ(folded, (ColumnStamps{{0, 4}}));
  EXPECT_EQ(foldColumnStamps({0b001, 10, {}}, {0b110, 20, {}}), (ColumnStamps{{0, 10}}));
  EXPECT_TRUE(foldColumnStamps({0b001, 10, {}}, {0b001, 20, {}}).empty()) << "rewritten: the newer stamp";
  EXPECT_EQ(foldColumnStamps({0b001, 10, {}}, {0b010, 20, {{1, 15}}}), (ColumnStamps{{0, 10}, {1, 15}}));
}

class ColumnStampsOutboxTest : public testing::OutboxFixture {
 protected:
  void SetUp() override {
    OutboxFixture::SetUp();
    db().exec("INSERT INTO lessons VALUES ('l1', 's1', 30, 'booked')");
    engine->exec("DELETE FROM _sync_outbox; INSERT INTO _sync_row_versions VALUES ('lessons', 'l1', 7)");
  }
  HlcStamp pendingHlc() {
    auto statement = engine->prepare("SELECT hlc FROM _sync_outbox WHERE row_id = 'l1'");
    return statement->step() ? static_cast<HlcStamp>(statement->columnInt64(0)) : 0;
  }
};

TEST_F(ColumnStampsOutboxTest, AnAmendedUpdateCarriesEachColumnsOwnStamp) {
  db().exec("UPDATE lessons SET student = 's2' WHERE id = 'l1'");
  const HlcStamp studentWritten = pendingHlc();
  db().exec("UPDATE lessons SET minutes = 45 WHERE id = 'l1'");
  const auto batch = outboxApi->takeBatch(10);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_GT(batch[0].hlc, studentWritten);
  EXPECT_EQ(batch[0].olderStamps, (std::vector<std::pair<std::string, HlcStamp>>{{"student", studentWritten}}));

  // Resent after a failed push: the same stamps.
  const auto again = outboxApi->takeBatch(10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].olderStamps, batch[0].olderStamps);

  // Put back under a newer pending write of minutes: student keeps its stamp, minutes takes the newer one.
  db().exec("UPDATE lessons SET minutes = 50 WHERE id = 'l1'");
  outboxApi->putBack(batch[0].changeSeq, "server busy");
  const auto folded = outboxApi->takeBatch(10);
  ASSERT_EQ(folded.size(), 1u);
  EXPECT_EQ(folded[0].olderStamps, (std::vector<std::pair<std::string, HlcStamp>>{{"student", studentWritten}}));
  EXPECT_GT(folded[0].hlc, batch[0].hlc);
}

TEST_F(ColumnStampsOutboxTest, RewritingEveryColumnLeavesNoOlderStamp) {
  db().exec("UPDATE lessons SET student = 's2' WHERE id = 'l1'");
  db().exec("UPDATE lessons SET minutes = 45 WHERE id = 'l1'");
  db().exec("UPDATE lessons SET student = 's3', minutes = 50 WHERE id = 'l1'");
  const auto batch = outboxApi->takeBatch(10);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_TRUE(batch[0].olderStamps.empty());
  EXPECT_EQ(batch[0].columns.size(), 2u);
}

TEST(ColumnStampsWireTest, TravelsAndIsChecked) {
  protocol::PushRequest request{"d", {{"d:1", "t", "r", ChangeOp::update, ConflictPolicy::merge, 3, 100,
                                        {{"a", std::int64_t{1}}, {"b", std::int64_t{2}}}, std::nullopt,
                                        {{"a", 40}}}}};
  protocol::Decoder decoder;
  const auto decoded = decoder.pushRequest(protocol::encodePushRequest(request));
  ASSERT_EQ(decoded.changes.size(), 1u);
  EXPECT_EQ(decoded.changes[0].columnHlc("a"), 40u);
  EXPECT_EQ(decoded.changes[0].columnHlc("b"), 100u);
  const auto refused = [&](std::vector<std::pair<std::string, HlcStamp>> stamps) {
    request.changes[0].olderStamps = std::move(stamps);
    try {
      decoder.pushRequest(protocol::encodePushRequest(request));
    } catch (const Error& e) {
      return e.code() == "ERR_PROTOCOL";
    }
    return false;
  };
  EXPECT_TRUE(refused({{"c", 40}})) << "a column the change does not have";
  EXPECT_TRUE(refused({{"a", 100}})) << "not older than the change";
  EXPECT_TRUE(refused({{"a", 40}, {"a", 41}})) << "twice";
}

TEST(ColumnStampsRulesTest, AnOlderColumnLosesToANewerServerWriteItsChangeWouldBeat) {
  // Server: minutes last written at 150 by the laptop (version 11). The office's change, stamped 200, folds minutes
  // written at 100 and status written at 200: minutes (100) loses, status applies.
  merge::ServerRow row;
  row.version = 11;
  row.columns = {{"minutes", std::int64_t{60}}, {"status", std::string("booked")}};
  row.stamps = {{150, "laptop", 11}, {50, "laptop", 3}};
  protocol::WireChange change{"office:1", "lessons", "L", ChangeOp::update, ConflictPolicy::merge, 10, 200,
                              {{"minutes", std::int64_t{45}}, {"status", std::string("done")}}, std::nullopt,
                              {{"minutes", 100}}};
  const auto resolution = merge::resolve(row, change, "office");
  EXPECT_EQ(resolution.status, protocol::PushStatus::merged);
  EXPECT_EQ(resolution.apply, std::vector<std::string>{"status"});
  EXPECT_EQ(resolution.kept, std::vector<std::string>{"minutes"});
}

}  // namespace
}  // namespace offline_sync::store
