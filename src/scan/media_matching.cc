#include "vigil/scan/media_matching.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "vigil/media/decode.h"
#include "vigil/media/inspect.h"
#include "vigil/media/pdq.h"

namespace vigil::scan {
namespace {

std::string JoinLabels(const std::vector<std::string>& labels) {
  std::string out;
  for (const auto& l : labels) {
    if (!out.empty()) out += ", ";
    out += l;
  }
  return out;
}

}  // namespace

namespace {
// Error text names the file as the user knows it, never a scratch copy.
std::string Shown(const MediaRef& ref, std::string message) {
  if (ref.display_path.empty()) return message;
  for (size_t pos = message.find(ref.path); pos != std::string::npos;
       pos = message.find(ref.path, pos + ref.display_path.size())) {
    message.replace(pos, ref.path.size(), ref.display_path);
  }
  return message;
}
}  // namespace

store::MediaResult InspectMedia(const MediaRef& ref, const Limits& limits, MediaProbe* probe) {
  store::MediaResult result;
  if (ref.path.empty()) {
    result.error = ref.missing_reason.empty() ? "not in export" : ref.missing_reason;
    return result;
  }
  auto info = media::InspectFile(ref.path, limits);
  if (!info.ok()) {
    result.error = Shown(ref, info.status().ToString());
    return result;
  }
  info->pdq_error = Shown(ref, std::move(info->pdq_error));
  if (!info->pdq.empty() && info->pdq_quality >= media::kPdqMinQuality) {
    probe->image = info->pdq_dihedral;
  } else if (media::IsVideoType(info->type)) {
    media::VideoOptions options;
    options.limits = limits;
    auto video = media::HashVideo(ref.path, options);
    if (video.ok()) {
      for (const auto& f : video->frames) {
        result.frames.push_back({f.frame_index, f.timestamp_seconds, f.hash.ToHex(), f.quality});
      }
      if (info->width == 0) {
        info->width = video->width;
        info->height = video->height;
      }
      probe->frames = std::move(video->frames);
    } else {
      info->pdq_error = Shown(ref, video.status().ToString());
    }
  }
  result.info = std::move(info.value());
  return result;
}

void MatchLists(const match::Matcher& lists, const media::MediaInfo& info, const MediaProbe& probe,
                int radius, std::vector<store::MediaMatch>* out) {
  // (list, signal) -> best match, so the 8 probes and many frames report once.
  std::map<std::pair<std::string, std::string>, store::MediaMatch> best;
  auto keep = [&](const match::ListMatch& m) {
    const std::string value = m.entry->signal.ToHex();
    store::MediaMatch candidate{"list",
                                value,
                                m.list->name,
                                std::string(match::SignalTypeName(m.entry->signal.type)),
                                JoinLabels(m.entry->labels),
                                m.distance};
    auto [it, inserted] = best.try_emplace({m.list->name, value}, candidate);
    if (!inserted && m.distance < it->second.distance) it->second = candidate;
  };
  for (const auto& [type, hex] : {std::pair{match::SignalType::kMd5, info.md5},
                                  std::pair{match::SignalType::kSha256, info.sha256}}) {
    if (hex.empty()) continue;
    if (auto hits = lists.MatchExact(type, hex); hits.ok()) {
      for (const auto& m : *hits) keep(m);
    }
  }
  match::MatchOptions options;
  options.radius = radius;
  auto query = [&](const Hash256& h) {
    if (auto hits = lists.Match(h, options); hits.ok()) {
      for (const auto& m : *hits) keep(m);
    }
  };
  for (const Hash256& h : probe.image) query(h);
  for (const auto& f : probe.frames) {
    if (f.quality >= media::kPdqMinQuality) query(f.hash);
  }
  for (auto& [key, m] : best) out->push_back(std::move(m));
}

template <typename Keep>
void SeenMedia::HashSet::Search(const Hash256& h, int radius, Keep&& keep) const {
  thread_local std::vector<match::Neighbor> hits;
  if (stored && stored->Search(h, radius, &hits).ok()) {
    for (const auto& n : hits) keep(stored_sha[n.id], n.distance);
  }
  for (size_t i = 0; i < added.size(); ++i) {
    const int d = Distance(h, added[i]);
    if (d <= radius) keep(added_sha[i], d);
  }
}

Result<SeenMedia> SeenMedia::Load(store::Store& store) {
  SeenMedia seen;
  std::vector<Hash256> images, frames;
  Status s = store.ForEachMediaHashes([&](const store::MediaHashes& m) {
    seen.known_.insert(m.sha256);
    if (auto h = Hash256::FromHex(m.pdq); h && m.pdq_quality >= media::kPdqMinQuality) {
      images.push_back(*h);
      seen.images_.stored_sha.push_back(m.sha256);
    }
    if (!m.frames.empty()) {
      Video& v = seen.videos_.emplace_back();
      v.sha256 = m.sha256;
      for (const auto& f : m.frames) {
        const auto h = Hash256::FromHex(f.pdq);
        if (!h) continue;
        v.frames.push_back({f.frame_index, f.timestamp_seconds, *h, f.quality});
        if (f.quality >= media::kPdqMinQuality) {
          frames.push_back(*h);
          seen.frames_.stored_sha.push_back(m.sha256);
        }
      }
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  for (auto [set, hashes] :
       {std::pair{&seen.images_, &images}, std::pair{&seen.frames_, &frames}}) {
    if (hashes->empty()) continue;
    auto index = match::HashIndex::Build(std::move(*hashes));
    if (!index.ok()) return index.status();
    set->stored.emplace(std::move(index).value());
  }
  return seen;
}

void SeenMedia::MatchAndAdd(const media::MediaInfo& info, const MediaProbe& probe, int radius,
                            std::vector<store::MediaMatch>* out) {
  // A file met before (earlier in this scan, or in the store) has had its
  // turn: matching it again would record the same pair the other way round,
  // and a re-run must add nothing.
  if (!known_.insert(info.sha256).second) return;
  Match(info, probe, radius, out);
  if (!probe.image.empty()) {
    images_.added.push_back(probe.image.front());
    images_.added_sha.push_back(info.sha256);
  }
  if (!probe.frames.empty()) {
    videos_.push_back({info.sha256, probe.frames});
    for (const auto& f : probe.frames) {
      if (f.quality < media::kPdqMinQuality) continue;
      frames_.added.push_back(f.hash);
      frames_.added_sha.push_back(info.sha256);
    }
  }
}

void SeenMedia::Match(const media::MediaInfo& info, const MediaProbe& probe, int radius,
                      std::vector<store::MediaMatch>* out) const {
  std::map<std::string, int> best;  // other sha256 -> distance
  auto keep = [&](const std::string& sha, int distance) {
    if (sha == info.sha256) return;
    auto [it, inserted] = best.try_emplace(sha, distance);
    if (!inserted) it->second = std::min(it->second, distance);
  };
  for (const Hash256& h : probe.image) {  // photo vs photos, and vs frames of videos
    images_.Search(h, radius, keep);
    frames_.Search(h, radius, keep);
  }
  for (const auto& f : probe.frames) {  // a video's frames vs photos
    if (f.quality >= media::kPdqMinQuality) images_.Search(f.hash, radius, keep);
  }
  for (const auto& [sha, distance] : best) {
    out->push_back({"media", sha, "", "pdq", "", distance});
  }
  if (probe.frames.empty()) return;
  for (const Video& v : videos_) {  // video vs videos: vPDQ, either way round
    if (v.sha256 == info.sha256) continue;
    // One comparison gives both directions: the compared side's share is the
    // vPDQ rule one way round, the query side's share the other way round.
    const auto m = media::CompareVideos(probe.frames, v.frames, radius);
    const media::VideoMatch reverse{m.compared_match_percent, m.query_match_percent,
                                    m.compared_unique_frames, m.query_unique_frames};
    if (media::IsMatch(m) || media::IsMatch(reverse)) {
      // For vPDQ the distance is the share of frames that did not match, in percent.
      const double pct = std::max(m.compared_match_percent, m.query_match_percent);
      out->push_back({"media", v.sha256, "", "vpdq", "", static_cast<int>(std::lround(100 - pct))});
    }
  }
}

}  // namespace vigil::scan
