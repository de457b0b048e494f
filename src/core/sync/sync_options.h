// What db.sync(options) configures: the server, batching, live mode, the poll interval and the retry schedule.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace offline_sync::sync {

using Millis = std::chrono::milliseconds;

struct RetryOptions {
  Millis initialDelay{250};
  Millis maxDelay{60000};
  double factor = 2.0;
  double jitter = 0.2;  // each delay is scaled by a random factor in [1 - jitter, 1 + jitter]
};

struct SyncOptions {
  std::string url;           // http://host:port or https://host:port, optionally with a path prefix
  std::size_t batchSize = 500;   // changes per push request (1..1000)
  std::size_t pullLimit = 1000;  // rows per pull page (1..5000)
  bool live = true;              // hold the WebSocket live channel open
  Millis interval{30000};        // between syncs when live is off or down
  RetryOptions retry;
  Millis debounce{25};           // a burst of local writes within this window becomes one push
  Millis maxDebounce{1000};      // ... but a steady stream of writes still pushes at least this often
  Millis conflictTimeout{30000}; // how long a manual onConflict handler may take
};

}  // namespace offline_sync::sync
