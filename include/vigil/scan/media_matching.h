// Media matching as the scan does it: inspecting one media file in full
// (hashes, PDQ with its 8 rotations/mirrors, video frames) and matching it
// against hash lists and against the media already seen. `vigil match` uses
// the same pieces, so a file matches the same way wherever it is checked.
#ifndef VIGIL_SCAN_MEDIA_MATCHING_H_
#define VIGIL_SCAN_MEDIA_MATCHING_H_

#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "vigil/core/hash256.h"
#include "vigil/core/limits.h"
#include "vigil/core/post.h"
#include "vigil/match/index.h"
#include "vigil/match/matcher.h"
#include "vigil/media/video.h"
#include "vigil/store/store.h"

namespace vigil::scan {

// What a media file is queried with. Images: the 8 dihedral PDQs (empty when
// the PDQ quality is below the reference's floor). Videos: sampled frames.
struct MediaProbe {
  std::vector<Hash256> image;
  std::vector<media::VideoFrameHash> frames;
};

// Inspects the file `ref` points at. Never fails: problems land in
// MediaResult::error (no info) or MediaInfo::pdq_error (info, no PDQ).
store::MediaResult InspectMedia(const MediaRef& ref, const Limits& limits, MediaProbe* probe);

// Appends matches of one media file against hash lists: exact MD5/SHA-256,
// and PDQ within `radius` (capped per list) of any probe hash or frame.
// Thread-safe (the Matcher is read-only).
void MatchLists(const match::Matcher& lists, const media::MediaInfo& info, const MediaProbe& probe,
                int radius, std::vector<store::MediaMatch>* out);

// The media files of the store plus those this scan has added, for finding
// reposts. Not thread-safe: used by the scan's writer thread only.
class SeenMedia {
 public:
  // Loads every stored media file's PDQ and video frames.
  static Result<SeenMedia> Load(store::Store& store);

  // Appends matches of `info` against every other media seen so far (photos
  // within `radius` in any rotation or mirror; a photo and a video when one
  // of the video's frames is within `radius`; videos by vPDQ, either way
  // round), then remembers it. A file seen before gets no matches: each pair
  // is recorded once, by the later of the two, so re-runs add nothing.
  void MatchAndAdd(const media::MediaInfo& info, const MediaProbe& probe, int radius,
                   std::vector<store::MediaMatch>* out);

  // Appends matches of `info` against every media seen so far other than
  // itself, without remembering it.
  void Match(const media::MediaInfo& info, const MediaProbe& probe, int radius,
             std::vector<store::MediaMatch>* out) const;

 private:
  struct Video {
    std::string sha256;
    std::vector<media::VideoFrameHash> frames;
  };
  std::unordered_set<std::string> known_;
  // Hashes with the sha256 of the file they belong to: stored before this
  // scan (indexed once) and added since (scanned).
  struct HashSet {
    std::optional<match::HashIndex> stored;
    std::vector<std::string> stored_sha;
    std::vector<Hash256> added;
    std::vector<std::string> added_sha;
    // Calls keep(sha256, distance) for every hash within `radius` of `h`.
    template <typename Keep>
    void Search(const Hash256& h, int radius, Keep&& keep) const;
  };
  HashSet images_;  // one PDQ per photo
  HashSet frames_;  // every sampled video frame, so a photo is found inside a video
  std::vector<Video> videos_;
};

}  // namespace vigil::scan

#endif  // VIGIL_SCAN_MEDIA_MATCHING_H_
