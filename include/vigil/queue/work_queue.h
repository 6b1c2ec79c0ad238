// WorkQueue: a bounded work queue on one Redis stream, read through a
// consumer group, for running scans on many machines (`vigil scan --queue`,
// `vigil worker`).
//
//   auto q = queue::WorkQueue::Open("redis://127.0.0.1:6379/vigil", {});
//   (*q)->Enqueue(payload, deadline);               // producer: waits while the stream is full
//   auto got = (*q)->Read("worker-1", 100, 1000ms); // consumer: new messages for this consumer
//   ... process, commit ...
//   (*q)->Ack(ids);                                 // XACK + XDEL: done
//
// Keys, for a stream named S (one Redis server; the keys are not spread
// over a cluster):
//   S             the work: one entry per message, field "p" = the payload.
//                 Consumers XACK and then XDEL what they finished (in one
//                 script), so XLEN S is exactly the work not yet done, and
//                 the producers' bound on it bounds Redis's memory.
//   S:dead        dead letters: fields id (the original id), p (payload),
//                 error, deliveries.
//   S:errors      hash: message id -> the last error a consumer hit on it.
//   S:order       list: keys the producers met first, in their order (the
//                 app keeps media SHA-256s here for repost matching).
//   S:producers   set of producer ids; each live producer refreshes
//                 S:producer:<id> (expires after producer_ttl), so a crashed
//                 producer stops counting once its key expires.
//   S:lease:<n>   short exclusive leases (SET NX PX), e.g. the final match pass.
// The consumer group is options.group ("vigil"), created with MKSTREAM on
// Open (BUSYGROUP tolerated).
//
// Delivery is at least once: a consumer that dies keeps its messages pending
// until another claims them (ClaimIdle, XAUTOCLAIM, Redis >= 6.2); a command
// whose reply was lost with a dropped connection is sent again after the
// reconnect, so a message may be added or processed twice. Consumers must
// therefore be idempotent (vigil's store writes are). A message delivered
// more than max_deliveries times, or failed (Fail) on its max_deliveries-th
// delivery, goes to S:dead with its error and leaves S.
//
// Connection loss (a Redis restart) is retried inside every call (bounded,
// see QueueOptions); a call returns kIoError only when Redis stays away.
// With Redis's AOF on (appendfsync always), a restart loses nothing that a
// call reported done.
//
// Errors: kInvalidArgument for a bad URL or option, kIoError when Redis
// cannot be reached or answers with an error, kResourceExhausted when
// Enqueue's deadline passes while the stream stays full, kCorrupt for a
// reply of an unexpected shape.
//
// Thread-safety: none; one WorkQueue per thread (each holds its own
// connection). Any number of processes may share a stream.
#ifndef VIGIL_QUEUE_WORK_QUEUE_H_
#define VIGIL_QUEUE_WORK_QUEUE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"

namespace vigil::queue {

class RedisClient;
struct RedisReply;

// redis://HOST[:PORT]/STREAM (PORT defaults to 6379). HOST is a name, an IPv4
// address or [IPv6]; STREAM is 1-200 of [A-Za-z0-9._-] (no ':', which the
// side keys use).
struct QueueAddress {
  std::string host;
  int port = 6379;
  std::string stream;
};
// kInvalidArgument "<url>: ..." saying what is wrong.
Result<QueueAddress> ParseQueueUrl(std::string_view url);

struct QueueOptions {
  std::string group = "vigil";
  // Enqueue waits while the stream holds this many messages or more.
  int64_t max_length = 10000;
  // A message is dead-lettered once it has been delivered this many times
  // without being acknowledged (>= 1).
  int64_t max_deliveries = 5;
  // How often a waiting Enqueue looks again (it doubles up to 16x this).
  std::chrono::milliseconds poll_interval{20};
  // Connection: every reply within command_timeout; after a lost connection
  // up to reconnect_attempts tries, the delay doubling from reconnect_delay
  // up to 2 s (the default rides out ~15 s of Redis being away).
  std::chrono::milliseconds command_timeout{10000};
  int reconnect_attempts = 10;
  std::chrono::milliseconds reconnect_delay{100};
  // A producer that has not been heard of for this long counts as gone.
  std::chrono::milliseconds producer_ttl{30000};
  // Open creates the stream and the group when missing; false leaves Redis
  // as it is (a status read).
  bool create_group = true;
};

struct Message {
  std::string id;       // the stream id, "1700000000000-0"
  std::string payload;  // as enqueued, byte for byte
  int64_t deliveries = 1;
};

struct ConsumerStatus {
  std::string name;
  int64_t pending = 0;  // delivered to it, not acknowledged
  int64_t idle_ms = 0;  // since its last read or claim
};

struct QueueStatus {
  std::string stream, group;
  int64_t length = 0;   // XLEN: messages not yet done (new and pending)
  int64_t pending = 0;  // delivered and not acknowledged
  std::vector<ConsumerStatus> consumers;
  // From XINFO GROUPS (Redis >= 7): entries the group has read (nullopt
  // when Redis cannot tell), and the entries added that no consumer has
  // read yet. Redis cannot tell the lag once entries were deleted in the
  // middle of the stream (as Ack does); it is then length - pending, which
  // is exact here because finished entries are deleted.
  std::optional<int64_t> entries_read, lag;
  std::string last_delivered_id;
  int64_t dead = 0;       // XLEN S:dead
  int64_t producers = 0;  // live producers
};

class WorkQueue {
 public:
  // Parses `url`, connects and (with options.create_group) creates the
  // consumer group and the stream if missing.
  static Result<std::unique_ptr<WorkQueue>> Open(std::string_view url, QueueOptions options);
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  const QueueAddress& address() const { return address_; }
  const QueueOptions& options() const { return options_; }

  // Adds one message once the stream holds fewer than max_length (checked
  // and added in one script, so concurrent producers never overshoot).
  // Waits, polling, while it is full; kResourceExhausted when `deadline`
  // passes first (nullopt: wait for ever). Returns the new id.
  Result<std::string> Enqueue(
      std::string_view payload,
      std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);

  // Up to `count` messages never delivered before, now delivered to
  // `consumer` (XREADGROUP >), waiting up to `block` for the first; empty
  // when none came. Recreates the group if Redis lost it.
  Result<std::vector<Message>> Read(const std::string& consumer, size_t count,
                                    std::chrono::milliseconds block);

  // Takes over up to `count` messages that have been pending (with any
  // consumer) for at least `min_idle` (XAUTOCLAIM), with their delivery
  // counts. Those now delivered more than max_deliveries times are moved to
  // S:dead (with the last error Fail recorded, or "delivered N times without
  // being acknowledged") and not returned.
  Result<std::vector<Message>> ClaimIdle(const std::string& consumer,
                                         std::chrono::milliseconds min_idle, size_t count);

  // Finished: XACK and XDEL, in one script (and the recorded error dropped).
  Status Ack(const std::vector<std::string>& ids);

  // `message` could not be processed. On its max_deliveries-th delivery (or
  // later) it goes to S:dead with `error` and true is returned; before that
  // the error is recorded and the message stays pending, for ClaimIdle to
  // hand out again once it has been idle long enough.
  Result<bool> Fail(const Message& message, std::string_view error);

  // Moves `message` to S:dead now (with `error` and its delivery count).
  Status DeadLetter(const Message& message, std::string_view error);

  // The dead letters, oldest first (at most `count`): id, payload,
  // deliveries, and the error in `errors` (same order).
  Result<std::vector<Message>> DeadLetters(size_t count, std::vector<std::string>* errors);

  // Producer registration: while registered (and refreshed by Enqueue or
  // Heartbeat within producer_ttl), Drained() is false.
  Status BeginProducing(const std::string& producer_id);
  Status Heartbeat();
  Status EndProducing();

  // True when the stream holds nothing (no new and no pending message) and
  // no producer is live: a --drain worker may stop.
  Result<bool> Drained();

  Result<QueueStatus> GetStatus();

  // S:order: appends `keys` (RPUSH), reads them all back in order, and
  // drops the first `n` (LTRIM; what was appended after a read stays).
  Status AppendOrder(const std::vector<std::string>& keys);
  Result<std::vector<std::string>> ReadOrder();
  Status TrimOrder(size_t n);

  // A lease named `name` held by `owner` for `ttl` (SET NX PX): true when
  // acquired. ReleaseLease drops it only while `owner` holds it.
  Result<bool> AcquireLease(std::string_view name, std::string_view owner,
                            std::chrono::milliseconds ttl);
  Status ReleaseLease(std::string_view name, std::string_view owner);

  // Connections re-established after a loss, so far.
  int64_t reconnects() const;

 private:
  WorkQueue(QueueAddress address, QueueOptions options, std::unique_ptr<RedisClient> client);
  Status EnsureGroup();
  // Sends a command; an error reply becomes kIoError naming `what`.
  Result<RedisReply> Call(std::string_view what, const std::vector<std::string>& args,
                          std::chrono::milliseconds extra_timeout = {});
  Result<int64_t> DeliveriesOf(const std::string& id);

  QueueAddress address_;
  QueueOptions options_;
  std::unique_ptr<RedisClient> client_;
  std::string producer_id_;
  std::chrono::steady_clock::time_point last_heartbeat_{};
};

}  // namespace vigil::queue

#endif  // VIGIL_QUEUE_WORK_QUEUE_H_
