// Shared by the network tests: a started executor, blocking waits with deadlines, and push bodies to send.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "core/protocol/codec.h"
#include "core/sync/transport.h"
#include "net/asio_executor.h"
#include "net/http_transport.h"

namespace offline_sync::net::testing {

using namespace std::chrono_literals;

// Long enough for a sanitizer build on a busy machine; a passing test never waits this long.
inline constexpr auto kWait = 20s;

struct Outcome {
  std::optional<Error> failure;
  sync::HttpResponse response;
};

// Waits for a future, failing the test (not hanging it) when the deadline passes.
template <class T>
std::optional<T> waitFor(std::future<T>& future, std::chrono::milliseconds deadline = kWait) {
  if (future.wait_for(deadline) != std::future_status::ready) {
    ADD_FAILURE() << "timed out waiting";
    return std::nullopt;
  }
  return future.get();
}

// The same for a future<void>: true when it became ready in time.
inline bool waitFor(std::future<void>& future, std::chrono::milliseconds deadline = kWait) {
  if (future.wait_for(deadline) != std::future_status::ready) {
    ADD_FAILURE() << "timed out waiting";
    return false;
  }
  future.get();
  return true;
}

// Waits until predicate() holds (polled; for counters another thread bumps), failing the test at the deadline.
template <class P>
bool waitUntil(P predicate, std::chrono::milliseconds deadline = kWait) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > end) {
      ADD_FAILURE() << "timed out waiting for a condition";
      return false;
    }
    std::this_thread::yield();
  }
  return true;
}

// Sends one request and waits for its handler. Also checks that the handler ran on the executor's thread.
inline Outcome sendAndWait(AsioExecutor& executor, HttpTransport& transport, sync::HttpRequest request) {
  auto promise = std::make_shared<std::promise<Outcome>>();
  auto future = promise->get_future();
  transport.send(std::move(request), [promise, &executor](std::optional<Error> failure, sync::HttpResponse response) {
    EXPECT_TRUE(executor.runningInThisThread());
    promise->set_value(Outcome{std::move(failure), std::move(response)});
  });
  auto outcome = waitFor(future);
  if (!outcome) return Outcome{Error(ErrorCategory::internal, "TEST_TIMEOUT", "no answer"), {}};
  return std::move(*outcome);
}

// Runs f on the executor's thread and waits for it: everything posted before has run by then.
template <class F>
void onExecutor(AsioExecutor& executor, F f) {
  std::promise<void> done;
  auto future = done.get_future();
  executor.post([&] {
    f();
    done.set_value();
  });
  ASSERT_EQ(future.wait_for(kWait), std::future_status::ready);
}

inline sync::HttpRequest pull(std::string token = "alpha", std::int64_t cursor = 0, int limit = 1000) {
  sync::HttpRequest request;
  request.method = sync::HttpRequest::Method::get;
  request.target = "/v1/pull?cursor=" + std::to_string(cursor) + "&limit=" + std::to_string(limit);
  request.token = std::move(token);
  return request;
}

// A push of `count` inserts into "lessons" by `device`, change ids from `first`; notesBytes pads each row.
inline sync::HttpRequest push(std::string token, const std::string& device, int count, int first = 1,
                              std::size_t notesBytes = 16) {
  protocol::PushRequest body;
  body.deviceId = device;
  for (int n = first; n < first + count; ++n) {
    protocol::WireChange change;
    change.id = device + ":" + std::to_string(n);
    change.table = "lessons";
    change.row = device + "-row-" + std::to_string(n);
    change.op = store::ChangeOp::insert;
    change.hlc = 111546104115200007ULL + static_cast<HlcStamp>(n);
    change.columns = {{"minutes", std::int64_t{90}},
                      {"notes", std::string(notesBytes, static_cast<char>('a' + n % 26))}};
    body.changes.push_back(std::move(change));
  }
  sync::HttpRequest request;
  request.method = sync::HttpRequest::Method::post;
  request.target = "/v1/push";
  request.body = protocol::encodePushRequest(body);
  request.token = std::move(token);
  return request;
}

// An executor whose thread runs for the test.
class ExecutorTest : public ::testing::Test {
 protected:
  ExecutorTest() { executor.startThread(); }

  TransportOptions optionsFor(std::string url) {
    TransportOptions options;
    options.url = std::move(url);
    options.connectTimeout = 5s;
    options.requestTimeout = 10s;
    return options;
  }

  AsioExecutor executor;
};

}  // namespace offline_sync::net::testing
