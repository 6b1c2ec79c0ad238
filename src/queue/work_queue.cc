#include "vigil/queue/work_queue.h"

#include <algorithm>
#include <charconv>
#include <thread>
#include <utility>

#include "src/queue/redis_client.h"

namespace vigil::queue {
namespace {

using std::chrono::milliseconds;

// Adds ARGV[2] as field "p" unless the stream holds ARGV[1] entries or more.
constexpr std::string_view kBoundedAdd = R"(
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return false end
return redis.call('XADD', KEYS[1], '*', 'p', ARGV[2]))";

// KEYS: stream, errors hash. ARGV: group, ids...
constexpr std::string_view kAckDelete = R"(
local n = 0
for i = 2, #ARGV do
  n = n + redis.call('XACK', KEYS[1], ARGV[1], ARGV[i])
  redis.call('XDEL', KEYS[1], ARGV[i])
  redis.call('HDEL', KEYS[2], ARGV[i])
end
return n)";

// KEYS: stream, dead stream, errors hash. ARGV: group, id, payload, error,
// deliveries.
constexpr std::string_view kDeadLetter = R"(
redis.call('XADD', KEYS[2], '*', 'id', ARGV[2], 'p', ARGV[3], 'error', ARGV[4],
           'deliveries', ARGV[5])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[2])
return 1)";

// KEYS: lease. ARGV: owner.
constexpr std::string_view kRelease = R"(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0)";

bool StreamNameOk(std::string_view s) {
  if (s.empty() || s.size() > 200) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

std::optional<int64_t> ToInt(const RedisReply& r) {
  if (r.type == RedisReply::Type::kInteger) return r.integer;
  if (r.type != RedisReply::Type::kString && r.type != RedisReply::Type::kStatus) {
    return std::nullopt;
  }
  int64_t v = 0;
  const char* end = r.str.data() + r.str.size();
  auto [p, ec] = std::from_chars(r.str.data(), end, v);
  if (ec != std::errc() || p != end) return std::nullopt;
  return v;
}

// A flat [key, value, key, value, ...] array's value for `key`.
const RedisReply* Field(const RedisReply& flat, std::string_view key) {
  if (flat.type != RedisReply::Type::kArray) return nullptr;
  for (size_t i = 0; i + 1 < flat.elements.size(); i += 2) {
    if (flat.elements[i].str == key) return &flat.elements[i + 1];
  }
  return nullptr;
}

Status Corrupt(std::string_view what) {
  return Status::Corrupt(std::string("redis: unexpected reply to ") + std::string(what));
}

// [[id, [field, value, ...]], ...] -> messages with field "p" (entries
// deleted meanwhile come with no fields and are left out).
Result<std::vector<Message>> ParseEntries(const RedisReply& entries, std::string_view what) {
  std::vector<Message> out;
  if (entries.is_nil()) return out;
  if (entries.type != RedisReply::Type::kArray) return Corrupt(what);
  for (const auto& e : entries.elements) {
    if (e.type != RedisReply::Type::kArray || e.elements.size() != 2) return Corrupt(what);
    const RedisReply* p = Field(e.elements[1], "p");
    if (p == nullptr) continue;
    out.push_back({e.elements[0].str, p->str, 1});
  }
  return out;
}

}  // namespace

Result<QueueAddress> ParseQueueUrl(std::string_view url) {
  const std::string u(url);
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(u + ": " + std::string(why) +
                                   " (expected redis://HOST[:PORT]/STREAM)");
  };
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) return bad("not a redis:// URL");
  std::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return bad("no stream name");
  std::string_view hostport = rest.substr(0, slash);
  const std::string_view stream = rest.substr(slash + 1);
  if (!StreamNameOk(stream)) return bad("the stream name must be 1-200 of [A-Za-z0-9._-]");
  QueueAddress a;
  a.stream = std::string(stream);
  std::string_view port;
  if (!hostport.empty() && hostport.front() == '[') {
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) return bad("unclosed [");
    a.host = std::string(hostport.substr(1, close - 1));
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("junk after ]");
      port = after.substr(1);
    }
  } else {
    const size_t colon = hostport.rfind(':');
    a.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) port = hostport.substr(colon + 1);
  }
  if (a.host.empty()) return bad("no host");
  if (a.host.find('@') != std::string::npos) return bad("credentials are not supported");
  if (!port.empty() || hostport.back() == ':') {
    int p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p < 1 || p > 65535) {
      return bad("bad port");
    }
    a.port = p;
  }
  return a;
}

WorkQueue::WorkQueue(QueueAddress address, QueueOptions options,
                     std::unique_ptr<RedisClient> client)
    : address_(std::move(address)), options_(std::move(options)), client_(std::move(client)) {}

WorkQueue::~WorkQueue() {
  if (!producer_id_.empty()) (void)EndProducing();
}

int64_t WorkQueue::reconnects() const { return client_->reconnects(); }

Result<std::unique_ptr<WorkQueue>> WorkQueue::Open(std::string_view url, QueueOptions options) {
  VIGIL_ASSIGN_OR_RETURN(QueueAddress address, ParseQueueUrl(url));
  if (options.max_length < 1) return Status::InvalidArgument("queue: max length must be >= 1");
  if (options.max_deliveries < 1) {
    return Status::InvalidArgument("queue: max deliveries must be >= 1");
  }
  if (options.group.empty()) return Status::InvalidArgument("queue: empty group name");
  RedisClientOptions c;
  c.host = address.host;
  c.port = address.port;
  c.command_timeout = options.command_timeout;
  c.reconnect_attempts = options.reconnect_attempts;
  c.reconnect_delay = options.reconnect_delay;
  auto client = std::make_unique<RedisClient>(std::move(c));
  VIGIL_RETURN_IF_ERROR(client->Connect());
  std::unique_ptr<WorkQueue> q(
      new WorkQueue(std::move(address), std::move(options), std::move(client)));
  if (q->options_.create_group) VIGIL_RETURN_IF_ERROR(q->EnsureGroup());
  return q;
}

Result<RedisReply> WorkQueue::Call(std::string_view what, const std::vector<std::string>& args,
                                   milliseconds extra_timeout) {
  auto reply = client_->Command(args, extra_timeout);
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) {
    return Status::IoError(client_->Describe() + ": " + std::string(what) + ": " + reply->str);
  }
  return reply;
}

Status WorkQueue::EnsureGroup() {
  auto reply =
      client_->Command({"XGROUP", "CREATE", address_.stream, options_.group, "0", "MKSTREAM"});
  if (!reply.ok()) return reply.status();
  if (reply->is_error() && !reply->IsError("BUSYGROUP")) {
    return Status::IoError(client_->Describe() + ": XGROUP CREATE: " + reply->str);
  }
  return Status::Ok();
}

Result<std::string> WorkQueue::Enqueue(
    std::string_view payload, std::optional<std::chrono::steady_clock::time_point> deadline) {
  const std::vector<std::string> args = {"EVAL",
                                         std::string(kBoundedAdd),
                                         "1",
                                         address_.stream,
                                         std::to_string(options_.max_length),
                                         std::string(payload)};
  milliseconds wait = options_.poll_interval;
  for (;;) {
    VIGIL_RETURN_IF_ERROR(Heartbeat());
    VIGIL_ASSIGN_OR_RETURN(RedisReply reply, Call("XADD", args));
    if (reply.type == RedisReply::Type::kString) return reply.str;
    if (!reply.is_nil()) return Corrupt("XADD");
    const auto now = std::chrono::steady_clock::now();
    if (deadline && now >= *deadline) {
      return Status::ResourceExhausted("queue " + address_.stream + ": still holds " +
                                       std::to_string(options_.max_length) +
                                       " messages at the deadline");
    }
    // Polling: Redis has no blocking "wait until XLEN drops" for streams.
    auto nap = wait;
    if (deadline) {
      nap = std::min(nap,
                     std::chrono::duration_cast<milliseconds>(*deadline - now) + milliseconds(1));
    }
    std::this_thread::sleep_for(nap);
    wait = std::min(wait * 2, options_.poll_interval * 16);
  }
}

Result<std::vector<Message>> WorkQueue::Read(const std::string& consumer, size_t count,
                                             milliseconds block) {
  const std::vector<std::string> args = {"XREADGROUP",
                                         "GROUP",
                                         options_.group,
                                         consumer,
                                         "COUNT",
                                         std::to_string(std::max<size_t>(1, count)),
                                         "BLOCK",
                                         std::to_string(block.count()),
                                         "STREAMS",
                                         address_.stream,
                                         ">"};
  for (int attempt = 0;; ++attempt) {
    auto reply = client_->Command(args, block);
    if (!reply.ok()) return reply.status();
    if (reply->IsError("NOGROUP") && attempt == 0) {  // Redis lost it (restarted without AOF)
      VIGIL_RETURN_IF_ERROR(EnsureGroup());
      continue;
    }
    if (reply->is_error()) {
      return Status::IoError(client_->Describe() + ": XREADGROUP: " + reply->str);
    }
    if (reply->is_nil()) return std::vector<Message>{};
    // [[stream, entries]]
    if (reply->type != RedisReply::Type::kArray || reply->elements.size() != 1 ||
        reply->elements[0].elements.size() != 2) {
      return Corrupt("XREADGROUP");
    }
    return ParseEntries(reply->elements[0].elements[1], "XREADGROUP");
  }
}

Result<int64_t> WorkQueue::DeliveriesOf(const std::string& id) {
  VIGIL_ASSIGN_OR_RETURN(RedisReply reply, Call("XPENDING", {"XPENDING", address_.stream,
                                                             options_.group, id, id, "1"}));
  if (reply.type != RedisReply::Type::kArray) return Corrupt("XPENDING");
  if (reply.elements.empty()) return int64_t{0};  // acknowledged meanwhile
  const RedisReply& row = reply.elements[0];
  if (row.type != RedisReply::Type::kArray || row.elements.size() != 4) return Corrupt("XPENDING");
  auto n = ToInt(row.elements[3]);
  if (!n) return Corrupt("XPENDING");
  return *n;
}

Result<std::vector<Message>> WorkQueue::ClaimIdle(const std::string& consumer,
                                                  milliseconds min_idle, size_t count) {
  std::vector<Message> claimed;
  std::string start = "0-0";
  count = std::max<size_t>(1, count);
  // XAUTOCLAIM scans the pending list from `start`; a full pass ends at 0-0.
  do {
    VIGIL_ASSIGN_OR_RETURN(RedisReply reply,
                           Call("XAUTOCLAIM", {"XAUTOCLAIM", address_.stream, options_.group,
                                               consumer, std::to_string(min_idle.count()), start,
                                               "COUNT", std::to_string(count - claimed.size())}));
    if (reply.type != RedisReply::Type::kArray || reply.elements.size() < 2) {
      return Corrupt("XAUTOCLAIM");
    }
    start = reply.elements[0].str;
    VIGIL_ASSIGN_OR_RETURN(auto got, ParseEntries(reply.elements[1], "XAUTOCLAIM"));
    for (auto& m : got) claimed.push_back(std::move(m));
  } while (start != "0-0" && claimed.size() < count);

  std::vector<Message> out;
  for (auto& m : claimed) {
    VIGIL_ASSIGN_OR_RETURN(m.deliveries, DeliveriesOf(m.id));
    if (m.deliveries == 0) continue;  // acknowledged by its first consumer meanwhile
    if (m.deliveries > options_.max_deliveries) {
      VIGIL_ASSIGN_OR_RETURN(RedisReply last,
                             Call("HGET", {"HGET", address_.stream + ":errors", m.id}));
      const std::string error =
          last.type == RedisReply::Type::kString
              ? last.str
              : "delivered " + std::to_string(m.deliveries) +
                    " times without being acknowledged (its consumers died or stalled)";
      VIGIL_RETURN_IF_ERROR(DeadLetter(m, error));
      continue;
    }
    out.push_back(std::move(m));
  }
  return out;
}

Status WorkQueue::Ack(const std::vector<std::string>& ids) {
  if (ids.empty()) return Status::Ok();
  std::vector<std::string> args = {"EVAL",          std::string(kAckDelete),     "2",
                                   address_.stream, address_.stream + ":errors", options_.group};
  args.insert(args.end(), ids.begin(), ids.end());
  auto reply = Call("XACK", args);
  return reply.ok() ? Status::Ok() : reply.status();
}

Result<bool> WorkQueue::Fail(const Message& message, std::string_view error) {
  if (message.deliveries >= options_.max_deliveries) {
    VIGIL_RETURN_IF_ERROR(DeadLetter(message, error));
    return true;
  }
  auto reply = Call("HSET", {"HSET", address_.stream + ":errors", message.id, std::string(error)});
  if (!reply.ok()) return reply.status();
  return false;
}

Status WorkQueue::DeadLetter(const Message& message, std::string_view error) {
  auto reply = Call("dead letter", {"EVAL", std::string(kDeadLetter), "3", address_.stream,
                                    address_.stream + ":dead", address_.stream + ":errors",
                                    options_.group, message.id, message.payload, std::string(error),
                                    std::to_string(message.deliveries)});
  return reply.ok() ? Status::Ok() : reply.status();
}

Result<std::vector<Message>> WorkQueue::DeadLetters(size_t count,
                                                    std::vector<std::string>* errors) {
  VIGIL_ASSIGN_OR_RETURN(RedisReply reply, Call("XRANGE", {"XRANGE", address_.stream + ":dead", "-",
                                                           "+", "COUNT", std::to_string(count)}));
  if (reply.type != RedisReply::Type::kArray) return Corrupt("XRANGE");
  std::vector<Message> out;
  for (const auto& e : reply.elements) {
    if (e.type != RedisReply::Type::kArray || e.elements.size() != 2) return Corrupt("XRANGE");
    const RedisReply& f = e.elements[1];
    const RedisReply* id = Field(f, "id");
    const RedisReply* p = Field(f, "p");
    const RedisReply* err = Field(f, "error");
    const RedisReply* n = Field(f, "deliveries");
    if (!id || !p || !err || !n || !ToInt(*n)) return Corrupt("XRANGE");
    out.push_back({id->str, p->str, *ToInt(*n)});
    if (errors != nullptr) errors->push_back(err->str);
  }
  return out;
}

Status WorkQueue::BeginProducing(const std::string& producer_id) {
  producer_id_ = producer_id;
  auto reply = Call("SADD", {"SADD", address_.stream + ":producers", producer_id_});
  if (!reply.ok()) return reply.status();
  last_heartbeat_ = {};
  return Heartbeat();
}

Status WorkQueue::Heartbeat() {
  if (producer_id_.empty()) return Status::Ok();
  const auto now = std::chrono::steady_clock::now();
  if (now - last_heartbeat_ < options_.producer_ttl / 4) return Status::Ok();
  auto reply = Call("SET", {"SET", address_.stream + ":producer:" + producer_id_, "1", "PX",
                            std::to_string(options_.producer_ttl.count())});
  if (!reply.ok()) return reply.status();
  last_heartbeat_ = now;
  return Status::Ok();
}

Status WorkQueue::EndProducing() {
  if (producer_id_.empty()) return Status::Ok();
  const std::string id = std::move(producer_id_);
  producer_id_.clear();
  auto a = Call("DEL", {"DEL", address_.stream + ":producer:" + id});
  if (!a.ok()) return a.status();
  auto b = Call("SREM", {"SREM", address_.stream + ":producers", id});
  return b.ok() ? Status::Ok() : b.status();
}

Result<bool> WorkQueue::Drained() {
  VIGIL_ASSIGN_OR_RETURN(QueueStatus s, GetStatus());
  return s.length == 0 && s.pending == 0 && s.producers == 0;
}

Result<QueueStatus> WorkQueue::GetStatus() {
  QueueStatus s;
  s.stream = address_.stream;
  s.group = options_.group;
  VIGIL_ASSIGN_OR_RETURN(RedisReply len, Call("XLEN", {"XLEN", address_.stream}));
  s.length = len.integer;
  VIGIL_ASSIGN_OR_RETURN(RedisReply dead, Call("XLEN", {"XLEN", address_.stream + ":dead"}));
  s.dead = dead.integer;

  auto groups = client_->Command({"XINFO", "GROUPS", address_.stream});
  if (!groups.ok()) return groups.status();
  if (groups->type == RedisReply::Type::kArray) {  // an error reply: no stream yet
    for (const auto& g : groups->elements) {
      const RedisReply* name = Field(g, "name");
      if (name == nullptr || name->str != options_.group) continue;
      if (const RedisReply* p = Field(g, "pending"); p && ToInt(*p)) s.pending = *ToInt(*p);
      if (const RedisReply* id = Field(g, "last-delivered-id")) s.last_delivered_id = id->str;
      if (const RedisReply* r = Field(g, "entries-read"); r && ToInt(*r))
        s.entries_read = ToInt(*r);
      if (const RedisReply* l = Field(g, "lag"); l && ToInt(*l)) s.lag = ToInt(*l);
    }
    auto consumers = client_->Command({"XINFO", "CONSUMERS", address_.stream, options_.group});
    if (!consumers.ok()) return consumers.status();
    if (consumers->type == RedisReply::Type::kArray) {
      for (const auto& c : consumers->elements) {
        ConsumerStatus cs;
        const RedisReply* name = Field(c, "name");
        if (name == nullptr) return Corrupt("XINFO CONSUMERS");
        cs.name = name->str;
        if (const RedisReply* p = Field(c, "pending"); p && ToInt(*p)) cs.pending = *ToInt(*p);
        if (const RedisReply* i = Field(c, "idle"); i && ToInt(*i)) cs.idle_ms = *ToInt(*i);
        s.consumers.push_back(std::move(cs));
      }
    }
  }

  if (!s.lag && s.length >= s.pending) s.lag = s.length - s.pending;

  // Producers whose key expired have crashed: they are forgotten.
  VIGIL_ASSIGN_OR_RETURN(RedisReply members,
                         Call("SMEMBERS", {"SMEMBERS", address_.stream + ":producers"}));
  for (const auto& m : members.elements) {
    VIGIL_ASSIGN_OR_RETURN(RedisReply live,
                           Call("EXISTS", {"EXISTS", address_.stream + ":producer:" + m.str}));
    if (live.integer > 0) {
      ++s.producers;
    } else {
      VIGIL_RETURN_IF_ERROR(Call("SREM", {"SREM", address_.stream + ":producers", m.str}).status());
    }
  }
  return s;
}

Status WorkQueue::AppendOrder(const std::vector<std::string>& keys) {
  if (keys.empty()) return Status::Ok();
  std::vector<std::string> args = {"RPUSH", address_.stream + ":order"};
  args.insert(args.end(), keys.begin(), keys.end());
  return Call("RPUSH", args).status();
}

Result<std::vector<std::string>> WorkQueue::ReadOrder() {
  VIGIL_ASSIGN_OR_RETURN(RedisReply reply,
                         Call("LRANGE", {"LRANGE", address_.stream + ":order", "0", "-1"}));
  std::vector<std::string> out;
  out.reserve(reply.elements.size());
  for (auto& e : reply.elements) out.push_back(std::move(e.str));
  return out;
}

Status WorkQueue::TrimOrder(size_t n) {
  if (n == 0) return Status::Ok();
  return Call("LTRIM", {"LTRIM", address_.stream + ":order", std::to_string(n), "-1"}).status();
}

Result<bool> WorkQueue::AcquireLease(std::string_view name, std::string_view owner,
                                     milliseconds ttl) {
  VIGIL_ASSIGN_OR_RETURN(
      RedisReply reply,
      Call("SET", {"SET", address_.stream + ":lease:" + std::string(name), std::string(owner), "NX",
                   "PX", std::to_string(std::max<int64_t>(1, ttl.count()))}));
  return !reply.is_nil();
}

Status WorkQueue::ReleaseLease(std::string_view name, std::string_view owner) {
  return Call("EVAL", {"EVAL", std::string(kRelease), "1",
                       address_.stream + ":lease:" + std::string(name), std::string(owner)})
      .status();
}

}  // namespace vigil::queue
