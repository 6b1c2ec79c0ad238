// Test support: a private redis-server on a free loopback port, its data in
// a temporary folder (AOF on, fsync on every write), which a test can kill
// and start again on the same port and data.
#ifndef VIGIL_SRC_QUEUE_REDIS_TEST_SERVER_H_
#define VIGIL_SRC_QUEUE_REDIS_TEST_SERVER_H_

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "src/queue/redis_client.h"
#include "src/testing/temp_dir.h"

extern char** environ;

namespace vigil::queue::testing {

// A port the kernel just handed out on loopback (bound to port 0, closed).
inline int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) close(fd);
    return 0;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

class RedisTestServer {
 public:
  RedisTestServer() : port_(FreeLoopbackPort()) {}
  ~RedisTestServer() { Stop(SIGKILL); }
  RedisTestServer(const RedisTestServer&) = delete;
  RedisTestServer& operator=(const RedisTestServer&) = delete;

  int port() const { return port_; }
  std::string Url(const std::string& stream) const {
    return "redis://127.0.0.1:" + std::to_string(port_) + "/" + stream;
  }

  // Starts redis-server and waits (polling, up to 10 s) until it answers PING.
  bool Start() {
    if (port_ == 0) return false;
    const std::string port = std::to_string(port_), dir = dir_.path().string();
    std::vector<std::string> args = {VIGIL_REDIS_SERVER,
                                     "--port",
                                     port,
                                     "--bind",
                                     "127.0.0.1",
                                     "--dir",
                                     dir,
                                     "--appendonly",
                                     "yes",
                                     "--appendfsync",
                                     "always",
                                     "--save",
                                     "",
                                     "--daemonize",
                                     "no",
                                     "--logfile",
                                     dir + "/redis.log"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      RedisClientOptions o;
      o.port = port_;
      o.reconnect_attempts = 0;
      RedisClient client(o);
      auto pong = client.Command({"PING"});
      if (pong.ok() && pong->str == "PONG") return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  // Sends `signal` and waits for the server to exit.
  void Stop(int signal = SIGTERM) {
    if (pid_ <= 0) return;
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  vigil::testing::TempDir dir_{"vigil-redis"};
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace vigil::queue::testing

#endif  // VIGIL_SRC_QUEUE_REDIS_TEST_SERVER_H_
