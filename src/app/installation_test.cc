// The application layer's use cases, each through app::Installation alone:
// what the CLI, the server and the workers call.
#include "vigil/app/installation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "src/testing/temp_dir.h"
#include "vigil/evidence/bundle.h"

namespace vigil::app {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using vigil::testing::Slurp;

constexpr int64_t kNow = 1'700'000'000;
const fs::path kDihedral =
    fs::path(VIGIL_SHARED_TESTDATA) / "pdq" / "pdq" / "data" / "reg-test-input" / "dih";

class InstallationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.db = (dir_ / "vigil.db").string();
    options_.passphrase = [] { return Result<std::string>(std::string("correct horse")); };
    options_.operator_name = "analyst-1";
    options_.clock = [] { return kNow; };
    options_.data_dir = fs::path(VIGIL_SOURCE_DIR) / "data";
    options_.create = true;
    options_.notice = [this](std::string_view text) { notices_.emplace_back(text); };
  }
  std::unique_ptr<Installation> OpenOrDie(const InstallationOptions& o) {
    auto inst = Installation::Open(o);
    EXPECT_TRUE(inst.ok()) << inst.status().ToString();
    return inst.ok() ? std::move(inst).value() : nullptr;
  }

  // An export of `n` posts in `channel`; every 10th carries the bridge photo
  // (the channel "b" gets it flipped: a repost).
  fs::path WriteExport(const std::string& name, const std::string& channel, int n) {
    const fs::path d = dir_ / name;
    fs::create_directories(d);
    const std::string photo = channel == "b" ? "bridge-6-flipy.jpg" : "bridge-1-original.jpg";
    fs::copy_file(kDihedral / photo, d / photo, fs::copy_options::overwrite_existing);
    std::ofstream out(d / "posts.jsonl");
    for (int i = 0; i < n; ++i) {
      out << "{\"id\":\"" << i << "\",\"channel\":\"" << channel << "\",\"time\":" << kNow + i
          << ",\"text\":\"" << (i % 2 ? "girl for sale, price 2000 dollars" : "hello")
          << " +964 750 555 01" << 10 + i % 80 << "\"";
      if (i % 10 == 0) out << ",\"media\":[\"" << photo << "\"]";
      out << "}\n";
    }
    return d / "posts.jsonl";
  }

  testing::TempDir temp_{"vigil_app"};
  fs::path dir_ = temp_.path();
  InstallationOptions options_;
  std::vector<std::string> notices_;
};

TEST_F(InstallationTest, OpensOnlyAnExistingDatabaseUnlessCreating) {
  InstallationOptions o = options_;
  o.create = false;
  auto none = Installation::Open(o);
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(fs::exists(o.db));
  auto inst = OpenOrDie(options_);
  ASSERT_NE(inst, nullptr);
  EXPECT_EQ(inst->paths().home, dir_.string());
  EXPECT_EQ(inst->paths().keys, (dir_ / "vigil.keys").string());
  InstallationOptions url = o;
  url.db = "sqlite://" + o.db;
  EXPECT_NE(OpenOrDie(url), nullptr);
  // A server database opens without a home (nothing listens on port 1
  // here); the use cases that need the key file refuse without one
  // (scripts/pg-test).
  url.db = "postgresql://vigil@127.0.0.1:1/vigil";
  EXPECT_EQ(Installation::Open(url).status().code(), StatusCode::kIoError);
  const auto no_home = PathsFor(url);
  ASSERT_TRUE(no_home.ok());
  EXPECT_EQ(no_home->keys, "");
  EXPECT_EQ(no_home->vault, "");
  url.home = dir_.string();
  EXPECT_EQ(PathsFor(url)->vault, (dir_ / "vault").string());
  EXPECT_EQ(Installation::Open(url).status().code(), StatusCode::kIoError);
}

TEST_F(InstallationTest, KeysAreNeededOnlyWhenAUseCaseNeedsThem) {
  auto inst = OpenOrDie(options_);
  ASSERT_NE(inst, nullptr);
  // No key file yet: scanning without evidence works, the session does not.
  auto summary = inst->Scan({WriteExport("a", "a", 20)}, {}, nullptr);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->posts, 20);
  EXPECT_THAT(inst->Keys().status().message(), HasSubstr("vigil keys init"));

  ASSERT_TRUE(InitKeys(options_, /*rotate=*/false).ok());
  EXPECT_FALSE(InitKeys(options_, false).ok()) << "never overwrites a key file";
  InstallationOptions wrong = options_;
  wrong.passphrase = [] { return Result<std::string>(std::string("wrong")); };
  auto other = OpenOrDie(wrong);
  EXPECT_THAT(other->Keys().status().message(), HasSubstr("wrong passphrase"));
  EXPECT_FALSE(other->ListPersons().ok());
  InstallationOptions none = options_;
  none.passphrase = nullptr;
  EXPECT_FALSE(OpenOrDie(none)->Custody().ok());
  auto fresh = OpenOrDie(options_);
  ASSERT_TRUE(fresh->Keys().ok());
  auto rotated = InitKeys(options_, /*rotate=*/true);
  ASSERT_TRUE(rotated.ok());
  EXPECT_NE(*rotated, (*fresh->Keys())->current().key_id);
}

TEST_F(InstallationTest, ScanWithEvidenceKeepsOriginalsLogsAndSignsAndVerifies) {
  ASSERT_TRUE(InitKeys(options_, false).ok());
  auto inst = OpenOrDie(options_);
  ScanRequest request;
  request.evidence = true;
  auto summary =
      inst->Scan({WriteExport("a", "a", 30), WriteExport("b", "b", 30)}, request, nullptr);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->posts, 60);
  EXPECT_EQ(summary->errors, 0);
  EXPECT_GE(summary->media_matches, 1) << "the flipped photo is a repost";
  auto log = inst->Custody();
  ASSERT_TRUE(log.ok());
  EXPECT_GE((*log)->size(), 4u) << "two originals and two exports acquired";
  auto verdict = inst->VerifyInstallation();
  ASSERT_TRUE(verdict.ok());
  EXPECT_TRUE(verdict->ok) << (verdict->problems.empty() ? "" : verdict->problems[0]);

  // Evidence by post and by repost cluster: both channels' posts of the photo.
  auto record = inst->store().GetPost({Platform::kJsonl, "a", "0"});
  ASSERT_TRUE(record.ok() && record->has_value());
  const std::string sha = (*record)->media.at(0).info->sha256;
  auto cluster = inst->ClusterPosts(sha.substr(0, 12));
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  EXPECT_EQ(cluster->size(), 6u);  // posts 0, 10, 20 of each channel
  EvidenceSelection selection;
  selection.clusters = {sha.substr(0, 12)};
  selection.posts = {{Platform::kJsonl, "a", "0"}};  // also in the cluster: one copy
  EXPECT_EQ(inst->SelectPosts(selection)->size(), 6u);
  const fs::path bundle = dir_ / "case.zip";
  auto originals = inst->ExportEvidence(selection, bundle);
  ASSERT_TRUE(originals.ok()) << originals.status().ToString();
  EXPECT_EQ(*originals, 2u);
  EXPECT_TRUE(evidence::VerifyBundle(bundle.string()).ok);

  EXPECT_EQ(inst->ClusterPosts("abc").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(inst->ClusterPosts("00000000").status().code(), StatusCode::kNotFound);
  selection = {};
  selection.posts = {{Platform::kJsonl, "a", "no-such-post"}};
  EXPECT_EQ(inst->ExportEvidence(selection, dir_ / "x.zip").status().code(), StatusCode::kNotFound);
  selection.posts = {{Platform::kJsonl, "a", "1"}};  // a post without media
  EXPECT_EQ(inst->ExportEvidence(selection, dir_ / "x.zip").status().code(), StatusCode::kNotFound);
  auto head = inst->SignTreeHead();
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->size, (*log)->size());
}

TEST_F(InstallationTest, RegistryUseCasesAreAuditedAndFollowTheCase) {
  ASSERT_TRUE(InitKeys(options_, false).ok());
  auto inst = OpenOrDie(options_);
  ASSERT_TRUE(inst->Scan({WriteExport("a", "a", 12)}, {}, nullptr).ok());
  auto log = inst->Custody();
  ASSERT_TRUE(log.ok());
  uint64_t entries = (*log)->size();
  auto audited = [&] {  // each call below must have appended to the log
    const bool grew = (*log)->size() > entries;
    entries = (*log)->size();
    return grew;
  };
  registry::PersonFields f;
  f.names = {"Test Person", "شخص اختبار"};
  f.place = "Sinjar";
  f.date = "2014-08";
  ASSERT_TRUE(inst->AddPerson("C-0001", f, registry::CaseStatus::kMissing, {}).ok());
  EXPECT_TRUE(audited());
  EXPECT_EQ(inst->AddPerson("C-0001", f, registry::CaseStatus::kMissing, {}).code(),
            StatusCode::kInvalidArgument);

  PersonUpdate u;
  u.notes = "seen in a market post";
  ASSERT_TRUE(inst->UpdatePerson("C-0001", u, {}).ok());
  EXPECT_TRUE(audited());
  ASSERT_TRUE(inst->SetCaseStatus("C-0001", registry::CaseStatus::kSighted, "").ok());
  EXPECT_EQ(inst->SetCaseStatus("C-0001", registry::CaseStatus::kMissing, "").code(),
            StatusCode::kInvalidArgument)
      << "moving back needs a reason";
  ASSERT_TRUE(inst->RecordSighting("C-0001", {Platform::kJsonl, "a", "10"}, "", 0.41).ok());
  EXPECT_TRUE(audited());
  EXPECT_EQ(inst->RecordSighting("C-0001", {Platform::kJsonl, "a", "nope"}, "", 0).code(),
            StatusCode::kNotFound);

  auto view = inst->ShowPerson("C-0001");
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_TRUE(audited());
  EXPECT_EQ(view->record.person.fields.notes, "seen in a market post");
  EXPECT_EQ(view->record.person.status, registry::CaseStatus::kSighted);
  ASSERT_EQ(view->record.sightings.size(), 1u);
  EXPECT_EQ(view->record.sightings[0].external_id, "10");
  EXPECT_EQ(view->record.sightings[0].actor, "analyst-1");
  EXPECT_FALSE(view->record.sightings[0].media_sha256.empty()) << "the post's photo";
  auto persons = inst->ListPersons();
  ASSERT_TRUE(persons.ok());
  EXPECT_EQ(persons->size(), 1u);
  EXPECT_TRUE(audited());
  auto stats = inst->RegistryStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->by_status.at(registry::CaseStatus::kSighted), 1);
  EXPECT_EQ(*inst->Rematch(), 0u);  // no photos, no candidates
  EXPECT_EQ(inst->CompareFaces("C-0001", "00000000").status().code(), StatusCode::kNotFound);

  // A case's sightings select its evidence (no vault copy: a clear error).
  EvidenceSelection by_case;
  by_case.cases = {"C-0001"};
  auto posts = inst->SelectPosts(by_case);
  ASSERT_TRUE(posts.ok()) << posts.status().ToString();
  ASSERT_EQ(posts->size(), 1u);
  EXPECT_EQ(FormatPostKey(posts->at(0)), "jsonl/a/10");
  EXPECT_THAT(inst->ExportEvidence(by_case, dir_ / "c.zip").status().message(),
              HasSubstr("--evidence"));
  // A post id that holds '/' (as an image folder's do) survives the trip.
  std::ofstream(dir_ / "slash.jsonl") << R"({"id":"x/1","channel":"c/d","time":1,"text":"x"})"
                                      << "\n";
  ASSERT_TRUE(inst->Scan({dir_ / "slash.jsonl"}, {}, nullptr).ok());
  const PostKey slashed{Platform::kJsonl, "c/d", "x/1"};
  ASSERT_TRUE(inst->RecordSighting("C-0001", slashed, "", 0.5).ok());
  posts = inst->SelectPosts(by_case);
  ASSERT_TRUE(posts.ok()) << posts.status().ToString();
  EXPECT_EQ(posts->size(), 2u);
  EXPECT_NE(std::find(posts->begin(), posts->end(), slashed), posts->end());

  // A registry CSV: all or nothing.
  std::ofstream(dir_ / "reg.csv") << "case_code,names,status\nC-0002,A B,missing\n"
                                  << "C-0003,C D,found\n";
  EXPECT_FALSE(inst->ImportRegistry((dir_ / "reg.csv").string()).ok());
  std::ofstream(dir_ / "reg.csv") << "case_code,names,status\nC-0002,A B,missing\n";
  EXPECT_EQ(*inst->ImportRegistry((dir_ / "reg.csv").string()), 1u);
  EXPECT_EQ(inst->ListPersons()->size(), 2u);
}

// The face policy: a registry with a photo turns face search on; with a
// session the scan's faces are matched, and the comparison page shows the
// pair. Pairwise only: the same person's two portraits in a neutral folder.
TEST_F(InstallationTest, ScanFindsARegisteredFaceAndThePageComparesThePair) {
  const fs::path amy = fs::path(VIGIL_SHARED_TESTDATA) / "faces" / "bbt_amy";
  ASSERT_TRUE(InitKeys(options_, false).ok());
  auto inst = OpenOrDie(options_);
  registry::PersonFields f;
  f.names = {"Test Person"};
  ASSERT_TRUE(
      inst->AddPerson("C-0007", f, registry::CaseStatus::kMissing, {(amy / "amy1.png").string()})
          .ok());
  fs::create_directories(dir_ / "portraits");
  fs::copy_file(amy / "amy2.png", dir_ / "portraits" / "amy2.png");
  ScanRequest request;
  request.evidence = true;  // faces: kAuto, and the registry holds a photo
  auto summary = inst->Scan({dir_ / "portraits"}, request, nullptr);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_GE(summary->faces, 1);
  EXPECT_EQ(summary->face_matches, 1);
  auto view = inst->ShowPerson("C-0007");
  ASSERT_TRUE(view.ok());
  ASSERT_FALSE(view->candidates.empty());
  EXPECT_EQ(view->candidates[0].kind, store::CandidateKind::kFace);
  EXPECT_LE(view->candidates[0].distance, 0.6);
  const std::string sha = view->candidates[0].sha256;
  auto page = inst->CompareFaces("C-0007", sha.substr(0, 10));
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  size_t svgs = 0;
  for (size_t at = 0; (at = page->html.find("<svg", at)) != std::string::npos; ++at) ++svgs;
  EXPECT_EQ(svgs, 2u);
  EXPECT_THAT(page->html, HasSubstr("filter:blur"));
  EXPECT_THAT(Slurp(inst->paths().custody), HasSubstr("\"action\":\"view\",\"items\":[\"" + sha));

  // Without a session the faces are still found and stored, and a notice
  // says that the registry was not searched.
  InstallationOptions blind = options_;
  blind.passphrase = nullptr;
  fs::create_directories(dir_ / "more");
  fs::copy_file(amy / "amy3.png", dir_ / "more" / "amy3.png");
  auto without = OpenOrDie(blind)->Scan({dir_ / "more"}, {}, nullptr);
  ASSERT_TRUE(without.ok()) << without.status().ToString();
  EXPECT_GE(without->faces, 1);
  EXPECT_EQ(without->face_matches, 0);
  ASSERT_FALSE(notices_.empty());
  EXPECT_THAT(notices_.back(), HasSubstr("the registry is not searched"));
  EXPECT_EQ(*inst->Rematch(), 2u) << "matched later, with a session";
}

TEST_F(InstallationTest, DecisionsAreStoredAndLogged) {
  ASSERT_TRUE(InitKeys(options_, false).ok());
  auto inst = OpenOrDie(options_);
  ASSERT_TRUE(inst->Scan({WriteExport("a", "a", 5)}, {}, nullptr).ok());
  const PostKey key{Platform::kJsonl, "a", "3"};
  auto id = inst->Decide(key, store::DecisionType::kConfirm, "sale post, two selectors");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto decisions = inst->store().Decisions(key);
  ASSERT_TRUE(decisions.ok());
  ASSERT_EQ(decisions->size(), 1u);
  EXPECT_EQ((*decisions)[0].actor, "analyst-1");
  EXPECT_EQ((*decisions)[0].time, kNow);
  EXPECT_THAT(Slurp(inst->paths().custody), HasSubstr("confirm jsonl/a/3"));
  EXPECT_EQ(inst->Decide({Platform::kJsonl, "a", "99"}, store::DecisionType::kDismiss, "")
                .status()
                .code(),
            StatusCode::kNotFound);
}

TEST_F(InstallationTest, HashListsImportExportAndMatch) {
  auto inst = OpenOrDie(options_);
  ASSERT_TRUE(inst->Scan({WriteExport("a", "a", 1)}, {}, nullptr).ok());
  auto photo = inst->store().GetPost({Platform::kJsonl, "a", "0"});
  ASSERT_TRUE(photo.ok() && photo->has_value());
  const media::MediaInfo info = *(*photo)->media.at(0).info;
  std::ofstream(dir_ / "known.txt")
      << "pdq " << info.pdq << "\nmd5 " << info.md5 << "\nnot a hash\n";
  ListImport request;
  request.file = (dir_ / "known.txt").string();
  request.labels = {"test-set"};
  auto imported = inst->ImportList(request);
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->name, "known");
  EXPECT_EQ(imported->format, match::ListFormat::kPlain);
  EXPECT_EQ(imported->entries, 2u);
  EXPECT_EQ(imported->report.error_count, 1u);
  auto text = inst->ExportList("known", match::ListFormat::kPlain);
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(*text, HasSubstr(info.pdq));
  EXPECT_EQ(inst->ExportList("nope", match::ListFormat::kPlain).status().code(),
            StatusCode::kNotFound);

  auto answers = inst->Match(
      {(kDihedral / "bridge-6-flipy.jpg").string(), "md5:" + info.md5, "zz", std::string(64, '0')},
      {});
  ASSERT_TRUE(answers.ok()) << answers.status().ToString();
  ASSERT_EQ(answers->size(), 4u);
  bool list_hit = false, media_hit = false;
  for (const auto& m : (*answers)[0].matches) {
    list_hit = list_hit || (m.kind == store::MatchKind::kList && m.list == "known");
    media_hit = media_hit || (m.kind == store::MatchKind::kMedia && m.target == info.sha256);
  }
  EXPECT_TRUE(list_hit) << "the flipped photo matches the list's PDQ in a rotation";
  EXPECT_TRUE(media_hit) << "and the stored photo";
  ASSERT_EQ((*answers)[1].matches.size(), 1u);
  EXPECT_EQ((*answers)[1].matches[0].signal_type, "md5");
  EXPECT_FALSE((*answers)[2].error.empty());
  EXPECT_TRUE((*answers)[3].error.empty());
}

// Writers side by side: two scans and a third writer (decisions, a hash
// list) on one database at once, each on its own connection, as separate
// processes would be. Every write waits its turn; nothing is lost.
TEST_F(InstallationTest, TwoScansAndAThirdWriterShareOneDatabase) {
  ASSERT_TRUE(InitKeys(options_, false).ok());
  {
    auto inst = OpenOrDie(options_);
    ASSERT_TRUE(inst->Scan({WriteExport("seed", "seed", 10)}, {}, nullptr).ok());
  }
  const fs::path a = WriteExport("a", "a", 3000), b = WriteExport("b", "b", 3000);
  Status scan_a, scan_b, third;
  auto scan = [&](const fs::path& input, Status* out) {
    auto inst = Installation::Open(options_);
    if (!inst.ok()) {
      *out = inst.status();
      return;
    }
    ScanRequest request;
    request.options.batch_size = 100;  // many short write transactions
    request.options.threads = 1;
    auto summary = (*inst)->Scan({input}, request, nullptr);
    *out = summary.ok() ? Status::Ok() : summary.status();
  };
  std::thread ta(scan, a, &scan_a), tb(scan, b, &scan_b);
  std::thread tc([&] {
    auto inst = Installation::Open(options_);
    if (!inst.ok()) {
      third = inst.status();
      return;
    }
    for (int i = 0; i < 10 && third.ok(); ++i) {
      auto id = (*inst)->Decide({Platform::kJsonl, "seed", std::to_string(i)},
                                store::DecisionType::kDismiss, "");
      if (!id.ok()) third = id.status();
      std::ofstream(dir_ / "l.txt") << "pdq " << std::string(63, '0') << i << "\n";
      ListImport list;
      list.file = (dir_ / "l.txt").string();
      auto imported = (*inst)->ImportList(list);
      if (third.ok() && !imported.ok()) third = imported.status();
    }
  });
  ta.join();
  tb.join();
  tc.join();
  EXPECT_TRUE(scan_a.ok()) << scan_a.ToString();
  EXPECT_TRUE(scan_b.ok()) << scan_b.ToString();
  EXPECT_TRUE(third.ok()) << third.ToString();
  auto inst = OpenOrDie(options_);
  for (const char* channel : {"a", "b"}) {
    for (int i = 0; i < 3000; ++i) {
      auto r = inst->store().GetPost({Platform::kJsonl, channel, std::to_string(i)});
      ASSERT_TRUE(r.ok() && r->has_value()) << channel << "/" << i;
    }
  }
  EXPECT_EQ(inst->store().GetTotals()->posts, 6010);
  EXPECT_EQ(inst->store().Decisions(std::nullopt)->size(), 10u);
  EXPECT_EQ(inst->store().LoadHashLists("l")->at(0).entries.size(), 10u);
}

TEST(WriteFileAtomicallyTest, WritesWholeFilesOrNothing) {
  const testing::TempDir temp;
  const fs::path dir = temp.path();
  ASSERT_TRUE(WriteFileAtomically(dir / "a.html", "<p>x</p>", /*owner_only=*/true).ok());
  EXPECT_EQ(Slurp(dir / "a.html"), "<p>x</p>");
  EXPECT_EQ(fs::status(dir / "a.html").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  const Status failed = WriteFileAtomically(dir / "a.html", [](std::ostream& out) {
    out << "half";
    return Status::Internal("the writer failed");
  });
  EXPECT_EQ(failed.code(), StatusCode::kInternal);
  EXPECT_EQ(Slurp(dir / "a.html"), "<p>x</p>") << "the old file stays";
  EXPECT_FALSE(fs::exists(dir / "a.html.tmp"));
  EXPECT_FALSE(WriteFileAtomically(dir / "no" / "such" / "b", "x").ok());
}

}  // namespace
}  // namespace vigil::app

namespace vigil::app {
namespace {

TEST_F(InstallationTest, ManagesAccountsAndAuditsEveryChange) {
  ASSERT_TRUE(InitKeys(options_, false).ok());
  auto inst = OpenOrDie(options_);
  ASSERT_NE(inst, nullptr);
  const std::string pw = "a long enough passphrase";
  ASSERT_TRUE(inst->AddAccount("amal", store::Role::kCoordinator, pw).ok());
  EXPECT_THAT(inst->AddAccount("amal", store::Role::kAnalyst, pw).message(),
              HasSubstr("exists already"));
  EXPECT_THAT(inst->AddAccount("baran", store::Role::kAnalyst, "short").message(),
              HasSubstr("at least 12"));
  EXPECT_EQ(inst->AddAccount("../root", store::Role::kAdmin, pw).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(inst->AddAccount("", store::Role::kAdmin, pw).code(), StatusCode::kInvalidArgument);

  auto ok = inst->Authenticate("amal", pw);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_TRUE(ok->has_value());
  EXPECT_EQ((*ok)->role, store::Role::kCoordinator);
  EXPECT_NE((*ok)->password_hash.find("$argon2id$"), std::string::npos);
  EXPECT_FALSE(inst->Authenticate("amal", pw + "x")->has_value());
  EXPECT_FALSE(inst->Authenticate("nobody", pw)->has_value());

  ASSERT_TRUE(inst->SetAccountPassword("amal", "another long passphrase").ok());
  EXPECT_FALSE(inst->Authenticate("amal", pw)->has_value());
  EXPECT_TRUE(inst->Authenticate("amal", "another long passphrase")->has_value());
  ASSERT_TRUE(inst->SetAccountDisabled("amal", true).ok());
  EXPECT_FALSE(inst->Authenticate("amal", "another long passphrase")->has_value());
  EXPECT_EQ(inst->SetAccountDisabled("nobody", true).code(), StatusCode::kNotFound);
  EXPECT_EQ(inst->ListAccounts()->size(), 1u);

  // Every change is in the custody log, as the actor of the time.
  inst->ActAs("admin-2");
  ASSERT_TRUE(inst->SetAccountDisabled("amal", false).ok());
  auto entries = inst->AuditEntries(0, 100);
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  std::vector<std::string> seen;
  for (const auto& e : *entries) seen.push_back(e.actor + " " + e.action + " " + e.details);
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "analyst-1 account.add amal coordinator", "analyst-1 account.password amal",
                      "analyst-1 account.disable amal", "admin-2 account.enable amal"}));
  EXPECT_EQ(inst->AuditEntries(entries->back().seq, 100)->size(), 1u);
  EXPECT_EQ(inst->AuditEntries(0, 2)->size(), 2u);
}

TEST_F(InstallationTest, ActsAsTheSignedInAccountInTheRegistry) {
  ASSERT_TRUE(InitKeys(options_, false).ok());
  auto inst = OpenOrDie(options_);
  ASSERT_NE(inst, nullptr);
  PersonUpdate u;
  u.names = {"Test Person"};
  ASSERT_TRUE(inst->AddPerson("C-1", u.Apply({}), registry::CaseStatus::kMissing, {}).ok());
  inst->ActAs("coordinator-7");
  ASSERT_TRUE(inst->SetCaseStatus("C-1", registry::CaseStatus::kSighted, "seen").ok());
  auto view = inst->ShowPerson("C-1");
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  ASSERT_EQ(view->record.history.size(), 2u);
  EXPECT_EQ(view->record.history.back().actor, "coordinator-7");
  auto entries = inst->AuditEntries(0, 100);
  ASSERT_FALSE(entries->empty());
  EXPECT_EQ(entries->back().actor, "coordinator-7");
}

}  // namespace
}  // namespace vigil::app
