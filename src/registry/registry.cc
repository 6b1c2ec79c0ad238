#include "vigil/registry/registry.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <utility>

#include "vigil/core/file.h"
#include "vigil/core/json_writer.h"
#include "vigil/core/time.h"
#include "vigil/evidence/sealer.h"

namespace vigil::registry {
namespace {

constexpr std::string_view kStatusNames[] = {"missing",  "sighted",  "located", "rescued",
                                             "reunited", "deceased", "closed"};

// Position on the path missing → reunited; -1 for deceased/closed.
int ChainIndex(CaseStatus s) { return s <= CaseStatus::kReunited ? static_cast<int>(s) : -1; }

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool ParseDigits(std::string_view s, int* out) {
  if (s.empty()) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

void WriteStrings(JsonWriter& w, std::string_view key, const std::vector<std::string>& v) {
  w.Key(key).BeginArray();
  for (const auto& s : v) w.String(s);
  w.EndArray();
}

std::string FieldsJson(const PersonFields& f) {
  JsonWriter w;
  w.BeginObject();
  WriteStrings(w, "names", f.names);
  WriteStrings(w, "aliases", f.aliases);
  w.Key("sex").String(f.sex);
  w.Key("birth_year").Int(f.birth_year);
  w.Key("place").String(f.place);
  w.Key("date").String(f.date);
  w.Key("family_contact").String(f.family_contact);
  w.Key("notes").String(f.notes);
  w.EndObject();
  return w.str();
}

std::string GetString(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsString()
             ? std::string(it->value.GetString(), it->value.GetStringLength())
             : std::string();
}

std::vector<std::string> GetStrings(const rapidjson::Value& o, const char* key) {
  std::vector<std::string> out;
  auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsArray()) return out;
  for (const auto& v : it->value.GetArray()) {
    if (v.IsString()) out.emplace_back(v.GetString(), v.GetStringLength());
  }
  return out;
}

int64_t GetInt(const rapidjson::Value& o, const char* key, int64_t fallback) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : fallback;
}

Result<PersonFields> ParseFields(std::string_view json) {
  rapidjson::Document parsed;
  parsed.Parse(json.data(), json.size());
  if (parsed.HasParseError() || !parsed.IsObject()) return Status::Corrupt("sealed person fields");
  // Through a const Value: rapidjson 1.1's non-const member iterators compare
  // ambiguously in C++20 (clang -Wambiguous-reversed-operator).
  const rapidjson::Value& d = parsed;
  PersonFields f;
  f.names = GetStrings(d, "names");
  f.aliases = GetStrings(d, "aliases");
  f.sex = GetString(d, "sex");
  f.birth_year = static_cast<int>(GetInt(d, "birth_year", 0));
  f.place = GetString(d, "place");
  f.date = GetString(d, "date");
  f.family_contact = GetString(d, "family_contact");
  f.notes = GetString(d, "notes");
  return f;
}

std::string FeaturesJson(const PhotoFeatures& f) {
  JsonWriter w;
  w.BeginObject();
  w.Key("sha256").String(f.sha256);
  w.Key("type").String(f.type);
  w.Key("pdq").String(f.pdq);
  w.Key("pdq_quality").Int(f.pdq_quality);
  w.Key("faces").BeginArray();
  for (const auto& face : f.faces) {
    w.BeginObject().Key("box").BeginArray();
    for (int v : face.box) w.Int(v);
    w.EndArray().Key("embedding").BeginArray();
    for (float v : face.embedding) w.Double(v);
    w.EndArray().EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.str();
}

Result<PhotoFeatures> ParseFeatures(std::string_view json) {
  rapidjson::Document parsed;
  parsed.Parse(json.data(), json.size());
  if (parsed.HasParseError() || !parsed.IsObject()) return Status::Corrupt("sealed photo features");
  // Through a const Value: rapidjson 1.1's non-const member iterators compare
  // ambiguously in C++20 (clang -Wambiguous-reversed-operator).
  const rapidjson::Value& d = parsed;
  PhotoFeatures f;
  f.sha256 = GetString(d, "sha256");
  f.type = GetString(d, "type");
  f.pdq = GetString(d, "pdq");
  f.pdq_quality = static_cast<int>(GetInt(d, "pdq_quality", -1));
  auto faces = d.FindMember("faces");
  if (faces != d.MemberEnd() && faces->value.IsArray()) {
    for (const auto& fv : faces->value.GetArray()) {
      if (!fv.IsObject()) return Status::Corrupt("sealed photo features: face");
      PhotoFace face;
      auto box = fv.FindMember("box");
      auto emb = fv.FindMember("embedding");
      if (box == fv.MemberEnd() || !box->value.IsArray() || box->value.Size() != 4 ||
          emb == fv.MemberEnd() || !emb->value.IsArray() ||
          emb->value.Size() != face.embedding.size()) {
        return Status::Corrupt("sealed photo features: face shape");
      }
      for (rapidjson::SizeType i = 0; i < 4; ++i) {
        if (!box->value[i].IsInt()) return Status::Corrupt("sealed photo features: box");
        face.box[i] = box->value[i].GetInt();
      }
      for (rapidjson::SizeType i = 0; i < face.embedding.size(); ++i) {
        if (!emb->value[i].IsNumber()) return Status::Corrupt("sealed photo features: embedding");
        face.embedding[i] = static_cast<float>(emb->value[i].GetDouble());
      }
      f.faces.push_back(face);
    }
  }
  return f;
}

std::string Ad(std::string_view what, std::string_view case_code) {
  std::string ad = "vigil-registry-v1\n";
  ad.append(what).append("\n").append(case_code);
  return ad;
}

}  // namespace

std::string_view StatusName(CaseStatus s) { return kStatusNames[static_cast<int>(s)]; }

std::optional<CaseStatus> ParseStatus(std::string_view name) {
  for (CaseStatus s : kAllStatuses) {
    if (StatusName(s) == name) return s;
  }
  return std::nullopt;
}

Status CheckTransition(CaseStatus from, CaseStatus to, std::string_view reason) {
  if (from == to) {
    return Status::InvalidArgument("the case is " + std::string(StatusName(to)) + " already");
  }
  const int a = ChainIndex(from), b = ChainIndex(to);
  const bool forward = a >= 0 && b >= 0 && b > a;
  if (!forward && reason.empty()) {
    return Status::InvalidArgument("moving from " + std::string(StatusName(from)) + " to " +
                                   std::string(StatusName(to)) + " needs a reason");
  }
  return Status::Ok();
}

bool IsValidCaseCode(std::string_view code) {
  if (code.empty() || code.size() > 32) return false;
  auto alnum = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (!alnum(code.front())) return false;
  return std::all_of(code.begin(), code.end(),
                     [&](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

bool IsValidPartialDate(std::string_view date) {
  if (date.empty()) return true;
  int y = 0, m = 0, d = 0;
  if (date.size() < 4 || !ParseDigits(date.substr(0, 4), &y) || y < 1900 || y > 2100) return false;
  if (date.size() == 4) return true;
  if (date.size() < 7 || date[4] != '-' || !ParseDigits(date.substr(5, 2), &m) || m < 1 || m > 12) {
    return false;
  }
  if (date.size() == 7) return true;
  if (date.size() != 10 || date[7] != '-' || !ParseDigits(date.substr(8, 2), &d)) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int days = kDays[m - 1] + (m == 2 && IsLeapYear(y) ? 1 : 0);
  return d >= 1 && d <= days;
}

Status Validate(const PersonFields& f) {
  const bool has_name =
      std::any_of(f.names.begin(), f.names.end(), [](const std::string& n) { return !n.empty(); });
  if (!has_name) return Status::InvalidArgument("a person needs at least one name");
  if (!f.sex.empty() && f.sex != "female" && f.sex != "male") {
    return Status::InvalidArgument("sex must be female, male or empty, not '" + f.sex + "'");
  }
  if (f.birth_year != 0 && (f.birth_year < 1900 || f.birth_year > 2100)) {
    return Status::InvalidArgument("birth year " + std::to_string(f.birth_year) +
                                   " is not between 1900 and 2100");
  }
  if (!IsValidPartialDate(f.date)) {
    return Status::InvalidArgument("bad date '" + f.date + "' (YYYY, YYYY-MM or YYYY-MM-DD)");
  }
  return Status::Ok();
}

// Seals and opens registry blobs: nonce (24) || XChaCha20-Poly1305 ciphertext.
Result<std::unique_ptr<Registry>> Registry::Open(store::RegistryStore& store, Session session) {
  if (session.keys == nullptr || session.keys->vault_key().empty()) {
    return Status::InvalidArgument(
        "registry: no unlocked keys (nothing answers without a session)");
  }
  if (session.actor.empty()) return Status::InvalidArgument("registry: no actor");
  if (!session.audit || !session.clock) {
    return Status::InvalidArgument("registry: no audit sink or clock");
  }
  // Subkey 1 of the vault key in context "vigilreg": the registry never uses
  // the vault's own key.
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<const evidence::Sealer> sealer,
                         evidence::Sealer::Create(*session.keys, 1, "vigilreg"));
  std::unique_ptr<Registry> r(new Registry());
  r->store_ = &store;
  r->session_ = std::move(session);
  r->sealer_ = std::move(sealer);
  return r;
}

Result<store::SealedPhoto> Registry::SealPhoto(const std::string& case_code,
                                               std::span<const uint8_t> bytes,
                                               const PhotoAnalyzer& analyzer, int64_t now) const {
  if (!analyzer) return Status::InvalidArgument("no photo analyzer");
  auto features = analyzer(bytes);
  if (!features.ok()) {
    return Status(features.status().code(),
                  "photo of " + case_code + ": " + features.status().message());
  }
  store::SealedPhoto p;
  p.case_code = case_code;
  p.sealed_image =
      sealer_->Seal(Ad("photo-image", case_code),
                    std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  p.sealed_features = sealer_->Seal(Ad("photo-features", case_code), FeaturesJson(*features));
  p.added = now;
  return p;
}

Result<store::NewPerson> Registry::Prepare(const std::string& case_code, const PersonFields& fields,
                                           CaseStatus status,
                                           std::span<const std::vector<uint8_t>> photos,
                                           const PhotoAnalyzer& analyzer, int64_t now) const {
  if (!IsValidCaseCode(case_code)) {
    return Status::InvalidArgument(
        "bad case code '" + case_code +
        "' (1-32 of A-Z a-z 0-9 . _ -, starting with a letter or digit)");
  }
  VIGIL_RETURN_IF_ERROR(Validate(fields));
  store::NewPerson n;
  n.person.case_code = case_code;
  n.person.status = std::string(StatusName(status));
  n.person.sealed = sealer_->Seal(Ad("person", case_code), FieldsJson(fields));
  n.person.created = n.person.updated = now;
  n.first_status.case_code = case_code;
  n.first_status.to_status = n.person.status;
  n.first_status.actor = session_.actor;
  n.first_status.time = now;
  n.first_status.sealed_reason = sealer_->Seal(Ad("status", case_code), "registered");
  for (const auto& bytes : photos) {
    VIGIL_ASSIGN_OR_RETURN(store::SealedPhoto p, SealPhoto(case_code, bytes, analyzer, now));
    n.photos.push_back(std::move(p));
  }
  return n;
}

Status Registry::Add(const std::string& case_code, const PersonFields& fields, CaseStatus status,
                     std::span<const std::vector<uint8_t>> photos, const PhotoAnalyzer& analyzer) {
  const int64_t now = session_.clock();
  VIGIL_ASSIGN_OR_RETURN(store::NewPerson n,
                         Prepare(case_code, fields, status, photos, analyzer, now));
  VIGIL_RETURN_IF_ERROR(session_.audit("registry.add", case_code));
  return store_->AddPersons(std::span<const store::NewPerson>(&n, 1));
}

Status Registry::Import(std::span<const ImportRow> rows, const std::filesystem::path& base_dir,
                        const PhotoAnalyzer& analyzer) {
  const int64_t now = session_.clock();
  std::vector<store::NewPerson> prepared;
  std::string problems;
  for (const auto& row : rows) {
    std::vector<std::vector<uint8_t>> photos;
    bool photos_ok = true;
    for (const auto& rel : row.photos) {
      // The same guard as an export's media references: a CSV names photos
      // beside it, never a file elsewhere on the machine.
      auto p = ResolveInside(base_dir, rel);
      if (!p.ok()) {
        problems += "line " + std::to_string(row.line) +
                    (p.status().code() == StatusCode::kInvalidArgument
                         ? ": photo refused, outside the CSV's folder: "
                         : ": cannot read photo ") +
                    p.status().message() + "\n";
        photos_ok = false;
        continue;
      }
      auto bytes = ReadFile(*p, std::numeric_limits<uint64_t>::max());
      if (!bytes.ok()) {
        problems += "line " + std::to_string(row.line) + ": cannot read photo " +
                    bytes.status().message() + "\n";
        photos_ok = false;
        continue;
      }
      photos.emplace_back(bytes->begin(), bytes->end());
    }
    if (!photos_ok) continue;
    auto n = Prepare(row.case_code, row.fields, row.status, photos, analyzer, now);
    if (!n.ok()) {
      problems += "line " + std::to_string(row.line) + ": " + n.status().message() + "\n";
      continue;
    }
    prepared.push_back(std::move(*n));
  }
  if (!problems.empty()) {
    problems.pop_back();
    return Status::InvalidArgument("nothing imported:\n" + problems);
  }
  VIGIL_RETURN_IF_ERROR(
      session_.audit("registry.import", std::to_string(prepared.size()) + " persons"));
  return store_->AddPersons(prepared);
}

Status Registry::Update(const std::string& case_code, const PersonFields& fields) {
  VIGIL_RETURN_IF_ERROR(Validate(fields));
  VIGIL_RETURN_IF_ERROR(session_.audit("registry.update", case_code));
  return store_->UpdatePerson(case_code, sealer_->Seal(Ad("person", case_code), FieldsJson(fields)),
                              session_.clock());
}

Status Registry::SetStatus(const std::string& case_code, CaseStatus to, const std::string& reason) {
  VIGIL_ASSIGN_OR_RETURN(auto person, store_->GetPerson(case_code));
  if (!person) return Status::NotFound("no case " + case_code);
  const auto from = ParseStatus(person->status);
  if (!from) return Status::Corrupt("case " + case_code + " has status '" + person->status + "'");
  VIGIL_RETURN_IF_ERROR(CheckTransition(*from, to, reason));
  VIGIL_RETURN_IF_ERROR(session_.audit(
      "registry.status", case_code + " " + person->status + " -> " + std::string(StatusName(to))));
  store::StatusRow row;
  row.case_code = case_code;
  row.from_status = person->status;
  row.to_status = std::string(StatusName(to));
  row.actor = session_.actor;
  row.time = session_.clock();
  row.sealed_reason = sealer_->Seal(Ad("status", case_code), reason);
  return store_->ChangeStatus(row);
}

Result<int64_t> Registry::AddPhoto(const std::string& case_code, std::span<const uint8_t> bytes,
                                   const PhotoAnalyzer& analyzer) {
  VIGIL_ASSIGN_OR_RETURN(auto person, store_->GetPerson(case_code));
  if (!person) return Status::NotFound("no case " + case_code);
  VIGIL_ASSIGN_OR_RETURN(store::SealedPhoto p,
                         SealPhoto(case_code, bytes, analyzer, session_.clock()));
  VIGIL_RETURN_IF_ERROR(session_.audit("registry.photo.add", case_code));
  return store_->AddPhoto(p);
}

Status Registry::AddSighting(const Sighting& s) {
  VIGIL_RETURN_IF_ERROR(
      session_.audit("registry.sighting",
                     s.case_code + " in " + s.platform + "/" + s.channel_id + "/" + s.external_id));
  store::SightingRow row = s;
  row.actor = session_.actor;
  row.time = session_.clock();
  VIGIL_ASSIGN_OR_RETURN(bool added, store_->AddSighting(row));
  (void)added;
  return Status::Ok();
}

Result<Person> Registry::Unseal(const store::SealedPerson& p) const {
  VIGIL_ASSIGN_OR_RETURN(std::string json,
                         sealer_->Open(Ad("person", p.case_code), p.sealed, "case " + p.case_code));
  VIGIL_ASSIGN_OR_RETURN(PersonFields fields, ParseFields(json));
  Person out;
  out.case_code = p.case_code;
  out.fields = std::move(fields);
  const auto status = ParseStatus(p.status);
  if (!status) return Status::Corrupt("case " + p.case_code + " has status '" + p.status + "'");
  out.status = *status;
  out.created = p.created;
  out.updated = p.updated;
  return out;
}

Result<std::vector<Person>> Registry::List() {
  VIGIL_RETURN_IF_ERROR(session_.audit("registry.list", ""));
  VIGIL_ASSIGN_OR_RETURN(auto sealed, store_->ListPersons());
  std::vector<Person> out;
  out.reserve(sealed.size());
  for (const auto& s : sealed) {
    VIGIL_ASSIGN_OR_RETURN(Person p, Unseal(s));
    out.push_back(std::move(p));
  }
  return out;
}

Result<PersonRecord> Registry::Show(const std::string& case_code) {
  VIGIL_RETURN_IF_ERROR(session_.audit("registry.view", case_code));
  VIGIL_ASSIGN_OR_RETURN(auto sealed, store_->GetPerson(case_code));
  if (!sealed) return Status::NotFound("no case " + case_code);
  PersonRecord r;
  VIGIL_ASSIGN_OR_RETURN(r.person, Unseal(*sealed));
  VIGIL_ASSIGN_OR_RETURN(auto history, store_->History(case_code));
  for (const auto& h : history) {
    StatusChange c;
    if (!h.from_status.empty()) c.from = ParseStatus(h.from_status);
    const auto to = ParseStatus(h.to_status);
    if (!to) return Status::Corrupt("case " + case_code + ": status '" + h.to_status + "'");
    c.to = *to;
    c.actor = h.actor;
    c.time = h.time;
    VIGIL_ASSIGN_OR_RETURN(c.reason, sealer_->Open(Ad("status", case_code), h.sealed_reason,
                                                   "status reason of " + case_code));
    r.history.push_back(std::move(c));
  }
  VIGIL_ASSIGN_OR_RETURN(auto photos, store_->Photos(case_code));
  for (const auto& p : photos) {
    VIGIL_ASSIGN_OR_RETURN(std::string json,
                           sealer_->Open(Ad("photo-features", case_code), p.sealed_features,
                                         "photo features of " + case_code));
    Photo photo;
    photo.id = p.id;
    photo.case_code = p.case_code;
    photo.added = p.added;
    VIGIL_ASSIGN_OR_RETURN(photo.features, ParseFeatures(json));
    r.photos.push_back(std::move(photo));
  }
  VIGIL_ASSIGN_OR_RETURN(r.sightings, store_->Sightings(case_code));
  return r;
}

Result<std::vector<uint8_t>> Registry::PhotoBytes(const std::string& case_code, int64_t photo_id) {
  VIGIL_RETURN_IF_ERROR(
      session_.audit("registry.photo.view", case_code + " photo " + std::to_string(photo_id)));
  VIGIL_ASSIGN_OR_RETURN(auto photos, store_->Photos(case_code));
  for (const auto& p : photos) {
    if (p.id != photo_id) continue;
    VIGIL_ASSIGN_OR_RETURN(
        std::string bytes,
        sealer_->Open(Ad("photo-image", case_code), p.sealed_image, "photo of " + case_code));
    return std::vector<uint8_t>(bytes.begin(), bytes.end());
  }
  return Status::NotFound("case " + case_code + " has no photo " + std::to_string(photo_id));
}

Result<std::vector<Reference>> Registry::References() {
  VIGIL_RETURN_IF_ERROR(session_.audit("registry.references", "load for matching"));
  VIGIL_ASSIGN_OR_RETURN(auto photos, store_->Photos(""));
  std::vector<Reference> out;
  for (const auto& p : photos) {
    VIGIL_ASSIGN_OR_RETURN(std::string json,
                           sealer_->Open(Ad("photo-features", p.case_code), p.sealed_features,
                                         "photo features of " + p.case_code));
    VIGIL_ASSIGN_OR_RETURN(PhotoFeatures f, ParseFeatures(json));
    Reference r;
    r.case_code = p.case_code;
    r.photo_id = p.id;
    r.pdq = f.pdq;
    for (const auto& face : f.faces) r.faces.push_back(face.embedding);
    out.push_back(std::move(r));
  }
  return out;
}

Result<Stats> Registry::ComputeStats() {
  VIGIL_RETURN_IF_ERROR(session_.audit("registry.stats", ""));
  Stats st;
  for (CaseStatus s : kAllStatuses) st.by_status[s] = 0;
  VIGIL_ASSIGN_OR_RETURN(auto persons, store_->ListPersons());
  for (const auto& p : persons) {
    const auto s = ParseStatus(p.status);
    if (!s) return Status::Corrupt("case " + p.case_code + " has status '" + p.status + "'");
    ++st.by_status[*s];
    ++st.persons;
  }
  VIGIL_ASSIGN_OR_RETURN(auto history, store_->History(""));
  for (const auto& h : history) {
    if (h.from_status.empty()) continue;  // registration, not a change
    const auto to = ParseStatus(h.to_status);
    if (!to) return Status::Corrupt("case " + h.case_code + ": status '" + h.to_status + "'");
    ++st.transitions_by_month[MonthKey(h.time)][*to];
  }
  return st;
}

}  // namespace vigil::registry
