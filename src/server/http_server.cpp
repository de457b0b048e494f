// The listener and the thread pool. stop() closes the acceptor, asks every session to finish, and gives them
// stopGrace before the io_context is stopped outright.
#include "server/http_server.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.h"
#include "server/session_context.h"

namespace offline_sync::server {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpServer::Impl {
  Impl(Router& router, LiveHub& hub, ServerOptions options)
      : context(router, hub, options), io(std::max(1, options.threads)), acceptor(io), stopTimer(io), signals(io) {}

  void doAccept() {
    acceptor.async_accept(net::make_strand(io), [this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) startHttpSession(std::move(socket), context);
      doAccept();  // a failed accept (too many open files, say) must not stop the server
    });
  }

  // Until every session has ended, or the grace period is over: then whatever is left is cut off.
  void waitForSessions() {
    if (context.openCount() == 0) return;
    if (std::chrono::steady_clock::now() >= stopDeadline) return io.stop();
    stopTimer.expires_after(std::chrono::milliseconds(20));
    stopTimer.async_wait([this](boost::system::error_code ec) {
      if (!ec) waitForSessions();
    });
  }

  SessionContext context;
  std::chrono::steady_clock::time_point stopDeadline;
  net::io_context io;
  tcp::acceptor acceptor;
  net::steady_timer stopTimer;
  net::signal_set signals;
  std::vector<std::thread> threads;
  std::once_flag stopOnce;
};

HttpServer::HttpServer(Router& router, LiveHub& hub, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, hub, options)) {
  boost::system::error_code ec;
  const auto address = net::ip::make_address(options.host, ec);
  if (ec) throw Error(ErrorCategory::argument, codes::invalidArg, "Not an IP address: " + options.host);
  const tcp::endpoint endpoint(address, options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    throw Error(ErrorCategory::network, "ERR_NETWORK",
                "Cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " + ec.message());
  }
}

HttpServer::~HttpServer() {
  stop();
  wait();
}

std::uint16_t HttpServer::port() const {
  boost::system::error_code ec;
  const auto endpoint = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void HttpServer::start() {
  impl_->doAccept();
  for (int i = 0; i < std::max(1, impl_->context.options.threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->io.run(); });
  }
}

void HttpServer::stop() {
  std::call_once(impl_->stopOnce, [this] {
    net::post(impl_->io, [this] {
      impl_->context.stopping = true;
      boost::system::error_code ignored;
      impl_->acceptor.close(ignored);
      impl_->signals.cancel(ignored);
      impl_->context.shutdownAll();
      impl_->stopDeadline = std::chrono::steady_clock::now() + impl_->context.options.stopGrace;
      impl_->waitForSessions();
    });
  });
}

void HttpServer::wait() {
  for (auto& thread : impl_->threads) {
    if (thread.joinable()) thread.join();
  }
}

void HttpServer::stopOnSignals() {
  impl_->signals.add(SIGINT);
  impl_->signals.add(SIGTERM);
  impl_->signals.async_wait([this](boost::system::error_code ec, int) {
    if (!ec) stop();
  });
}

}  // namespace offline_sync::server
