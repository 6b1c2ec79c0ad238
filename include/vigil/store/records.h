// The records a scan produces and the store keeps: one post with its
// analysis and media results, matches, faces, errors, counts. Plain value
// types shared by the store, the scan, the application layer and every
// front end; this header pulls in no library (only vigil's own value types).
#ifndef VIGIL_STORE_RECORDS_H_
#define VIGIL_STORE_RECORDS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/post.h"
#include "vigil/match/hash_list.h"
#include "vigil/media/inspect.h"
#include "vigil/text/analyzer.h"

namespace vigil::store {

// What a media file matched: an entry of a hash list, or another media file
// already in the store (a repost).
enum class MatchKind { kList, kMedia };
// "list", "media" (the stored and printed names).
std::string_view MatchKindName(MatchKind k);
std::optional<MatchKind> MatchKindFromName(std::string_view name);

// How a registry person may appear in a media file: a face within the face
// distance threshold of one of their photos, or the whole photo within the
// PDQ radius of one of their photos.
enum class CandidateKind { kFace, kPdq };
// "face", "pdq".
std::string_view CandidateKindName(CandidateKind k);
std::optional<CandidateKind> CandidateKindFromName(std::string_view name);

// A match of one media file: against an entry of a hash list, or against
// another media file already in the store (a repost).
struct MediaMatch {
  MatchKind kind = MatchKind::kList;
  std::string target;       // the list entry's value, or the other media's sha256
  std::string list;         // list name ("" for kind "media")
  std::string signal_type;  // what matched: pdq, md5, sha256, ...
  std::string labels;       // the list entry's labels
  int distance = 0;         // Hamming distance; 0 for exact hashes
  friend bool operator==(const MediaMatch&, const MediaMatch&) = default;
};

// A sampled video frame's PDQ (vPDQ).
struct FrameHash {
  int64_t frame_index = 0;
  double timestamp_seconds = 0;
  std::string pdq;  // hex
  int quality = 0;
  friend bool operator==(const FrameHash&, const FrameHash&) = default;
};

// A registry person a scanned media file may show: a face within the face
// distance threshold of one of their photos (kind "face"), or the whole photo
// within the PDQ radius of one of their photos (kind "pdq", distance in bits).
struct FaceCandidate {
  std::string case_code;
  int64_t photo_id = 0;
  CandidateKind kind = CandidateKind::kFace;
  double distance = 0;
  friend bool operator==(const FaceCandidate&, const FaceCandidate&) = default;
};

// A face found in a media file, with the registry persons it may be.
struct FaceResult {
  std::array<int, 4> box{};              // x, y, w, h in the image's pixels
  std::vector<float> embedding{};        // 128 floats
  std::vector<FaceCandidate> matches{};  // nearest first
};

// The outcome for one MediaRef of a post: `info` when the file was present and
// inspected, otherwise `error` says why not (missing from export, too big, ...).
// `matches` and `frames` belong to the media file (by sha256), not the post.
// `matched` says that repost and hash-list matching ran for the file (a scan
// without --no-match): the store then records it as matched, for good.
struct MediaResult {
  std::optional<media::MediaInfo> info;
  std::string error;
  std::vector<FrameHash> frames{};
  std::vector<MediaMatch> matches{};
  // With face search on (images only): the faces found, and registry photos
  // the whole image matches by PDQ. Stored by the scan through
  // RegistryStore::PutMediaFaces, not by Write.
  std::vector<FaceResult> faces{};
  std::vector<FaceCandidate> registry_pdq{};
  bool faces_searched = false;
  bool matched = false;
};

// Everything the scan learnt about one post. `media[i]` belongs to `post.media[i]`.
struct ScanRecord {
  Post post;
  text::Analysis analysis;
  std::vector<MediaResult> media;
};

struct ScanError {
  std::string file;
  std::string item;
  std::string reason;
};

struct PostFilter {
  bool flagged_only = false;  // category != other
  std::optional<Platform> platform;
  size_t limit = 0;           // 0 = no limit
  bool newest_first = false;  // the walk's order reversed (the newest `limit` posts)
};

// The review queue's query (Store::ListPosts).
enum class PostOrder {
  kScore,  // highest score first, then oldest stored first
  kTime,   // oldest post time first, then oldest stored first
};
struct PostQuery {
  bool flagged_only = false;  // category != other
  std::optional<Platform> platform;
  std::string channel_id;  // "" = every channel
  std::optional<text::Category> category;
  std::optional<int64_t> since, until;  // post time in [since, until)
  std::string lang;  // a reason matched a lexicon of this language (en, ar, kmr, ckb); "" = any
  bool with_media_match = false;     // a media file matched a list or another file
  bool with_face_candidate = false;  // a media file may show a registry person
  bool undecided_only = false;       // no decision recorded yet
  PostOrder order = PostOrder::kScore;
  size_t limit = 50;  // 1..1000
  std::string after;  // PostPage::next of the previous page; "" = first page
};
struct PostPage {
  std::vector<ScanRecord> records;
  std::string next;  // "" when this is the last page
};

// A reviewer's decision on a post. Confirmed and dismissed posts are the
// labels the text scorer learns from; escalations go to evidence export.
enum class DecisionType { kConfirm, kDismiss, kEscalate };
// "confirm", "dismiss", "escalate".
std::string_view DecisionTypeName(DecisionType t);
std::optional<DecisionType> DecisionTypeFromName(std::string_view name);
struct Decision {
  int64_t id = 0;  // assigned by the store
  PostKey post;
  DecisionType type = DecisionType::kConfirm;
  std::string note;
  std::string actor;
  int64_t time = 0;
  friend bool operator==(const Decision&, const Decision&) = default;
};

struct MonthCount {
  std::string month;  // "2024-03"
  text::Category category;
  int64_t count;
};

struct Totals {
  int64_t posts = 0;
  int64_t service = 0;
  int64_t flagged = 0;
  int64_t media = 0;      // distinct media files (by SHA-256)
  int64_t selectors = 0;  // distinct (kind, value)
  int64_t errors = 0;
};

struct HashListSummary {
  match::HashList list;  // without its entries
  int64_t entries = 0;
  int64_t created = 0;  // seconds since the epoch
};

// A stored media file's perceptual hashes, for indexes and clusters.
struct MediaHashes {
  std::string sha256;
  std::string md5;
  std::string type;
  std::string pdq;  // "" when none
  int pdq_quality = -1;
  // The 8 dihedral PDQs (hex, pdq.h order; the first is `pdq`). Empty for a
  // photo stored before schema 003 and for media without a PDQ.
  std::vector<std::string> pdq_dihedral{};
  std::vector<FrameHash> frames{};
  bool matched = false;  // repost/list matching has run for it (MediaResult::matched)
};

// Matches found for a media file already in the store, by a scan that did
// not meet the file itself (it was stored by a scan with --no-match).
struct StoredMediaMatches {
  std::string sha256;
  std::vector<MediaMatch> matches;
};

// Where a media file was posted.
struct MediaAppearance {
  std::string sha256;
  Platform platform = Platform::kJsonl;
  std::string channel_id;
  std::string channel_title;
  std::string external_id;
  int64_t time = 0;
  bool time_is_utc = false;
};

}  // namespace vigil::store

#endif  // VIGIL_STORE_RECORDS_H_
