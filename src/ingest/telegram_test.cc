#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "src/ingest/ingest_test_util.h"
#include "src/ingest/telegram_reader.h"

namespace vigil::ingest {
namespace {

using testing::CollectSink;
using testing::Fixture;
using testing::TempFolder;

Status ReadTelegram(const std::filesystem::path& file, CollectSink& sink,
                    const ReaderOptions& options = {}) {
  return MakeTelegramReader(file, options)->Read(sink);
}

struct FixtureCount {
  const char* file;
  size_t posts;    // all posts, service included
  size_t service;  // of which service messages
};

TEST(TelegramReader, EveryFixtureParsesWithExactCounts) {
  const FixtureCount kCases[] = {
      {"chat-analytics_DM_2A_7M.json", 8, 2},      {"chat-analytics_MultiChat_2C_6M.json", 6, 1},
      {"chat-miner_test_batch_export.json", 2, 0}, {"chat-miner_test_single_export.json", 2, 0},
      {"chatpack-cli_telegram_export.json", 7, 0}, {"lokb_result.json", 9, 0},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.file);
    CollectSink sink;
    ASSERT_TRUE(ReadTelegram(Fixture(std::string("telegram/") + c.file), sink).ok());
    EXPECT_TRUE(sink.errors.empty());
    EXPECT_EQ(sink.posts.size(), c.posts);
    EXPECT_EQ(sink.CountService(), c.service);
    for (const Post& p : sink.posts) EXPECT_EQ(p.platform, Platform::kTelegram);
  }
}

TEST(TelegramReader, DirectMessagesFixtureFields) {
  CollectSink sink;
  ASSERT_TRUE(ReadTelegram(Fixture("telegram/chat-analytics_DM_2A_7M.json"), sink).ok());
  ASSERT_EQ(sink.posts.size(), 8u);
  const Post& joined = sink.posts[0];
  EXPECT_EQ(joined.external_id, "2675");
  EXPECT_TRUE(joined.service);
  EXPECT_EQ(joined.author.name, "Bob");
  EXPECT_EQ(joined.author.id, "user700000000");
  ASSERT_EQ(joined.entities.size(), 1u);
  EXPECT_EQ(joined.entities[0].type, "action");
  EXPECT_EQ(joined.entities[0].text, "joined_telegram");
  // Only "date": wall-clock time, not UTC.
  EXPECT_EQ(joined.time, 1562345732);
  EXPECT_FALSE(joined.time_is_utc);
  EXPECT_EQ(joined.local_time, "2019-07-05T16:55:32");
  EXPECT_EQ(joined.channel.id, "700000000");
  EXPECT_EQ(joined.channel.title, "Bob");
  EXPECT_EQ(joined.channel.type, "personal_chat");

  const Post* link = sink.Find("3644");
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->text, "https://google.com \xF0\x9F\x91\x80");
  ASSERT_EQ(link->entities.size(), 1u);  // plain runs are not entities
  EXPECT_EQ(link->entities[0].type, "link");
  EXPECT_EQ(link->entities[0].text, "https://google.com");

  const Post* unix_only = sink.Find("3662");
  ASSERT_NE(unix_only, nullptr);
  EXPECT_EQ(unix_only->time, 1652135033);
  EXPECT_TRUE(unix_only->time_is_utc);
  EXPECT_FALSE(unix_only->utc_offset_minutes.has_value());
  EXPECT_EQ(unix_only->author.name, "Bob");

  const Post* photo = sink.Find("3672");
  ASSERT_NE(photo, nullptr);
  ASSERT_EQ(photo->media.size(), 1u);
  EXPECT_EQ(photo->media[0].kind, MediaKind::kPhoto);
  EXPECT_TRUE(photo->media[0].path.empty());
  EXPECT_EQ(photo->media[0].missing_reason,
            "(File not included. Change data exporting settings to download.)");
  EXPECT_EQ(photo->media[0].declared_width, 960);
  EXPECT_EQ(photo->media[0].declared_height, 1280);

  const Post* call = sink.Find("3674");
  ASSERT_NE(call, nullptr);
  EXPECT_TRUE(call->service);
  EXPECT_EQ(call->time, 1691719862);
  EXPECT_TRUE(call->time_is_utc);
  EXPECT_EQ(call->local_time, "2023-08-10T23:11:02");
  EXPECT_EQ(call->utc_offset_minutes, -180);
  EXPECT_EQ(call->source_item, "message 3674");
}

TEST(TelegramReader, ExportAllDataForm) {
  CollectSink sink;
  ASSERT_TRUE(ReadTelegram(Fixture("telegram/chat-analytics_MultiChat_2C_6M.json"), sink).ok());
  ASSERT_EQ(sink.posts.size(), 6u);
  EXPECT_EQ(sink.posts[0].channel.id, "700000001");
  EXPECT_EQ(sink.posts[0].channel.title, "Chat One");
  EXPECT_EQ(sink.posts[0].utc_offset_minutes, -120);
  const Post* p = sink.Find("2004");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->channel.id, "700000002");
  EXPECT_EQ(p->channel.type, "private_group");
  EXPECT_EQ(p->author.name, "Eve");
  EXPECT_EQ(p->author.id, "user101000000");
  ASSERT_EQ(p->media.size(), 1u);
  EXPECT_FALSE(p->media[0].missing_reason.empty());
  EXPECT_TRUE(sink.Find("2003")->service);
}

TEST(TelegramReader, MinimalExportsWithoutIds) {
  CollectSink batch;
  ASSERT_TRUE(ReadTelegram(Fixture("telegram/chat-miner_test_batch_export.json"), batch).ok());
  ASSERT_EQ(batch.posts.size(), 2u);
  EXPECT_EQ(batch.posts[0].channel.id, "Chatname");
  EXPECT_EQ(batch.posts[0].external_id, "#0");
  EXPECT_EQ(batch.posts[1].external_id, "#1");
  EXPECT_EQ(batch.posts[1].text, "Link:https://telegram.org/");  // mixed-array text
  ASSERT_EQ(batch.posts[1].entities.size(), 2u);
  EXPECT_EQ(batch.posts[1].entities[0].type, "bold");
  EXPECT_EQ(batch.posts[1].entities[1].type, "link");

  CollectSink single;
  ASSERT_TRUE(ReadTelegram(Fixture("telegram/chat-miner_test_single_export.json"), single).ok());
  ASSERT_EQ(single.posts.size(), 2u);
  EXPECT_EQ(single.posts[0].channel.id, "chat-miner_test_single_export");
  EXPECT_EQ(single.posts[0].time, 1544006350);
  EXPECT_TRUE(single.posts[0].time_is_utc);
  EXPECT_EQ(single.posts[0].author.name, "Author 1");
  EXPECT_EQ(single.posts[0].text, "Minimal Message");
}

TEST(TelegramReader, ReplyEditedAndDateOnly) {
  CollectSink sink;
  ASSERT_TRUE(ReadTelegram(Fixture("telegram/chatpack-cli_telegram_export.json"), sink).ok());
  ASSERT_EQ(sink.posts.size(), 7u);
  EXPECT_EQ(sink.posts[0].author.id, "user123");
  EXPECT_EQ(sink.posts[0].time, 1705314600);
  EXPECT_FALSE(sink.posts[0].time_is_utc);
  EXPECT_EQ(sink.Find("5")->reply_to, "4");
  EXPECT_TRUE(sink.Find("7")->edited);
  EXPECT_FALSE(sink.Find("6")->edited);

  CollectSink lokb;
  ASSERT_TRUE(ReadTelegram(Fixture("telegram/lokb_result.json"), lokb).ok());
  EXPECT_EQ(lokb.Find("7")->author.name, "Charlie");
  EXPECT_EQ(lokb.Find("7")->author.id, "user300");
  EXPECT_EQ(lokb.Find("7")->channel.title, "Travel Chat");
}

TEST(TelegramReader, InvalidBackslashXEscapesAreTolerated) {
  TempFolder dir;
  auto file =
      dir.Write("result.json", R"({"name":"T","type":"public_channel","id":5,"messages":[)"
                               R"({"id":1,"type":"message","date_unixtime":"100","from":"A",)"
                               R"("from_id":12345,"text":"a\x01b\x1f\\x"}]})");
  CollectSink sink;
  ASSERT_TRUE(ReadTelegram(file, sink).ok());
  ASSERT_EQ(sink.posts.size(), 1u);
  EXPECT_EQ(sink.posts[0].text, std::string("a\x01"
                                            "b\x1f\\x"));
  EXPECT_EQ(sink.posts[0].author.id, "user12345");  // bare-number from_id (old exports)
}

TEST(TelegramReader, MalformedMessagesAreReportedAndSkipped) {
  TempFolder dir;
  auto file = dir.Write("result.json",
                        R"({"name":"T","id":5,"messages":[)"
                        R"({"id":1,"type":"message","date_unixtime":"100","text":"first"},)"
                        R"({"id":2,"type":"message","date_unixtime":"101","text":5},)"
                        R"({"id":3,"type":"message","text":"no date"},)"
                        R"("not an object",)"
                        R"({"id":{"x":1},"type":"message","date_unixtime":"102"},)"
                        R"({"id":6,"type":"message","date_unixtime":"103","text":"last"}]})");
  CollectSink sink;
  ASSERT_TRUE(ReadTelegram(file, sink).ok());
  ASSERT_EQ(sink.posts.size(), 2u);
  EXPECT_EQ(sink.posts[0].text, "first");
  EXPECT_EQ(sink.posts[1].text, "last");
  ASSERT_EQ(sink.errors.size(), 4u);
  EXPECT_EQ(sink.errors[0].item, "message 2");
  EXPECT_EQ(sink.errors[0].file, file.string());
  EXPECT_EQ(sink.errors[1].item, "message 3");
  EXPECT_EQ(sink.errors[2].item, "message #3");
  EXPECT_EQ(sink.errors[3].item, "message #4");
}

TEST(TelegramReader, TruncatedJsonStopsWithByteOffset) {
  TempFolder dir;
  auto file =
      dir.Write("result.json", R"({"name":"T","id":5,"messages":[)"
                               R"({"id":1,"type":"message","date_unixtime":"100","text":"kept"},)"
                               R"({"id":2,"type":"message","date_unix)");
  CollectSink sink;
  Status st = ReadTelegram(file, sink);
  EXPECT_EQ(st.code(), StatusCode::kCorrupt);
  EXPECT_NE(st.message().find("byte "), std::string::npos);
  EXPECT_NE(st.message().find(file.string()), std::string::npos);
  ASSERT_EQ(sink.posts.size(), 1u);
  EXPECT_EQ(sink.posts[0].text, "kept");
}

TEST(TelegramReader, NotTelegramIsUnsupported) {
  TempFolder dir;
  CollectSink sink;
  EXPECT_EQ(ReadTelegram(dir.Write("x.json", R"({"a":[1,2]})"), sink).code(),
            StatusCode::kUnsupported);
  EXPECT_EQ(ReadTelegram(dir.path() / "missing.json", sink).code(), StatusCode::kNotFound);
}

TEST(TelegramReader, MediaPathsStayInsideTheExport) {
  TempFolder dir;
  dir.Write("export/photos/a.jpg", testing::kJpegBytes);
  std::filesystem::create_symlink("/etc/hostname", dir.path() / "export/photos/link.jpg");
  auto file = dir.Write(
      "export/result.json",
      R"({"name":"T","id":5,"left_chats":{"list":[{"name":"L","id":9,"messages":[)"
      R"({"id":1,"type":"message","date_unixtime":"100","photo":"photos/a.jpg","photo_file_size":14},)"
      R"({"id":2,"type":"message","date_unixtime":"100","photo":"../../etc/passwd"},)"
      R"({"id":3,"type":"message","date_unixtime":"100","file":"/etc/passwd","media_type":"video_file","mime_type":"video/mp4"},)"
      R"({"id":4,"type":"message","date_unixtime":"100","photo":"photos/link.jpg"},)"
      R"({"id":5,"type":"message","date_unixtime":"100","file":"files/gone.pdf","thumbnail":"photos/a.jpg"}]}]}})");
  CollectSink sink;
  ASSERT_TRUE(ReadTelegram(file, sink).ok());
  ASSERT_EQ(sink.posts.size(), 5u);
  EXPECT_EQ(sink.posts[0].channel.id, "9");
  const MediaRef& ok = sink.posts[0].media.at(0);
  EXPECT_EQ(ok.path, (dir.path() / "export/photos/a.jpg").string());
  EXPECT_EQ(ok.declared_size, 14u);
  EXPECT_TRUE(ok.missing_reason.empty());
  for (int i : {1, 2, 3}) {
    SCOPED_TRACE(i);
    const MediaRef& bad = sink.posts[i].media.at(0);
    EXPECT_TRUE(bad.path.empty());
    EXPECT_EQ(bad.missing_reason, "outside export");
  }
  EXPECT_EQ(sink.posts[2].media[0].kind, MediaKind::kVideo);
  ASSERT_EQ(sink.posts[4].media.size(), 2u);
  EXPECT_EQ(sink.posts[4].media[0].missing_reason, "not in export");
  EXPECT_EQ(sink.posts[4].media[0].kind, MediaKind::kDocument);
  EXPECT_FALSE(sink.posts[4].media[1].path.empty());
}

TEST(TelegramReader, OversizedMessageIsSkipped) {
  TempFolder dir;
  auto file = dir.Write(
      "result.json", R"({"id":5,"messages":[)"
                     R"({"id":1,"type":"message","date_unixtime":"100","text":")" +
                         std::string(5000, 'a') +
                         R"("},{"id":2,"type":"message","date_unixtime":"101","text":"small"}]})");
  ReaderOptions options;
  options.limits.max_item_bytes = 1000;
  CollectSink sink;
  ASSERT_TRUE(ReadTelegram(file, sink, options).ok());
  ASSERT_EQ(sink.posts.size(), 1u);
  EXPECT_EQ(sink.posts[0].text, "small");
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].item, "message #0");
}

// A message nested 10^6 deep: the SAX parser is iterative, the router stops
// building the message at max_json_depth, reports it and reads on.
TEST(TelegramReader, MillionDeepMessageIsReportedAndSkipped) {
  TempFolder dir;
  const std::string deep = std::string(1'000'000, '[') + std::string(1'000'000, ']');
  auto file =
      dir.Write("result.json",
                R"({"id":5,"messages":[{"id":1,"type":"message","date_unixtime":"100","text":)" +
                    deep + R"(},{"id":2,"type":"message","date_unixtime":"101","text":"after"}]})");
  CollectSink sink;
  ASSERT_TRUE(ReadTelegram(file, sink, {}).ok());
  ASSERT_EQ(sink.posts.size(), 1u);
  EXPECT_EQ(sink.posts[0].text, "after");
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].item, "message #0");
  EXPECT_NE(sink.errors[0].reason.find("nested deeper than 128"), std::string::npos)
      << sink.errors[0].reason;
}

TEST(TelegramReader, SinkErrorStopsReading) {
  class StopSink : public PostSink {
   public:
    Status OnPost(Post&&) override { return Status::Internal("stop"); }
    void OnError(const IngestError&) override {}
  } sink;
  Status st = MakeTelegramReader(Fixture("telegram/lokb_result.json"), {})->Read(sink);
  EXPECT_EQ(st.code(), StatusCode::kInternal);
}

// Peak resident memory in KiB since the last ResetPeakRss(), or -1.
long PeakRssKib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}
bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

TEST(TelegramReader, MemoryStaysBoundedOnLargeExport) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's quarantine keeps freed memory; peak RSS means nothing here";
#endif
  TempFolder dir;
  const auto file = dir.path() / "result.json";
  {
    std::FILE* f = std::fopen(file.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs(R"({"name":"Load","type":"public_channel","id":1,"messages":[)", f);
    const std::string filler(200, 'x');
    for (int i = 0; i < 200000; ++i) {
      std::fprintf(f,
                   "%s{\"id\":%d,\"type\":\"message\",\"date\":\"2024-01-01T00:00:00\","
                   "\"date_unixtime\":\"1704067200\",\"from\":\"Sender\",\"from_id\":\"user1\","
                   "\"text\":\"item %d %s\",\"text_entities\":[{\"type\":\"plain\",\"text\":"
                   "\"item %d %s\"}]}",
                   i == 0 ? "" : ",", i, i, filler.c_str(), i, filler.c_str());
    }
    std::fputs("]}", f);
    std::fclose(f);
  }
  ASSERT_GT(std::filesystem::file_size(file), 100u << 20);
  class CountSink : public PostSink {
   public:
    Status OnPost(Post&& p) override {
      ++count;
      bytes += p.text.size();
      return Status::Ok();
    }
    void OnError(const IngestError&) override { ++errors; }
    size_t count = 0, bytes = 0, errors = 0;
  } sink;
  const bool can_reset = ResetPeakRss();
  const long before = PeakRssKib();
  ASSERT_TRUE(MakeTelegramReader(file, {})->Read(sink).ok());
  EXPECT_EQ(sink.count, 200000u);
  EXPECT_EQ(sink.errors, 0u);
  if (!can_reset || before < 0) GTEST_SKIP() << "cannot reset peak RSS here";
  // A DOM of this 100+ MB file would need several hundred MB.
  EXPECT_LT(PeakRssKib() - before, 16 * 1024);
}

}  // namespace
}  // namespace vigil::ingest
