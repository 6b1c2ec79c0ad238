#include "vigil/queue/post_codec.h"

#include <gtest/gtest.h>

namespace vigil::queue {
namespace {

using namespace std::string_literals;

// Every field set, none to its default; strings with NUL, invalid UTF-8,
// quotes and non-Latin text.
Post FullPost() {
  Post p;
  p.platform = Platform::kTelegram;
  p.channel = {"-100123", "Market \"12\"", "public_channel"};
  p.external_id = "812";
  p.author = {"Ab\xd9\x88 X", "user42"};
  p.time = -1234567890123;
  p.time_is_utc = true;
  p.local_time = "2014-08-03T10:00:00+03:00";
  p.utc_offset_minutes = -180;
  p.text = "line1\nline2\t\0nul \xff\xfe bad utf8 \xd8\xb3\xd8\xa8\xd9\x8a"s;
  p.entities = {{"mention", "@x", ""}, {"text_link", "here", "https://example.org/?a=1&b=\"2\""}};
  MediaRef photo;
  photo.path = "/exports/a/photos/p1.jpg";
  photo.display_path = "export.zip/photos/p1.jpg";
  photo.name = "p1.jpg";
  photo.kind = MediaKind::kPhoto;
  photo.mime = "image/jpeg";
  photo.declared_size = 18446744073709551615ull;
  photo.declared_width = 0;
  photo.declared_height = -1;
  MediaRef missing;
  missing.name = "video.mp4";
  missing.kind = MediaKind::kVideo;
  missing.missing_reason = std::string(kOutsideExport);
  p.media = {photo, missing};
  p.forwarded_from = "Other channel";
  p.reply_to = "811";
  p.edited = true;
  p.service = true;
  p.source_file = "/exports/a/result.json";
  p.source_item = "message 812";
  return p;
}

void ExpectSamePost(const Post& a, const Post& b) {
  EXPECT_EQ(a.platform, b.platform);
  EXPECT_EQ(a.channel.id, b.channel.id);
  EXPECT_EQ(a.channel.title, b.channel.title);
  EXPECT_EQ(a.channel.type, b.channel.type);
  EXPECT_EQ(a.external_id, b.external_id);
  EXPECT_EQ(a.author.name, b.author.name);
  EXPECT_EQ(a.author.id, b.author.id);
  EXPECT_EQ(a.time, b.time);
  EXPECT_EQ(a.time_is_utc, b.time_is_utc);
  EXPECT_EQ(a.local_time, b.local_time);
  EXPECT_EQ(a.utc_offset_minutes, b.utc_offset_minutes);
  EXPECT_EQ(a.text, b.text);
  ASSERT_EQ(a.entities.size(), b.entities.size());
  for (size_t i = 0; i < a.entities.size(); ++i) {
    EXPECT_EQ(a.entities[i].type, b.entities[i].type);
    EXPECT_EQ(a.entities[i].text, b.entities[i].text);
    EXPECT_EQ(a.entities[i].href, b.entities[i].href);
  }
  ASSERT_EQ(a.media.size(), b.media.size());
  for (size_t i = 0; i < a.media.size(); ++i) {
    const MediaRef &x = a.media[i], &y = b.media[i];
    EXPECT_EQ(x.path, y.path);
    EXPECT_EQ(x.display_path, y.display_path);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.kind, y.kind);
    EXPECT_EQ(x.mime, y.mime);
    EXPECT_EQ(x.declared_size, y.declared_size);
    EXPECT_EQ(x.declared_width, y.declared_width);
    EXPECT_EQ(x.declared_height, y.declared_height);
    EXPECT_EQ(x.missing_reason, y.missing_reason);
  }
  EXPECT_EQ(a.forwarded_from, b.forwarded_from);
  EXPECT_EQ(a.reply_to, b.reply_to);
  EXPECT_EQ(a.edited, b.edited);
  EXPECT_EQ(a.service, b.service);
  EXPECT_EQ(a.source_file, b.source_file);
  EXPECT_EQ(a.source_item, b.source_item);
}

TEST(PostCodec, EveryFieldRoundTrips) {
  const Post p = FullPost();
  auto back = DecodePost(EncodePost(p));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSamePost(p, *back);
}

TEST(PostCodec, DefaultsAndUnsetOptionalsRoundTrip) {
  const Post p;  // every optional unset, every string empty
  auto back = DecodePost(EncodePost(p));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSamePost(p, *back);
  EXPECT_FALSE(back->utc_offset_minutes.has_value());
  // And 0 stays 0, not unset.
  Post zero;
  zero.utc_offset_minutes = 0;
  zero.media.emplace_back().declared_size = 0;
  auto z = DecodePost(EncodePost(zero));
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(z->utc_offset_minutes, std::optional<int>(0));
  EXPECT_EQ(z->media[0].declared_size, std::optional<uint64_t>(0));
  EXPECT_FALSE(z->media[0].declared_width.has_value());
}

TEST(PostCodec, EveryPlatformAndMediaKindRoundTrips) {
  for (Platform pl : {Platform::kTelegram, Platform::kWhatsApp, Platform::kFacebook,
                      Platform::kJsonl, Platform::kFolder}) {
    Post p;
    p.platform = pl;
    for (MediaKind k :
         {MediaKind::kPhoto, MediaKind::kVideo, MediaKind::kAudio, MediaKind::kSticker,
          MediaKind::kAnimation, MediaKind::kDocument, MediaKind::kOther}) {
      p.media.emplace_back().kind = k;
    }
    auto back = DecodePost(EncodePost(p));
    ASSERT_TRUE(back.ok());
    ExpectSamePost(p, *back);
  }
}

TEST(PostCodec, WorkItemsRoundTrip) {
  WorkItem item;
  item.seq = 77;
  item.post = FullPost();
  item.media_files = {"/shared/media/ab12", ""};
  auto back = DecodeWorkItem(EncodeWorkItem(item));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->kind, WorkItem::Kind::kPost);
  EXPECT_EQ(back->seq, 77u);
  EXPECT_EQ(back->media_files, item.media_files);
  ExpectSamePost(item.post, back->post);

  WorkItem error;
  error.kind = WorkItem::Kind::kError;
  error.seq = 3;
  error.error_file = "/exports/bad.json";
  error.error_item = "line 4";
  error.error_reason = "corrupt: unexpected end";
  auto e = DecodeWorkItem(EncodeWorkItem(error));
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->kind, WorkItem::Kind::kError);
  EXPECT_EQ(e->seq, 3u);
  EXPECT_EQ(e->error_file, error.error_file);
  EXPECT_EQ(e->error_item, error.error_item);
  EXPECT_EQ(e->error_reason, error.error_reason);
}

TEST(PostCodec, DamagedMessagesAreCorrupt) {
  WorkItem item;
  item.post = FullPost();
  item.media_files = {"", ""};
  const std::string good = EncodeWorkItem(item);
  for (const std::string& bad :
       {std::string("not json"), std::string("[]"), good.substr(0, good.size() / 2),
        std::string(R"({"v":2,"seq":1,"error":{"file":"","item":"","reason":""}})"),
        std::string(R"({"v":1,"seq":1})"),
        std::string(R"({"v":1,"seq":1,"error":{"file":"","item":""}})"),
        std::string(R"({"v":1,"seq":1,"post":{}, "media_files":[]})")}) {
    EXPECT_EQ(DecodeWorkItem(bad).status().code(), StatusCode::kCorrupt) << bad;
  }
  // A field of the wrong type, an unknown platform, too few media files.
  std::string wrong = good;
  wrong.replace(wrong.find("\"edited\":true"), 13, "\"edited\":1");
  EXPECT_EQ(DecodeWorkItem(wrong).status().code(), StatusCode::kCorrupt);
  std::string platform = good;
  platform.replace(platform.find("\"telegram\""), 10, "\"myspace\"");
  EXPECT_EQ(DecodeWorkItem(platform).status().code(), StatusCode::kCorrupt);
  std::string files = good;
  files.replace(files.find("\"media_files\":[\"\",\"\"]"), 21, "\"media_files\":[\"\"]");
  EXPECT_EQ(DecodeWorkItem(files).status().code(), StatusCode::kCorrupt);
}

TEST(PostCodec, SharedMediaKeepsTheShownPath) {
  Post p = FullPost();
  MediaRef plain;
  plain.path = "/exports/b/IMG-1.jpg";
  p.media.push_back(plain);
  auto shared = WithSharedMedia(p, {"/shared/aa", "", "/shared/bb"});
  ASSERT_TRUE(shared.ok());
  EXPECT_EQ(shared->media[0].path, "/shared/aa");
  EXPECT_EQ(shared->media[0].shown_path(), "export.zip/photos/p1.jpg");
  EXPECT_EQ(shared->media[1].path, "");
  EXPECT_EQ(shared->media[1].shown_path(), "");
  EXPECT_EQ(shared->media[2].path, "/shared/bb");
  EXPECT_EQ(shared->media[2].shown_path(), "/exports/b/IMG-1.jpg");
  EXPECT_EQ(WithSharedMedia(p, {""}).status().code(), StatusCode::kCorrupt);
}

}  // namespace
}  // namespace vigil::queue
