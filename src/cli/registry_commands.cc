// vigil registry, vigil stats: the registry of the missing and the figures
// coordinators report. Every command opens a session (the key file's
// passphrase) and writes what it reads or changes to the custody log.
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "src/cli/commands.h"
#include "vigil/core/file.h"
#include "vigil/core/json_writer.h"
#include "vigil/core/time.h"
#include "vigil/evidence/custody.h"
#include "vigil/evidence/keys.h"
#include "vigil/evidence/vault.h"
#include "vigil/faces/faces.h"
#include "vigil/media/inspect.h"
#include "vigil/registry/registry.h"
#include "vigil/scan/face_matching.h"
#include "vigil/store/registry_store.h"

namespace vigil::cli {

namespace fs = std::filesystem;

namespace {

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::string Date(int64_t t) { return FormatIso8601(t); }

struct RegistryArgs {
  std::string db = "vigil.db";
  std::string keys;
  std::string passphrase_file;
  std::string data_dir;
  bool json = false;
  bool jsonl = false;
  // Person fields (add/update); unset options leave a field as it is.
  std::string case_code;
  std::vector<std::string> names, aliases, photos;
  std::optional<std::string> sex, place, date, contact, notes;
  std::optional<int> birth_year;
  std::string status = "missing";
  std::string reason;
  std::string csv;
  std::string by;
  // sighting
  std::string post, media;
  double distance = 0;
  std::string out;
};

// An open session: unlocked keys, the custody log as audit sink, the
// registry.
struct RegistrySession {
  std::optional<evidence::Keys> keys;
  std::optional<evidence::CustodyLog> log;
  std::unique_ptr<registry::Registry> registry;
};

Result<std::unique_ptr<RegistrySession>> OpenSession(const RegistryArgs& a, bool create = false) {
  std::error_code ec;
  if (!create && !fs::exists(a.db, ec)) {
    return Status::NotFound("no database at " + a.db + " (run vigil keys init and vigil scan)");
  }
  const EvidencePaths paths = EvidencePathsFor(a.db, a.keys);
  VIGIL_ASSIGN_OR_RETURN(std::string passphrase, ReadPassphrase(a.passphrase_file));
  auto s = std::make_unique<RegistrySession>();
  VIGIL_ASSIGN_OR_RETURN(evidence::Keys keys, evidence::LoadKeys(paths.keys, passphrase));
  s->keys.emplace(std::move(keys));
  VIGIL_ASSIGN_OR_RETURN(evidence::CustodyLog log, evidence::CustodyLog::Open(paths.custody, Now));
  s->log.emplace(std::move(log));
  VIGIL_ASSIGN_OR_RETURN(auto st, store::RegistryStore::OpenSqlite(a.db));
  VIGIL_ASSIGN_OR_RETURN(
      s->registry, registry::Registry::Open(std::move(st), RegistrySessionFor(*s->keys, *s->log)));
  return s;
}

}  // namespace

registry::Session RegistrySessionFor(const evidence::Keys& keys, evidence::CustodyLog& log) {
  registry::Session session;
  session.keys = &keys;
  session.actor = OperatorName();
  session.audit = [log = &log, actor = session.actor](std::string_view action,
                                                      std::string_view details) -> Status {
    evidence::CustodyEntry e;
    e.actor = actor;
    e.action = std::string(action);
    e.details = std::string(details);
    auto r = log->Append(std::move(e));
    return r.ok() ? Status::Ok() : r.status();
  };
  session.clock = Now;
  return session;
}

registry::PhotoAnalyzer MakePhotoAnalyzer(const fs::path& data_dir,
                                          std::shared_ptr<faces::FaceEngine>* engine) {
  return [data_dir, engine](std::span<const uint8_t> bytes) -> Result<registry::PhotoFeatures> {
    const Limits limits;
    VIGIL_ASSIGN_OR_RETURN(media::MediaInfo info, media::Inspect(bytes, limits));
    if (info.pdq.empty() && !info.pdq_error.empty()) return Status::Corrupt(info.pdq_error);
    if (!*engine) {
      VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<faces::FaceEngine> e,
                             faces::FaceEngine::Load(faces::DefaultModelDir(data_dir)));
      *engine = std::move(e);
    }
    VIGIL_ASSIGN_OR_RETURN(std::vector<faces::Face> found,
                           (*engine)->DetectInFile(bytes, {}, limits));
    registry::PhotoFeatures f;
    f.sha256 = info.sha256;
    f.type = info.type;
    f.pdq = info.pdq;
    f.pdq_quality = info.pdq_quality;
    // A registry photo shows one person: the largest face is theirs (others
    // in the picture would match strangers).
    for (const auto& face : found) {
      if (!face.landmarks_ok) continue;
      registry::PhotoFace pf;
      pf.box = face.box;
      pf.embedding = face.embedding;
      f.faces.push_back(pf);
      break;
    }
    if (f.faces.empty()) {
      std::cerr << "vigil registry: no usable face in a photo; it is kept for PDQ matching only\n";
    }
    return f;
  };
}

namespace {

// Compares every face and photo already scanned with the registry as it is
// now, replacing the stored candidates. Run after each registry change.
Status Rematch(const RegistryArgs& a, RegistrySession& s, bool verbose) {
  VIGIL_ASSIGN_OR_RETURN(auto store, OpenStore(a.db, true));
  VIGIL_ASSIGN_OR_RETURN(auto refs, s.registry->References());
  const scan::RegistryMatcher matcher = scan::RegistryMatcher::Build(refs);
  VIGIL_ASSIGN_OR_RETURN(size_t rows,
                         scan::RematchStoredFaces(s.registry->store(), *store, matcher, 31));
  if (verbose || rows > 0) {
    std::cerr << rows << " candidate matches of scanned media with the registry"
              << (rows ? " (vigil registry show CASE)" : "") << "\n";
  }
  return Status::Ok();
}

void PersonJson(JsonWriter& w, const registry::Person& p) {
  w.Key("case").String(p.case_code);
  w.Key("status").String(registry::StatusName(p.status));
  w.Key("names").BeginArray();
  for (const auto& n : p.fields.names) w.String(n);
  w.EndArray().Key("aliases").BeginArray();
  for (const auto& n : p.fields.aliases) w.String(n);
  w.EndArray();
  w.Key("sex").String(p.fields.sex);
  w.Key("birth_year").Int(p.fields.birth_year);
  w.Key("place").String(p.fields.place);
  w.Key("date").String(p.fields.date);
  w.Key("family_contact").String(p.fields.family_contact);
  w.Key("notes").String(p.fields.notes);
  w.Key("created").Int(p.created);
  w.Key("updated").Int(p.updated);
}

std::string JoinNames(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " / ") + s;
  return out;
}

int RunAdd(const RegistryArgs& a, const Context& ctx) {
  const auto status = registry::ParseStatus(a.status);
  if (!status) return Fail(ctx, "registry add", "unknown status " + a.status);
  registry::PersonFields f;
  f.names = a.names;
  f.aliases = a.aliases;
  f.sex = a.sex.value_or("");
  f.birth_year = a.birth_year.value_or(0);
  f.place = a.place.value_or("");
  f.date = a.date.value_or("");
  f.family_contact = a.contact.value_or("");
  f.notes = a.notes.value_or("");
  std::vector<std::vector<uint8_t>> photos;
  for (const auto& p : a.photos) {
    auto b = ReadFile(p, std::numeric_limits<uint64_t>::max());
    if (!b.ok()) return Fail(ctx, "registry add", b.status().message());
    photos.emplace_back(b->begin(), b->end());
  }
  auto s = OpenSession(a, true);
  if (!s.ok()) return Fail(ctx, "registry add", s.status().ToString());
  std::shared_ptr<faces::FaceEngine> engine;
  const fs::path data_dir = a.data_dir.empty() ? DefaultDataDir() : fs::path(a.data_dir);
  const Status st =
      (*s)->registry->Add(a.case_code, f, *status, photos, MakePhotoAnalyzer(data_dir, &engine));
  if (!st.ok()) return Fail(ctx, "registry add", st.ToString());
  std::cerr << "added " << a.case_code << " (" << photos.size() << " photos)\n";
  if (Status m = Rematch(a, **s, false); !m.ok()) return Fail(ctx, "registry add", m.ToString());
  return kExitOk;
}

int RunImport(const RegistryArgs& a, const Context& ctx) {
  auto text = ReadFile(a.csv, std::numeric_limits<uint64_t>::max());
  if (!text.ok()) return Fail(ctx, "registry import", "cannot read " + text.status().message());
  const Limits limits;
  auto rows = registry::ParseRegistryCsv(*text, limits.max_line_bytes);
  if (!rows.ok()) return Fail(ctx, "registry import", a.csv + ": " + rows.status().message());
  auto s = OpenSession(a, true);
  if (!s.ok()) return Fail(ctx, "registry import", s.status().ToString());
  std::shared_ptr<faces::FaceEngine> engine;
  const fs::path data_dir = a.data_dir.empty() ? DefaultDataDir() : fs::path(a.data_dir);
  const Status st = (*s)->registry->Import(*rows, fs::path(a.csv).parent_path(),
                                           MakePhotoAnalyzer(data_dir, &engine));
  if (!st.ok()) return Fail(ctx, "registry import", a.csv + ": " + st.message());
  std::cerr << "imported " << rows->size() << " persons from " << a.csv << "\n";
  if (Status m = Rematch(a, **s, false); !m.ok()) {
    return Fail(ctx, "registry import", m.ToString());
  }
  return kExitOk;
}

int RunList(const RegistryArgs& a, const Context& ctx) {
  auto s = OpenSession(a);
  if (!s.ok()) return Fail(ctx, "registry list", s.status().ToString());
  auto list = (*s)->registry->List();
  if (!list.ok()) return Fail(ctx, "registry list", list.status().ToString());
  if (a.json) {
    JsonWriter w;
    w.BeginArray();
    for (const auto& p : *list) {
      w.BeginObject();
      PersonJson(w, p);
      w.EndObject();
    }
    w.EndArray();
    std::cout << w.str() << "\n";
  } else if (a.jsonl) {
    for (const auto& p : *list) {
      JsonWriter w;
      w.BeginObject();
      PersonJson(w, p);
      w.EndObject();
      std::cout << w.str() << "\n";
    }
  } else {
    for (const auto& p : *list) {
      std::cout << std::left << std::setw(12) << p.case_code << std::setw(10)
                << registry::StatusName(p.status) << JoinNames(p.fields.names) << "\n";
    }
    std::cerr << list->size() << " persons\n";
  }
  return kExitOk;
}

int RunShow(const RegistryArgs& a, const Context& ctx) {
  auto s = OpenSession(a);
  if (!s.ok()) return Fail(ctx, "registry show", s.status().ToString());
  auto rec = (*s)->registry->Show(a.case_code);
  if (!rec.ok()) return Fail(ctx, "registry show", rec.status().ToString());
  auto matches = (*s)->registry->store().FaceMatches(a.case_code);
  if (!matches.ok()) return Fail(ctx, "registry show", matches.status().ToString());
  if (a.json || a.jsonl) {
    JsonWriter w;
    w.BeginObject();
    PersonJson(w, rec->person);
    w.Key("history").BeginArray();
    for (const auto& h : rec->history) {
      w.BeginObject();
      w.Key("from").String(h.from ? registry::StatusName(*h.from) : "");
      w.Key("to").String(registry::StatusName(h.to));
      w.Key("actor").String(h.actor);
      w.Key("time").Int(h.time);
      w.Key("reason").String(h.reason);
      w.EndObject();
    }
    w.EndArray().Key("photos").BeginArray();
    for (const auto& p : rec->photos) {
      w.BeginObject();
      w.Key("id").Int(p.id);
      w.Key("sha256").String(p.features.sha256);
      w.Key("pdq").String(p.features.pdq);
      w.Key("faces").Int(static_cast<int64_t>(p.features.faces.size()));
      w.EndObject();
    }
    w.EndArray().Key("sightings").BeginArray();
    for (const auto& x : rec->sightings) {
      w.BeginObject();
      w.Key("post").String(x.platform + "/" + x.channel_id + "/" + x.external_id);
      w.Key("media").String(x.media_sha256);
      w.Key("post_time").Int(x.post_time);
      w.Key("distance").Double(x.distance);
      w.Key("confirmed_by").String(x.actor);
      w.EndObject();
    }
    w.EndArray().Key("candidates").BeginArray();
    for (const auto& m : *matches) {
      w.BeginObject();
      w.Key("media").String(m.sha256);
      w.Key("face").Int(m.face);
      w.Key("photo").Int(m.photo_id);
      w.Key("kind").String(m.kind);
      w.Key("distance").Double(m.distance);
      w.EndObject();
    }
    w.EndArray().EndObject();
    std::cout << w.str() << "\n";
    return kExitOk;
  }
  const auto& p = rec->person;
  std::cout << p.case_code << "  " << registry::StatusName(p.status) << "\n"
            << "  names:   " << JoinNames(p.fields.names) << "\n";
  if (!p.fields.aliases.empty()) std::cout << "  aliases: " << JoinNames(p.fields.aliases) << "\n";
  if (!p.fields.sex.empty()) std::cout << "  sex:     " << p.fields.sex << "\n";
  if (p.fields.birth_year) std::cout << "  born:    " << p.fields.birth_year << "\n";
  if (!p.fields.place.empty() || !p.fields.date.empty()) {
    std::cout << "  missing: " << p.fields.place << (p.fields.date.empty() ? "" : ", ")
              << p.fields.date << "\n";
  }
  if (!p.fields.family_contact.empty()) {
    std::cout << "  contact: " << p.fields.family_contact << "\n";
  }
  if (!p.fields.notes.empty()) std::cout << "  notes:   " << p.fields.notes << "\n";
  std::cout << "  photos:  " << rec->photos.size() << "\n  history:\n";
  for (const auto& h : rec->history) {
    std::cout << "    " << Date(h.time) << "  " << (h.from ? registry::StatusName(*h.from) : "")
              << (h.from ? " -> " : "") << registry::StatusName(h.to) << "  by " << h.actor
              << (h.reason.empty() ? "" : "  (" + h.reason + ")") << "\n";
  }
  if (!rec->sightings.empty()) std::cout << "  sightings:\n";
  for (const auto& x : rec->sightings) {
    std::cout << "    " << Date(x.post_time) << "  " << x.platform << "/" << x.channel_id << "/"
              << x.external_id << "  distance " << x.distance << "  confirmed by " << x.actor
              << "\n";
  }
  if (!matches->empty()) std::cout << "  candidate matches for review:\n";
  for (const auto& m : *matches) {
    std::cout << "    " << m.sha256.substr(0, 16) << "  " << m.kind << " distance " << m.distance
              << (m.kind == "face" && m.distance <= faces::kStrongMatch ? "  strong" : "") << "\n";
  }
  return kExitOk;
}

int RunUpdate(const RegistryArgs& a, const Context& ctx) {
  auto s = OpenSession(a);
  if (!s.ok()) return Fail(ctx, "registry update", s.status().ToString());
  auto rec = (*s)->registry->Show(a.case_code);
  if (!rec.ok()) return Fail(ctx, "registry update", rec.status().ToString());
  registry::PersonFields f = rec->person.fields;
  if (!a.names.empty()) f.names = a.names;
  if (!a.aliases.empty()) f.aliases = a.aliases;
  if (a.sex) f.sex = *a.sex;
  if (a.birth_year) f.birth_year = *a.birth_year;
  if (a.place) f.place = *a.place;
  if (a.date) f.date = *a.date;
  if (a.contact) f.family_contact = *a.contact;
  if (a.notes) f.notes = *a.notes;
  Status st = (*s)->registry->Update(a.case_code, f);
  if (!st.ok()) return Fail(ctx, "registry update", st.ToString());
  std::shared_ptr<faces::FaceEngine> engine;
  const fs::path data_dir = a.data_dir.empty() ? DefaultDataDir() : fs::path(a.data_dir);
  for (const auto& path : a.photos) {
    auto b = ReadFile(path, std::numeric_limits<uint64_t>::max());
    if (!b.ok()) return Fail(ctx, "registry update", b.status().message());
    auto id =
        (*s)->registry->AddPhoto(a.case_code, AsBytes(*b), MakePhotoAnalyzer(data_dir, &engine));
    if (!id.ok()) return Fail(ctx, "registry update", path + ": " + id.status().ToString());
  }
  std::cerr << "updated " << a.case_code << "\n";
  if (!a.photos.empty()) {
    if (Status m = Rematch(a, **s, false); !m.ok()) {
      return Fail(ctx, "registry update", m.ToString());
    }
  }
  return kExitOk;
}

int RunStatus(const RegistryArgs& a, const Context& ctx) {
  const auto to = registry::ParseStatus(a.status);
  if (!to) {
    std::cerr << "vigil registry status: unknown status '" << a.status
              << "' (missing, sighted, located, rescued, reunited, deceased, closed)\n";
    return kExitUsage;
  }
  auto s = OpenSession(a);
  if (!s.ok()) return Fail(ctx, "registry status", s.status().ToString());
  const Status st = (*s)->registry->SetStatus(a.case_code, *to, a.reason);
  if (!st.ok()) return Fail(ctx, "registry status", st.ToString());
  std::cerr << a.case_code << " is now " << a.status << "\n";
  return kExitOk;
}

int RunSighting(const RegistryArgs& a, const Context& ctx) {
  const size_t first = a.post.find('/'), last = a.post.rfind('/');
  if (first == std::string::npos || first == last) {
    std::cerr << "vigil registry sighting: --post takes PLATFORM/CHANNEL/ID\n";
    return kExitUsage;
  }
  registry::Sighting x;
  x.case_code = a.case_code;
  x.platform = a.post.substr(0, first);
  x.channel_id = a.post.substr(first + 1, last - first - 1);
  x.external_id = a.post.substr(last + 1);
  x.media_sha256 = a.media;
  x.distance = a.distance;
  auto store = OpenStore(a.db, false);
  if (!store.ok()) return Fail(ctx, "registry sighting", store.status().ToString());
  bool found = false;
  const Status walk = (*store)->ForEachPost({}, [&](const store::ScanRecord& r) {
    if (PlatformName(r.post.platform) == x.platform && r.post.channel.id == x.channel_id &&
        r.post.external_id == x.external_id) {
      found = true;
      x.post_time = r.post.time;
      if (x.media_sha256.empty()) {
        for (const auto& m : r.media) {
          if (m.info) {
            x.media_sha256 = m.info->sha256;
            break;
          }
        }
      }
    }
    return Status::Ok();
  });
  if (!walk.ok()) return Fail(ctx, "registry sighting", walk.ToString());
  if (!found) return Fail(ctx, "registry sighting", "no post " + a.post + " in " + a.db);
  auto s = OpenSession(a);
  if (!s.ok()) return Fail(ctx, "registry sighting", s.status().ToString());
  const Status st = (*s)->registry->AddSighting(x);
  if (!st.ok()) return Fail(ctx, "registry sighting", st.ToString());
  std::cerr << "sighting of " << a.case_code << " in " << a.post << " recorded\n";
  return kExitOk;
}

// An image as a data: URI (the page loads nothing from outside itself).
std::string DataUri(std::string_view bytes) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  const std::string type = media::SniffType(std::span<const uint8_t>(p, bytes.size()));
  std::string b64(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), p, bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::strlen(b64.c_str()));
  return "data:image/" + type + ";base64," + b64;
}

// An SVG that shows only the face: the whole image, cropped by the viewBox to
// the face's box with a margin.
std::string FaceSvg(std::string_view bytes, const std::array<int, 4>& box, int width, int height) {
  const int m = std::max(box[2], box[3]) / 4;
  const int x = std::max(0, box[0] - m), y = std::max(0, box[1] - m);
  const int w = std::min(width - x, box[2] + 2 * m), h = std::min(height - y, box[3] + 2 * m);
  std::ostringstream out;
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"" << x << " " << y << " " << w << " "
      << h << "\" width=\"240\" height=\"" << (w > 0 ? 240 * h / w : 240) << "\"><image width=\""
      << width << "\" height=\"" << height << "\" href=\"" << DataUri(bytes) << "\"/></svg>";
  return out.str();
}

// Writes a page with each candidate face of `media` beside the registry
// photo it matched, blurred until the analyst reveals them. Both views are
// audited: the registry photo by the registry, the original in the custody log.
int RunCompare(const RegistryArgs& a, const Context& ctx) {
  auto s = OpenSession(a);
  if (!s.ok()) return Fail(ctx, "registry compare", s.status().ToString());
  auto& reg = *(*s)->registry;
  auto rec = reg.Show(a.case_code);
  if (!rec.ok()) return Fail(ctx, "registry compare", rec.status().ToString());
  auto all = reg.store().FaceMatches(a.case_code);
  if (!all.ok()) return Fail(ctx, "registry compare", all.status().ToString());
  std::vector<store::FaceMatchRow> rows;
  for (const auto& m : *all) {
    if (m.sha256.starts_with(a.media) && m.kind == "face") rows.push_back(m);
  }
  if (a.media.size() < 8 || rows.empty()) {
    return Fail(ctx, "registry compare",
                "no face match of case " + a.case_code + " with media " + a.media +
                    " (vigil registry show " + a.case_code + " lists them)");
  }
  const std::string sha = rows.front().sha256;
  const EvidencePaths paths = EvidencePathsFor(a.db, a.keys);
  auto vault = evidence::Vault::Open(paths.vault, *(*s)->keys);
  if (!vault.ok()) return Fail(ctx, "registry compare", vault.status().ToString());
  if (!vault->Contains(sha)) {
    return Fail(
        ctx, "registry compare",
        "the original " + sha.substr(0, 16) + "… is not in the vault (scan with --evidence)");
  }
  evidence::CustodyEntry view;
  view.actor = OperatorName();
  view.action = "view";
  view.items = {sha};
  view.details = "face comparison with registry case " + a.case_code;
  if (auto v = (*s)->log->Append(std::move(view)); !v.ok()) {
    return Fail(ctx, "registry compare", v.status().ToString());
  }
  auto original = vault->GetBytes(sha);
  if (!original.ok()) return Fail(ctx, "registry compare", original.status().ToString());
  const Limits limits;
  auto info =
      media::Inspect(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(original->data()),
                                              original->size()),
                     limits);
  if (!info.ok()) return Fail(ctx, "registry compare", info.status().ToString());
  std::map<int, std::array<int, 4>> boxes;
  const Status walk = reg.store().ForEachStoredFace([&](const store::StoredFace& f) {
    if (f.sha256 == sha) boxes[f.face] = {f.x, f.y, f.w, f.h};
    return Status::Ok();
  });
  if (!walk.ok()) return Fail(ctx, "registry compare", walk.ToString());

  std::ostringstream html;
  html << "<!doctype html><html><head><meta charset=\"utf-8\"><meta "
          "http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
          "style-src 'unsafe-inline'\"><title>case "
       << a.case_code
       << " — face comparison</title><style>body{font:15px system-ui;margin:2em}"
          "svg{filter:blur(14px);border:1px solid #999}#reveal:checked~.pair svg{filter:none}"
          ".pair{display:flex;gap:2em;margin:1em 0}.meta{color:#555}</style></head><body>"
          "<h1>Case "
       << a.case_code << ": possible sighting</h1><p class=\"meta\">Media " << sha
       << ". For review by a trained analyst; a face match is a lead, not an identification. "
          "Images are blurred.</p><input type=\"checkbox\" id=\"reveal\"><label "
          "for=\"reveal\">Reveal the faces</label>";
  for (const auto& m : rows) {
    const auto box = boxes.find(m.face);
    const registry::Photo* photo = nullptr;
    for (const auto& p : rec->photos) {
      if (p.id == m.photo_id) photo = &p;
    }
    if (box == boxes.end() || photo == nullptr || photo->features.faces.empty()) continue;
    auto ref_bytes = reg.PhotoBytes(a.case_code, m.photo_id);
    if (!ref_bytes.ok()) return Fail(ctx, "registry compare", ref_bytes.status().ToString());
    const std::string ref(ref_bytes->begin(), ref_bytes->end());
    auto ref_info = media::Inspect(*ref_bytes, limits);
    if (!ref_info.ok()) return Fail(ctx, "registry compare", ref_info.status().ToString());
    char dist[32];
    std::snprintf(dist, sizeof dist, "%.3f", m.distance);
    html << "<div class=\"pair\"><figure>"
         << FaceSvg(*original, box->second, info->width, info->height)
         << "<figcaption>scanned, face " << m.face + 1 << "</figcaption></figure><figure>"
         << FaceSvg(ref, photo->features.faces[0].box, ref_info->width, ref_info->height)
         << "<figcaption>registry photo " << m.photo_id << "</figcaption></figure><p>distance "
         << dist << " (" << (m.distance <= faces::kStrongMatch ? "strong" : "possible")
         << ")</p></div>";
  }
  html << "</body></html>\n";
  const std::string tmp = a.out + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << html.str();
    if (!out) return Fail(ctx, "registry compare", "cannot write " + tmp);
  }
  std::error_code ec;
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, ec);
  fs::rename(tmp, a.out, ec);
  if (ec) return Fail(ctx, "registry compare", "cannot write " + a.out + ": " + ec.message());
  std::cerr << "wrote " << a.out << " (" << rows.size()
            << " face pairs; it holds registry photos: delete it after review)\n";
  return kExitOk;
}

int RunMatch(const RegistryArgs& a, const Context& ctx) {
  auto s = OpenSession(a);
  if (!s.ok()) return Fail(ctx, "registry match", s.status().ToString());
  if (Status m = Rematch(a, **s, true); !m.ok()) return Fail(ctx, "registry match", m.ToString());
  return kExitOk;
}

int RunStats(const RegistryArgs& a, const Context& ctx) {
  if (!a.by.empty() && a.by != "month") {
    std::cerr << "vigil stats: --by takes month\n";
    return kExitUsage;
  }
  auto s = OpenSession(a);
  if (!s.ok()) return Fail(ctx, "stats", s.status().ToString());
  auto st = (*s)->registry->ComputeStats();
  if (!st.ok()) return Fail(ctx, "stats", st.status().ToString());
  constexpr registry::CaseStatus kMoves[] = {
      registry::CaseStatus::kSighted,  registry::CaseStatus::kLocated,
      registry::CaseStatus::kRescued,  registry::CaseStatus::kReunited,
      registry::CaseStatus::kDeceased, registry::CaseStatus::kClosed,
      registry::CaseStatus::kMissing};
  if (a.json) {
    JsonWriter w;
    w.BeginObject().Key("persons").Int(st->persons).Key("by_status").BeginObject();
    for (const auto& [status, n] : st->by_status) w.Key(registry::StatusName(status)).Int(n);
    w.EndObject();
    w.Key("by_month").BeginArray();
    for (const auto& [month, counts] : st->transitions_by_month) {
      w.BeginObject().Key("month").String(month);
      for (auto m : kMoves) {
        auto it = counts.find(m);
        w.Key(registry::StatusName(m)).Int(it == counts.end() ? 0 : it->second);
      }
      w.EndObject();
    }
    w.EndArray().EndObject();
    std::cout << w.str() << "\n";
    return kExitOk;
  }
  std::cout << "persons: " << st->persons << "\n";
  for (const auto& [status, n] : st->by_status) {
    std::cout << "  " << std::left << std::setw(10) << registry::StatusName(status) << n << "\n";
  }
  if (a.by == "month") {
    std::cout << "\nchanges by month (status moved into):\n  month    ";
    for (auto m : kMoves) std::cout << std::right << std::setw(9) << registry::StatusName(m);
    std::cout << "\n";
    for (const auto& [month, counts] : st->transitions_by_month) {
      std::cout << "  " << month << "  ";
      for (auto m : kMoves) {
        auto it = counts.find(m);
        std::cout << std::right << std::setw(9) << (it == counts.end() ? 0 : it->second);
      }
      std::cout << "\n";
    }
  }
  return kExitOk;
}

void AddSessionOptions(CLI::App* c, RegistryArgs* a) {
  c->add_option("--db", a->db, "Database (the keys, vault and custody log sit beside it)")
      ->capture_default_str();
  c->add_option("--keys", a->keys, "Key file (default: vigil.keys beside the database)");
  c->add_option("--passphrase-file", a->passphrase_file,
                "Read the key file's passphrase from this file (else $VIGIL_PASSPHRASE)");
}

void AddFieldOptions(CLI::App* c, RegistryArgs* a) {
  c->add_option("--name", a->names, "A name, in any script (repeat for several)");
  c->add_option("--alias", a->aliases, "An alias (repeat for several)");
  c->add_option("--sex", a->sex, "female, male or empty");
  c->add_option("--birth-year", a->birth_year, "Year of birth");
  c->add_option("--place", a->place, "Where they disappeared");
  c->add_option("--date", a->date, "When they disappeared: YYYY, YYYY-MM or YYYY-MM-DD");
  c->add_option("--contact", a->contact, "Family contact");
  c->add_option("--notes", a->notes, "Notes");
  c->add_option("--photo", a->photos, "A photo of the person (repeat for several)")
      ->check(CLI::ExistingFile);
  c->add_option("--data-dir", a->data_dir, "Folder with models/ (default: the build's data/)");
}

}  // namespace

void AddRegistryCommands(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<RegistryArgs>();
  CLI::App* reg = app.add_subcommand(
      "registry",
      "The registry of the missing (encrypted; every read is written to the custody log)");
  reg->require_subcommand(1);

  CLI::App* add = reg->add_subcommand("add", "Register a missing person");
  add->add_option("CASE", args->case_code, "Case code, e.g. C-0142")->required();
  AddFieldOptions(add, args.get());
  add->add_option("--status", args->status, "Initial status")->capture_default_str();
  AddSessionOptions(add, args.get());
  add->callback([args, &ctx] {
    if (args->names.empty()) {
      std::cerr << "vigil registry add: at least one --name is required\n";
      ctx.exit_code = kExitUsage;
      return;
    }
    ctx.exit_code = RunAdd(*args, ctx);
  });

  CLI::App* list = reg->add_subcommand("list", "List registered persons");
  AddSessionOptions(list, args.get());
  auto* json = list->add_flag("--json", args->json, "One JSON array");
  list->add_flag("--jsonl", args->jsonl, "One JSON object per person")->excludes(json);
  list->callback([args, &ctx] { ctx.exit_code = RunList(*args, ctx); });

  CLI::App* show = reg->add_subcommand("show", "Show a person, their history and matches");
  show->add_option("CASE", args->case_code, "Case code")->required();
  AddSessionOptions(show, args.get());
  show->add_flag("--json", args->json, "JSON output");
  show->callback([args, &ctx] { ctx.exit_code = RunShow(*args, ctx); });

  CLI::App* update = reg->add_subcommand("update", "Change a person's fields or add photos");
  update->add_option("CASE", args->case_code, "Case code")->required();
  AddFieldOptions(update, args.get());
  AddSessionOptions(update, args.get());
  update->callback([args, &ctx] { ctx.exit_code = RunUpdate(*args, ctx); });

  CLI::App* status = reg->add_subcommand(
      "status", "Move a case: missing, sighted, located, rescued, reunited, deceased, closed");
  status->add_option("CASE", args->case_code, "Case code")->required();
  status->add_option("STATUS", args->status, "New status")->required();
  status->add_option("--reason", args->reason,
                     "Why (required unless moving forward from missing towards reunited)");
  AddSessionOptions(status, args.get());
  status->callback([args, &ctx] { ctx.exit_code = RunStatus(*args, ctx); });

  CLI::App* import = reg->add_subcommand(
      "import", "Import a coordinator's CSV (all or nothing; columns in the README)");
  import->add_option("FILE", args->csv, "CSV file")->required()->check(CLI::ExistingFile);
  import->add_option("--data-dir", args->data_dir, "Folder with models/");
  AddSessionOptions(import, args.get());
  import->callback([args, &ctx] { ctx.exit_code = RunImport(*args, ctx);
});

CLI::App* sighting =
    reg->add_subcommand("sighting", "Confirm that a post shows a person (a sighting)");
sighting->add_option("CASE", args->case_code, "Case code")->required();
sighting->add_option("--post", args->post, "PLATFORM/CHANNEL/ID")->required();
sighting->add_option("--media", args->media, "SHA-256 of the media (default: the post's first)");
sighting->add_option("--distance", args->distance, "Face distance of the match");
AddSessionOptions(sighting, args.get());
sighting->callback([args, &ctx] { ctx.exit_code = RunSighting(*args, ctx); });

CLI::App* compare = reg->add_subcommand(
    "compare", "Write a page with a scanned face beside the registry photo it matched");
compare->add_option("CASE", args->case_code, "Case code")->required();
compare->add_option("--media", args->media, "SHA-256 (or first 8+ digits) of the scanned media")
    ->required();
compare->add_option("-o,--out", args->out, "HTML page to write")->required();
AddSessionOptions(compare, args.get());
compare->callback([args, &ctx] { ctx.exit_code = RunCompare(*args, ctx); });

CLI::App* match =
    reg->add_subcommand("match", "Compare every scanned face and photo with the registry again");
AddSessionOptions(match, args.get());
match->callback([args, &ctx] { ctx.exit_code = RunMatch(*args, ctx); });

CLI::App* stats = app.add_subcommand("stats", "Persons by status, and status changes per month");
stats->add_option("--by", args->by, "month: changes per month");
stats->add_flag("--json", args->json, "JSON output");
AddSessionOptions(stats, args.get());
stats->callback([args, &ctx] { ctx.exit_code = RunStats(*args, ctx); });
}  // namespace vigil::cli

}  // namespace vigil::cli
