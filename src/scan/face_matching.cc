#include "vigil/scan/face_matching.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "vigil/core/file.h"
#include "vigil/media/decode.h"

namespace vigil::scan {
namespace {

void SortCandidates(std::vector<store::FaceCandidate>* v) {
  std::sort(v->begin(), v->end(), [](const auto& a, const auto& b) {
    if (a.distance != b.distance) return a.distance < b.distance;
    if (a.case_code != b.case_code) return a.case_code < b.case_code;
    return a.photo_id < b.photo_id;
  });
}

}  // namespace

RegistryMatcher RegistryMatcher::Build(const std::vector<registry::Reference>& refs) {
  RegistryMatcher m;
  for (const auto& r : refs) {
    for (const auto& e : r.faces) {
      faces::Embedding emb;
      std::copy(e.begin(), e.end(), emb.begin());
      m.index_.Add(static_cast<int64_t>(m.owners_.size()), emb);
      m.owners_.emplace_back(r.case_code, r.photo_id);
    }
    if (auto h = Hash256::FromHex(r.pdq)) {
      m.pdqs_.push_back(*h);
      m.pdq_owners_.emplace_back(r.case_code, r.photo_id);
    }
  }
  return m;
}

std::vector<store::FaceCandidate> RegistryMatcher::MatchFace(const faces::Embedding& e,
                                                             size_t k) const {
  std::vector<store::FaceCandidate> out;
  if (index_.size() == 0 || k == 0) return out;
  // Several photos of one person may all be near: ask for more, keep each
  // person's nearest.
  const auto hits = index_.Search(e, k * 4, faces::kPossibleMatch);
  std::set<std::string> seen;
  for (const auto& hit : hits) {
    const auto& [case_code, photo] = owners_[static_cast<size_t>(hit.id)];
    if (!seen.insert(case_code).second) continue;
    out.push_back({case_code, photo, store::CandidateKind::kFace, hit.distance});
    if (out.size() == k) break;
  }
  return out;
}

std::vector<store::FaceCandidate> RegistryMatcher::MatchPdq(std::span<const Hash256> probe,
                                                            int radius) const {
  std::vector<store::FaceCandidate> out;
  for (size_t i = 0; i < pdqs_.size(); ++i) {
    int best = radius + 1;
    for (const auto& h : probe) best = std::min(best, Distance(h, pdqs_[i]));
    if (best <= radius)
      out.push_back(
          {pdq_owners_[i].first, pdq_owners_[i].second, store::CandidateKind::kPdq, double(best)});
  }
  SortCandidates(&out);
  return out;
}

std::string FindFaces(const MediaRef& ref, faces::FaceEngine& engine,
                      const RegistryMatcher* registry, std::span<const Hash256> pdq_probe,
                      int pdq_radius, const Limits& limits, const Deadline& deadline,
                      store::MediaResult* out, const std::unordered_set<std::string>* searched) {
  if (!out->info || !media::IsDecodableImageType(out->info->type)) return "";
  if (registry != nullptr && !pdq_probe.empty()) {
    out->registry_pdq = registry->MatchPdq(pdq_probe, pdq_radius);
  }
  if (searched != nullptr && searched->count(out->info->sha256)) return "";
  auto bytes = ReadFile(ref.path, limits.max_media_bytes);
  if (!bytes.ok()) return "faces: " + bytes.status().ToString();
  faces::FaceOptions options;
  options.deadline = deadline;
  auto found = engine.DetectInFile(AsBytes(*bytes), options, limits);
  if (!found.ok()) return found.status().ToString();
  out->faces_searched = true;
  for (const auto& f : *found) {
    if (!f.landmarks_ok) continue;  // no embedding to compare or store
    store::FaceResult r;
    r.box = f.box;
    r.embedding.assign(f.embedding.begin(), f.embedding.end());
    if (registry != nullptr) r.matches = registry->MatchFace(f.embedding);
    out->faces.push_back(std::move(r));
  }
  return "";
}

store::MediaFaces ToMediaFaces(const std::string& sha256, const store::MediaResult& r) {
  store::MediaFaces m;
  m.sha256 = sha256;
  for (size_t i = 0; i < r.faces.size(); ++i) {
    const auto& f = r.faces[i];
    m.faces.push_back(
        {sha256, static_cast<int>(i), f.box[0], f.box[1], f.box[2], f.box[3], f.embedding});
    for (const auto& c : f.matches) {
      m.matches.push_back(
          {sha256, static_cast<int>(i), c.case_code, c.photo_id, c.kind, c.distance});
    }
  }
  for (const auto& c : r.registry_pdq) {
    m.matches.push_back({sha256, -1, c.case_code, c.photo_id, c.kind, c.distance});
  }
  return m;
}

Result<size_t> RematchStoredFaces(store::RegistryStore& registry_store, store::Store& store,
                                  const RegistryMatcher& registry, int pdq_radius) {
  std::vector<store::FaceMatchRow> rows;
  VIGIL_RETURN_IF_ERROR(registry_store.ForEachStoredFace([&](const store::StoredFace& f) {
    if (f.embedding.size() != faces::kEmbeddingDims) {
      return Status::Corrupt("stored face of " + f.sha256 + " has " +
                             std::to_string(f.embedding.size()) + " dimensions");
    }
    faces::Embedding e;
    std::copy(f.embedding.begin(), f.embedding.end(), e.begin());
    for (const auto& c : registry.MatchFace(e)) {
      rows.push_back({f.sha256, f.face, c.case_code, c.photo_id, c.kind, c.distance});
    }
    return Status::Ok();
  }));
  VIGIL_RETURN_IF_ERROR(store.ForEachMediaHashes([&](const store::MediaHashes& h) {
    std::vector<Hash256> probe;
    for (const auto& hex : h.pdq_dihedral) {
      if (auto v = Hash256::FromHex(hex)) probe.push_back(*v);
    }
    if (probe.empty()) {
      if (auto v = Hash256::FromHex(h.pdq)) probe.push_back(*v);
    }
    for (const auto& c : registry.MatchPdq(probe, pdq_radius)) {
      rows.push_back({h.sha256, -1, c.case_code, c.photo_id, c.kind, c.distance});
    }
    return Status::Ok();
  }));
  VIGIL_RETURN_IF_ERROR(registry_store.ReplaceFaceMatches(rows));
  return rows.size();
}

}  // namespace vigil::scan
