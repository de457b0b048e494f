// A fresh temporary directory per test, removed with everything in it when the test ends.
#pragma once

#include <filesystem>
#include <string>

#include "core/util/uuid.h"

namespace offline_sync::testing {

class TempDir {
 public:
  TempDir() : path_(std::filesystem::temp_directory_path() / ("offline-sync-test-" + randomUuid())) {
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace offline_sync::testing
