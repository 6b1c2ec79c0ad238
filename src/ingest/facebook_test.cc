#include <gtest/gtest.h>

#include <string>

#include "src/ingest/facebook_reader.h"
#include "src/ingest/ingest_test_util.h"
#include "src/ingest/ingest_util.h"

namespace vigil::ingest {
namespace {

using testing::CollectSink;
using testing::Fixture;
using testing::TempFolder;

Status ReadFacebook(const std::filesystem::path& file, CollectSink& sink) {
  return MakeFacebookReader(file, {})->Read(sink);
}

TEST(FacebookReader, EveryFixtureParsesWithExactCounts) {
  const std::pair<const char*, size_t> kCases[] = {
      {"chat-analytics_messenger_2A_7M.json", 7},
      {"chat-miner_instagram_test_export.json", 2},
      {"osd2f_mock_comments.json", 50},
      {"osd2f_mock_your_posts_0.json", 100},
      {"site_export_inspector_message_1.json", 2},
  };
  for (const auto& [name, count] : kCases) {
    SCOPED_TRACE(name);
    CollectSink sink;
    ASSERT_TRUE(ReadFacebook(Fixture(std::string("facebook/") + name), sink).ok());
    EXPECT_TRUE(sink.errors.empty());
    EXPECT_EQ(sink.posts.size(), count);
    EXPECT_EQ(sink.CountService(), 0u);
    for (const Post& p : sink.posts) {
      EXPECT_EQ(p.platform, Platform::kFacebook);
      EXPECT_TRUE(p.time_is_utc);
    }
  }
}

TEST(FacebookReader, MessengerThreadIsChronological) {
  CollectSink sink;
  ASSERT_TRUE(ReadFacebook(Fixture("facebook/chat-analytics_messenger_2A_7M.json"), sink).ok());
  ASSERT_EQ(sink.posts.size(), 7u);
  const Post& first = sink.posts.front();
  EXPECT_EQ(first.author.name, "Bob");
  EXPECT_EQ(first.time, 1415147240);
  EXPECT_EQ(first.external_id, "1415147240411:Bob:0");
  EXPECT_EQ(first.channel.id, "inbox/alice_aaaaaaaaaa");
  EXPECT_EQ(first.channel.title, "Alice");
  EXPECT_EQ(first.channel.type, "Regular");
  ASSERT_EQ(first.media.size(), 1u);
  EXPECT_EQ(first.media[0].kind, MediaKind::kPhoto);
  EXPECT_EQ(first.media[0].name, "123123123123123.jpg");
  EXPECT_EQ(first.media[0].missing_reason, "not in export");
  EXPECT_EQ(sink.posts[1].media.at(0).kind, MediaKind::kSticker);
  EXPECT_EQ(sink.posts[2].media.at(0).kind, MediaKind::kAudio);
  EXPECT_EQ(sink.posts[3].media.at(0).kind, MediaKind::kDocument);
  EXPECT_EQ(sink.posts.back().author.name, "Alice");
  EXPECT_EQ(sink.posts.back().text, "Hello");
  for (size_t i = 1; i < sink.posts.size(); ++i) {
    EXPECT_LE(sink.posts[i - 1].time, sink.posts[i].time);
  }
}

TEST(FacebookReader, InstagramAndOldestFirstFiles) {
  CollectSink ig;
  ASSERT_TRUE(ReadFacebook(Fixture("facebook/chat-miner_instagram_test_export.json"), ig).ok());
  ASSERT_EQ(ig.posts.size(), 2u);
  EXPECT_EQ(ig.posts[0].author.name, "Jane Doe");
  EXPECT_EQ(ig.posts[0].text, "Hello John!");
  EXPECT_EQ(ig.posts[0].time, 1577186580);

  CollectSink site;
  ASSERT_TRUE(ReadFacebook(Fixture("facebook/site_export_inspector_message_1.json"), site).ok());
  ASSERT_EQ(site.posts.size(), 2u);
  EXPECT_EQ(site.posts[0].author.name, "Alice Example");
  EXPECT_EQ(site.posts[0].text, "Sample trail plan");
  EXPECT_EQ(site.posts[0].channel.title, "Alice Example, Bob Example");
}

TEST(FacebookReader, PostsAndComments) {
  CollectSink posts;
  ASSERT_TRUE(ReadFacebook(Fixture("facebook/osd2f_mock_your_posts_0.json"), posts).ok());
  ASSERT_EQ(posts.posts.size(), 100u);
  EXPECT_EQ(posts.posts[0].time, 1586772525);
  EXPECT_EQ(posts.posts[0].external_id, "post:1586772525:0");
  EXPECT_TRUE(posts.posts[0].text.starts_with("Position expert much her day"));
  EXPECT_EQ(posts.posts[1].text, "charlesthompson wrote on Craig Potter's timeline.");
  // "attachments" as an object (the mock's shape).
  ASSERT_EQ(posts.posts[3].entities.size(), 1u);
  EXPECT_EQ(posts.posts[3].entities[0].href, "https://www.glover.com/");

  CollectSink comments;
  ASSERT_TRUE(ReadFacebook(Fixture("facebook/osd2f_mock_comments.json"), comments).ok());
  ASSERT_EQ(comments.posts.size(), 50u);
  EXPECT_EQ(comments.posts[0].text, "charlesthompson replied to Carlos Flores's comment.");
  EXPECT_EQ(comments.posts[0].time, 1617835879);
  // "attachments" as a list; the media is a remote URL, never fetched.
  const Post& with_media = comments.posts[4];
  ASSERT_EQ(with_media.media.size(), 1u);
  EXPECT_EQ(with_media.media[0].missing_reason, "remote url");
  size_t authored = 0;
  for (const Post& p : comments.posts) {
    if (p.author.name == "charlesthompson") ++authored;
  }
  EXPECT_EQ(authored, 19u);  // the comments that carry data[].comment
}

TEST(FacebookReader, MojibakeVectorsFromFormatsNotes) {
  EXPECT_EQ(FixMojibake("\xC3\xB0\xC2\x9F\xC2\x98\xC2\xA0"), "\xF0\x9F\x98\xA0");  // angry face
  EXPECT_EQ(FixMojibake("\xC3\xA6\xC2\xB2\xC2\xA1\xC3\xA6\xC2\x9C\xC2\x89\xC3\xA5\xC2\x95\xC2\x8A"),
            "\xE6\xB2\xA1\xE6\x9C\x89\xE5\x95\x8A");
  EXPECT_EQ(FixMojibake("Rados\xC3\x85\xC2\x82"
                        "aw"),
            "Rados\xC5\x82"
            "aw");
  EXPECT_EQ(FixMojibake("caf\xC3\xA9"), "caf\xC3\xA9");  // Latin-1 text that is not UTF-8 bytes
  EXPECT_EQ(FixMojibake("\xE2\x80\x9Cquoted\xE2\x80\x9D"), "\xE2\x80\x9Cquoted\xE2\x80\x9D");
  EXPECT_EQ(FixMojibake("plain"), "plain");

  TempFolder dir;
  auto file = dir.Write(
      "messages/inbox/t_1/message_1.json",
      R"({"participants":[{"name":"Rados\u00c5\u0082aw"}],"title":"\u00e6\u00b2\u00a1",)"
      R"("thread_path":"inbox/t_1","messages":[)"
      R"({"sender_name":"Rados\u00c5\u0082aw","timestamp_ms":2000,"content":"\u00f0\u009f\u0098\u00a0"},)"
      R"({"sender_name":"Rados\u00c5\u0082aw","timestamp_ms":1000,"content":"\u201cx\u201d"}]})");
  CollectSink sink;
  ASSERT_TRUE(ReadFacebook(file, sink).ok());
  ASSERT_EQ(sink.posts.size(), 2u);
  EXPECT_EQ(sink.posts[0].author.name,
            "Rados\xC5\x82"
            "aw");
  EXPECT_EQ(sink.posts[0].text, "\xE2\x80\x9Cx\xE2\x80\x9D");
  EXPECT_EQ(sink.posts[1].text, "\xF0\x9F\x98\xA0");
  EXPECT_EQ(sink.posts[1].channel.title, "\xE6\xB2\xA1");
}

TEST(FacebookReader, UrisResolveAgainstExportRootAndStayInside) {
  TempFolder dir;
  dir.Write("dyi/your_facebook_activity/messages/inbox/t_1/photos/p.jpg", testing::kJpegBytes);
  auto file =
      dir.Write("dyi/your_facebook_activity/messages/inbox/t_1/message_1.json",
                R"({"title":"T","messages":[)"
                R"({"sender_name":"A","timestamp_ms":3000,"photos":[{"uri":"../../etc/passwd"}]},)"
                R"({"sender_name":"A","timestamp_ms":2000,"photos":[{"uri":"/etc/passwd"}]},)"
                R"({"sender_name":"A","timestamp_ms":1000,"photos":[)"
                R"({"uri":"your_facebook_activity/messages/inbox/t_1/photos/p.jpg"}]},)"
                R"({"sender_name":"A","timestamp_ms":1000,"content":"same time"},)"
                R"({"timestamp_ms":"bad"}]})");
  EXPECT_EQ(FacebookExportRoot(file), dir.path() / "dyi");
  CollectSink sink;
  ASSERT_TRUE(ReadFacebook(file, sink).ok());
  ASSERT_EQ(sink.posts.size(), 4u);
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].item, "message #4");
  // Newest-first file: emitted oldest first; equal timestamps keep a stable key.
  EXPECT_EQ(sink.posts[0].external_id, "1000:A:0");
  EXPECT_EQ(sink.posts[0].text, "same time");
  EXPECT_EQ(sink.posts[1].external_id, "1000:A:1");
  EXPECT_EQ(sink.posts[1].media.at(0).path,
            (dir.path() / "dyi/your_facebook_activity/messages/inbox/t_1/photos/p.jpg").string());
  EXPECT_EQ(sink.posts[2].media.at(0).missing_reason, "outside export");
  EXPECT_EQ(sink.posts[3].media.at(0).missing_reason, "outside export");
}

TEST(FacebookReader, BrokenAndForeignFiles) {
  TempFolder dir;
  CollectSink sink;
  Status truncated = ReadFacebook(dir.Write("message_1.json", R"({"messages":[{"sender_n)"), sink);
  EXPECT_EQ(truncated.code(), StatusCode::kCorrupt);
  EXPECT_NE(truncated.message().find("byte"), std::string::npos);
  EXPECT_EQ(ReadFacebook(dir.Write("other.json", R"({"profile":{}})"), sink).code(),
            StatusCode::kUnsupported);
}

// Content nested 10^6 deep: parsed without recursion (rapidjson's iterative
// parser), that message reported and skipped, its neighbours kept.
TEST(FacebookReader, MillionDeepContentIsReportedAndSkipped) {
  TempFolder dir;
  const std::string deep = std::string(1'000'000, '[') + std::string(1'000'000, ']');
  const std::string json =
      R"({"participants":[{"name":"a"}],"title":"t","thread_path":"inbox/t_1","messages":[)"
      R"({"sender_name":"a","timestamp_ms":1700000000002,"content":"after"},)"
      R"({"sender_name":"a","timestamp_ms":1700000000001,"content":)" +
      deep +
      R"(},)"
      R"({"sender_name":"a","timestamp_ms":1700000000000,"content":"before"}]})";
  CollectSink sink;
  ASSERT_TRUE(ReadFacebook(dir.Write("message_1.json", json), sink).ok());
  ASSERT_EQ(sink.posts.size(), 2u);
  EXPECT_EQ(sink.posts[0].text, "before");
  EXPECT_EQ(sink.posts[1].text, "after");
  ASSERT_EQ(sink.errors.size(), 1u);
  EXPECT_EQ(sink.errors[0].reason, "\"content\" is not a string");
}

}  // namespace
}  // namespace vigil::ingest
