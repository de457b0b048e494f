// AsioExecutor: the io_context, its thread and the engine's timers. Timers are looked up by id under a mutex when they
// fire, so a cancel() that races with the expiry still wins: a cancelled task never runs.
#include "net/asio_executor.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "core/error.h"

namespace offline_sync::net {

namespace asio = boost::asio;

struct AsioExecutor::Impl {
  // Runs one task; an exception is dropped (there is no logger here, and the engine catches its own).
  static void runGuarded(const Task& task) noexcept {
    try {
      task();
    } catch (...) {
    }
  }

  void run() {
    // A completion handler of the transport may throw too: run() is left by the exception and entered again.
    for (;;) {
      try {
        io.run();
        return;
      } catch (...) {
      }
    }
  }

  void fire(TimerId id, const boost::system::error_code& ec) {
    std::unique_ptr<asio::steady_timer> timer;
    Task task;
    {
      std::lock_guard lock(timersMutex);
      const auto found = timers.find(id);
      if (found == timers.end()) return;  // cancelled, even if the wait completed without error
      if (ec) return;                     // aborted by the context's shutdown
      timer = std::move(found->second.timer);
      task = std::move(found->second.task);
      timers.erase(found);
    }
    runGuarded(task);
  }

  struct Timer {
    std::unique_ptr<asio::steady_timer> timer;
    Task task;
  };

  // Declared first: destroyed last, after the timers that use it.
  asio::io_context io{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::mutex lifeMutex;  // guards thread, started, stopped (not taken on the executor's own thread)
  std::thread thread;
  bool started = false;
  bool stopped = false;

  std::mutex timersMutex;
  std::unordered_map<TimerId, Timer> timers;
  TimerId nextTimerId = 1;
};

AsioExecutor::AsioExecutor() : impl_(std::make_unique<Impl>()) {}

AsioExecutor::~AsioExecutor() {
  if (runningInThisThread()) std::terminate();  // see the header: the thread cannot join itself
  stopAndJoin();
  // Timers go before the context (member order) and their pending handlers are destroyed unrun by ~io_context.
}

void AsioExecutor::startThread() {
  std::lock_guard lock(impl_->lifeMutex);
  if (impl_->started || impl_->stopped) {
    throw Error(ErrorCategory::state, codes::closed, "AsioExecutor::startThread: already started or stopped");
  }
  impl_->started = true;
  impl_->work.emplace(impl_->io.get_executor());
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

void AsioExecutor::stopAndJoin() {
  if (runningInThisThread()) {
    // Joining here would wait for ourselves. stop() is thread-safe; run() returns once this task is done.
    impl_->io.stop();
    return;
  }
  std::lock_guard lock(impl_->lifeMutex);
  impl_->stopped = true;
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->work.reset();
}

bool AsioExecutor::runningInThisThread() const { return impl_->io.get_executor().running_in_this_thread(); }

asio::io_context& AsioExecutor::context() { return impl_->io; }

void AsioExecutor::post(Task task) {
  asio::post(impl_->io, [task = std::move(task)] { Impl::runGuarded(task); });
}

sync::Executor::TimerId AsioExecutor::after(std::chrono::milliseconds delay, Task task) {
  auto timer = std::make_unique<asio::steady_timer>(impl_->io, delay);
  asio::steady_timer& waiting = *timer;
  TimerId id = 0;
  {
    std::lock_guard lock(impl_->timersMutex);
    id = impl_->nextTimerId++;
    impl_->timers.emplace(id, Impl::Timer{std::move(timer), std::move(task)});
    // Under the lock: a cancel() from another thread cannot destroy the timer while the wait starts.
    waiting.async_wait([impl = impl_.get(), id](const boost::system::error_code& ec) { impl->fire(id, ec); });
  }
  return id;
}

void AsioExecutor::cancel(TimerId id) {
  Impl::Timer removed;
  {
    std::lock_guard lock(impl_->timersMutex);
    const auto found = impl_->timers.find(id);
    if (found == impl_->timers.end()) return;
    removed = std::move(found->second);
    impl_->timers.erase(found);
  }
  // Destroying the timer cancels its wait; the handler then finds no entry and runs nothing. The task is released
  // here, on the caller's thread.
}

std::int64_t AsioExecutor::nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace offline_sync::net
