#include "vigil/registry/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstring>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "src/evidence/test_util.h"
#include "vigil/store/database.h"

namespace vigil::registry {
namespace {

using evidence::Keys;
using evidence::testing::Slurp;
using evidence::testing::Spit;
using evidence::testing::TempDir;
using ::testing::HasSubstr;

// Fields no byte of which may appear in clear in the database files.
constexpr char kLatinName[] = "Qadirsyntheticname Osmanova";
constexpr char kArabicName[] = "قادرة الاسم المصطنع";
constexpr char kAlias[] = "Shinysyntheticalias";
constexpr char kContact[] = "+964 750 555 0199 (synthetic brother)";
constexpr char kNotes[] = "Synthetic note: last seen near the fictional well";
constexpr char kPlace[] = "Fictionalvillage";
constexpr char kPhotoMarker[] = "SYNTHETIC-PHOTO-BYTES-4f1c";
constexpr char kReason[] = "Synthetic reason: phone call from the family";

std::vector<uint8_t> PhotoBytes(std::string_view tag) {
  std::string s = std::string(kPhotoMarker) + "/" + std::string(tag);
  return std::vector<uint8_t>(s.begin(), s.end());
}

// Stands in for the faces engine: a deterministic embedding from the bytes,
// and an error for bytes that say so.
Result<PhotoFeatures> FakeAnalyzer(std::span<const uint8_t> bytes) {
  const std::string s(bytes.begin(), bytes.end());
  if (s.find("CORRUPT") != std::string::npos) return Status::Corrupt("not an image");
  PhotoFeatures f;
  f.sha256 = "ab" + std::string(62, 'c');
  f.type = "jpeg";
  f.pdq = std::string(64, 'f');
  f.pdq_quality = 100;
  PhotoFace face;
  face.box = {10, 20, 30, 40};
  for (size_t i = 0; i < face.embedding.size(); ++i) {
    face.embedding[i] =
        0.25f + static_cast<float>(s.size() % 7) * 0.01f + static_cast<float>(i) * 1e-3f;
  }
  f.faces.push_back(face);
  return f;
}

PersonFields Fields() {
  PersonFields f;
  f.names = {kLatinName, kArabicName};
  f.aliases = {kAlias};
  f.sex = "female";
  f.birth_year = 2001;
  f.place = kPlace;
  f.date = "2014-08-03";
  f.family_contact = kContact;
  f.notes = kNotes;
  return f;
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto keys = Keys::Generate(0);
    ASSERT_TRUE(keys.ok());
    keys_.emplace(std::move(*keys));
    registry_ = OpenWith(*keys_);
    ASSERT_NE(registry_, nullptr);
  }

  std::unique_ptr<Registry> OpenWith(const Keys& keys) {
    auto db = store::Open(db_);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    if (!db.ok()) return nullptr;
    databases_.push_back(std::move(*db));
    Session s;
    s.keys = &keys;
    s.actor = "analyst-1";
    s.audit = [this](std::string_view action, std::string_view details) {
      if (fail_audit_) return Status::IoError("audit log unavailable");
      audit_.push_back(std::string(action) + " " + std::string(details));
      return Status::Ok();
    };
    s.clock = [this] { return now_; };
    auto r = Registry::Open(databases_.back()->registry(), std::move(s));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : nullptr;
  }

  void AddDefault() {
    const std::vector<std::vector<uint8_t>> photos = {PhotoBytes("one"), PhotoBytes("two")};
    ASSERT_TRUE(
        registry_->Add("C-0142", Fields(), CaseStatus::kMissing, photos, FakeAnalyzer).ok());
  }

  // Every byte SQLite keeps for the database (main file and WAL).
  std::string DatabaseBytes() const { return Slurp(db_) + Slurp(db_ + "-wal"); }

  TempDir dir_;
  std::string db_ = dir_ / "vigil.db";
  std::optional<Keys> keys_;
  std::vector<std::unique_ptr<store::Database>> databases_;  // one per OpenWith
  std::unique_ptr<Registry> registry_;
  std::vector<std::string> audit_;
  bool fail_audit_ = false;
  int64_t now_ = 1'700'000'000;  // 2023-11-14
};

TEST(CaseStatusTest, NamesRoundTrip) {
  for (CaseStatus s : kAllStatuses) EXPECT_EQ(ParseStatus(StatusName(s)), s);
  EXPECT_FALSE(ParseStatus("found").has_value());
  EXPECT_FALSE(ParseStatus("").has_value());
}

TEST(CaseStatusTest, TransitionsForwardFreeOthersNeedAReason) {
  struct Case {
    CaseStatus from, to;
    const char* reason;
    bool ok;
  };
  const Case cases[] = {
      {CaseStatus::kMissing, CaseStatus::kSighted, "", true},
      {CaseStatus::kMissing, CaseStatus::kRescued, "", true},  // skipping is allowed
      {CaseStatus::kRescued, CaseStatus::kReunited, "", true},
      {CaseStatus::kSighted, CaseStatus::kMissing, "", false},  // back needs a reason
      {CaseStatus::kSighted, CaseStatus::kMissing, "sighting was someone else", true},
      {CaseStatus::kMissing, CaseStatus::kDeceased, "", false},
      {CaseStatus::kMissing, CaseStatus::kDeceased, "confirmed by family", true},
      {CaseStatus::kLocated, CaseStatus::kClosed, "", false},
      {CaseStatus::kClosed, CaseStatus::kMissing, "", false},
      {CaseStatus::kClosed, CaseStatus::kMissing, "reopened", true},
      {CaseStatus::kMissing, CaseStatus::kMissing, "any", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(CheckTransition(c.from, c.to, c.reason).ok(), c.ok)
        << StatusName(c.from) << " -> " << StatusName(c.to) << " '" << c.reason << "'";
  }
}

TEST(ValidationTest, CaseCodesAndDates) {
  EXPECT_TRUE(IsValidCaseCode("C-0142"));
  EXPECT_TRUE(IsValidCaseCode("ks.2014_7"));
  EXPECT_FALSE(IsValidCaseCode(""));
  EXPECT_FALSE(IsValidCaseCode("-C1"));
  EXPECT_FALSE(IsValidCaseCode("C 1"));
  EXPECT_FALSE(IsValidCaseCode("C/1"));
  EXPECT_FALSE(IsValidCaseCode(std::string(33, 'a')));
  for (const char* ok : {"", "2014", "2014-08", "2014-08-03", "2016-02-29", "1999-12-31"}) {
    EXPECT_TRUE(IsValidPartialDate(ok)) << ok;
  }
  for (const char* bad : {"14", "2014-8", "2014-13", "2014-00-10", "2014-02-29", "2014-04-31",
                          "2014/08/03", "2014-08-03T00", "1850", "year"}) {
    EXPECT_FALSE(IsValidPartialDate(bad)) << bad;
  }
  PersonFields f = Fields();
  EXPECT_TRUE(Validate(f).ok());
  f.sex = "x";
  EXPECT_FALSE(Validate(f).ok());
  f = Fields();
  f.names = {""};
  EXPECT_FALSE(Validate(f).ok());
  f = Fields();
  f.birth_year = 1800;
  EXPECT_FALSE(Validate(f).ok());
}

TEST_F(RegistryTest, RoundTripKeepsEveryFieldAndNothingInClear) {
  AddDefault();
  ASSERT_TRUE(registry_->SetStatus("C-0142", CaseStatus::kSighted, kReason).ok());

  auto rec = registry_->Show("C-0142");
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->person.fields, Fields());
  EXPECT_EQ(rec->person.status, CaseStatus::kSighted);
  ASSERT_EQ(rec->history.size(), 2u);
  EXPECT_FALSE(rec->history[0].from.has_value());
  EXPECT_EQ(rec->history[1].from, CaseStatus::kMissing);
  EXPECT_EQ(rec->history[1].to, CaseStatus::kSighted);
  EXPECT_EQ(rec->history[1].reason, kReason);
  EXPECT_EQ(rec->history[1].actor, "analyst-1");
  ASSERT_EQ(rec->photos.size(), 2u);
  const auto expected = FakeAnalyzer(PhotoBytes("one"));
  ASSERT_EQ(rec->photos[0].features.faces.size(), 1u);
  EXPECT_EQ(rec->photos[0].features.faces[0].embedding, expected->faces[0].embedding);
  EXPECT_EQ(rec->photos[0].features.faces[0].box, expected->faces[0].box);
  auto bytes = registry_->PhotoBytes("C-0142", rec->photos[1].id);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, PhotoBytes("two"));

  const std::string db = DatabaseBytes();
  ASSERT_GT(db.size(), 4096u);
  for (const char* secret :
       {kLatinName, kArabicName, kAlias, kContact, kNotes, kPlace, kPhotoMarker, kReason,
        "Qadirsynthetic", "2014-08-03", "Fictionalvillage"}) {
    EXPECT_EQ(db.find(secret), std::string::npos) << "in clear in the database: " << secret;
  }
  // The embedding and the photo hash are sealed too.
  const std::string hash = expected->sha256;
  EXPECT_EQ(db.find(hash), std::string::npos);
  std::string raw_embedding(reinterpret_cast<const char*>(expected->faces[0].embedding.data()), 16);
  EXPECT_EQ(db.find(raw_embedding), std::string::npos);
  EXPECT_EQ(db.find("0.25"), std::string::npos);
  // What statistics need is in clear: the case code and status.
  EXPECT_NE(db.find("C-0142"), std::string::npos);
}

TEST_F(RegistryTest, EveryReadIsAuditedAndFailsWithoutTheAudit) {
  AddDefault();
  audit_.clear();
  ASSERT_TRUE(registry_->List().ok());
  ASSERT_TRUE(registry_->Show("C-0142").ok());
  ASSERT_TRUE(registry_->References().ok());
  ASSERT_TRUE(registry_->ComputeStats().ok());
  ASSERT_TRUE(registry_->PhotoBytes("C-0142", 1).ok());
  EXPECT_THAT(audit_,
              ::testing::ElementsAre("registry.list ", "registry.view C-0142",
                                     "registry.references load for matching", "registry.stats ",
                                     "registry.photo.view C-0142 photo 1"));
  fail_audit_ = true;
  EXPECT_EQ(registry_->List().status().code(), StatusCode::kIoError);
  EXPECT_EQ(registry_->Show("C-0142").status().code(), StatusCode::kIoError);
  EXPECT_EQ(registry_->References().status().code(), StatusCode::kIoError);
  EXPECT_EQ(registry_->PhotoBytes("C-0142", 1).status().code(), StatusCode::kIoError);
  EXPECT_FALSE(registry_->SetStatus("C-0142", CaseStatus::kSighted, "").ok());
  fail_audit_ = false;
  auto rec = registry_->Show("C-0142");
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->person.status, CaseStatus::kMissing);  // the unaudited change did not happen
}

TEST_F(RegistryTest, NoSessionNoRegistry) {
  auto db = store::Open(db_);
  ASSERT_TRUE(db.ok());
  Session s;  // no keys
  s.actor = "x";
  s.audit = [](std::string_view, std::string_view) { return Status::Ok(); };
  s.clock = [] { return int64_t{0}; };
  auto r = Registry::Open((*db)->registry(), s);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("session"));
}

TEST_F(RegistryTest, AnotherInstallationsKeyOpensNothing) {
  AddDefault();
  auto other = Keys::Generate(0);
  ASSERT_TRUE(other.ok());
  auto intruder = OpenWith(*other);
  ASSERT_NE(intruder, nullptr);
  auto list = intruder->List();
  EXPECT_EQ(list.status().code(), StatusCode::kCorrupt);
  EXPECT_THAT(list.status().message(), HasSubstr("does not open"));
  EXPECT_EQ(intruder->References().status().code(), StatusCode::kCorrupt);
}

TEST_F(RegistryTest, SealedFieldsCannotBeMovedBetweenPersons) {
  AddDefault();
  PersonFields other = Fields();
  other.names = {"Second synthetic person"};
  ASSERT_TRUE(registry_->Add("C-0143", other, CaseStatus::kMissing, {}, FakeAnalyzer).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "UPDATE registry_persons SET sealed = (SELECT sealed FROM "
                         "registry_persons WHERE case_code = 'C-0142') WHERE case_code = 'C-0143'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  EXPECT_EQ(registry_->Show("C-0143").status().code(), StatusCode::kCorrupt);
  EXPECT_TRUE(registry_->Show("C-0142").ok());
}

TEST_F(RegistryTest, AddRejectsBadInputAndWritesNothing) {
  AddDefault();
  EXPECT_THAT(registry_->Add("C-0142", Fields(), CaseStatus::kMissing, {}, FakeAnalyzer).message(),
              HasSubstr("exists already"));
  EXPECT_FALSE(registry_->Add("bad code", Fields(), CaseStatus::kMissing, {}, FakeAnalyzer).ok());
  const std::vector<std::vector<uint8_t>> photos = {PhotoBytes("fine"), PhotoBytes("CORRUPT")};
  const Status s = registry_->Add("C-0200", Fields(), CaseStatus::kMissing, photos, FakeAnalyzer);
  EXPECT_EQ(s.code(), StatusCode::kCorrupt);
  EXPECT_THAT(s.message(), HasSubstr("photo of C-0200"));
  auto list = registry_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  auto photos_stored = databases_.back()->registry().Photos("");
  ASSERT_TRUE(photos_stored.ok());
  EXPECT_EQ(photos_stored->size(), 2u);  // only C-0142's
}

TEST_F(RegistryTest, StatusHistoryAndMonthlyFigures) {
  now_ = 1'704'067'200;  // 2024-01-01
  for (int i = 0; i < 5; ++i) {
    PersonFields f = Fields();
    f.names = {"Synthetic person " + std::to_string(i)};
    ASSERT_TRUE(
        registry_->Add("C-" + std::to_string(100 + i), f, CaseStatus::kMissing, {}, FakeAnalyzer)
            .ok());
  }
  now_ = 1'705'000'000;  // 2024-01-11
  ASSERT_TRUE(registry_->SetStatus("C-100", CaseStatus::kSighted, "").ok());
  ASSERT_TRUE(registry_->SetStatus("C-101", CaseStatus::kRescued, "").ok());
  now_ = 1'707'000'000;  // 2024-02-03
  ASSERT_TRUE(registry_->SetStatus("C-100", CaseStatus::kRescued, "").ok());
  ASSERT_TRUE(registry_->SetStatus("C-101", CaseStatus::kReunited, "").ok());
  ASSERT_TRUE(registry_->SetStatus("C-102", CaseStatus::kDeceased, "confirmed").ok());
  EXPECT_FALSE(registry_->SetStatus("C-103", CaseStatus::kClosed, "").ok());  // needs a reason
  EXPECT_EQ(registry_->SetStatus("C-999", CaseStatus::kSighted, "").code(), StatusCode::kNotFound);

  auto st = registry_->ComputeStats();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->persons, 5);
  EXPECT_EQ(st->by_status.at(CaseStatus::kMissing), 2);
  EXPECT_EQ(st->by_status.at(CaseStatus::kRescued), 1);
  EXPECT_EQ(st->by_status.at(CaseStatus::kReunited), 1);
  EXPECT_EQ(st->by_status.at(CaseStatus::kDeceased), 1);
  EXPECT_EQ(st->by_status.at(CaseStatus::kSighted), 0);
  ASSERT_EQ(st->transitions_by_month.size(), 2u);
  const auto& jan = st->transitions_by_month.at("2024-01");
  EXPECT_EQ(jan.at(CaseStatus::kSighted), 1);
  EXPECT_EQ(jan.at(CaseStatus::kRescued), 1);
  const auto& feb = st->transitions_by_month.at("2024-02");
  EXPECT_EQ(feb.at(CaseStatus::kRescued), 1);
  EXPECT_EQ(feb.at(CaseStatus::kReunited), 1);
  EXPECT_EQ(feb.at(CaseStatus::kDeceased), 1);
  EXPECT_EQ(feb.count(CaseStatus::kSighted), 0u);
}

TEST_F(RegistryTest, ChangeStatusRefusesAStaleFromStatus) {
  AddDefault();
  store::StatusRow stale;
  stale.case_code = "C-0142";
  stale.from_status = "sighted";  // it is missing
  stale.to_status = "located";
  stale.actor = "x";
  EXPECT_EQ(databases_.back()->registry().ChangeStatus(stale).code(), StatusCode::kInvalidArgument);
}

TEST_F(RegistryTest, SightingsAreRecordedOnce) {
  AddDefault();
  Sighting s;
  s.case_code = "C-0142";
  s.media_sha256 = std::string(64, 'a');
  s.platform = "telegram";
  s.channel_id = "100";
  s.external_id = "7";
  s.post_time = 1'600'000'000;
  s.distance = 0.41;
  ASSERT_TRUE(registry_->AddSighting(s).ok());
  ASSERT_TRUE(registry_->AddSighting(s).ok());
  auto rec = registry_->Show("C-0142");
  ASSERT_TRUE(rec.ok());
  ASSERT_EQ(rec->sightings.size(), 1u);
  EXPECT_EQ(rec->sightings[0].actor, "analyst-1");
  EXPECT_DOUBLE_EQ(rec->sightings[0].distance, 0.41);
  s.case_code = "C-404";
  EXPECT_EQ(registry_->AddSighting(s).code(), StatusCode::kNotFound);
}

// --- CSV import ----------------------------------------------------------

TEST(RegistryCsvTest, ParsesTheCoordinatorsColumns) {
  const std::string csv =
      "\xEF\xBB\xBF"
      "Case_Code,names,aliases,sex,birth_year,place,date,family_contact,notes,status,photos\n"
      "C-1,\"Synthetic One|سنثتك\",Ones,F,2003,Villagename,2014-08,\"+964 750 000 0001\","
      "\"note, with comma\",missing,a.jpg|b.png\n"
      "C-2,Synthetic Two,,,,,,,,rescued,\n";
  auto rows = ParseRegistryCsv(csv, 1 << 20);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  const ImportRow& r = (*rows)[0];
  EXPECT_EQ(r.case_code, "C-1");
  EXPECT_THAT(r.fields.names, ::testing::ElementsAre("Synthetic One", "سنثتك"));
  EXPECT_EQ(r.fields.sex, "female");
  EXPECT_EQ(r.fields.birth_year, 2003);
  EXPECT_EQ(r.fields.date, "2014-08");
  EXPECT_EQ(r.fields.notes, "note, with comma");
  EXPECT_THAT(r.photos, ::testing::ElementsAre("a.jpg", "b.png"));
  EXPECT_EQ((*rows)[1].status, CaseStatus::kRescued);
  EXPECT_EQ((*rows)[1].line, 3);
}

TEST(RegistryCsvTest, ReportsEveryProblemAndReturnsNoRows) {
  struct Case {
    const char* name;
    std::string csv;
    std::vector<std::string> expect;
  };
  const Case cases[] = {
      {"missing column", "case_code,aliases\nC-1,x\n", {"missing column 'names'"}},
      {"unknown column", "case_code,names,shoe_size\nC-1,A,42\n", {"unknown column 'shoe_size'"}},
      {"empty", "", {"no header"}},
      {"bad rows",
       "case_code,names,date,birth_year,status,sex\n"
       "C-1,A,2014-13-01,,,\n"
       "C-2,B,,19x,,\n"
       "C-3,C,,,found,\n"
       "C-4,,,,,\n"
       "C-5,E,,,,unknown\n"
       "C-6,F,2014-02-30,,,\n"
       "C 7,G,,,,\n"
       "C-8,H,,,\n"
       "C-9,I,,,,\n"
       "C-9,J,,,,\n",
       {"line 2: bad date '2014-13-01'", "line 3: bad birth year '19x'",
        "line 4: unknown status 'found'", "line 5: a person needs at least one name",
        "line 6: sex must be", "line 7: bad date '2014-02-30'", "line 8: bad case code 'C 7'",
        "line 9: 5 fields, the header has 6", "line 11: case code C-9 already on line 10",
        "9 problems"}},
  };
  for (const auto& c : cases) {
    auto rows = ParseRegistryCsv(c.csv, 1 << 20);
    ASSERT_FALSE(rows.ok()) << c.name;
    EXPECT_EQ(rows.status().code(), StatusCode::kInvalidArgument) << c.name;
    for (const auto& e : c.expect) {
      EXPECT_THAT(rows.status().message(), HasSubstr(e)) << c.name;
    }
  }
}

TEST_F(RegistryTest, ImportIsAllOrNothing) {
  AddDefault();
  Spit(dir_ / "p1.jpg", std::string(kPhotoMarker) + "-p1");
  Spit(dir_ / "bad.jpg", "CORRUPT bytes");
  auto good = ParseRegistryCsv(
      "case_code,names,photos\nC-1,Synthetic One,p1.jpg\nC-2,Synthetic Two,\n", 1 << 20);
  ASSERT_TRUE(good.ok());
  // One existing code among new ones: nothing written.
  auto clash = ParseRegistryCsv("case_code,names\nC-3,Synthetic Three\nC-0142,Again\n", 1 << 20);
  ASSERT_TRUE(clash.ok());
  EXPECT_THAT(registry_->Import(*clash, dir_.path(), FakeAnalyzer).message(),
              HasSubstr("C-0142 exists already"));
  // A missing photo, a corrupt one: nothing written, both named.
  auto photos = ParseRegistryCsv(
      "case_code,names,photos\nC-4,Four,missing.jpg\nC-5,Five,bad.jpg\nC-6,Six,p1.jpg\n", 1 << 20);
  ASSERT_TRUE(photos.ok());
  const Status s = registry_->Import(*photos, dir_.path(), FakeAnalyzer);
  EXPECT_THAT(s.message(), HasSubstr("line 2: cannot read photo"));
  EXPECT_THAT(s.message(), HasSubstr("line 3: photo of C-5: not an image"));
  auto list = registry_->List();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1u);

  ASSERT_TRUE(registry_->Import(*good, dir_.path(), FakeAnalyzer).ok());
  list = registry_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  auto rec = registry_->Show("C-1");
  ASSERT_TRUE(rec.ok());
  ASSERT_EQ(rec->photos.size(), 1u);
  auto bytes = registry_->PhotoBytes("C-1", rec->photos[0].id);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(std::string(bytes->begin(), bytes->end()), std::string(kPhotoMarker) + "-p1");
}

TEST_F(RegistryTest, ImportRefusesPhotosOutsideTheCsvFolder) {
  AddDefault();
  const std::filesystem::path csv_dir = std::filesystem::path(dir_.path()) / "csv";
  std::filesystem::create_directories(csv_dir / "sub");
  Spit((csv_dir / "ok.jpg").string(), std::string(kPhotoMarker) + "-ok");
  Spit(dir_ / "outside.jpg", std::string(kPhotoMarker) + "-outside");
  std::filesystem::create_symlink(dir_ / "outside.jpg", csv_dir / "link.jpg");
  std::filesystem::create_symlink(dir_.path(), csv_dir / "up");
  const std::string cases[] = {
      "../outside.jpg",
      "sub/../../outside.jpg",
      "/etc/passwd",
      dir_ / "outside.jpg",
      (csv_dir / "ok.jpg").string(),  // absolute, even when it points inside
      "link.jpg",                     // a symlink out of the folder
      "up/outside.jpg",               // through a linked folder
  };
  const size_t audits = audit_.size();
  for (const std::string& bad : cases) {
    auto rows = ParseRegistryCsv(
        "case_code,names,photos\nC-7,Seven,ok.jpg\nC-8,Eight,ok.jpg|" + bad + "\n", 1 << 20);
    ASSERT_TRUE(rows.ok()) << bad << ": " << rows.status().ToString();
    const Status s = registry_->Import(*rows, csv_dir, FakeAnalyzer);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("line 3: photo refused, outside the CSV's folder: " + bad))
        << s.message();
    EXPECT_THAT(s.message(), ::testing::Not(HasSubstr("line 2"))) << s.message();
    // All or nothing: the good row is not written either.
    auto list = registry_->List();
    ASSERT_TRUE(list.ok());
    EXPECT_EQ(list->size(), 1u) << bad;
  }
  for (size_t i = audits; i < audit_.size(); ++i) {
    EXPECT_THAT(audit_[i], ::testing::Not(HasSubstr("registry.import"))) << audit_[i];
  }

  // The same rows with every photo beside the CSV go in.
  auto good = ParseRegistryCsv(
      "case_code,names,photos\nC-7,Seven,ok.jpg\nC-8,Eight,ok.jpg|sub/../ok.jpg\n", 1 << 20);
  ASSERT_TRUE(good.ok());
  ASSERT_TRUE(registry_->Import(*good, csv_dir, FakeAnalyzer).ok());
  auto rec = registry_->Show("C-8");
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->photos.size(), 2u);
}

}  // namespace
}  // namespace vigil::registry
