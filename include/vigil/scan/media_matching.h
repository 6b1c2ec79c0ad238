// Media matching as the scan does it: inspecting one media file in full
// (hashes, PDQ with its 8 rotations/mirrors, video frames) and matching it
// against hash lists and against the media already seen. `vigil match` uses
// the same pieces, so a file matches the same way wherever it is checked.
#ifndef VIGIL_SCAN_MEDIA_MATCHING_H_
#define VIGIL_SCAN_MEDIA_MATCHING_H_

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "vigil/core/deadline.h"
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
  // limits.max_file_seconds from the start of InspectMedia: hashing, decoding
  // and video frames run under it, and so does the face search after them.
  Deadline deadline;
};

// Inspects the file `ref` points at. Never fails: problems land in
// MediaResult::error (no info) or MediaInfo::pdq_error (info, no PDQ); a
// file over limits.max_file_seconds gets an error naming it.
store::MediaResult InspectMedia(const MediaRef& ref, const Limits& limits, MediaProbe* probe);

// Appends matches of one media file against hash lists: exact MD5/SHA-256,
// and PDQ within `radius` (capped per list) of any probe hash or frame.
// Thread-safe (the Matcher is read-only).
void MatchLists(const match::Matcher& lists, const media::MediaInfo& info, const MediaProbe& probe,
                int radius, std::vector<store::MediaMatch>* out);

// The media files of the store plus those this scan has added, for finding
// reposts. Not thread-safe: used by the scan's writer thread only.
//
// Each pair of media is recorded once, by the later of the two. A photo and a
// video compare the same whichever was scanned first: the photo's 8 rotations
// and mirrors against the video's frames (stored photos bring their stored
// dihedral PDQs; one stored before schema 003 only its PDQ).
class SeenMedia {
 public:
  SeenMedia() = default;
  // Movable, not copyable: files_ points into known_'s nodes, which a move
  // hands over and a copy would not.
  SeenMedia(SeenMedia&&) = default;
  SeenMedia& operator=(SeenMedia&&) = default;
  SeenMedia(const SeenMedia&) = delete;
  SeenMedia& operator=(const SeenMedia&) = delete;

  // Loads every stored media file's PDQs and video frames. Media stored
  // without matching (MediaHashes::matched false: `vigil scan --no-match`)
  // are matched by MatchStored. Fails with the store's Status.
  static Result<SeenMedia> Load(store::Store& store);

  // Matches the stored media that no matching scan has matched yet, one at a
  // time in sha256 order, each against the hash lists (`lists` may be null)
  // and against the stored media matched before it, with the hashes the store
  // holds (files are not read again; a photo stored before schema 003 is
  // queried by its PDQ alone). Writes the matches with
  // store.WriteMediaMatches, which marks the files matched, `batch_size` files
  // per transaction; a pair of media already stored either way round is not
  // recorded again. A crash loses at most the open batch, and a re-run
  // matches only the files still unmatched, with the same result. Call it once,
  // after Load and before MatchAndAdd. Returns the store's failure, if any.
  Status MatchStored(store::Store& store, const match::Matcher* lists, int radius,
                     size_t batch_size = 1000);

  // Makes MatchStored take the pending files named in `first` first, in
  // that order (a name listed twice counts where it first appears; names not
  // pending are skipped), and the other pending files after them in sha256
  // order. A scan spread over workers stores its media unmatched and passes
  // the order the producer met them in, so each pair is recorded by the same
  // file, with the same distance, as a single scan of the same export would.
  // Call it after Load and before MatchStored.
  void OrderPending(const std::vector<std::string>& first);

  // Appends matches of `info` against every other media seen so far (photos
  // within `radius` in any rotation or mirror; a photo and a video when one
  // of the video's frames is within `radius` of the photo in any rotation or
  // mirror; videos by vPDQ, either way round), then remembers it. A file seen
  // before (in this scan or in the store) gets no matches, so re-runs add
  // nothing.
  void MatchAndAdd(const media::MediaInfo& info, const MediaProbe& probe, int radius,
                   std::vector<store::MediaMatch>* out);

  // Appends matches of `info` against every media seen so far other than
  // itself, without remembering it.
  void Match(const media::MediaInfo& info, const MediaProbe& probe, int radius,
             std::vector<store::MediaMatch>* out) const;

  // Video-vs-video matching runs vPDQ only on the videos that share a frame
  // within `radius` with the query, found through the frame index (no other
  // video can match). false compares with every video (the brute force it
  // replaced), for benchmarks and tests: the matches are the same either way.
  void set_video_candidates_from_index(bool on) { video_candidates_from_index_ = on; }

 private:
  // Every file is named by a small id (its place in files_), so the hash
  // sets carry 4 bytes an entry instead of a 64-character string: a photo
  // has 9 entries (its PDQ and its 8 orientations).
  using FileId = uint32_t;
  static constexpr FileId kNoFile = UINT32_MAX;
  struct Video {
    FileId file;
    std::vector<media::VideoFrameHash> frames;
  };
  // A stored file waiting for MatchStored.
  struct Pending {
    std::string sha256, md5;
    MediaProbe probe;
  };
  // Hashes with the file they belong to: stored before this scan (indexed
  // once) and added since (scanned).
  struct HashSet {
    std::optional<match::HashIndex> stored;
    std::vector<FileId> stored_file;
    std::vector<Hash256> added;
    std::vector<FileId> added_file;
    // Calls keep(file, distance) for every hash within `radius` of `h`.
    template <typename Keep>
    void Search(const Hash256& h, int radius, Keep&& keep) const;
  };

  // Match, leaving out the pending files of rank `rank_limit` and above.
  void MatchBefore(const media::MediaInfo& info, const MediaProbe& probe, int radius,
                   size_t rank_limit, std::vector<store::MediaMatch>* out) const;
  void Add(FileId file, const MediaProbe& probe);
  // The id of `sha256`, and whether it was new.
  std::pair<FileId, bool> Intern(const std::string& sha256);
  const std::string& Sha(FileId file) const { return *files_[file]; }

  // Every file met (stored or scanned): sha256 -> id, and id -> sha256 (the
  // map's own key; unordered_map keys stay put as it grows).
  std::unordered_map<std::string, FileId> known_;
  std::vector<const std::string*> files_;
  HashSet images_;    // one PDQ per photo (photo vs photo)
  HashSet dihedral_;  // the 8 dihedral PDQs per photo (video frames vs photos)
  HashSet frames_;    // every usable sampled video frame
  std::vector<Video> videos_;
  std::unordered_map<FileId, size_t> video_of_;  // file -> index in videos_
  std::vector<Pending> pending_;                 // sha256 order
  std::unordered_map<FileId, size_t> pending_rank_;
  bool video_candidates_from_index_ = true;
};

}  // namespace vigil::scan

#endif  // VIGIL_SCAN_MEDIA_MATCHING_H_
