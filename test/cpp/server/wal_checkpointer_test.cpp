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

constexpr int kPages = 8;
constexpr std::uintmax_t kFrameBytes = 4096 + 24;  // a WAL frame: its header and one page

// Commits `commits` transactions of four 4 KiB blobs each (about five pages with their b-tree pages).
void commitBlobs(store::Connection& writer, int commits) {
  for (int i = 0; i < commits; ++i) {
    store::withTransaction(writer, [&] {
      for (int blob = 0; blob < 4; ++blob) writer.exec("INSERT INTO blobs (data) VALUES (randomblob(4096))");
    });
  }
}

std::uintmax_t walBytes(const std::string& path) { return std::filesystem::file_size(path + "-wal"); }

TEST(WalCheckpointerTest, TheThreadCopiesTheWalBackAndTheWalStaysBounded) {
  offline_sync::testing::TempDir dir;
  const std::string path = dir.file("server.db");
  store::Connection writer(path, store::OpenOptions{});
  writer.exec("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
  {
    WalCheckpointer checkpointer(path, store::OpenOptions{}, writer, kPages);
    std::uintmax_t largest = 0;
    for (int round = 0; round < 40; ++round) {
      commitBlobs(writer, 1);
      largest = std::max(largest, walBytes(path));
    }
    // Whoever copies it (the thread, or the writer at the hard limit), the WAL starts over. Two checkpoints never run
    // at once, so the writer's may find the thread's still running: a margin above the hard limit. Without any
    // checkpoint the 40 commits would leave ~200 pages.
    EXPECT_LE(largest, (2 * WalCheckpointer::kHardLimitFactor * kPages + 16) * kFrameBytes + 32);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (checkpointer.checkpoints() == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    EXPECT_GT(checkpointer.checkpoints(), 0u);
  }
  // Unhooked: the writer commits on its own again, and everything is there.
  commitBlobs(writer, 1);
  store::Connection reader(path, store::OpenOptions{});
  auto count = reader.prepare("SELECT count(*) FROM blobs");
  ASSERT_TRUE(count->step());
  EXPECT_EQ(count->columnInt64(0), 41 * 4);
}

TEST(WalCheckpointerTest, BelowTheThresholdNothingIsCopied) {
  offline_sync::testing::TempDir dir;
  const std::string path = dir.file("server.db");
  store::Connection writer(path, store::OpenOptions{});
  writer.exec("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
  WalCheckpointer checkpointer(path, store::OpenOptions{}, writer, 10000);
  commitBlobs(writer, 20);
  EXPECT_EQ(checkpointer.checkpoints(), 0u);
  EXPECT_GE(walBytes(path), 20u * 4 * kFrameBytes);  // every commit still in the WAL
}

TEST(WalCheckpointerTest, AThresholdBelowOneIsRefused) {
  offline_sync::testing::TempDir dir;
  const std::string path = dir.file("server.db");
  store::Connection writer(path, store::OpenOptions{});
  EXPECT_THROW(WalCheckpointer(path, store::OpenOptions{}, writer, 0), Error);
}

}  // namespace
}  // namespace offline_sync::server::testing
