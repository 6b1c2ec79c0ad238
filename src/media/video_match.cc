// vPDQ matching: quality filter, exact-hash dedup, brute-force bag match.
#include <algorithm>
#include <vector>

#include "vigil/media/video.h"

namespace vigil::media {
namespace {

std::vector<Hash256> UniqueUsable(std::span<const VideoFrameHash> frames, int min_quality) {
  std::vector<Hash256> out;
  out.reserve(frames.size());
  for (const VideoFrameHash& f : frames) {
    if (f.quality >= min_quality) out.push_back(f.hash);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// How many of `a` lie within `distance` of some hash in `b`.
int CountFoundIn(const std::vector<Hash256>& a, const std::vector<Hash256>& b, int distance) {
  int found = 0;
  for (const Hash256& x : a) {
    for (const Hash256& y : b) {
      if (Distance(x, y) <= distance) {
        ++found;
        break;
      }
    }
  }
  return found;
}

}  // namespace

VideoMatch CompareVideos(std::span<const VideoFrameHash> query,
                         std::span<const VideoFrameHash> compared, int frame_distance,
                         int min_quality) {
  const std::vector<Hash256> q = UniqueUsable(query, min_quality);
  const std::vector<Hash256> c = UniqueUsable(compared, min_quality);
  VideoMatch m;
  m.query_unique_frames = static_cast<int>(q.size());
  m.compared_unique_frames = static_cast<int>(c.size());
  if (q.empty() || c.empty()) return m;
  m.query_match_percent = 100.0 * CountFoundIn(q, c, frame_distance) / q.size();
  m.compared_match_percent = 100.0 * CountFoundIn(c, q, frame_distance) / c.size();
  return m;
}

bool IsMatch(const VideoMatch& match, double min_compared_percent, double min_query_percent) {
  return match.compared_unique_frames > 0 && match.query_unique_frames > 0 &&
         match.compared_match_percent >= min_compared_percent &&
         match.query_match_percent >= min_query_percent;
}

bool IsVideoType(std::string_view type) {
  return type == "mp4" || type == "mov" || type == "3gp" || type == "webm" || type == "mkv" ||
         type == "avi" || type == "flv" || type == "ts" || type == "asf" || type == "ivf";
}

}  // namespace vigil::media
