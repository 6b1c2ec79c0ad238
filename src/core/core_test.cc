#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "vigil/core/deadline.h"
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
}  // namespace
}  // namespace vigil
