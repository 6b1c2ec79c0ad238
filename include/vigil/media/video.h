// Video hashing and matching with vPDQ (ThreatExchange vpdq): one PDQ hash per
// second of video, matched as an unordered bag of frames.
//
// Hashing: the container is demuxed with libavformat (a fixed allow-list of
// video containers; playlists, concat and other formats that open further
// files or URLs are refused), the best video stream is decoded with
// libavcodec, and one frame per second of presentation time is kept: the first
// frame at t >= 0, then each frame whose timestamp reaches the next whole
// second after the last kept one. A kept frame is converted to RGB (honouring
// the stream's YUV matrix and range), shrunk with an area filter so its long
// side is at most `max_side` pixels (PDQ reduces every image to 64x64 anyway;
// shrinking first makes a 1080p frame ~10x cheaper and moves hashes by a few
// bits at most), turned upright when the container says the video is
// displayed rotated (as the ffmpeg CLI does), converted to luma with
// RgbToLuma and hashed with PdqFromLuma.
//
// Matching (CompareVideos): frames with quality < `min_quality` are dropped,
// the rest deduplicated by exact hash; a frame of one video matches when some
// frame of the other is within `frame_distance` bits. A video is a match when
// at least 80% of the *compared* (known, indexed) video's unique frames occur
// in the query: a query that contains the known video matches, a short clip
// of a long known video does not.
//
// Thread-safety: every function is reentrant and may run concurrently on
// different inputs. The first HashVideo* call silences FFmpeg's process-wide
// logger (av_log_set_level(AV_LOG_QUIET)); nothing is printed, ever.
//
// Failure modes (HashVideo*; never a crash or an exception):
//   NotFound          the file does not exist
//   IoError           the file cannot be opened or read
//   Corrupt           empty input; a recognised container that does not parse;
//                     a file cut short (unless allow_truncated): a demux error,
//                     or data ending > max(1 s, 5%) before the duration the
//                     header declares, or > 5% short of its packet count;
//                     no frame decodes (damaged packets alone are skipped and
//                     counted in decode_errors)
//   Unsupported       not a recognised video container, no video stream
//                     (audio only, cover art only), no decoder for the codec
//   ResourceExhausted input over limits.max_media_bytes, a frame over
//                     limits.max_pixels, longer than max_seconds, more than
//                     max_frames decoded frames, or over time_budget
#ifndef VIGIL_MEDIA_VIDEO_H_
#define VIGIL_MEDIA_VIDEO_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/hash256.h"
#include "vigil/core/limits.h"
#include "vigil/core/status.h"
#include "vigil/media/pdq.h"

namespace vigil::media {

struct VideoOptions {
  Limits limits;                    // max_media_bytes (input size), max_pixels (per frame)
  double max_seconds = 4 * 3600.0;  // longer videos are refused
  int64_t max_frames = 1'000'000;   // decoded (not just kept) frames
  std::chrono::milliseconds time_budget{std::chrono::minutes(15)};  // wall clock per input
  int max_side = 512;            // kept frames are shrunk to this long side before PDQ
  bool autorotate = true;        // apply the container's display rotation (90/180/270)
  bool allow_truncated = false;  // keep the frames read before a demux error
  int decoder_threads = 1;       // libavcodec threads; 0 = one per core
};

// One kept frame.
struct VideoFrameHash {
  int64_t frame_index = 0;         // 0-based index among all decoded frames of the stream
  double timestamp_seconds = 0.0;  // presentation time from the start of the stream
  Hash256 hash;
  int quality = 0;  // PDQ quality 0..100
};

struct VideoHash {
  std::vector<VideoFrameHash> frames;  // in presentation order, about one per second
  double duration_seconds = 0.0;       // container duration, else the last frame's time
  int width = 0;                       // coded size of the stream, before rotation
  int height = 0;
  int rotation = 0;       // display rotation applied: 0, 90, 180 or 270 (clockwise)
  std::string codec;      // libavcodec name: "h264", "mpeg4", "vp9", ...
  std::string container;  // libavformat name: "mov,mp4,m4a,3gp,3g2,mj2", ...
  int64_t decoded_frames = 0;
  int64_t decode_errors = 0;  // packets/frames the decoder rejected and skipped
  bool truncated = false;     // the demuxer failed before the end (only with allow_truncated)
};

// Hashes the video file at `path`, streaming it (never loaded whole).
// True for the sniffed types (SniffType) that HashVideo reads: mp4, mov,
// 3gp, webm, mkv, avi, flv, ts (MPEG-TS), asf (WMV) and ivf.
bool IsVideoType(std::string_view type);

Result<VideoHash> HashVideo(const std::filesystem::path& path, const VideoOptions& options);

// Same for a video held in memory; `bytes` must outlive the call only.
Result<VideoHash> HashVideoBytes(std::span<const uint8_t> bytes, const VideoOptions& options);

struct VideoMatch {
  double query_match_percent = 0.0;     // of the query's unique frames found in compared
  double compared_match_percent = 0.0;  // of compared's unique frames found in the query
  int query_unique_frames = 0;          // after the quality filter and exact-hash dedup
  int compared_unique_frames = 0;
};

// Brute force, O(n*m) popcounts. Frames match at Distance <= frame_distance
// (ThreatExchange's C++ matcher uses a strict <; vigil follows PDQ's <= 31).
// Percentages are 0 when a side has no frame of sufficient quality.
VideoMatch CompareVideos(std::span<const VideoFrameHash> query,
                         std::span<const VideoFrameHash> compared,
                         int frame_distance = kPdqMatchDistance, int min_quality = kPdqMinQuality);
inline VideoMatch CompareVideos(const VideoHash& query, const VideoHash& compared,
                                int frame_distance = kPdqMatchDistance,
                                int min_quality = kPdqMinQuality) {
  return CompareVideos(query.frames, compared.frames, frame_distance, min_quality);
}

// vPDQ's decision rule; false when the compared video had no usable frame.
inline constexpr double kVpdqComparedMatchPercent = 80.0;
inline constexpr double kVpdqQueryMatchPercent = 0.0;
bool IsMatch(const VideoMatch& match, double min_compared_percent = kVpdqComparedMatchPercent,
             double min_query_percent = kVpdqQueryMatchPercent);

}  // namespace vigil::media

#endif  // VIGIL_MEDIA_VIDEO_H_
