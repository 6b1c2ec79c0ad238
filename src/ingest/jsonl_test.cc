#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "src/ingest/ingest_test_util.h"
#include "src/ingest/jsonl_reader.h"

namespace vigil::ingest {
namespace {

using testing::CollectSink;
using testing::TempFolder;

TEST(JsonlReader, ReadsTheDocumentedSchema) {
  TempFolder dir;
  dir.Write("feed/img/a.jpg", testing::kJpegBytes);
  auto file = dir.Write(
      "feed/posts.jsonl",
      "{\"platform\":\"telegram\",\"channel\":{\"id\":42,\"title\":\"Board\",\"type\":\"group\"},"
      "\"id\":7,\"time\":\"2024-03-05T07:08:09+02:00\",\"author\":{\"name\":\"Poster\",\"id\":9},"
      "\"text\":\"sample listing\",\"media\":[\"img/a.jpg\",{\"path\":\"img/b.png\",\"type\":"
      "\"photo\",\"mime\":\"image/png\",\"size\":10},\"../../etc/passwd\"],"
      "\"forwarded_from\":\"Elsewhere\",\"reply_to\":6,\"edited\":true}\r\n"
      "\n"
      "{\"channel\":\"plain\",\"id\":\"x1\",\"time\":1700000000,\"author\":\"Someone\"}\n"
      "{\"id\":\"x2\",\"time\":\"2024-03-05T07:08:09\",\"platform\":\"other\"}");
  CollectSink sink;
  ASSERT_TRUE(MakeJsonlReader(file, {})->Read(sink).ok());
  ASSERT_TRUE(sink.errors.empty()) << sink.errors[0].ToString();
  ASSERT_EQ(sink.posts.size(), 3u);
  const Post& p = sink.posts[0];
  EXPECT_EQ(p.platform, Platform::kTelegram);
  EXPECT_EQ(p.channel.id, "42");
  EXPECT_EQ(p.channel.title, "Board");
  EXPECT_EQ(p.channel.type, "group");
  EXPECT_EQ(p.external_id, "7");
  EXPECT_EQ(p.time, 1709615289);  // 05:08:09Z
  EXPECT_TRUE(p.time_is_utc);
  EXPECT_EQ(p.utc_offset_minutes, 120);
  EXPECT_EQ(p.author.name, "Poster");
  EXPECT_EQ(p.author.id, "9");
  EXPECT_EQ(p.text, "sample listing");
  ASSERT_EQ(p.media.size(), 3u);
  EXPECT_EQ(p.media[0].path, (dir.path() / "feed/img/a.jpg").string());
  EXPECT_EQ(p.media[1].missing_reason, "not in export");
  EXPECT_EQ(p.media[1].mime, "image/png");
  EXPECT_EQ(p.media[1].declared_size, 10u);
  EXPECT_EQ(p.media[2].missing_reason, "outside export");
  EXPECT_EQ(p.forwarded_from, "Elsewhere");
  EXPECT_EQ(p.reply_to, "6");
  EXPECT_TRUE(p.edited);
  EXPECT_EQ(p.source_item, "line 1");

  EXPECT_EQ(sink.posts[1].platform, Platform::kJsonl);
  EXPECT_EQ(sink.posts[1].channel.id, "plain");
  EXPECT_EQ(sink.posts[1].time, 1700000000);
  EXPECT_TRUE(sink.posts[1].time_is_utc);
  EXPECT_EQ(sink.posts[1].author.name, "Someone");
  EXPECT_EQ(sink.posts[1].source_item, "line 3");

  EXPECT_EQ(sink.posts[2].channel.id, "posts");
  EXPECT_FALSE(sink.posts[2].time_is_utc);
  EXPECT_EQ(sink.posts[2].platform, Platform::kJsonl);
}

TEST(JsonlReader, BadLinesAreReportedAndSkipped) {
  TempFolder dir;
  auto file = dir.Write("bad.jsonl",
                        "{\"id\":1,\"text\":\"ok\"}\n"
                        "{\"id\":2,\"text\":\"bad \xC3\x28 utf8\"}\n"
                        "{\"id\":3,\"text\":\n"
                        "[1,2]\n"
                        "{\"text\":\"no id\"}\n"
                        "{\"id\":6,\"time\":\"yesterday\"}\n"
                        "{\"id\":7,\"media\":[5]}\n"
                        "{\"id\":8,\"text\":\"last\"}\n");
  CollectSink sink;
  ASSERT_TRUE(MakeJsonlReader(file, {})->Read(sink).ok());
  ASSERT_EQ(sink.posts.size(), 2u);
  EXPECT_EQ(sink.posts[1].text, "last");
  ASSERT_EQ(sink.errors.size(), 6u);
  EXPECT_EQ(sink.errors[0].item, "line 2");
  EXPECT_EQ(sink.errors[0].reason, "invalid UTF-8");
  EXPECT_EQ(sink.errors[1].item, "line 3");
  EXPECT_EQ(sink.errors[5].item, "line 7");
}

TEST(JsonlReader, OverlongLineIsSkippedWithoutBufferingIt) {
  TempFolder dir;
  const auto file = dir.path() / "big.jsonl";
  {
    std::FILE* f = std::fopen(file.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fputs("{\"id\":1,\"text\":\"before\"}\n{\"id\":2,\"text\":\"", f);
    const std::string block(1 << 20, 'a');
    for (int i = 0; i < 11; ++i) std::fwrite(block.data(), 1, block.size(), f);
    std::fputs("\"}\n{\"id\":3,\"text\":\"after\"}", f);
    std::fclose(f);
  }
  ReaderOptions options;
  options.limits.max_line_bytes = 64 * 1024;
  CollectSink sink;
  ASSERT_TRUE(MakeJsonlReader(file, options)->Read(sink).ok());
  ASSERT_EQ(sink.posts.size(), 2u);
  EXPECT_EQ(sink.posts[0].text, "before");
  EXPECT_EQ(sink.posts[1].text, "after");
  EXPECT_EQ(sink.posts[1].source_item, "line 3");
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].item, "line 2");
  EXPECT_NE(sink.errors[0].reason.find("longer than 65536"), std::string::npos);
}

// A line nested 10^6 deep (within max_line_bytes): rapidjson's iterative
// parser takes it without recursion; the line is reported, the rest kept.
TEST(JsonlReader, MillionDeepLineIsReportedAndSkipped) {
  TempFolder dir;
  const std::string deep = std::string(1'000'000, '[') + std::string(1'000'000, ']');
  auto file = dir.Write("deep.jsonl", "{\"id\":1,\"text\":\"before\"}\n{\"id\":2,\"text\":" + deep +
                                          "}\n" + deep + "\n{\"id\":4,\"text\":\"after\"}\n");
  CollectSink sink;
  ASSERT_TRUE(MakeJsonlReader(file, {})->Read(sink).ok());
  ASSERT_EQ(sink.posts.size(), 2u);
  EXPECT_EQ(sink.posts[1].text, "after");
  ASSERT_EQ(sink.errors.size(), 2u);
  EXPECT_EQ(sink.errors[0].item, "line 2");
  EXPECT_EQ(sink.errors[1].item, "line 3");
}

TEST(JsonlReader, MissingFileIsNotFound) {
  CollectSink sink;
  EXPECT_EQ(MakeJsonlReader("/nonexistent/x.jsonl", {})->Read(sink).code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil::ingest
