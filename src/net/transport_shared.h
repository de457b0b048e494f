// What every connection of one HttpTransport shares. Held by shared_ptr, so a connection whose completion arrives
// after the transport is gone still finds valid options and TLS context.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <memory>

#include "net/transport_options.h"
#include "net/url.h"

namespace offline_sync::net {

struct TransportShared {
  TransportShared(boost::asio::io_context& io, TransportOptions options, ServerUrl url,
                  std::shared_ptr<boost::asio::ssl::context> tls)
      : io(io), options(std::move(options)), url(std::move(url)), tls(std::move(tls)) {}

  boost::asio::io_context& io;
  const TransportOptions options;
  const ServerUrl url;
  const std::shared_ptr<boost::asio::ssl::context> tls;  // null for http://
  // shutdown() increments it (from any thread): work started in an older epoch never reports, so nothing that
  // was in flight at shutdown() can still succeed afterwards.
  std::atomic<std::uint64_t> epoch{0};
};

}  // namespace offline_sync::net
