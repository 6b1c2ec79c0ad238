// RedisClient: one synchronous hiredis connection (internal to the queue
// module; nothing outside src/queue sees hiredis).
//
// Commands are sent as argument vectors (binary-safe: a payload may hold any
// byte). A reply is copied into a RedisReply tree, so no hiredis object
// outlives the call. When the connection is lost (the server restarted, the
// network dropped, a read timed out) the client reconnects, up to
// `reconnect_attempts` failures in a row with a doubling delay (a server
// still loading its AOF counts as one), and sends the command
// again: a command may therefore run twice on the server (its reply was lost
// with the connection); the queue's callers are built for at-least-once.
//
// Not thread-safe: one thread at a time per client.
#ifndef VIGIL_SRC_QUEUE_REDIS_CLIENT_H_
#define VIGIL_SRC_QUEUE_REDIS_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"

struct redisContext;

namespace vigil::queue {

struct RedisReply {
  enum class Type { kString, kArray, kInteger, kNil, kStatus, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  int64_t integer = 0;
  std::vector<RedisReply> elements;  // kArray

  bool is_error() const { return type == Type::kError; }
  bool is_nil() const { return type == Type::kNil; }
  // An error reply whose text starts with `code` ("BUSYGROUP", "NOGROUP").
  bool IsError(std::string_view code) const {
    return type == Type::kError && std::string_view(str).substr(0, code.size()) == code;
  }
};

struct RedisClientOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::chrono::milliseconds connect_timeout{2000};
  // Every reply must arrive within this; a blocking command adds its own
  // block time.
  std::chrono::milliseconds command_timeout{10000};
  int reconnect_attempts = 10;
  std::chrono::milliseconds reconnect_delay{100};  // doubled per attempt, at most 2 s
};

class RedisClient {
 public:
  explicit RedisClient(RedisClientOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Connects now (Command connects lazily too). kIoError naming host:port.
  Status Connect();

  // Sends one command and returns its reply; a server error is a reply of
  // type kError, not a failed Status. kIoError when the connection could not
  // be (re)established within the attempts. `extra_timeout` lengthens the
  // reply timeout (for BLOCK).
  Result<RedisReply> Command(const std::vector<std::string>& args,
                             std::chrono::milliseconds extra_timeout = {});

  // How many times the connection was re-established (for logs and tests).
  int64_t reconnects() const { return reconnects_; }
  std::string Describe() const;

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const;
  };
  Status ConnectOnce();
  Status SetTimeout(std::chrono::milliseconds timeout);

  RedisClientOptions options_;
  std::unique_ptr<redisContext, ContextDeleter> ctx_;
  int64_t reconnects_ = 0;
  bool connected_before_ = false;
};

}  // namespace vigil::queue

#endif  // VIGIL_SRC_QUEUE_REDIS_CLIENT_H_
