// The way back onto the engine's thread for callbacks that other threads call (the app's token and conflict
// handlers): posts to the executor while the engine lives, drops the task once it is gone.
#pragma once

#include <mutex>

#include "core/sync/executor.h"

namespace offline_sync::sync {

class Mailbox {
 public:
  explicit Mailbox(Executor& executor) : executor_(&executor) {}

  void post(Executor::Task task) {
    std::lock_guard lock(mutex_);
    if (executor_ != nullptr) executor_->post(std::move(task));
  }
  void close() {
    std::lock_guard lock(mutex_);
    executor_ = nullptr;
  }

 private:
  std::mutex mutex_;
  Executor* executor_;
};

}  // namespace offline_sync::sync
