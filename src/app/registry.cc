// Installation's registry use cases: persons, photos, status, sightings,
// matching scanned faces with the registry, and the face comparison page.
#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>
#include <map>
#include <sstream>

#include "vigil/app/installation.h"
#include "vigil/core/file.h"
#include "vigil/evidence/base64.h"
#include "vigil/faces/faces.h"
#include "vigil/media/inspect.h"
#include "vigil/scan/face_matching.h"

namespace vigil::app {

namespace fs = std::filesystem;

registry::PhotoAnalyzer Installation::PhotoAnalyzer() {
  return [this](std::span<const uint8_t> bytes) -> Result<registry::PhotoFeatures> {
    const Limits limits;
    VIGIL_ASSIGN_OR_RETURN(media::MediaInfo info, media::Inspect(bytes, limits));
    if (info.pdq.empty() && !info.pdq_error.empty()) return Status::Corrupt(info.pdq_error);
    if (!face_engine_) {
      VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<faces::FaceEngine> e,
                             faces::FaceEngine::Load(faces::DefaultModelDir(options_.data_dir)));
      face_engine_ = std::move(e);
    }
    VIGIL_ASSIGN_OR_RETURN(std::vector<faces::Face> found,
                           face_engine_->DetectInFile(bytes, {}, limits));
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
    if (f.faces.empty()) Notice("no usable face in a photo; it is kept for PDQ matching only");
    return f;
  };
}

Result<std::vector<std::vector<uint8_t>>> Installation::ReadPhotos(
    const std::vector<std::string>& files) {
  std::vector<std::vector<uint8_t>> photos;
  for (const auto& path : files) {
    VIGIL_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path, std::numeric_limits<uint64_t>::max()));
    photos.emplace_back(bytes.begin(), bytes.end());
  }
  return photos;
}

Result<size_t> Installation::Rematch() {
  VIGIL_ASSIGN_OR_RETURN(registry::Registry * reg, Registry());
  VIGIL_ASSIGN_OR_RETURN(auto refs, reg->References());
  const scan::RegistryMatcher matcher = scan::RegistryMatcher::Build(refs);
  return scan::RematchStoredFaces(db_->registry(), store(), matcher, 31);
}

// After a change to the registry's photos, the stored candidates follow.
Result<size_t> Installation::RematchAfterChange() {
  VIGIL_ASSIGN_OR_RETURN(size_t rows, Rematch());
  if (rows > 0) {
    Notice(std::to_string(rows) +
           " candidate matches of scanned media with the registry (vigil registry show CASE)");
  }
  return rows;
}

Status Installation::AddPerson(const std::string& case_code, const registry::PersonFields& fields,
                               registry::CaseStatus status,
                               const std::vector<std::string>& photo_files) {
  VIGIL_ASSIGN_OR_RETURN(auto photos, ReadPhotos(photo_files));
  VIGIL_ASSIGN_OR_RETURN(registry::Registry * reg, Registry());
  VIGIL_RETURN_IF_ERROR(reg->Add(case_code, fields, status, photos, PhotoAnalyzer()));
  return RematchAfterChange().status();
}

Result<size_t> Installation::ImportRegistry(const std::string& csv_file) {
  auto text = ReadFile(csv_file, std::numeric_limits<uint64_t>::max());
  if (!text.ok()) return Status(text.status().code(), "cannot read " + text.status().message());
  const Limits limits;
  auto rows = registry::ParseRegistryCsv(*text, limits.max_line_bytes);
  if (!rows.ok()) return Status(rows.status().code(), csv_file + ": " + rows.status().message());
  VIGIL_ASSIGN_OR_RETURN(registry::Registry * reg, Registry());
  const Status s = reg->Import(*rows, fs::path(csv_file).parent_path(), PhotoAnalyzer());
  if (!s.ok()) return Status(s.code(), csv_file + ": " + s.message());
  VIGIL_RETURN_IF_ERROR(RematchAfterChange().status());
  return rows->size();
}

registry::PersonFields PersonUpdate::Apply(registry::PersonFields f) const {
  if (!names.empty()) f.names = names;
  if (!aliases.empty()) f.aliases = aliases;
  if (sex) f.sex = *sex;
  if (birth_year) f.birth_year = *birth_year;
  if (place) f.place = *place;
  if (date) f.date = *date;
  if (family_contact) f.family_contact = *family_contact;
  if (notes) f.notes = *notes;
  return f;
}

Status Installation::UpdatePerson(const std::string& case_code, const PersonUpdate& u,
                                  const std::vector<std::string>& photo_files) {
  VIGIL_ASSIGN_OR_RETURN(auto photos, ReadPhotos(photo_files));
  VIGIL_ASSIGN_OR_RETURN(registry::Registry * reg, Registry());
  VIGIL_ASSIGN_OR_RETURN(registry::PersonRecord rec, reg->Show(case_code));
  VIGIL_RETURN_IF_ERROR(reg->Update(case_code, u.Apply(rec.person.fields)));
  for (size_t i = 0; i < photos.size(); ++i) {
    auto id = reg->AddPhoto(case_code, photos[i], PhotoAnalyzer());
    if (!id.ok()) return Status(id.status().code(), photo_files[i] + ": " + id.status().ToString());
  }
  if (!photos.empty()) VIGIL_RETURN_IF_ERROR(RematchAfterChange().status());
  return Status::Ok();
}

Status Installation::SetCaseStatus(const std::string& case_code, registry::CaseStatus to,
                                   const std::string& reason) {
  VIGIL_ASSIGN_OR_RETURN(registry::Registry * reg, Registry());
  return reg->SetStatus(case_code, to, reason);
}

Status Installation::RecordSighting(const std::string& case_code, const PostKey& post,
                                    const std::string& media_sha256, double distance) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<store::ScanRecord> r, store().GetPost(post));
  if (!r) return Status::NotFound("no post " + FormatPostKey(post) + " in " + db_->url().text);
  registry::Sighting x;
  x.case_code = case_code;
  x.platform = std::string(PlatformName(post.platform));
  x.channel_id = post.channel_id;
  x.external_id = post.external_id;
  x.post_time = r->post.time;
  x.media_sha256 = media_sha256;
  x.distance = distance;
  if (x.media_sha256.empty()) {
    for (const auto& m : r->media) {
      if (m.info) {
        x.media_sha256 = m.info->sha256;
        break;
      }
    }
  }
  VIGIL_ASSIGN_OR_RETURN(registry::Registry * reg, Registry());
  return reg->AddSighting(x);
}

Result<std::vector<registry::Person>> Installation::ListPersons() {
  VIGIL_ASSIGN_OR_RETURN(registry::Registry * reg, Registry());
  return reg->List();
}

Result<PersonView> Installation::ShowPerson(const std::string& case_code) {
  VIGIL_ASSIGN_OR_RETURN(registry::Registry * reg, Registry());
  PersonView v;
  VIGIL_ASSIGN_OR_RETURN(v.record, reg->Show(case_code));
  VIGIL_ASSIGN_OR_RETURN(v.candidates, db_->registry().FaceMatches(case_code));
  return v;
}

Result<std::vector<uint8_t>> Installation::PersonPhoto(const std::string& case_code,
                                                       int64_t photo_id) {
  VIGIL_ASSIGN_OR_RETURN(registry::Registry * reg, Registry());
  return reg->PhotoBytes(case_code, photo_id);
}

Result<std::string> Installation::ViewOriginal(const std::string& sha256) {
  VIGIL_ASSIGN_OR_RETURN(const evidence::Vault* vault, Vault());
  VIGIL_RETURN_IF_ERROR(Audit("view", "", {sha256}));
  return vault->GetBytes(sha256);
}

Result<registry::Stats> Installation::RegistryStats() {
  VIGIL_ASSIGN_OR_RETURN(registry::Registry * reg, Registry());
  return reg->ComputeStats();
}

namespace {

// An image as a data: URI (the page loads nothing from outside itself).
std::string DataUri(std::string_view bytes) {
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  return "data:image/" + media::SniffType(std::span<const uint8_t>(p, bytes.size())) + ";base64," +
         evidence::Base64Encode(bytes);
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

}  // namespace

Result<Installation::ComparePage> Installation::CompareFaces(const std::string& case_code,
                                                             const std::string& media) {
  VIGIL_ASSIGN_OR_RETURN(registry::Registry * reg, Registry());
  VIGIL_ASSIGN_OR_RETURN(registry::PersonRecord rec, reg->Show(case_code));
  VIGIL_ASSIGN_OR_RETURN(auto all, db_->registry().FaceMatches(case_code));
  std::vector<store::FaceMatchRow> rows;
  for (const auto& m : all) {
    if (m.sha256.starts_with(media) && m.kind == store::CandidateKind::kFace) rows.push_back(m);
  }
  if (media.size() < 8 || rows.empty()) {
    return Status::NotFound("no face match of case " + case_code + " with media " + media +
                            " (vigil registry show " + case_code + " lists them)");
  }
  const std::string sha = rows.front().sha256;
  VIGIL_ASSIGN_OR_RETURN(const evidence::Vault* vault, Vault());
  if (!vault->Contains(sha)) {
    return Status::NotFound("the original " + sha.substr(0, 16) +
                            "… is not in the vault (scan with --evidence)");
  }
  VIGIL_RETURN_IF_ERROR(Audit("view", "face comparison with registry case " + case_code, {sha}));
  VIGIL_ASSIGN_OR_RETURN(std::string original, vault->GetBytes(sha));
  const Limits limits;
  VIGIL_ASSIGN_OR_RETURN(
      media::MediaInfo info,
      media::Inspect(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(original.data()),
                                              original.size()),
                     limits));
  std::map<int, std::array<int, 4>> boxes;
  VIGIL_ASSIGN_OR_RETURN(auto faces, db_->registry().FacesOf(sha));
  for (const auto& f : faces) boxes[f.face] = {f.x, f.y, f.w, f.h};

  std::ostringstream html;
  html << "<!doctype html><html><head><meta charset=\"utf-8\"><meta "
          "http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
          "style-src 'unsafe-inline'\"><title>case "
       << case_code
       << " — face comparison</title><style>body{font:15px system-ui;margin:2em}"
          "svg{filter:blur(14px);border:1px solid #999}#reveal:checked~.pair svg{filter:none}"
          ".pair{display:flex;gap:2em;margin:1em 0}.meta{color:#555}</style></head><body>"
          "<h1>Case "
       << case_code << ": possible sighting</h1><p class=\"meta\">Media " << sha
       << ". For review by a trained analyst; a face match is a lead, not an identification. "
          "Images are blurred.</p><input type=\"checkbox\" id=\"reveal\"><label "
          "for=\"reveal\">Reveal the faces</label>";
  ComparePage page;
  for (const auto& m : rows) {
    const auto box = boxes.find(m.face);
    const registry::Photo* photo = nullptr;
    for (const auto& p : rec.photos) {
      if (p.id == m.photo_id) photo = &p;
    }
    if (box == boxes.end() || photo == nullptr || photo->features.faces.empty()) continue;
    VIGIL_ASSIGN_OR_RETURN(std::vector<uint8_t> ref_bytes, reg->PhotoBytes(case_code, m.photo_id));
    const std::string ref(ref_bytes.begin(), ref_bytes.end());
    VIGIL_ASSIGN_OR_RETURN(media::MediaInfo ref_info, media::Inspect(ref_bytes, limits));
    char dist[32];
    std::snprintf(dist, sizeof dist, "%.3f", m.distance);
    html << "<div class=\"pair\"><figure>"
         << FaceSvg(original, box->second, info.width, info.height) << "<figcaption>scanned, face "
         << m.face + 1 << "</figcaption></figure><figure>"
         << FaceSvg(ref, photo->features.faces[0].box, ref_info.width, ref_info.height)
         << "<figcaption>registry photo " << m.photo_id << "</figcaption></figure><p>distance "
         << dist << " (" << (m.distance <= faces::kStrongMatch ? "strong" : "possible")
         << ")</p></div>";
  }
  page.pairs = rows.size();
  html << "</body></html>\n";
  page.html = html.str();
  return page;
}

}  // namespace vigil::app
