#include "core/util/uuid.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace offline_sync {
namespace {

TEST(UuidTest, IsCanonicalVersion4) {
  const std::regex shape("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(std::regex_match(randomUuid(), shape));
}

TEST(UuidTest, DoesNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(randomUuid());
  EXPECT_EQ(seen.size(), 10000u);
}

}  // namespace
}  // namespace offline_sync
