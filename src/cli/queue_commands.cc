// vigil worker and vigil queue status: the scan spread over machines (see
// vigil/app/fleet.h). `vigil scan --queue` is in scan_command.cc.
#include <signal.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>

#include "src/cli/commands.h"
#include "vigil/app/fleet.h"
#include "vigil/core/json_writer.h"

namespace vigil::cli {
namespace {

volatile std::sig_atomic_t g_worker_signal = 0;

struct WorkerArgs {
  InstallationArgs inst;
  app::WorkerRequest request;
  int64_t claim_idle_ms = 60000;
  int64_t block_ms = 1000;
  double log_seconds = 5;
  bool json = false;
  bool quiet = false;
};

// Throughput and lag, one line to stderr at most every `every` seconds.
class WorkerLog : public app::WorkerObserver {
 public:
  WorkerLog(const Terminal& term, std::string name, double every, bool quiet)
      : term_(term), name_(std::move(name)), every_(every), quiet_(quiet) {}

  void OnBatch(const app::WorkerProgress& p) override {
    if (quiet_ || p.seconds - last_ < every_) return;
    const double rate = p.seconds > 0 ? double(p.posts - last_posts_) / (p.seconds - last_) : 0;
    last_ = p.seconds;
    last_posts_ = p.posts;
    char line[512];
    std::snprintf(line, sizeof line,
                  "%lld posts stored, %.1f posts/s; queue %lld (pending %lld, lag %s), "
                  "claimed %lld, dead letters %lld",
                  static_cast<long long>(p.posts), rate, static_cast<long long>(p.queue.length),
                  static_cast<long long>(p.queue.pending),
                  p.queue.lag ? std::to_string(*p.queue.lag).c_str() : "?",
                  static_cast<long long>(p.claimed), static_cast<long long>(p.dead_letters));
    Say(line);
  }
  void OnError(const ingest::IngestError& e) override {
    if (!quiet_) std::cerr << term_.Paint("error", "31") << ": " << e.ToString() << '\n';
  }
  void OnDeadLetter(const std::string& id, const std::string& error) override {
    Say("message " + id + " dead-lettered: " + error);
  }
  void OnFailedTry(const std::string& id, const std::string& error) override {
    Say("message " + id + " failed (to be tried again): " + error);
  }
  void OnNotice(const std::string& text) override { Say(text); }

 private:
  void Say(const std::string& text) const {
    std::cerr << "vigil worker " << name_ << ": " << text << '\n';
  }
  const Terminal& term_;
  std::string name_;
  double every_;
  bool quiet_;
  double last_ = 0;
  int64_t last_posts_ = 0;
};

std::string WorkerJson(const app::WorkerSummary& s, const std::string& name) {
  JsonWriter w;
  w.BeginObject().Key("name").String(name).Key("messages").Int(s.messages);
  w.Key("posts").Int(s.scan.posts).Key("service").Int(s.scan.service);
  w.Key("flagged").Int(s.scan.flagged()).Key("selectors").Int(s.scan.selectors);
  w.Key("media").Int(s.scan.media).Key("media_missing").Int(s.scan.media_missing);
  w.Key("errors").Int(s.scan.errors).Key("claimed").Int(s.claimed);
  w.Key("failed_tries").Int(s.failed_tries).Key("dead_letters").Int(s.dead_letters);
  w.Key("matched").Bool(s.matched).EndObject();
  return w.str();
}

int RunWorkerCommand(WorkerArgs& a, const Context& ctx) {
  auto inst = OpenInstallation(a.inst, "worker", /*create=*/true);
  if (!inst.ok()) return Fail(ctx, "worker", inst.status().ToString());
  app::WorkerRequest request = a.request;
  request.claim_idle = std::chrono::milliseconds(a.claim_idle_ms);
  request.block = std::chrono::milliseconds(a.block_ms);
  if (!a.inst.data_dir.empty()) {
    request.lexicon_dir = std::filesystem::path(a.inst.data_dir) / "lexicons";
  }
  struct sigaction sa {};
  sa.sa_handler = [](int sig) { g_worker_signal = sig; };
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  request.stop = [] { return g_worker_signal != 0; };
  if (request.name.empty()) request.name = app::DefaultWorkerName();
  const std::string name = request.name;
  WorkerLog log(ctx.term, name, a.log_seconds, a.quiet);
  auto summary = app::RunWorker(**inst, request, &log);
  if (!summary.ok()) return Fail(ctx, "worker", summary.status().ToString());
  if (a.json) {
    std::cout << WorkerJson(*summary, request.name) << '\n';
  } else if (!a.quiet) {
    std::cerr << "vigil worker " << name << ": stored " << summary->scan.posts << " posts ("
              << summary->scan.service << " service messages) from " << summary->messages
              << " messages; claimed " << summary->claimed << ", dead letters "
              << summary->dead_letters << ", errors " << summary->scan.errors << '\n';
  }
  return summary->dead_letters > 0 || summary->scan.errors > 0 ? kExitInputErrors : kExitOk;
}

struct QueueArgs {
  std::string url;
  std::string group = "vigil";
  size_t dead = 20;
  bool json = false;
};

int RunQueueStatus(const QueueArgs& a, const Context& ctx) {
  auto report = app::ReadQueueStatus(a.url, a.group, a.dead);
  if (!report.ok()) return Fail(ctx, "queue status", report.status().ToString());
  const queue::QueueStatus& s = report->status;
  if (a.json) {
    JsonWriter w;
    w.BeginObject().Key("stream").String(s.stream).Key("group").String(s.group);
    w.Key("length").Int(s.length).Key("pending").Int(s.pending);
    w.Key("lag");
    s.lag ? w.Int(*s.lag) : w.Null();
    w.Key("entries_read");
    s.entries_read ? w.Int(*s.entries_read) : w.Null();
    w.Key("last_delivered_id").String(s.last_delivered_id);
    w.Key("producers").Int(s.producers).Key("dead").Int(s.dead);
    w.Key("consumers").BeginArray();
    for (const auto& c : s.consumers) {
      w.BeginObject().Key("name").String(c.name).Key("pending").Int(c.pending);
      w.Key("idle_ms").Int(c.idle_ms).EndObject();
    }
    w.EndArray().Key("dead_letters").BeginArray();
    for (size_t i = 0; i < report->dead.size(); ++i) {
      w.BeginObject().Key("id").String(report->dead[i].id);
      w.Key("deliveries").Int(report->dead[i].deliveries);
      w.Key("error").String(report->dead_errors[i]).EndObject();
    }
    w.EndArray().EndObject();
    std::cout << w.str() << '\n';
    return kExitOk;
  }
  std::cout << "stream " << s.stream << ", group " << s.group << "\n";
  std::cout << "length " << s.length << " (pending " << s.pending << "), lag "
            << (s.lag ? std::to_string(*s.lag) : "?") << ", entries read "
            << (s.entries_read ? std::to_string(*s.entries_read) : "?") << ", producers "
            << s.producers << ", dead letters " << s.dead << "\n";
  for (const auto& c : s.consumers) {
    std::cout << "consumer " << c.name << ": pending " << c.pending << ", idle " << c.idle_ms
              << " ms\n";
  }
  for (size_t i = 0; i < report->dead.size(); ++i) {
    std::cout << "dead letter " << report->dead[i].id << " after " << report->dead[i].deliveries
              << " deliveries: " << report->dead_errors[i] << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddQueueCommands(CLI::App& app, Context& ctx) {
  auto wa = std::make_shared<WorkerArgs>();
  auto* worker = app.add_subcommand(
      "worker",
      "Analyse and store the posts of a scan queue (vigil scan --queue), as one of any number of "
      "workers.\nExit codes: 0 ok, 1 failure (Redis or the database), 3 bad input stored or "
      "dead-lettered");
  worker->add_option("--queue", wa->request.queue_url, "The queue: redis://HOST[:PORT]/STREAM")
      ->required();
  AddInstallationOptions(worker, wa->inst, /*data_dir=*/true);
  worker->add_option("--name", wa->request.name,
                     "Consumer name, unique per live worker (default HOST-PID); a restarted "
                     "worker with its old name takes its pending messages back");
  worker->add_flag("--drain", wa->request.drain,
                   "Exit once the queue is empty, nothing is pending and no producer is live");
  worker->add_option("--batch", wa->request.batch_size, "Messages per read and transaction")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  worker
      ->add_option("--claim-idle-ms", wa->claim_idle_ms,
                   "Take over messages another worker has held this long (a dead worker's)")
      ->check(CLI::Range(int64_t{0}, int64_t{86400000}))
      ->capture_default_str();
  worker->add_option("--block-ms", wa->block_ms, "Wait this long for new messages per read")
      ->check(CLI::Range(int64_t{1}, int64_t{60000}))
      ->capture_default_str();
  worker
      ->add_option("--max-deliveries", wa->request.queue.max_deliveries,
                   "Tries before a message goes to the dead-letter stream STREAM:dead")
      ->check(CLI::Range(int64_t{1}, int64_t{1000}))
      ->capture_default_str();
  worker->add_flag("!--no-match", wa->request.match_media,
                   "Skip the final repost and hash-list matching pass");
  worker->add_option("--radius", wa->request.pdq_radius, "PDQ match radius in bits")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  worker->add_option("--log-seconds", wa->log_seconds, "Seconds between progress lines on stderr")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  worker->add_flag("--json", wa->json, "Print the summary as one JSON object to stdout");
  worker->add_flag("-q,--quiet", wa->quiet, "Only failures and dead letters on stderr");
  worker
      ->add_option("--max-media-bytes", wa->request.limits.max_media_bytes,
                   "Largest media file inspected")
      ->capture_default_str();
  worker
      ->add_option("--max-pixels", wa->request.limits.max_pixels, "Largest image (width x height)")
      ->capture_default_str();
  worker
      ->add_option("--max-file-seconds", wa->request.limits.max_file_seconds,
                   "Wall-clock seconds for one media file")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  worker->callback([wa, &ctx] { ctx.exit_code = RunWorkerCommand(*wa, ctx); });

  auto qa = std::make_shared<QueueArgs>();
  auto* q = app.add_subcommand("queue", "Inspect a scan queue");
  q->require_subcommand(1);
  auto* status = q->add_subcommand(
      "status", "Length, pending messages per consumer, lag, producers and dead letters");
  status->add_option("--queue", qa->url, "The queue: redis://HOST[:PORT]/STREAM")->required();
  status->add_option("--group", qa->group, "Consumer group")->capture_default_str();
  status->add_option("--dead", qa->dead, "Dead letters listed, oldest first")
      ->capture_default_str();
  status->add_flag("--json", qa->json, "Print one JSON object to stdout");
  status->callback([qa, &ctx] { ctx.exit_code = RunQueueStatus(*qa, ctx); });
}

}  // namespace vigil::cli
