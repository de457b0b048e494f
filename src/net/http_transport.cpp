// HttpTransport: validates the configuration, then hands each call to the executor's thread, where the HttpClient
// and the LiveChannel do the work. The mutex only guards which live channel is current, for calls from other threads.
#include "net/http_transport.h"

#include <boost/asio/dispatch.hpp>
#include <mutex>

#include "core/error.h"
#include "net/http_client.h"
#include "net/live_channel.h"
#include "net/tls_context.h"
#include "net/transport_shared.h"

namespace offline_sync::net {

namespace asio = boost::asio;

struct HttpTransport::Impl {
  std::shared_ptr<TransportShared> shared;
  std::shared_ptr<HttpClient> client;
  std::mutex liveMutex;
  std::shared_ptr<LiveChannel> live;
};

namespace {

void checkOptions(const TransportOptions& options) {
  if (options.connectTimeout.count() <= 0) throwInvalidArgument("connectTimeout must be positive");
  if (options.requestTimeout.count() <= 0) throwInvalidArgument("requestTimeout must be positive");
  if (options.livePing.count() <= 0) throwInvalidArgument("livePing must be positive");
  if (options.maxResponseBytes == 0) throwInvalidArgument("maxResponseBytes must be positive");
}

}  // namespace

HttpTransport::HttpTransport(AsioExecutor& executor, TransportOptions options) : impl_(std::make_unique<Impl>()) {
  checkOptions(options);
  ServerUrl url = parseServerUrl(options.url);
  std::shared_ptr<asio::ssl::context> tls;
  if (url.tls) tls = makeClientTlsContext(options.ca);
  impl_->shared = std::make_shared<TransportShared>(executor.context(), std::move(options), std::move(url), std::move(tls));
  impl_->client = std::make_shared<HttpClient>(impl_->shared);
}

HttpTransport::~HttpTransport() { shutdown(); }

void HttpTransport::send(sync::HttpRequest request, sync::ResponseHandler handler) {
  const std::uint64_t epoch = impl_->shared->epoch.load();
  asio::dispatch(impl_->shared->io, [client = impl_->client, request = std::move(request),
                                     handler = std::move(handler), epoch]() mutable {
    client->send(std::move(request), std::move(handler), epoch);
  });
}

void HttpTransport::openLive(std::string token, sync::LiveHandlers handlers) {
  auto channel = std::make_shared<LiveChannel>(impl_->shared, std::move(token), std::move(handlers));
  std::shared_ptr<LiveChannel> previous;
  {
    std::lock_guard lock(impl_->liveMutex);
    previous = std::exchange(impl_->live, channel);
  }
  if (previous) previous->cancel();
  asio::dispatch(impl_->shared->io, [channel] { channel->start(); });
}

void HttpTransport::closeLive() {
  std::shared_ptr<LiveChannel> previous;
  {
    std::lock_guard lock(impl_->liveMutex);
    previous = std::exchange(impl_->live, nullptr);
  }
  if (previous) previous->cancel();
}

void HttpTransport::shutdown() {
  ++impl_->shared->epoch;  // first: whatever completes from now on, before the cleanup below runs, is dropped
  closeLive();
  asio::dispatch(impl_->shared->io, [client = impl_->client] { client->cancelAll(); });
}

}  // namespace offline_sync::net
