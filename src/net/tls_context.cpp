// Builds the client TLS context: TLS 1.2 or newer, verify_peer, system CAs plus the configured PEM.
#include "net/tls_context.h"

#include <openssl/ssl.h>

#include <boost/asio/buffer.hpp>

#include "core/error.h"

namespace offline_sync::net {

namespace ssl = boost::asio::ssl;

std::shared_ptr<ssl::context> makeClientTlsContext(const std::string& caPem) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  context->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  // A machine without a CA bundle can still reach a server whose CA is configured: not an error here.
  context->set_default_verify_paths(ec);
  if (!caPem.empty()) {
    context->add_certificate_authority(boost::asio::buffer(caPem), ec);
    if (ec) throwInvalidArgument("The ca option is not PEM certificate text: " + ec.message());
  }
  return context;
}

}  // namespace offline_sync::net
