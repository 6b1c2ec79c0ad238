#include "vigil/evidence/vault.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "src/evidence/test_util.h"
#include "src/evidence/util.h"
#include "vigil/core/digest.h"

namespace vigil::evidence {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string Pattern(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  uint32_t x = seed;
  for (char& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

VaultOptions Opts(size_t chunk, int64_t now = 0, std::function<void(uint64_t)> hook = nullptr) {
  VaultOptions o;
  o.chunk_bytes = chunk;
  o.now = now;
  o.write_hook = std::move(hook);
  return o;
}

std::vector<std::string> FilesUnder(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file()) out.push_back(it->path().string());
  }
  return out;
}

class VaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Keys> k = Keys::Generate(1000);
    ASSERT_TRUE(k.ok());
    keys_.emplace(std::move(*k));
  }
  Vault Open(VaultOptions o = {}) {
    Result<Vault> v = Vault::Open(dir_ / "vault", *keys_, std::move(o));
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return std::move(*v);
  }
  TempDir dir_;
  std::optional<Keys> keys_;
};

TEST_F(VaultTest, PutGetRoundTripChunkedAndIdempotent) {
  Vault v = Open(Opts(1000));
  for (size_t n : {0, 1, 999, 1000, 1001, 10'000}) {
    const std::string data = Pattern(n, static_cast<uint32_t>(n));
    Result<std::string> sha = v.Put(data);
    ASSERT_TRUE(sha.ok()) << sha.status().ToString();
    EXPECT_EQ(*sha, Sha256Hex(data));
    Result<std::string> back = v.GetBytes(*sha);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, data);
    EXPECT_TRUE(v.Verify(*sha).ok());
    const std::string before = testing::Slurp(v.PathOf(*sha));
    ASSERT_EQ(*v.Put(data), *sha);
    EXPECT_EQ(testing::Slurp(v.PathOf(*sha)), before) << "stored files are never rewritten";
  }
  testing::Spit(dir_ / "in.bin", Pattern(5000, 7));
  Result<std::string> f = v.PutFile(dir_ / "in.bin");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f, Sha256Hex(Pattern(5000, 7)));
  EXPECT_EQ(v.PutFile(dir_ / "missing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(v.Verify(std::string(64, 'a')).code(), StatusCode::kNotFound);
  EXPECT_TRUE(v.VerifyAll().empty()) << testing::Join(v.VerifyAll());
  EXPECT_EQ(v.List().size(), 7u);
}

TEST_F(VaultTest, HoldsNoPlaintext) {
  Vault v = Open(Opts(4096));
  std::string secret;
  while (secret.size() < 20'000) secret += "CAPTIVE-PHOTO-MARKER-" + std::to_string(secret.size());
  Result<std::string> sha = v.Put(secret);
  ASSERT_TRUE(sha.ok());
  ASSERT_TRUE(v.PutDerived(*sha, "thumbnail 64px", secret.substr(0, 5000)).ok());
  for (const std::string& file : FilesUnder(v.root())) {
    const std::string bytes = testing::Slurp(file);
    EXPECT_EQ(bytes.find("CAPTIVE-PHOTO"), std::string::npos) << file;
    for (size_t at = 0; at + 16 <= secret.size(); at += 997) {
      EXPECT_EQ(bytes.find(secret.substr(at, 16)), std::string::npos) << file << " @" << at;
    }
  }
}

TEST_F(VaultTest, DerivedCopiesKeptApartWithSidecar) {
  Vault v = Open(Opts(1 << 20, 4242));
  const std::string sha = *v.Put("original bytes");
  Result<std::string> d = v.PutDerived(sha, "blur sigma=12", "blurred bytes");
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(v.Contains(*d)) << "derived copies are not originals";
  Result<DerivedInfo> info = v.GetDerivedInfo(*d);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->original_sha256, sha);
  EXPECT_EQ(info->derivation, "blur sigma=12");
  EXPECT_EQ(info->created, 4242);
  std::string got;
  ASSERT_TRUE(v.GetDerived(*d, [&](std::string_view b) {
                 got.append(b);
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(got, "blurred bytes");
  EXPECT_TRUE(fs::exists(v.root() + "/derived/" + d->substr(0, 2) + "/" + *d + ".json"));
  EXPECT_EQ(v.PutDerived(std::string(64, 'b'), "x", "y").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(v.VerifyAll().empty()) << testing::Join(v.VerifyAll());
}

TEST_F(VaultTest, EveryFlippedByteIsDetectedAndNamed) {
  Vault v = Open(Opts(64));
  const std::string sha = *v.Put(Pattern(200, 3));
  const std::string path = v.PathOf(sha);
  const std::string good = testing::Slurp(path);
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] ^= 0x01;
    testing::Spit(path, bad);
    const Status s = v.Verify(sha);
    ASSERT_FALSE(s.ok()) << "byte " << i;
    EXPECT_NE(s.message().find(sha), std::string::npos) << s.message();
    const std::vector<std::string> all = v.VerifyAll();
    ASSERT_EQ(all.size(), 1u) << "byte " << i;
    EXPECT_TRUE(testing::AnyContains(all, sha));
  }
  testing::Spit(path, good.substr(0, good.size() - 10));
  EXPECT_EQ(v.Verify(sha).code(), StatusCode::kCorrupt);
  testing::Spit(path, good + "x");
  EXPECT_EQ(v.Verify(sha).code(), StatusCode::kCorrupt);
  // A valid file under the wrong name.
  const std::string other = *v.Put("other");
  testing::Spit(path, testing::Slurp(v.PathOf(other)));
  EXPECT_FALSE(v.Verify(sha).ok());
  testing::Spit(path, good);
  EXPECT_TRUE(v.VerifyAll().empty());
}

TEST_F(VaultTest, KillDuringPutLeavesNoValidLookingFile) {
  const std::string data = Pattern(50'000, 9);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    Result<Vault> v = Vault::Open(dir_ / "vault", *keys_, Opts(4096, 0, [](uint64_t written) {
                                    if (written > 8000) ::raise(SIGKILL);
                                  }));
    if (v.ok()) (void)v->Put(data);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  Vault v = Open();
  EXPECT_TRUE(FilesUnder(v.root() + "/originals").empty());
  EXPECT_EQ(FilesUnder(v.root() + "/tmp").size(), 1u) << "the torn write stays in tmp/";
  EXPECT_EQ(v.Verify(Sha256Hex(data)).code(), StatusCode::kNotFound);
  EXPECT_TRUE(v.VerifyAll().empty());
  ASSERT_TRUE(v.Put(data).ok());
  EXPECT_TRUE(v.Verify(Sha256Hex(data)).ok());
}

}  // namespace
}  // namespace vigil::evidence
