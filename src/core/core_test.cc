#include <gtest/gtest.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "vigil/core/deadline.h"
#include "vigil/core/file.h"
#include "vigil/core/post.h"
#include "vigil/core/status.h"
#include "vigil/core/time.h"
#include "vigil/core/utf8.h"

namespace vigil {
namespace {

TEST(DeadlineTest, ExpiresAndSaysWhy) {
  EXPECT_FALSE(Deadline().Expired());
  EXPECT_TRUE(Deadline::Never().IsNever());
  EXPECT_EQ(Deadline::Never().Left(), Deadline::Clock::duration::max());
  EXPECT_TRUE(Deadline::In(0).Expired());
  EXPECT_TRUE(Deadline::In(-5).Expired());
  EXPECT_EQ(Deadline::In(0).Left(), Deadline::Clock::duration::zero());
  EXPECT_FALSE(Deadline::In(3600).Expired());
  EXPECT_GT(Deadline::In(3600).Left(), std::chrono::minutes(59));
  EXPECT_TRUE(Deadline::In(std::numeric_limits<double>::infinity()).IsNever());
  EXPECT_TRUE(Deadline::In(std::nan("")).IsNever());
  EXPECT_TRUE(Deadline::In(1e300).IsNever());
  Limits limits;
  limits.max_file_seconds = 0;
  EXPECT_TRUE(Deadline::ForFile(limits).Expired());
  EXPECT_FALSE(Deadline::ForFile(Limits{}).Expired());  // 900 s by default
  EXPECT_TRUE(Deadline::In(3600).Check("png decode").ok());
  const Status late = Deadline::In(0).Check("png decode");
  EXPECT_EQ(late.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(late.message(),
            "png decode: stopped, over the time allowed for one file (max_file_seconds)");
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = Status::Corrupt("a.json: message 3: bad");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.ToString(), "corrupt: a.json: message 3: bad");
  Result<int> r = Status::NotFound("x");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  Result<int> v = 7;
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 7);
}

TEST(PlatformTest, RoundTrip) {
  for (Platform p : {Platform::kTelegram, Platform::kWhatsApp, Platform::kFacebook,
                     Platform::kJsonl, Platform::kFolder}) {
    EXPECT_EQ(PlatformFromName(PlatformName(p)), p);
  }
  EXPECT_FALSE(PlatformFromName("myspace").has_value());
  for (MediaKind k : {MediaKind::kPhoto, MediaKind::kVideo, MediaKind::kAudio, MediaKind::kSticker,
                      MediaKind::kAnimation, MediaKind::kDocument, MediaKind::kOther}) {
    EXPECT_EQ(MediaKindFromName(MediaKindName(k)), k);
  }
  EXPECT_FALSE(MediaKindFromName("hologram").has_value());
}

TEST(PostKeyTest, FormatsAndParsesWithSlashesInTheChannel) {
  const PostKey key{Platform::kFacebook, "inbox/market_12", "1700000000123"};
  EXPECT_EQ(FormatPostKey(key), "facebook/inbox/market_12/1700000000123");
  EXPECT_EQ(ParsePostKey(FormatPostKey(key)), key);
  EXPECT_EQ(ParsePostKey("telegram//7"), (PostKey{Platform::kTelegram, "", "7"}));
  for (const char* bad : {"", "telegram", "telegram/7", "telegram/c/", "myspace/c/7", "/c/7"}) {
    EXPECT_FALSE(ParsePostKey(bad).has_value()) << bad;
  }
  Post p;
  p.platform = Platform::kWhatsApp;
  p.channel.id = "chat";
  p.external_id = "12";
  EXPECT_EQ(FormatPostKey(KeyOf(p)), "whatsapp/chat/12");
}

TEST(Utf8Test, ValidatesAndSanitizes) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xd8\xa8\xd9\x8a\xd8\xb9"));  // بيع
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));                 // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));             // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));         // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("abc\xe2\x82"));              // truncated
  EXPECT_EQ(SanitizeUtf8("a\xffz"), "a\xef\xbf\xbdz");
  std::string s;
  AppendUtf8(s, 0x1F620);
  size_t i = 0;
  EXPECT_EQ(DecodeUtf8(s, i), 0x1F620u);
  EXPECT_EQ(i, 4u);
}

TEST(TimeTest, CivilRoundTrip) {
  EXPECT_EQ(ToUnixSeconds({1970, 1, 1, 0, 0, 0}), 0);
  EXPECT_EQ(ToUnixSeconds({2024, 2, 29, 12, 0, 0}), 1709208000);
  EXPECT_FALSE(ToUnixSeconds({2023, 2, 29, 0, 0, 0}).has_value());
  EXPECT_FALSE(ToUnixSeconds({2023, 13, 1, 0, 0, 0}).has_value());
  EXPECT_EQ(FormatIso8601(1709208000), "2024-02-29T12:00:00Z");
  EXPECT_EQ(MonthKey(1709208000), "2024-02");
  std::optional<int> off;
  EXPECT_EQ(ParseIso8601("2024-02-29T15:00:00+03:00", &off), 1709208000);
  EXPECT_EQ(off, 180);
  EXPECT_EQ(ParseIso8601("2024-02-29T12:00:00", &off), 1709208000);
  EXPECT_FALSE(off.has_value());
  EXPECT_FALSE(ParseIso8601("2024-02-30T12:00:00").has_value());
  EXPECT_FALSE(ParseIso8601("yesterday").has_value());
}

}  // namespace
}  // namespace vigil

#include "vigil/core/json_writer.h"

namespace vigil {
namespace {
TEST(JsonWriterTest, EscapesAndSanitizes) {
  JsonWriter w;
  w.BeginObject().Key("t").String("a\"b\n\xff").Key("n").Int(-3).Key("ok").Bool(true);
  w.Key("a").BeginArray().Double(0.5).Null().EndArray().EndObject();
  EXPECT_EQ(w.str(), "{\"t\":\"a\\\"b\\n\xef\xbf\xbd\",\"n\":-3,\"ok\":true,\"a\":[0.5,null]}");
}
}  // namespace
}  // namespace vigil

#include "vigil/core/hash256.h"

namespace vigil {
namespace {
TEST(Hash256Test, HexRoundTripAndBitLayout) {
  const std::string hex = "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22";
  auto h = Hash256::FromHex(hex);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->ToHex(), hex);
  EXPECT_TRUE(h->Bit(255));  // top bit of 'f'
  EXPECT_FALSE(h->Bit(0));   // low bit of '2'
  EXPECT_TRUE(h->Bit(1));
  Hash256 one;
  one.SetBit(0);
  EXPECT_EQ(one.ToHex(), std::string(63, '0') + "1");
  EXPECT_EQ(Distance(*h, *h), 0);
  Hash256 flipped = *h;
  flipped.w[2] ^= 0xFF;
  EXPECT_EQ(Distance(*h, flipped), 8);
  EXPECT_FALSE(Hash256::FromHex("xyz").has_value());
  EXPECT_FALSE(Hash256::FromHex(std::string(63, '0') + "g").has_value());
  EXPECT_EQ(Hash256::FromHex(std::string(64, 'F'))->Weight(), 256);
}

// --- paths written by untrusted input ---------------------------------------

class ResolveInsideTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vigil-core-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    base_ = dir_ / "base";
    std::filesystem::create_directories(base_ / "sub");
    Write(base_ / "a.jpg");
    Write(base_ / "sub/b.jpg");
    Write(dir_ / "secret.txt");
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  static void Write(const std::filesystem::path& p) { std::ofstream(p) << "x"; }

  std::filesystem::path dir_, base_;
};

TEST_F(ResolveInsideTest, AcceptsFilesInsideAndNamesThemLexically) {
  auto r = ResolveInside(base_, "a.jpg");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, base_ / "a.jpg");
  r = ResolveInside(base_, "sub/../sub/./b.jpg");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, base_ / "sub/b.jpg");
  // A link that stays inside is followed for the check, not in the answer.
  std::filesystem::create_symlink(base_ / "sub/b.jpg", base_ / "inner-link.jpg");
  r = ResolveInside(base_, "inner-link.jpg");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, base_ / "inner-link.jpg");
  // A relative base is taken from the current folder; empty is that folder.
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(base_);
  auto rel = ResolveInside("", "a.jpg");
  auto dot = ResolveInside("sub", "b.jpg");
  std::filesystem::current_path(cwd);
  ASSERT_TRUE(rel.ok()) << rel.status().ToString();
  EXPECT_EQ(*rel, base_ / "a.jpg");
  ASSERT_TRUE(dot.ok()) << dot.status().ToString();
  EXPECT_EQ(*dot, base_ / "sub/b.jpg");
}

TEST_F(ResolveInsideTest, RefusesWhatLeavesTheFolderAndSaysWhy) {
  std::filesystem::create_symlink(dir_ / "secret.txt", base_ / "out-link.jpg");
  std::filesystem::create_symlink(dir_, base_ / "out-dir");
  struct Case {
    std::string relative;
    std::string why;
  };
  const Case cases[] = {
      {"../secret.txt", "leaves"},
      {"sub/../../secret.txt", "leaves"},
      {"/etc/passwd", "absolute path"},
      {(dir_ / "secret.txt").string(), "absolute path"},
      {"out-link.jpg", "symlink leads outside"},
      {"out-dir/secret.txt", "symlink leads outside"},
      {std::string("a.jpg\0../x", 10), "NUL byte"},
      {"", "empty path"},
  };
  for (const Case& c : cases) {
    auto r = ResolveInside(base_, c.relative);
    ASSERT_FALSE(r.ok()) << c.relative;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.relative;
    EXPECT_NE(r.status().message().find(c.why), std::string::npos) << r.status().message();
    EXPECT_EQ(r.status().message().find('\0'), std::string::npos) << c.relative;
  }
  EXPECT_NE(ResolveInside(base_, "../x").status().message().find(base_.string()),
            std::string::npos);
}

TEST_F(ResolveInsideTest, MissingFilesAndFoldersAreNotFound) {
  for (const char* rel : {"missing.jpg", "sub", "a.jpg/x", "sub/missing/x.jpg"}) {
    auto r = ResolveInside(base_, rel);
    ASSERT_FALSE(r.ok()) << rel;
    EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << rel << ": " << r.status().message();
  }
  std::filesystem::create_symlink(base_ / "gone.jpg", base_ / "dangling.jpg");
  EXPECT_EQ(ResolveInside(base_, "dangling.jpg").status().code(), StatusCode::kNotFound);
}

TEST_F(ResolveInsideTest, JoinInsideLooksAtNothingOnDisk) {
  auto j = JoinInside(base_, "not/yet/there.jpg");
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  EXPECT_EQ(*j, base_ / "not/yet/there.jpg");
  // A link out of the folder is only caught by ResolveInside.
  std::filesystem::create_symlink(dir_, base_ / "out-dir");
  EXPECT_TRUE(JoinInside(base_, "out-dir/secret.txt").ok());
  EXPECT_EQ(JoinInside(base_, "../secret.txt").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(JoinInside(base_, "/abs").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vigil
