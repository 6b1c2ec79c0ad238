#include "vigil/evidence/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "src/evidence/test_util.h"
#include "src/evidence/util.h"
#include "src/evidence/zip_writer.h"

namespace vigil::evidence {
namespace {

namespace fs = std::filesystem;
using testing::AnyContains;
using testing::Join;
using testing::TempDir;

using Entries = std::vector<std::pair<std::string, std::string>>;

// Reads a (trusted, test-made) zip into memory.
Entries Extract(const std::string& zip) {
  Entries out;
  archive* a = archive_read_new();
  archive_read_support_format_zip_seekable(a);
  EXPECT_EQ(archive_read_open_filename(a, zip.c_str(), 1 << 16), ARCHIVE_OK);
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string data(static_cast<size_t>(archive_entry_size(e)), '\0');
    EXPECT_EQ(archive_read_data(a, data.data(), data.size()), static_cast<la_ssize_t>(data.size()));
    out.emplace_back(archive_entry_pathname(e), data);
  }
  archive_read_free(a);
  return out;
}

void Zip(const std::string& path, const Entries& entries) {
  std::string bytes;
  internal::ZipWriter w([&](std::string_view b) {
    bytes.append(b);
    return Status::Ok();
  });
  for (const auto& [name, data] : entries) {
    ASSERT_TRUE(w.BeginEntry(name).ok());
    ASSERT_TRUE(w.Write(data).ok());
    ASSERT_TRUE(w.EndEntry().ok());
  }
  ASSERT_TRUE(w.Finish().ok());
  testing::Spit(path, bytes);
}

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitKeys(key_path_, "pw", {KdfLimits::Min(), 1000}).ok());
    Load();
    Result<Vault> v = Vault::Open(dir_ / "vault", *keys_);
    ASSERT_TRUE(v.ok());
    vault_.emplace(std::move(*v));
    Result<CustodyLog> log = CustodyLog::Open(log_path_, [this] { return now_++; });
    ASSERT_TRUE(log.ok());
    log_.emplace(std::move(*log));
    for (const char* content : {"JPEG photo one", "PNG photo two"}) {
      const std::string sha = *vault_->Put(content);
      CustodyEntry e;
      e.actor = "op";
      e.action = "acquire";
      e.items = {sha};
      e.acquisition = AcquisitionRecord{"result.json",
                                        std::string(64, 'c'),
                                        "photos/a.jpg",
                                        "telegram",
                                        "-100",
                                        "7",
                                        1500,
                                        "0.1.0",
                                        "op"};
      ASSERT_TRUE(log_->Append(e).ok());
      items_.push_back({sha, std::string(content).substr(0, 10) + ".jpg"});
    }
  }
  void Load() {
    Result<Keys> k = LoadKeys(key_path_, "pw");
    ASSERT_TRUE(k.ok());
    keys_.emplace(std::move(*k));
  }
  Status Export(const std::string& out, std::function<void(std::string_view)> hook = nullptr) {
    ExportOptions o;
    o.actor = "investigator";
    o.now = now_;
    o.hook = std::move(hook);
    return ExportBundle(items_, *vault_, *log_, *keys_, out, o);
  }
  TempDir dir_;
  std::string key_path_ = dir_ / "keys.json";
  std::string log_path_ = dir_ / "custody.log";
  int64_t now_ = 2000;
  std::optional<Keys> keys_;
  std::optional<Vault> vault_;
  std::optional<CustodyLog> log_;
  std::vector<BundleItem> items_;
};

TEST_F(BundleTest, RoundTripVerifiesInAFreshProcessWithOnlyTheBundle) {
  const std::string zip = dir_ / "out/bundle.zip";
  fs::create_directories(dir_ / "out");
  ASSERT_TRUE(Export(zip).ok());
  EXPECT_EQ(log_->entries().back().action, "export");
  Verdict v = VerifyBundle(zip);
  EXPECT_TRUE(v.ok) << Join(v.problems);
  EXPECT_EQ(v.items, 2u);
  EXPECT_EQ(v.signer_key_id, keys_->current().key_id);
  const Entries e = Extract(zip);
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0].first, "manifest.json");
  EXPECT_EQ(e[1].first, "manifest.sig");
  EXPECT_EQ(e[2].second, "JPEG photo one");
  EXPECT_NE(e[0].second.find("\"acquisition_seq\":0"), std::string::npos);
  EXPECT_NE(e[0].second.find(R"(\"acquisition\":{\"source_file\":\"result.json\")"),
            std::string::npos);
  EXPECT_TRUE(VerifyInstallation(*vault_, *log_, *keys_).ok);

  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::error_code ec;
    fs::remove_all(dir_ / "vault", ec);
    fs::remove(key_path_, ec);
    fs::remove(log_path_, ec);
    ::_exit(VerifyBundle(zip).ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_F(BundleTest, EveryFlippedByteOfEveryEntryIsNamed) {
  const std::string zip = dir_ / "b.zip";
  ASSERT_TRUE(Export(zip).ok());
  const Entries good = Extract(zip);
  const std::string tampered = dir_ / "t.zip";
  for (size_t k = 0; k < good.size(); ++k) {
    const std::string& name = good[k].first;
    const std::string expect = name == "manifest.json" ? "manifest" : name;
    for (size_t i = 0; i < good[k].second.size(); ++i) {
      Entries bad = good;
      bad[k].second[i] ^= 0x01;
      Zip(tampered, bad);
      const Verdict v = VerifyBundle(tampered);
      ASSERT_FALSE(v.ok) << name << " byte " << i;
      ASSERT_TRUE(AnyContains(v.problems, expect)) << name << " byte " << i << "\n"
                                                   << Join(v.problems);
    }
  }
  Zip(tampered, good);
  EXPECT_TRUE(VerifyBundle(tampered).ok) << "re-zipping the same entries is canonical";
  // An entry removed / added.
  Entries fewer(good.begin(), good.end() - 1);
  Zip(tampered, fewer);
  EXPECT_TRUE(AnyContains(VerifyBundle(tampered).problems, "missing from the bundle"));
  Entries more = good;
  more.emplace_back("originals/extra.jpg", "x");
  Zip(tampered, more);
  EXPECT_TRUE(AnyContains(VerifyBundle(tampered).problems, "not listed in the manifest"));
}

TEST_F(BundleTest, EveryFlippedByteOfTheRawZipFails) {
  const std::string zip = dir_ / "b.zip";
  ASSERT_TRUE(Export(zip).ok());
  const std::string good = testing::Slurp(zip);
  const std::string tampered = dir_ / "t.zip";
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] ^= 0x01;
    testing::Spit(tampered, bad);
    const Verdict v = VerifyBundle(tampered);
    ASSERT_FALSE(v.ok) << "byte " << i;
    ASSERT_FALSE(v.problems.empty());
  }
  for (size_t cut : {size_t{0}, size_t{10}, good.size() / 2, good.size() - 1}) {
    testing::Spit(tampered, good.substr(0, cut));
    const Verdict v = VerifyBundle(tampered);
    EXPECT_FALSE(v.ok) << cut;
  }
}

TEST_F(BundleTest, HostileZips) {
  const std::string zip = dir_ / "b.zip";
  ASSERT_TRUE(Export(zip).ok());
  const Entries good = Extract(zip);
  const std::string hostile = dir_ / "h.zip";
  Entries e = good;
  e.emplace_back("../../etc/passwd", "root");
  Zip(hostile, e);
  EXPECT_TRUE(AnyContains(VerifyBundle(hostile).problems, "unsafe path"));
  e = good;
  e.emplace_back("/abs", "x");
  Zip(hostile, e);
  EXPECT_TRUE(AnyContains(VerifyBundle(hostile).problems, "unsafe path"));
  e = good;
  e.push_back(good[2]);
  Zip(hostile, e);
  EXPECT_TRUE(AnyContains(VerifyBundle(hostile).problems, "duplicate name"));
  VerifyOptions tiny;
  tiny.limits.max_archive_bytes = 100;
  EXPECT_TRUE(AnyContains(VerifyBundle(zip, tiny).problems, "larger than the limit"));
  testing::Spit(hostile, "");
  EXPECT_FALSE(VerifyBundle(hostile).ok);
  testing::Spit(hostile, "PK\x03\x04 not really a zip");
  EXPECT_FALSE(VerifyBundle(hostile).ok);
  EXPECT_FALSE(VerifyBundle(dir_ / "missing.zip").ok);
}

TEST_F(BundleTest, AnotherInstallationsKeyIsNamed) {
  const std::string zip = dir_ / "b.zip";
  ASSERT_TRUE(Export(zip).ok());
  Result<Keys> other = Keys::Generate(0);
  ASSERT_TRUE(other.ok());
  VerifyOptions mine, theirs;
  mine.trusted_keys = keys_->public_keys();
  theirs.trusted_keys = other->public_keys();
  EXPECT_TRUE(VerifyBundle(zip, mine).ok);
  Verdict v = VerifyBundle(zip, theirs);
  EXPECT_FALSE(v.ok);
  EXPECT_TRUE(AnyContains(v.problems, "not a key of this installation")) << Join(v.problems);
  EXPECT_TRUE(AnyContains(v.problems, keys_->current().key_id));
  // manifest.sig replaced by the other installation's signature.
  Entries e = Extract(zip);
  const Signature s = other->Sign(e[0].second);
  e[1].second.assign(reinterpret_cast<const char*>(s.data()), s.size());
  Zip(dir_ / "t.zip", e);
  v = VerifyBundle(dir_ / "t.zip", theirs);
  EXPECT_TRUE(AnyContains(v.problems, "manifest.sig: bad signature")) << Join(v.problems);
  EXPECT_TRUE(AnyContains(v.problems, other->current().key_id)) << Join(v.problems);
}

TEST_F(BundleTest, RotationKeepsOldBundlesVerifiable) {
  const std::string zip = dir_ / "old.zip";
  ASSERT_TRUE(Export(zip).ok());
  ASSERT_TRUE(RotateSigningKey(key_path_, "pw", {KdfLimits::Min(), 3000}).ok());
  Load();
  VerifyOptions o;
  o.trusted_keys = keys_->public_keys();
  EXPECT_TRUE(VerifyBundle(zip, o).ok) << Join(VerifyBundle(zip, o).problems);
  now_ = 4000;
  ASSERT_TRUE(Export(dir_ / "new.zip").ok());
  const Verdict v = VerifyBundle(dir_ / "new.zip", o);
  EXPECT_TRUE(v.ok) << Join(v.problems);
  EXPECT_EQ(v.signer_key_id, keys_->current().key_id);
  // Old and new heads in the log both verify against the rotated key file.
  EXPECT_TRUE(VerifyCustodyLog(log_path_, keys_->public_keys()).empty());
}

TEST_F(BundleTest, KillDuringExportLeavesNoBundleAndAnIntactLog) {
  const std::string zip = dir_ / "b.zip";
  log_.reset();  // the child opens its own log
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    Result<CustodyLog> log = CustodyLog::Open(log_path_, [] { return int64_t{5000}; });
    if (!log.ok()) ::_exit(2);
    ExportOptions o;
    o.actor = "investigator";
    o.hook = [](std::string_view what) {
      if (what != "manifest.json") ::raise(SIGKILL);
    };
    (void)ExportBundle(items_, *vault_, *log, *keys_, zip, o);
    ::_exit(3);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_FALSE(fs::exists(zip));
  for (const auto& f : fs::directory_iterator(dir_.path())) {
    if (f.path().filename().string().starts_with("b.zip")) {
      EXPECT_FALSE(VerifyBundle(f.path().string()).ok) << f.path();
    }
  }
  EXPECT_TRUE(VerifyCustodyLog(log_path_, keys_->public_keys()).empty());
  Result<CustodyLog> log = CustodyLog::Open(log_path_, [] { return int64_t{6000}; });
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  log_.emplace(std::move(*log));
  ASSERT_TRUE(Export(zip).ok());
  EXPECT_TRUE(VerifyBundle(zip).ok);
}

TEST_F(BundleTest, VerifyInstallationNamesDamage) {
  ASSERT_TRUE(log_->SignTreeHead(*keys_).ok());
  EXPECT_TRUE(VerifyInstallation(*vault_, *log_, *keys_).ok);
  const std::string path = vault_->PathOf(items_[0].sha256);
  std::string bytes = testing::Slurp(path);
  bytes[bytes.size() / 2] ^= 1;
  testing::Spit(path, bytes);
  const Verdict v = VerifyInstallation(*vault_, *log_, *keys_);
  EXPECT_FALSE(v.ok);
  EXPECT_TRUE(AnyContains(v.problems, items_[0].sha256)) << Join(v.problems);
}

}  // namespace
}  // namespace vigil::evidence
