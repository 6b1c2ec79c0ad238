#include "src/queue/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <thread>
#include <utility>

namespace vigil::queue {
namespace {

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

RedisReply Copy(const redisReply& r) {
  RedisReply out;
  switch (r.type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r.str, r.len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r.integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r.elements);
      for (size_t i = 0; i < r.elements; ++i) out.elements.push_back(Copy(*r.element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};

}  // namespace

void RedisClient::ContextDeleter::operator()(redisContext* c) const { redisFree(c); }

RedisClient::RedisClient(RedisClientOptions options) : options_(std::move(options)) {}
RedisClient::~RedisClient() = default;

std::string RedisClient::Describe() const {
  return "redis " + options_.host + ":" + std::to_string(options_.port);
}

Status RedisClient::SetTimeout(std::chrono::milliseconds timeout) {
  if (redisSetTimeout(ctx_.get(), ToTimeval(timeout)) != REDIS_OK) {
    return Status::IoError(Describe() + ": cannot set the timeout");
  }
  return Status::Ok();
}

Status RedisClient::ConnectOnce() {
  ctx_.reset(redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                     ToTimeval(options_.connect_timeout)));
  if (!ctx_) return Status::IoError(Describe() + ": out of memory");
  if (ctx_->err != 0) {
    Status s = Status::IoError(Describe() + ": " + ctx_->errstr);
    ctx_.reset();
    return s;
  }
  if (connected_before_) ++reconnects_;
  connected_before_ = true;
  return SetTimeout(options_.command_timeout);
}

Status RedisClient::Connect() {
  Status last;
  auto delay = options_.reconnect_delay;
  for (int attempt = 0; attempt <= std::max(0, options_.reconnect_attempts); ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(delay);  // backoff between attempts, not synchronisation
      delay = std::min<std::chrono::milliseconds>(delay * 2, std::chrono::seconds(2));
    }
    last = ConnectOnce();
    if (last.ok()) return last;
  }
  return last;
}

Result<RedisReply> RedisClient::Command(const std::vector<std::string>& args,
                                        std::chrono::milliseconds extra_timeout) {
  std::vector<const char*> argv;
  std::vector<size_t> argvlen;
  argv.reserve(args.size());
  argvlen.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    argvlen.push_back(a.size());
  }
  // A lost connection is re-established at once; every further failure in a
  // row (refused while Redis restarts, reset by a server that died just after
  // accepting, LOADING while it reads its AOF) waits, doubling the delay, up
  // to reconnect_attempts failures.
  Status last;
  int failures = 0;
  auto delay = options_.reconnect_delay;
  auto failed = [&](Status s) {
    last = std::move(s);
    if (++failures > 1) {
      std::this_thread::sleep_for(delay);  // backoff between attempts, not synchronisation
      delay = std::min<std::chrono::milliseconds>(delay * 2, std::chrono::seconds(2));
    }
    return failures <= std::max(0, options_.reconnect_attempts);
  };
  for (;;) {
    if (!ctx_) {
      Status c = ConnectOnce();
      if (!c.ok()) {
        if (!failed(std::move(c))) return last;
        continue;
      }
    }
    if (extra_timeout.count() > 0) {
      VIGIL_RETURN_IF_ERROR(SetTimeout(options_.command_timeout + extra_timeout));
    }
    std::unique_ptr<redisReply, ReplyDeleter> reply(static_cast<redisReply*>(
        redisCommandArgv(ctx_.get(), static_cast<int>(argv.size()), argv.data(), argvlen.data())));
    if (reply) {
      if (extra_timeout.count() > 0) VIGIL_RETURN_IF_ERROR(SetTimeout(options_.command_timeout));
      RedisReply out = Copy(*reply);
      if (!out.IsError("LOADING")) return out;
      if (!failed(Status::IoError(Describe() + ": " + out.str))) return last;
      continue;
    }
    // The connection is unusable after any hiredis error (I/O, EOF, a
    // timed-out read, a protocol error): drop it and start over.
    Status s = Status::IoError(Describe() + ": " + (ctx_->errstr[0] ? ctx_->errstr : "no reply"));
    ctx_.reset();
    if (!failed(std::move(s))) return last;
  }
}

}  // namespace vigil::queue
