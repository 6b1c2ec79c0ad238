// Faces in scanned media, and the registry of the missing: finding the faces
// of an image, and comparing them (and the image's PDQ) with every registry
// photo. The scan runs FindFaces on its workers; `vigil registry match` uses
// RegistryMatcher to re-match every stored face after the registry changed.
#ifndef VIGIL_SCAN_FACE_MATCHING_H_
#define VIGIL_SCAN_FACE_MATCHING_H_

#include <span>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "vigil/core/deadline.h"
#include "vigil/core/hash256.h"
#include "vigil/core/limits.h"
#include "vigil/core/post.h"
#include "vigil/faces/faces.h"
#include "vigil/registry/registry.h"
#include "vigil/store/registry_store.h"
#include "vigil/store/store.h"

namespace vigil::scan {

// The registry's faces and photo PDQs, indexed. Immutable after Build; Match*
// may be called from any number of threads.
class RegistryMatcher {
 public:
  static RegistryMatcher Build(const std::vector<registry::Reference>& refs);
  bool empty() const { return owners_.empty() && pdqs_.empty(); }
  size_t faces() const { return index_.size(); }

  // Registry persons a face may be: each person once (their nearest photo),
  // within faces::kPossibleMatch, nearest first, at most `k`.
  std::vector<store::FaceCandidate> MatchFace(const faces::Embedding& e, size_t k = 5) const;
  // Registry photos whose PDQ is within `radius` bits of any of `probe`
  // (an image's 8 dihedral hashes), nearest first, each photo once.
  std::vector<store::FaceCandidate> MatchPdq(std::span<const Hash256> probe, int radius) const;

 private:
  faces::FaceIndex index_;
  std::vector<std::pair<std::string, int64_t>> owners_;  // index id -> (case, photo)
  std::vector<Hash256> pdqs_;
  std::vector<std::pair<std::string, int64_t>> pdq_owners_;
};

// Finds, embeds and (with `registry`) matches the faces of the image media
// file `ref` points at; fills out->faces, out->registry_pdq and
// out->faces_searched. Non-images are skipped (faces_searched stays false),
// and so is the detector for files in `searched` (an earlier run's faces are
// matched by the caller; registry_pdq is still filled). Returns an error
// line for a file that cannot be searched, or not within `deadline` (the
// rest of the media result stands); "" when all went well.
std::string FindFaces(const MediaRef& ref, faces::FaceEngine& engine,
                      const RegistryMatcher* registry, std::span<const Hash256> pdq_probe,
                      int pdq_radius, const Limits& limits, const Deadline& deadline,
                      store::MediaResult* out,
                      const std::unordered_set<std::string>* searched = nullptr);

// The rows RegistryStore::PutMediaFaces stores for one media result.
store::MediaFaces ToMediaFaces(const std::string& sha256, const store::MediaResult& r);

// Matches every face (and PDQ) already stored against `registry` and
// replaces the stored candidates: run after the registry changed. Returns
// the number of candidate rows.
Result<size_t> RematchStoredFaces(store::RegistryStore& registry_store, store::Store& store,
                                  const RegistryMatcher& registry, int pdq_radius);

}  // namespace vigil::scan

#endif  // VIGIL_SCAN_FACE_MATCHING_H_
