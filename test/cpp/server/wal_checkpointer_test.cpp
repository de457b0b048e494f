// The WAL copied back into the file by a thread of its own, with the writer's own checkpoint as the bound.
#include "server/wal_checkpointer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "core/error.h"
#include "core/store/connection.h"
#include "temp_dir.h"

namespace offline_sync::server::testing {
namespace {

constexpr std::uintmax_t kFrameBytes = 4096 + 24;  // a WAL frame: its header and one page
constexpr int kPages = 20;                         // the threshold the tests wake the thread at

// Commits one transaction of `blobs` 4 KiB blobs: each takes an overflow page and part of a leaf, so the commit
// adds a little more than `blobs` pages to the WAL.
void commitBlobs(store::Connection& writer, int blobs) {
  store::withTransaction(writer, [&] {
    for (int blob = 0; blob < blobs; ++blob) writer.exec("INSERT INTO blobs (data) VALUES (randomblob(4096))");
  });
}

std::uintmax_t walBytes(const std::string& path) { return std::filesystem::file_size(path + "-wal"); }
std::uintmax_t fileBytes(const std::string& path) { return std::filesystem::file_size(path); }

void waitForCheckpoints(const WalCheckpointer& checkpointer, std::uint64_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (checkpointer.checkpoints() < count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_EQ(checkpointer.checkpoints(), count);
}

std::int64_t countBlobs(const std::string& path) {
  store::Connection reader(path, store::OpenOptions{});
  auto count = reader.prepare("SELECT count(*) FROM blobs");
  EXPECT_TRUE(count->step());
  return count->columnInt64(0);
}

// A database with a table of blobs, and the connection that writes it.
class WalCheckpointerTest : public ::testing::Test {
 protected:
  WalCheckpointerTest() { writer.exec("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)"); }

  offline_sync::testing::TempDir dir;
  const std::string path = dir.file("server.db");
  store::Connection writer{path, store::OpenOptions{}};
};

TEST_F(WalCheckpointerTest, TheThreadCopiesTheWalBackAndTheWalStartsOver) {
  {
    WalCheckpointer checkpointer(path, store::OpenOptions{}, writer, kPages);
    // Past the threshold, short of the hard limit: the thread copies it, the commit does not.
    commitBlobs(writer, 25);
    waitForCheckpoints(checkpointer, 1);
    EXPECT_GE(fileBytes(path), 25 * 4096u);
    const std::uintmax_t walAfterOne = walBytes(path);
    // Everything was copied back, so the next commit writes the WAL from its start instead of after the first.
    commitBlobs(writer, 25);
    waitForCheckpoints(checkpointer, 2);
    EXPECT_GE(fileBytes(path), 50 * 4096u);
    EXPECT_LE(walBytes(path), walAfterOne + 4 * kFrameBytes);
  }
  // Unhooked: the writer commits on its own again, and everything is there.
  commitBlobs(writer, 1);
  EXPECT_EQ(countBlobs(path), 51);
}

TEST_F(WalCheckpointerTest, AtTheHardLimitTheCommitCopiesTheWalBackItself) {
  WalCheckpointer checkpointer(path, store::OpenOptions{}, writer, kPages);
  const int blobs = WalCheckpointer::kHardLimitFactor * kPages + 20;
  commitBlobs(writer, blobs);
  // Copied back before the commit returned, and not by the thread, which this commit did not wake.
  EXPECT_GE(fileBytes(path), blobs * 4096u);
  EXPECT_EQ(checkpointer.checkpoints(), 0u);
  EXPECT_EQ(countBlobs(path), blobs);
}

TEST_F(WalCheckpointerTest, BelowTheThresholdNothingIsCopied) {
  WalCheckpointer checkpointer(path, store::OpenOptions{}, writer, 10000);
  for (int commit = 0; commit < 20; ++commit) commitBlobs(writer, 4);
  EXPECT_EQ(checkpointer.checkpoints(), 0u);
  EXPECT_GE(walBytes(path), 20u * 4 * kFrameBytes);  // every commit still in the WAL
}

TEST_F(WalCheckpointerTest, AThresholdBelowOneIsRefused) {
  EXPECT_THROW(WalCheckpointer(path, store::OpenOptions{}, writer, 0), Error);
}

}  // namespace
}  // namespace offline_sync::server::testing
