#include "vigil/evidence/keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstring>

#include "src/evidence/test_util.h"

namespace vigil::evidence {
namespace {

using testing::TempDir;

KeyOptions Fast(int64_t now = 1000) { return {KdfLimits::Min(), now}; }

TEST(Keys, InitLoadSignVerify) {
  TempDir dir;
  const std::string path = dir / "keys.json";
  ASSERT_TRUE(InitKeys(path, "correct horse", Fast()).ok());
  struct stat sb;
  ASSERT_EQ(::stat(path.c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0600);
  Result<Keys> k = LoadKeys(path, "correct horse");
  ASSERT_TRUE(k.ok()) << k.status().ToString();
  EXPECT_EQ(k->public_keys().size(), 1u);
  EXPECT_EQ(k->vault_key().size(), 32u);
  const Signature sig = k->Sign("hello");
  EXPECT_TRUE(VerifySignature(k->current().public_key, "hello", sig));
  EXPECT_FALSE(VerifySignature(k->current().public_key, "hellO", sig));
  // The file holds no secret in the clear: neither the vault key nor the
  // signing seed appears in it.
  const std::string text = testing::Slurp(path);
  const std::string vk(reinterpret_cast<const char*>(k->vault_key().data()), 32);
  EXPECT_EQ(text.find(vk), std::string::npos);
  EXPECT_EQ(InitKeys(path, "again", Fast()).code(), StatusCode::kInvalidArgument);
}

TEST(Keys, WrongPassphraseMissingFileAndEdits) {
  TempDir dir;
  const std::string path = dir / "keys.json";
  ASSERT_TRUE(InitKeys(path, "right", Fast()).ok());
  Result<Keys> wrong = LoadKeys(path, "wrong");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrong.status().message().find("wrong passphrase"), std::string::npos);
  EXPECT_EQ(LoadKeys(dir / "none.json", "right").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(InitKeys(dir / "k2.json", "", Fast()).code(), StatusCode::kInvalidArgument);
  // Swapping in another public key (an attacker's) makes the file fail.
  std::string text = testing::Slurp(path);
  const size_t at = text.find("\"valid_from\":1000");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 17, "\"valid_from\":1001");
  testing::Spit(dir / "edited.json", text);
  EXPECT_FALSE(LoadKeys(dir / "edited.json", "right").ok());
  testing::Spit(dir / "junk.json", "{not json");
  EXPECT_EQ(LoadKeys(dir / "junk.json", "right").status().code(), StatusCode::kCorrupt);
}

TEST(Keys, RotationKeepsOldSignaturesVerifiable) {
  TempDir dir;
  const std::string path = dir / "keys.json";
  ASSERT_TRUE(InitKeys(path, "pw", Fast(1000)).ok());
  Result<Keys> before = LoadKeys(path, "pw");
  ASSERT_TRUE(before.ok());
  const Signature old_sig = before->Sign("signed in 2024");
  const PublicKeyInfo old_key = before->current();
  ASSERT_TRUE(RotateSigningKey(path, "pw", Fast(2000)).ok());
  Result<Keys> after = LoadKeys(path, "pw");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_EQ(after->public_keys().size(), 2u);
  const PublicKeyInfo& retired = after->public_keys()[0];
  EXPECT_EQ(retired.key_id, old_key.key_id);
  EXPECT_EQ(retired.valid_until, 2000);
  EXPECT_TRUE(retired.ValidAt(1500));
  EXPECT_FALSE(retired.ValidAt(2500));
  EXPECT_EQ(after->current().valid_from, 2000);
  EXPECT_NE(after->current().key_id, old_key.key_id);
  EXPECT_TRUE(VerifySignature(retired.public_key, "signed in 2024", old_sig));
  EXPECT_FALSE(VerifySignature(after->current().public_key, "signed in 2024", old_sig));
  EXPECT_EQ(std::memcmp(before->vault_key().data(), after->vault_key().data(), 32), 0);
}

}  // namespace
}  // namespace vigil::evidence
