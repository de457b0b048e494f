// Connector: the resolve → connect → TLS handshake chain. Whichever ends it first (a failure, the deadline or
// cancel()) sets finished_; completions arriving later find it set and do nothing.
#include "net/connector.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <utility>

#include "core/sync/transport.h"

namespace offline_sync::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
namespace codes = sync::net_codes;

Connector::Connector(std::shared_ptr<TransportShared> shared)
    : shared_(std::move(shared)), resolver_(shared_->io), deadline_(shared_->io) {}

void Connector::start(Callback done) {
  done_ = std::move(done);
  deadline_.expires_after(shared_->options.connectTimeout);
  deadline_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->onDeadline();
  });
  resolver_.async_resolve(shared_->url.host, shared_->url.port,
                          [self = shared_from_this()](const boost::system::error_code& ec,
                                                      const tcp::resolver::results_type& results) {
                            self->onResolved(ec, results);
                          });
}

void Connector::cancel() {
  finished_ = true;
  done_ = nullptr;
  deadline_.cancel();
  resolver_.cancel();
  stream_.close();
}

void Connector::onResolved(const boost::system::error_code& ec, const tcp::resolver::results_type& results) {
  if (finished_) return;
  if (ec) return fail(Error(ErrorCategory::network, codes::network,
                            "Cannot resolve " + shared_->url.where() + ": " + ec.message()));
  stream_.plain.emplace(shared_->io);
  stream_.plain->async_connect(results, [self = shared_from_this()](const boost::system::error_code& ec,
                                                                    const tcp::endpoint&) { self->onConnected(ec); });
}

void Connector::onConnected(const boost::system::error_code& ec) {
  if (finished_) return;
  if (ec) return fail(Error(ErrorCategory::network, codes::network,
                            "Cannot connect to " + shared_->url.where() + ": " + ec.message()));
  if (!shared_->tls) return succeed();

  stream_.tls.emplace(std::move(*stream_.plain), *shared_->tls);
  stream_.plain.reset();
  const std::string& host = shared_->url.host;
  boost::system::error_code notAnAddress;
  asio::ip::make_address(host, notAnAddress);
  // SNI carries host names only (RFC 6066); the certificate is checked against the name or the address either way.
  if (notAnAddress && SSL_set_tlsext_host_name(stream_.tls->native_handle(), host.c_str()) != 1) {
    return fail(Error(ErrorCategory::network, codes::tls, "Cannot set the TLS server name for " + shared_->url.where()));
  }
  stream_.tls->set_verify_mode(ssl::verify_peer);
  stream_.tls->set_verify_callback(ssl::host_name_verification(host));
  stream_.tls->async_handshake(ssl::stream_base::client, [self = shared_from_this()](const boost::system::error_code& ec) {
    self->onHandshake(ec);
  });
}

void Connector::onHandshake(const boost::system::error_code& ec) {
  if (finished_) return;
  if (ec) return fail(Error(ErrorCategory::network, codes::tls, tlsFailure(ec)));
  succeed();
}

std::string Connector::tlsFailure(const boost::system::error_code& ec) {
  std::string message = "TLS handshake with " + shared_->url.where() + " failed: " + ec.message();
  const long verify = SSL_get_verify_result(stream_.tls->native_handle());
  if (verify != X509_V_OK) message += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
  return message;
}

void Connector::onDeadline() {
  if (finished_) return;
  fail(Error(ErrorCategory::network, codes::timeout,
             "Connecting to " + shared_->url.where() + " took longer than " +
                 std::to_string(shared_->options.connectTimeout.count()) + " ms"));
}

void Connector::fail(Error error) {
  finished_ = true;
  deadline_.cancel();
  resolver_.cancel();
  stream_.close();
  Callback done = std::exchange(done_, nullptr);
  if (done) done(std::move(error), ConnectedStream{});
}

void Connector::succeed() {
  finished_ = true;
  deadline_.cancel();
  ConnectedStream connected(std::move(stream_));  // leaves stream_ empty for a later cancel()
  Callback done = std::exchange(done_, nullptr);
  if (done) done(std::nullopt, std::move(connected));
}

}  // namespace offline_sync::net
