#include "vigil/queue/work_queue.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <thread>

#include "src/queue/redis_test_server.h"

namespace vigil::queue {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class WorkQueueTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start()) << "redis-server did not start"; }

  std::unique_ptr<WorkQueue> Open(QueueOptions options = {}) {
    auto q = WorkQueue::Open(server_.Url("work"), std::move(options));
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    return q.ok() ? std::move(q).value() : nullptr;
  }

  testing::RedisTestServer server_;
};

std::vector<std::string> Payloads(const std::vector<Message>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.push_back(m.payload);
  return out;
}

TEST(QueueUrl, Parses) {
  auto a = ParseQueueUrl("redis://10.0.0.5:6380/scan.jobs");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->host, "10.0.0.5");
  EXPECT_EQ(a->port, 6380);
  EXPECT_EQ(a->stream, "scan.jobs");
  auto d = ParseQueueUrl("redis://cache/s");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->port, 6379);
  auto v6 = ParseQueueUrl("redis://[::1]:7000/s");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 7000);
  for (const char* bad :
       {"http://h:1/s", "redis://h:1", "redis://h:1/", "redis://h:0/s", "redis://h:99999/s",
        "redis://:1/s", "redis://h:1/a:b", "redis://h:/s", "redis://u:p@h:1/s"}) {
    EXPECT_EQ(ParseQueueUrl(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST_F(WorkQueueTest, RoundTripIsByteForByteAndAckEmptiesTheStream) {
  auto q = Open();
  ASSERT_TRUE(q);
  const std::vector<std::string> sent = {"one", std::string("t\0w\xffo", 5), "", "{\"x\":1}"};
  for (const auto& p : sent) ASSERT_TRUE(q->Enqueue(p).ok());
  auto got = q->Read("w1", 10, milliseconds(100));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(Payloads(*got), sent);
  for (const auto& m : *got) EXPECT_EQ(m.deliveries, 1);

  auto st = q->GetStatus();
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->length, 4);
  EXPECT_EQ(st->pending, 4);
  ASSERT_EQ(st->consumers.size(), 1u);
  EXPECT_EQ(st->consumers[0].name, "w1");
  EXPECT_EQ(st->consumers[0].pending, 4);
  EXPECT_FALSE(*q->Drained());

  std::vector<std::string> ids;
  for (const auto& m : *got) ids.push_back(m.id);
  ASSERT_TRUE(q->Ack(ids).ok());
  st = q->GetStatus();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->length, 0);
  EXPECT_EQ(st->pending, 0);
  ASSERT_TRUE(st->entries_read.has_value());
  EXPECT_EQ(*st->entries_read, 4);
  EXPECT_EQ(st->lag.value_or(-1), 0);
  EXPECT_TRUE(*q->Drained());
  // Nothing more to read.
  auto none = q->Read("w1", 10, milliseconds(10));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(WorkQueueTest, AStatusReadCreatesNothing) {
  QueueOptions o;
  o.create_group = false;
  auto q = Open(o);
  ASSERT_TRUE(q);
  auto st = q->GetStatus();
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->length, 0);
  EXPECT_TRUE(st->consumers.empty());
  EXPECT_EQ(st->lag, std::optional<int64_t>(0));
  RedisClientOptions c;
  c.port = server_.port();
  RedisClient redis(c);
  auto exists = redis.Command({"EXISTS", "work"});
  ASSERT_TRUE(exists.ok());
  EXPECT_EQ(exists->integer, 0);
}

TEST_F(WorkQueueTest, OpeningTwiceKeepsTheGroup) {
  auto a = Open();
  ASSERT_TRUE(a && a->Enqueue("x").ok());
  auto b = Open();  // BUSYGROUP tolerated, the group's position kept
  ASSERT_TRUE(b);
  auto got = b->Read("w", 10, milliseconds(10));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), 1u);
}

TEST_F(WorkQueueTest, EnqueueWaitsWhileTheStreamIsFull) {
  QueueOptions o;
  o.max_length = 5;
  auto producer = Open(o);
  auto consumer = Open(o);
  ASSERT_TRUE(producer && consumer);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(producer->Enqueue(std::to_string(i)).ok());
  auto full = producer->Enqueue("late", steady_clock::now() + milliseconds(200));
  EXPECT_EQ(full.status().code(), StatusCode::kResourceExhausted);

  // A producer blocked on the bound goes on as the consumer finishes work;
  // the stream never holds more than the bound.
  std::atomic<bool> produced{false};
  Status producer_status;
  std::thread t([&] {
    for (int i = 5; i < 25 && producer_status.ok(); ++i) {
      producer_status = producer->Enqueue(std::to_string(i)).status();
    }
    produced = true;
  });
  std::vector<std::string> seen;
  int64_t max_len = 0;
  const auto deadline = steady_clock::now() + std::chrono::seconds(20);
  while (seen.size() < 25 && steady_clock::now() < deadline) {
    auto st = consumer->GetStatus();
    ASSERT_TRUE(st.ok());
    max_len = std::max(max_len, st->length);
    auto got = consumer->Read("c", 2, milliseconds(50));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    std::vector<std::string> ids;
    for (const auto& m : *got) {
      seen.push_back(m.payload);
      ids.push_back(m.id);
    }
    ASSERT_TRUE(consumer->Ack(ids).ok());
  }
  t.join();
  EXPECT_TRUE(producer_status.ok()) << producer_status.ToString();
  EXPECT_TRUE(produced);
  EXPECT_LE(max_len, 5);
  ASSERT_EQ(seen.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(seen[i], std::to_string(i));
}

TEST_F(WorkQueueTest, AnotherConsumerClaimsTheMessagesOfOneThatDied) {
  auto q = Open();
  ASSERT_TRUE(q);
  for (const char* p : {"a", "b", "c"}) ASSERT_TRUE(q->Enqueue(p).ok());
  {
    auto dying = Open();
    auto got = dying->Read("dying", 10, milliseconds(10));
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->size(), 3u);
  }  // gone without acknowledging
  auto survivor = Open();
  ASSERT_TRUE(survivor);
  // Not idle long enough yet: nothing to claim.
  auto early = survivor->ClaimIdle("survivor", std::chrono::seconds(60), 10);
  ASSERT_TRUE(early.ok()) << early.status().ToString();
  EXPECT_TRUE(early->empty());
  // New reads do not see them either: they were delivered.
  auto fresh = survivor->Read("survivor", 10, milliseconds(10));
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(fresh->empty());

  std::vector<Message> claimed;
  const auto deadline = steady_clock::now() + std::chrono::seconds(10);
  while (claimed.size() < 3 && steady_clock::now() < deadline) {
    auto got = survivor->ClaimIdle("survivor", milliseconds(100), 10);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    for (auto& m : *got) claimed.push_back(std::move(m));
  }
  ASSERT_EQ(claimed.size(), 3u);
  EXPECT_EQ(Payloads(claimed), (std::vector<std::string>{"a", "b", "c"}));
  for (const auto& m : claimed) EXPECT_EQ(m.deliveries, 2);
  ASSERT_TRUE(survivor->Enqueue("d").ok());
  auto st = survivor->GetStatus();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->length, 4);
  EXPECT_EQ(st->pending, 3);
  EXPECT_EQ(st->lag, std::optional<int64_t>(1));  // "d", not read yet
  for (const auto& c : st->consumers) {
    EXPECT_EQ(c.pending, c.name == "survivor" ? 3 : 0) << c.name;
  }
  std::vector<std::string> ids;
  for (const auto& m : claimed) ids.push_back(m.id);
  auto d = survivor->Read("survivor", 10, milliseconds(10));
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->size(), 1u);
  ids.push_back((*d)[0].id);
  ASSERT_TRUE(survivor->Ack(ids).ok());
  EXPECT_TRUE(*survivor->Drained());
}

TEST_F(WorkQueueTest, AMessageThatKeepsFailingIsDeadLetteredWithItsError) {
  QueueOptions o;
  o.max_deliveries = 3;
  auto q = Open(o);
  ASSERT_TRUE(q);
  ASSERT_TRUE(q->Enqueue("poison").ok());
  ASSERT_TRUE(q->Enqueue("good").ok());
  auto got = q->Read("w", 10, milliseconds(10));
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  ASSERT_TRUE(q->Ack({(*got)[1].id}).ok());
  Message m = (*got)[0];
  for (int delivery = 1; delivery <= 3; ++delivery) {
    EXPECT_EQ(m.deliveries, delivery);
    auto dead = q->Fail(m, "bad input " + std::to_string(delivery));
    ASSERT_TRUE(dead.ok()) << dead.status().ToString();
    EXPECT_EQ(*dead, delivery == 3);
    if (delivery == 3) break;
    auto again = q->ClaimIdle("w", milliseconds(0), 10);
    ASSERT_TRUE(again.ok());
    ASSERT_EQ(again->size(), 1u);
    m = (*again)[0];
  }
  std::vector<std::string> errors;
  auto dead = q->DeadLetters(10, &errors);
  ASSERT_TRUE(dead.ok()) << dead.status().ToString();
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].payload, "poison");
  EXPECT_EQ((*dead)[0].id, m.id);
  EXPECT_EQ((*dead)[0].deliveries, 3);
  EXPECT_EQ(errors, std::vector<std::string>{"bad input 3"});
  auto st = q->GetStatus();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->dead, 1);
  EXPECT_EQ(st->length, 0);
  EXPECT_TRUE(*q->Drained());
}

TEST_F(WorkQueueTest, AMessageWhoseConsumersKeepDyingIsDeadLetteredByTheClaim) {
  QueueOptions o;
  o.max_deliveries = 2;
  auto q = Open(o);
  ASSERT_TRUE(q);
  ASSERT_TRUE(q->Enqueue("crasher").ok());
  ASSERT_EQ(q->Read("w1", 1, milliseconds(10))->size(), 1u);  // delivery 1, w1 dies
  auto second = q->ClaimIdle("w2", milliseconds(0), 10);      // delivery 2, w2 dies
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].deliveries, 2);
  auto third = q->ClaimIdle("w3", milliseconds(0), 10);  // delivery 3: over the limit
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->empty());
  std::vector<std::string> errors;
  auto dead = q->DeadLetters(10, &errors);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].payload, "crasher");
  EXPECT_EQ((*dead)[0].deliveries, 3);
  EXPECT_NE(errors[0].find("delivered 3 times"), std::string::npos) << errors[0];
  EXPECT_TRUE(*q->Drained());
}

TEST_F(WorkQueueTest, ARedisRestartMidStreamLosesNothing) {
  QueueOptions o;
  o.reconnect_attempts = 20;
  auto producer = Open(o);
  auto consumer = Open(o);
  ASSERT_TRUE(producer && consumer);
  std::set<std::string> sent, done;
  for (int i = 0; i < 50; ++i) {
    sent.insert("m" + std::to_string(i));
    ASSERT_TRUE(producer->Enqueue("m" + std::to_string(i)).ok());
  }
  auto first = consumer->Read("c", 20, milliseconds(10));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 20u);
  std::vector<std::string> ids;
  for (size_t i = 0; i < 10; ++i) {  // 10 finished, 10 read but not yet acknowledged
    done.insert((*first)[i].payload);
    ids.push_back((*first)[i].id);
  }
  ASSERT_TRUE(consumer->Ack(ids).ok());

  server_.Stop(SIGKILL);  // no shutdown save: the AOF is all there is
  ASSERT_TRUE(server_.Start());

  // Both clients reconnect inside their next call.
  for (int i = 50; i < 100; ++i) {
    sent.insert("m" + std::to_string(i));
    auto id = producer->Enqueue("m" + std::to_string(i));
    ASSERT_TRUE(id.ok()) << id.status().ToString();
  }
  EXPECT_GE(producer->reconnects(), 1);
  // The 10 read before the restart are still pending with "c".
  auto pending = consumer->ClaimIdle("c", milliseconds(0), 100);
  ASSERT_TRUE(pending.ok()) << pending.status().ToString();
  EXPECT_EQ(pending->size(), 10u);
  EXPECT_GE(consumer->reconnects(), 1);
  ids.clear();
  for (const auto& m : *pending) {
    done.insert(m.payload);
    ids.push_back(m.id);
  }
  ASSERT_TRUE(consumer->Ack(ids).ok());
  for (;;) {
    auto got = consumer->Read("c", 100, milliseconds(10));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    if (got->empty()) break;
    ids.clear();
    for (const auto& m : *got) {
      EXPECT_TRUE(done.insert(m.payload).second) << "delivered twice: " << m.payload;
      ids.push_back(m.id);
    }
    ASSERT_TRUE(consumer->Ack(ids).ok());
  }
  EXPECT_EQ(done, sent);
  EXPECT_TRUE(*consumer->Drained());
}

TEST_F(WorkQueueTest, RedisGoneForGoodIsAnIoError) {
  QueueOptions o;
  o.reconnect_attempts = 2;
  o.reconnect_delay = milliseconds(10);
  auto q = Open(o);
  ASSERT_TRUE(q);
  server_.Stop(SIGKILL);
  auto r = q->Enqueue("x");
  EXPECT_EQ(r.status().code(), StatusCode::kIoError);
}

TEST_F(WorkQueueTest, ALiveProducerKeepsTheQueueFromDraining) {
  QueueOptions o;
  o.producer_ttl = milliseconds(300);
  auto producer = Open(o);
  auto worker = Open(o);
  ASSERT_TRUE(producer && worker);
  ASSERT_TRUE(producer->BeginProducing("p1").ok());
  EXPECT_FALSE(*worker->Drained());
  auto st = worker->GetStatus();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->producers, 1);
  ASSERT_TRUE(producer->EndProducing().ok());
  EXPECT_TRUE(*worker->Drained());
  // A producer that died stops counting once its key expires.
  ASSERT_TRUE(producer->BeginProducing("p2").ok());
  EXPECT_FALSE(*worker->Drained());
  const auto deadline = steady_clock::now() + std::chrono::seconds(10);
  bool drained = false;
  while (!drained && steady_clock::now() < deadline) drained = *worker->Drained();
  EXPECT_TRUE(drained);
}

TEST_F(WorkQueueTest, OrderAndLeases) {
  auto q = Open();
  ASSERT_TRUE(q);
  ASSERT_TRUE(q->AppendOrder({"b", "a"}).ok());
  ASSERT_TRUE(q->AppendOrder({"c"}).ok());
  EXPECT_EQ(*q->ReadOrder(), (std::vector<std::string>{"b", "a", "c"}));
  ASSERT_TRUE(q->TrimOrder(2).ok());
  ASSERT_TRUE(q->AppendOrder({"d"}).ok());
  EXPECT_EQ(*q->ReadOrder(), (std::vector<std::string>{"c", "d"}));
  ASSERT_TRUE(q->TrimOrder(2).ok());
  EXPECT_TRUE(q->ReadOrder()->empty());
  EXPECT_TRUE(*q->AcquireLease("match", "w1", std::chrono::seconds(30)));
  EXPECT_FALSE(*q->AcquireLease("match", "w2", std::chrono::seconds(30)));
  ASSERT_TRUE(q->ReleaseLease("match", "w2").ok());  // not its lease: kept
  EXPECT_FALSE(*q->AcquireLease("match", "w2", std::chrono::seconds(30)));
  ASSERT_TRUE(q->ReleaseLease("match", "w1").ok());
  EXPECT_TRUE(*q->AcquireLease("match", "w2", std::chrono::seconds(30)));
}

}  // namespace
}  // namespace vigil::queue
