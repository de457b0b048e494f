// Where the sync engine runs: a queue of tasks and timers on one thread. Production uses an Asio io_context
// (src/net/asio_executor.h); tests use a fake with virtual time, so the engine's logic runs without sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace offline_sync::sync {

class Executor {
 public:
  using Task = std::function<void()>;
  using TimerId = std::uint64_t;  // never 0

  virtual ~Executor() = default;
  // Runs task on the executor's thread, after the tasks already queued. The only thread-safe member.
  virtual void post(Task task) = 0;
  // Runs task once, delay from now. The executor's thread only.
  virtual TimerId after(std::chrono::milliseconds delay, Task task) = 0;
  // A cancelled timer never runs; cancelling one that ran or an unknown id does nothing.
  virtual void cancel(TimerId id) = 0;
  // Monotonic milliseconds (not wall time): for durations.
  virtual std::int64_t nowMs() = 0;
};

}  // namespace offline_sync::sync
