// The production sync::Executor: one boost::asio::io_context run on a thread of its own, which the transport's
// sockets share, so the engine's tasks, its timers and every network completion run on that one thread.
#pragma once

#include <memory>

#include "core/sync/executor.h"

namespace boost::asio {
class io_context;
}

namespace offline_sync::net {

class AsioExecutor final : public sync::Executor {
 public:
  AsioExecutor();
  // Stops and joins (stopAndJoin). Must not run on the executor's own thread (a thread cannot join itself):
  // that is a programming error and terminates, as destroying a joinable std::thread would.
  ~AsioExecutor() override;
  AsioExecutor(const AsioExecutor&) = delete;
  AsioExecutor& operator=(const AsioExecutor&) = delete;

  // Starts the thread that runs the context; it runs until stopAndJoin(), also when idle. Once only: a second call,
  // or a call after stopAndJoin(), throws Error(state, ERR_CLOSED).
  void startThread();
  // Stops the context (queued tasks and timers are dropped, not run) and joins the thread. Idempotent, any thread.
  // On the executor's own thread it only stops the context and returns at once; the join happens in a later call
  // from another thread, or in the destructor.
  void stopAndJoin();
  // True on the executor's thread, while it runs a task or a completion.
  bool runningInThisThread() const;

  // For the transport's sockets and timers.
  boost::asio::io_context& context();

  // Thread-safe. A task that throws is dropped and the thread goes on.
  void post(Task task) override;
  // The interface asks for the executor's thread only; these are also safe from other threads. Ids start at 1.
  TimerId after(std::chrono::milliseconds delay, Task task) override;
  void cancel(TimerId id) override;
  std::int64_t nowMs() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace offline_sync::net
