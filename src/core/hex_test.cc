#include "vigil/core/hex.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "vigil/core/file.h"
#include "vigil/core/hash256.h"

namespace vigil {
namespace {

TEST(HexTest, EncodesLowerCaseFirstByteFirst) {
  EXPECT_EQ(HexEncode({}), "");
  const std::vector<uint8_t> bytes = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
  EXPECT_EQ(HexEncode(bytes), "00017f80abff");
  EXPECT_EQ(HexEncode(AsBytes("abc")), "616263");
}

TEST(HexTest, RoundTripsEveryByte) {
  std::vector<uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<uint8_t>(i);
  const std::string hex = HexEncode(all);
  ASSERT_EQ(hex.size(), 512u);
  EXPECT_TRUE(IsLowerHex(hex));
  EXPECT_EQ(HexDecode(hex), all);
}

TEST(HexTest, DecodesEitherCase) {
  const std::vector<uint8_t> want = {0xde, 0xad, 0xbe, 0xef};
  EXPECT_EQ(HexDecode("deadbeef"), want);
  EXPECT_EQ(HexDecode("DEADBEEF"), want);
  EXPECT_EQ(HexDecode("DeAdBeEf"), want);
  EXPECT_EQ(HexDecode(""), std::vector<uint8_t>{});
}

TEST(HexTest, RefusesOddLengthAndNonHex) {
  EXPECT_FALSE(HexDecode("abc").has_value());
  EXPECT_FALSE(HexDecode("0").has_value());
  for (std::string_view bad : {"0g", "g0", "zz", "0x", " 0", "0 ", "-1", "+1"}) {
    EXPECT_FALSE(HexDecode(bad).has_value()) << bad;
  }
  // Characters next to the digit ranges in ASCII.
  for (char c : {'\0', '/', ':', '@', 'G', '`', 'g', '\x80', '\xff'}) {
    EXPECT_EQ(HexDigitValue(c), -1) << c;
    EXPECT_FALSE(HexDecode(std::string{'0', c}).has_value()) << c;
  }
}

TEST(HexTest, DigitValues) {
  for (int i = 0; i < 10; ++i) EXPECT_EQ(HexDigitValue(static_cast<char>('0' + i)), i);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(HexDigitValue(static_cast<char>('a' + i)), 10 + i);
    EXPECT_EQ(HexDigitValue(static_cast<char>('A' + i)), 10 + i);
  }
}

TEST(HexTest, IsLowerHexIsTheEncodedForm) {
  EXPECT_TRUE(IsLowerHex(""));
  EXPECT_TRUE(IsLowerHex("0123456789abcdef"));
  EXPECT_FALSE(IsLowerHex("ABCDEF"));
  EXPECT_FALSE(IsLowerHex("abcdeg"));
}

TEST(HexTest, FixedSizeDecodeWantsExactlyTwoDigitsAByte) {
  std::array<uint8_t, 2> out{};
  EXPECT_TRUE(HexDecodeTo("a1B2", out));
  EXPECT_EQ(out, (std::array<uint8_t, 2>{0xa1, 0xb2}));
  EXPECT_FALSE(HexDecodeTo("a1b", out));
  EXPECT_FALSE(HexDecodeTo("a1b2c3", out));
  EXPECT_FALSE(HexDecodeTo("a1x2", out));
  EXPECT_EQ(HexDecodeArray<3>("00ff10"), (std::array<uint8_t, 3>{0x00, 0xff, 0x10}));
  EXPECT_FALSE(HexDecodeArray<3>("00ff").has_value());
  EXPECT_FALSE(HexDecodeArray<3>("00ff1000").has_value());
}

TEST(HexTest, Hash256BytesAreItsHexForm) {
  const std::string hex = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
  const std::optional<Hash256> h = Hash256::FromHex(hex);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(HexEncode(h->ToBytes()), hex);
  EXPECT_EQ(Hash256::FromBytes(h->ToBytes()), *h);
  Hash256 top;
  top.SetBit(255);
  EXPECT_EQ(top.ToBytes()[0], 0x80);
  EXPECT_EQ(top.ToHex(), "8" + std::string(63, '0'));
}

}  // namespace
}  // namespace vigil
