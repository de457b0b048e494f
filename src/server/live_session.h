// The live channel (/v1/live): a WebSocket that tells one tenant's device the newest sequence number after commits.
#pragma once

#include <string>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "server/session_context.h"

namespace offline_sync::server {

// Takes over an authorized upgrade request's connection.
void startLiveSession(boost::beast::tcp_stream stream, boost::beast::http::request<boost::beast::http::string_body> request,
                      std::string tenant, SessionContext& context);

}  // namespace offline_sync::server
