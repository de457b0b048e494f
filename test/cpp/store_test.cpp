#include "core/store/store.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/store/metadata.h"
#include "temp_dir.h"

namespace offline_sync::store {
namespace {

using offline_sync::testing::TempDir;

TEST(StoreTest, GeneratesADeviceIdOnceAndKeepsIt) {
  TempDir dir;
  std::string first;
  {
    Store store(dir.file("s.db"), StoreOptions{});
    first = store.deviceId();
    EXPECT_EQ(first.size(), 36u);
  }
  Store again(dir.file("s.db"), StoreOptions{});
  EXPECT_EQ(again.deviceId(), first);
}

TEST(StoreTest, GivenDeviceIdIsStoredAndAMismatchIsRefused) {
  TempDir dir;
  StoreOptions options;
  options.deviceId = "office-1";
  { Store store(dir.file("s.db"), options); }
  EXPECT_EQ(Store(dir.file("s.db"), StoreOptions{}).deviceId(), "office-1");
  options.deviceId = "laptop-2";
  try {
    Store store(dir.file("s.db"), options);
    FAIL() << "expected ERR_DEVICE_ID_MISMATCH";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "ERR_DEVICE_ID_MISMATCH");
  }
}

TEST(StoreTest, KeepsSyncMetadataAcrossReopen) {
  TempDir dir;
  {
    Store store(dir.file("s.db"), StoreOptions{});
    EXPECT_EQ(readMetadata(store.connection(), meta_keys::storeFormat), "1");
    writeMetadata(store.connection(), meta_keys::pullCursor, "1234");
    writeMetadata(store.connection(), meta_keys::lastSyncAt, "1700000000000");
    writeMetadata(store.connection(), meta_keys::protocolVersion, "1");
    writeMetadata(store.connection(), meta_keys::pullCursor, "1300");  // overwrites
  }
  Store again(dir.file("s.db"), StoreOptions{});
  EXPECT_EQ(readMetadata(again.connection(), meta_keys::pullCursor), "1300");
  EXPECT_EQ(readMetadata(again.connection(), meta_keys::lastSyncAt), "1700000000000");
  EXPECT_EQ(readMetadata(again.connection(), meta_keys::protocolVersion), "1");
  EXPECT_EQ(readMetadata(again.connection(), "absent"), std::nullopt);
}

TEST(StoreTest, InvalidDeviceIdIsAnArgumentError) {
  StoreOptions options;
  options.deviceId = "has space";
  try {
    Store store(":memory:", options);
    FAIL() << "expected ERR_INVALID_ARG";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "ERR_INVALID_ARG");
  }
  EXPECT_FALSE(isValidDeviceId(""));
  EXPECT_FALSE(isValidDeviceId(std::string(129, 'a')));
  EXPECT_TRUE(isValidDeviceId("a.b_c:d-E9"));
}

}  // namespace
}  // namespace offline_sync::store
