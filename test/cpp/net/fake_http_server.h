// A scripted HTTP server on raw Asio sockets (optionally TLS), for what the reference server never does: stay silent,
// cut a response short, send a gzip bomb, refuse with 503. Each request's raw text goes to a script that says what
// bytes to send back.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace offline_sync::net::testing {

struct Reply {
  std::string bytes;    // sent as is
  bool close = false;   // close the connection after sending
  bool silent = false;  // send nothing, keep the connection open (a black hole)
};

class FakeHttpServer {
 public:
  using Script = std::function<Reply(const std::string& request)>;

  // certDir: serve TLS with server.pem / server-key.pem from there.
  explicit FakeHttpServer(Script script, std::optional<std::string> certDir = std::nullopt)
      : script_(std::move(script)), acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    if (certDir) {
      tls_.emplace(boost::asio::ssl::context::tls_server);
      tls_->use_certificate_chain_file(*certDir + "/server.pem");
      tls_->use_private_key_file(*certDir + "/server-key.pem", boost::asio::ssl::context::pem);
    }
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FakeHttpServer() {
    boost::asio::post(io_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      for (auto& close : closers_) close();
      io_.stop();  // what is still pending is destroyed with io_, after the sessions' sockets are closed
    });
    thread_.join();
  }
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string url(const std::string& scheme = "http") const {
    return scheme + "://127.0.0.1:" + std::to_string(port());
  }
  std::size_t accepted() const { return accepted_; }
  std::size_t requests() const { return requests_; }
  std::size_t failedHandshakes() const { return failedHandshakes_; }
  std::string lastRequest() const {
    std::lock_guard lock(mutex_);
    return lastRequest_;
  }

 private:
  using tcp = boost::asio::ip::tcp;

  template <class Stream>
  struct Session : std::enable_shared_from_this<Session<Stream>> {
    template <class... Args>
    explicit Session(FakeHttpServer& server, Args&&... args) : server(server), stream(std::forward<Args>(args)...) {}

    void start() {
      if constexpr (std::is_same_v<Stream, tcp::socket>) {
        readRequest();
      } else {
        stream.async_handshake(boost::asio::ssl::stream_base::server, [self = this->shared_from_this()](auto ec) {
          if (ec) {
            ++self->server.failedHandshakes_;
            return self->close();
          }
          self->readRequest();
        });
      }
    }

    void readRequest() {
      boost::asio::async_read_until(stream, boost::asio::dynamic_buffer(buffer), "\r\n\r\n",
                                    [self = this->shared_from_this()](auto ec, std::size_t headerEnd) {
                                      if (ec) return self->close();
                                      self->readBody(headerEnd);
                                    });
    }

    void readBody(std::size_t headerEnd) {
      std::size_t length = 0;
      std::string lower = buffer.substr(0, headerEnd);
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (const auto at = lower.find("\r\ncontent-length:"); at != std::string::npos) {
        length = std::stoul(lower.substr(at + 17));
      }
      const std::size_t total = headerEnd + length;
      const std::size_t missing = buffer.size() >= total ? 0 : total - buffer.size();
      boost::asio::async_read(stream, boost::asio::dynamic_buffer(buffer), boost::asio::transfer_exactly(missing),
                              [self = this->shared_from_this(), total](auto ec, std::size_t) {
                                if (ec) return self->close();
                                self->answer(total);
                              });
    }

    void answer(std::size_t total) {
      const std::string request = buffer.substr(0, total);
      buffer.erase(0, total);
      ++server.requests_;
      {
        std::lock_guard lock(server.mutex_);
        server.lastRequest_ = request;
      }
      reply = server.script_(request);
      if (reply.silent) return;  // held open by closers_ until the server stops
      boost::asio::async_write(stream, boost::asio::buffer(reply.bytes),
                               [self = this->shared_from_this()](auto ec, std::size_t) {
                                 if (ec || self->reply.close) return self->close();
                                 self->readRequest();
                               });
    }

    void close() {
      boost::system::error_code ignored;
      auto& socket = lowest();
      socket.shutdown(tcp::socket::shutdown_both, ignored);
      socket.close(ignored);
    }
    tcp::socket& lowest() {
      if constexpr (std::is_same_v<Stream, tcp::socket>) {
        return stream;
      } else {
        return stream.next_layer();
      }
    }

    FakeHttpServer& server;
    Stream stream;
    std::string buffer;
    Reply reply;
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      ++accepted_;
      if (tls_) {
        start(std::make_shared<Session<boost::asio::ssl::stream<tcp::socket>>>(*this, std::move(socket), *tls_));
      } else {
        start(std::make_shared<Session<tcp::socket>>(*this, std::move(socket)));
      }
      accept();
    });
  }

  template <class S>
  void start(const std::shared_ptr<S>& session) {
    // Kept alive (a silent session has no operation pending) until the server stops.
    closers_.push_back([session] { session->close(); });
    session->start();
  }

  Script script_;
  boost::asio::io_context io_;
  std::optional<boost::asio::ssl::context> tls_;
  tcp::acceptor acceptor_;
  std::vector<std::function<void()>> closers_;  // the server's thread only
  std::atomic<std::size_t> accepted_{0};
  std::atomic<std::size_t> requests_{0};
  std::atomic<std::size_t> failedHandshakes_{0};
  mutable std::mutex mutex_;
  std::string lastRequest_;
  std::thread thread_;
};

}  // namespace offline_sync::net::testing
