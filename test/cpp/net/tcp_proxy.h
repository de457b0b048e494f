// A TCP relay in front of a server that counts the connections it accepts and the bytes clients send, and can cut
// every connection on demand (as a server closing idle keep-alive connections does).
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <memory>
#include <thread>
#include <vector>

namespace offline_sync::net::testing {

class TcpProxy {
 public:
  explicit TcpProxy(std::uint16_t target)
      : target_(boost::asio::ip::make_address("127.0.0.1"), target),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TcpProxy() {
    boost::asio::post(io_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      closeAll();
      io_.stop();
    });
    thread_.join();
  }
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  std::size_t accepted() const { return accepted_; }
  std::size_t clientBytes() const { return clientBytes_; }  // client → server

  // Closes every relayed connection on both sides; returns when done.
  void dropAll() {
    std::promise<void> done;
    boost::asio::post(io_, [&] {
      closeAll();
      done.set_value();
    });
    done.get_future().wait();
  }

 private:
  using tcp = boost::asio::ip::tcp;

  struct Pipe {
    explicit Pipe(boost::asio::io_context& io) : client(io), server(io) {}
    tcp::socket client;
    tcp::socket server;
    std::array<char, 16 * 1024> up{};
    std::array<char, 16 * 1024> down{};
    void close() {
      boost::system::error_code ignored;
      client.shutdown(tcp::socket::shutdown_both, ignored);
      client.close(ignored);
      server.shutdown(tcp::socket::shutdown_both, ignored);
      server.close(ignored);
    }
  };

  void accept() {
    auto pipe = std::make_shared<Pipe>(io_);
    acceptor_.async_accept(pipe->client, [this, pipe](boost::system::error_code ec) {
      if (ec) return;
      ++accepted_;
      pipes_.push_back(pipe);
      pipe->server.async_connect(target_, [this, pipe](boost::system::error_code ec) {
        if (ec) return pipe->close();
        relay(pipe, pipe->client, pipe->server, pipe->up, true);
        relay(pipe, pipe->server, pipe->client, pipe->down, false);
      });
      accept();
    });
  }

  void relay(const std::shared_ptr<Pipe>& pipe, tcp::socket& from, tcp::socket& to, std::array<char, 16 * 1024>& buffer,
             bool upstream) {
    from.async_read_some(boost::asio::buffer(buffer), [=, this, &from, &to, &buffer](boost::system::error_code ec,
                                                                                     std::size_t n) {
      if (ec) return pipe->close();
      if (upstream) clientBytes_ += n;
      boost::asio::async_write(to, boost::asio::buffer(buffer.data(), n),
                               [=, this, &from, &to, &buffer](boost::system::error_code ec, std::size_t) {
                                 if (ec) return pipe->close();
                                 relay(pipe, from, to, buffer, upstream);
                               });
    });
  }

  void closeAll() {
    for (auto& pipe : pipes_) pipe->close();
    pipes_.clear();
  }

  boost::asio::io_context io_;
  tcp::endpoint target_;
  tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<Pipe>> pipes_;  // the proxy's thread only
  std::atomic<std::size_t> accepted_{0};
  std::atomic<std::size_t> clientBytes_{0};
  std::thread thread_;
};

}  // namespace offline_sync::net::testing
