// The client TLS context of an https transport: peer verification against the system's CAs and optional extra ones.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

namespace offline_sync::net {

// Throws Error(argument, ERR_INVALID_ARG) when caPem holds no valid certificate.
std::shared_ptr<boost::asio::ssl::context> makeClientTlsContext(const std::string& caPem);

}  // namespace offline_sync::net
