#include "vigil/core/digest.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>

#include "vigil/core/file.h"
#include "vigil/core/hex.h"

namespace vigil {
namespace {

constexpr char kSha256Empty[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kSha256Abc[] = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

TEST(DigestTest, Sha256KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), kSha256Empty);
  EXPECT_EQ(Sha256Hex("abc"), kSha256Abc);
  EXPECT_EQ(HexEncode(Sha256(AsBytes("abc"))), kSha256Abc);
  // FIPS 180-2 appendix B.2: a two-block message.
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // One million 'a's, given in uneven pieces.
  Sha256Stream s;
  const std::string chunk(997, 'a');
  size_t left = 1000000;
  while (left > 0) {
    const size_t n = std::min(left, chunk.size());
    s.Update(std::string_view(chunk).substr(0, n));
    left -= n;
  }
  EXPECT_EQ(HexEncode(s.Final()),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(DigestTest, Md5KnownVectors) {  // RFC 1321 appendix A.5
  Md5Stream m;
  EXPECT_EQ(HexEncode(m.Final()), "d41d8cd98f00b204e9800998ecf8427e");
  m.Update("a");
  m.Update(AsBytes("bc"));
  EXPECT_EQ(HexEncode(m.Final()), "900150983cd24fb0d6963f7d28e17f72");
  m.Update("message digest");
  EXPECT_EQ(HexEncode(m.Final()), "f96b697d7cb7938d525a2f31aaf161d0");
}

TEST(DigestTest, FinalStartsOver) {
  Sha256Stream s;
  EXPECT_EQ(HexEncode(s.Final()), kSha256Empty);
  s.Update("ab");
  s.Update("c");
  EXPECT_EQ(HexEncode(s.Final()), kSha256Abc);
  EXPECT_EQ(HexEncode(s.Final()), kSha256Empty);
  s.Update("abc");
  Sha256Stream moved = std::move(s);
  EXPECT_EQ(HexEncode(moved.Final()), kSha256Abc);
}

TEST(DigestTest, IsSha256HexIsTheWrittenForm) {
  EXPECT_TRUE(IsSha256Hex(kSha256Abc));
  EXPECT_FALSE(IsSha256Hex(std::string(kSha256Abc).substr(1)));
  EXPECT_FALSE(IsSha256Hex(std::string(kSha256Abc) + "0"));
  std::string upper(kSha256Abc);
  upper[0] = 'B';
  EXPECT_FALSE(IsSha256Hex(upper));
  EXPECT_FALSE(IsSha256Hex(""));
}

}  // namespace
}  // namespace vigil
