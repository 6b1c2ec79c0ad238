#include "vigil/evidence/credentials.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace vigil::evidence {
namespace {

TEST(CredentialsTest, HashesPasswordsWithArgon2idAndChecksThem) {
  auto a = HashPassword("correct horse battery staple");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->rfind("$argon2id$v=19$m=65536,t=2,p=1$", 0), 0u) << *a;
  EXPECT_TRUE(VerifyPassword(*a, "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(*a, "correct horse battery stapl"));
  EXPECT_FALSE(VerifyPassword(*a, ""));
  // A fresh salt each time: the same password, another hash, both valid.
  auto b = HashPassword("correct horse battery staple");
  ASSERT_TRUE(b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifyPassword(*b, "correct horse battery staple"));
}

TEST(CredentialsTest, RefusesWhatIsNotAnArgon2idHash) {
  EXPECT_FALSE(VerifyPassword("", "x"));
  EXPECT_FALSE(VerifyPassword("plain", "plain"));
  EXPECT_FALSE(VerifyPassword("$argon2i$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA", "x"));
  EXPECT_FALSE(VerifyPassword(std::string(500, '$'), "x"));
}

TEST(CredentialsTest, MakesUrlSafeRandomTokens) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string t = RandomToken(32);
    EXPECT_EQ(t.size(), 43u);  // 32 bytes, unpadded base64
    EXPECT_EQ(
        t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos)
        << t;
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(CredentialsTest, ComparesInConstantTime) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

}  // namespace
}  // namespace vigil::evidence
