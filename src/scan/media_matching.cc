#include "vigil/scan/media_matching.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
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
  probe->deadline = Deadline::ForFile(limits);
  auto info = media::InspectFile(ref.path, limits, probe->deadline);
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
    options.time_budget =
        std::chrono::duration_cast<std::chrono::milliseconds>(probe->deadline.Left());
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
    store::MediaMatch candidate{store::MatchKind::kList,
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
    for (const auto& n : hits) keep(stored_file[n.id], n.distance);
  }
  for (size_t i = 0; i < added.size(); ++i) {
    const int d = Distance(h, added[i]);
    if (d <= radius) keep(added_file[i], d);
  }
}

std::pair<SeenMedia::FileId, bool> SeenMedia::Intern(const std::string& sha256) {
  const auto [it, inserted] = known_.try_emplace(sha256, static_cast<FileId>(files_.size()));
  if (inserted) files_.push_back(&it->first);
  return {it->second, inserted};
}

Result<SeenMedia> SeenMedia::Load(store::Store& store) {
  SeenMedia seen;
  std::vector<Hash256> images, dihedral, frames;
  Status s = store.ForEachMediaHashes([&](const store::MediaHashes& m) {
    const FileId file = seen.Intern(m.sha256).first;
    MediaProbe probe;
    if (auto h = Hash256::FromHex(m.pdq); h && m.pdq_quality >= media::kPdqMinQuality) {
      images.push_back(*h);
      seen.images_.stored_file.push_back(file);
      for (const auto& hex : m.pdq_dihedral) {
        if (auto d = Hash256::FromHex(hex)) probe.image.push_back(*d);
      }
      // Stored before schema 003 (or damaged): the PDQ is all there is.
      if (probe.image.size() != m.pdq_dihedral.size() || probe.image.empty()) probe.image = {*h};
      for (const Hash256& d : probe.image) {
        dihedral.push_back(d);
        seen.dihedral_.stored_file.push_back(file);
      }
    }
    if (!m.frames.empty()) {
      seen.video_of_.emplace(file, seen.videos_.size());
      Video& v = seen.videos_.emplace_back();
      v.file = file;
      for (const auto& f : m.frames) {
        const auto h = Hash256::FromHex(f.pdq);
        if (!h) continue;
        v.frames.push_back({f.frame_index, f.timestamp_seconds, *h, f.quality});
        if (f.quality >= media::kPdqMinQuality) {
          frames.push_back(*h);
          seen.frames_.stored_file.push_back(file);
        }
      }
      probe.frames = v.frames;
    }
    if (!m.matched) {
      seen.pending_rank_.emplace(file, seen.pending_.size());
      seen.pending_.push_back({m.sha256, m.md5, std::move(probe)});
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  for (auto [set, hashes] :
       {std::pair{&seen.images_, &images}, std::pair{&seen.dihedral_, &dihedral},
        std::pair{&seen.frames_, &frames}}) {
    if (hashes->empty()) continue;
    auto index = match::HashIndex::Build(std::move(*hashes));
    if (!index.ok()) return index.status();
    set->stored.emplace(std::move(index).value());
  }
  return seen;
}

Status SeenMedia::MatchStored(store::Store& store, const match::Matcher* lists, int radius,
                              size_t batch_size) {
  if (pending_.empty()) return Status::Ok();
  // Pairs the store already holds, either way round (from scans before
  // schema 003, which count as unmatched).
  std::set<std::pair<std::string, std::string>> recorded;
  auto stored = store.ListMediaMatches();
  if (!stored.ok()) return stored.status();
  for (const auto& [sha, m] : *stored) {
    if (m.kind == store::MatchKind::kMedia) recorded.insert(std::minmax(sha, m.target));
  }
  std::vector<store::StoredMediaMatches> batch;
  for (size_t rank = 0; rank < pending_.size(); ++rank) {
    const Pending& p = pending_[rank];
    media::MediaInfo info;
    info.sha256 = p.sha256;
    info.md5 = p.md5;
    store::StoredMediaMatches& out = batch.emplace_back();
    out.sha256 = p.sha256;
    if (lists != nullptr) MatchLists(*lists, info, p.probe, radius, &out.matches);
    std::vector<store::MediaMatch> found;
    MatchBefore(info, p.probe, radius, rank, &found);
    for (auto& m : found) {
      if (!recorded.contains(std::minmax(p.sha256, m.target))) out.matches.push_back(std::move(m));
    }
    if (batch.size() >= std::max<size_t>(1, batch_size) || rank + 1 == pending_.size()) {
      VIGIL_RETURN_IF_ERROR(store.WriteMediaMatches(batch));
      batch.clear();
    }
  }
  pending_.clear();
  pending_rank_.clear();
  return Status::Ok();
}

void SeenMedia::OrderPending(const std::vector<std::string>& first) {
  std::unordered_map<std::string_view, size_t> position;
  for (size_t i = 0; i < first.size(); ++i) position.try_emplace(first[i], i);
  auto place = [&](const Pending& p) {
    const auto it = position.find(p.sha256);
    return it == position.end() ? first.size() : it->second;
  };
  std::stable_sort(pending_.begin(), pending_.end(),
                   [&](const Pending& a, const Pending& b) { return place(a) < place(b); });
  pending_rank_.clear();
  for (size_t rank = 0; rank < pending_.size(); ++rank) {
    pending_rank_.emplace(known_.at(pending_[rank].sha256), rank);
  }
}

void SeenMedia::MatchAndAdd(const media::MediaInfo& info, const MediaProbe& probe, int radius,
                            std::vector<store::MediaMatch>* out) {
  // A file met before (earlier in this scan, or in the store) has had its
  // turn: matching it again would record the same pair the other way round,
  // and a re-run must add nothing.
  const auto [file, is_new] = Intern(info.sha256);
  if (!is_new) return;
  Match(info, probe, radius, out);
  Add(file, probe);
}

void SeenMedia::Add(FileId file, const MediaProbe& probe) {
  if (!probe.image.empty()) {
    images_.added.push_back(probe.image.front());
    images_.added_file.push_back(file);
    for (const Hash256& h : probe.image) {
      dihedral_.added.push_back(h);
      dihedral_.added_file.push_back(file);
    }
  }
  if (!probe.frames.empty()) {
    video_of_.emplace(file, videos_.size());
    videos_.push_back({file, probe.frames});
    for (const auto& f : probe.frames) {
      if (f.quality < media::kPdqMinQuality) continue;
      frames_.added.push_back(f.hash);
      frames_.added_file.push_back(file);
    }
  }
}

void SeenMedia::Match(const media::MediaInfo& info, const MediaProbe& probe, int radius,
                      std::vector<store::MediaMatch>* out) const {
  MatchBefore(info, probe, radius, std::numeric_limits<size_t>::max(), out);
}

void SeenMedia::MatchBefore(const media::MediaInfo& info, const MediaProbe& probe, int radius,
                            size_t rank_limit, std::vector<store::MediaMatch>* out) const {
  // A pending file of rank r is matched by MatchStored before those of higher
  // rank: they, not it, record the pair.
  const auto self_it = known_.find(info.sha256);
  const FileId self = self_it == known_.end() ? kNoFile : self_it->second;
  auto eligible = [&](FileId file) {
    if (file == self) return false;
    if (rank_limit == std::numeric_limits<size_t>::max()) return true;
    const auto it = pending_rank_.find(file);
    return it == pending_rank_.end() || it->second < rank_limit;
  };
  std::map<std::string, int> best;  // other sha256 -> distance
  auto keep = [&](FileId file, int distance) {
    if (!eligible(file)) return;
    auto [it, inserted] = best.try_emplace(Sha(file), distance);
    if (!inserted) it->second = std::min(it->second, distance);
  };
  for (const Hash256& h : probe.image) {  // photo vs photos, and vs frames of videos
    images_.Search(h, radius, keep);
    frames_.Search(h, radius, keep);
  }
  for (const auto& f : probe.frames) {  // a video's frames vs photos in every orientation
    if (f.quality >= media::kPdqMinQuality) dihedral_.Search(f.hash, radius, keep);
  }
  for (const auto& [sha, distance] : best) {
    out->push_back({store::MatchKind::kMedia, sha, "", "pdq", "", distance});
  }
  if (probe.frames.empty()) return;
  // Video vs videos. vPDQ needs a share of frames within `radius`, so a video
  // without one such frame cannot match: the frame index picks the candidates.
  std::vector<size_t> candidates;
  if (video_candidates_from_index_) {
    for (const auto& f : probe.frames) {
      if (f.quality < media::kPdqMinQuality) continue;
      frames_.Search(f.hash, radius, [&](FileId file, int) {
        if (!eligible(file)) return;
        if (const auto it = video_of_.find(file); it != video_of_.end()) {
          candidates.push_back(it->second);
        }
      });
    }
    std::sort(candidates.begin(), candidates.end());  // videos_ order, as the brute force
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  } else {
    for (size_t i = 0; i < videos_.size(); ++i) {
      if (eligible(videos_[i].file)) candidates.push_back(i);
    }
  }
  for (const size_t i : candidates) {
    const Video& v = videos_[i];
    // One comparison gives both directions: the compared side's share is the
    // vPDQ rule one way round, the query side's share the other way round.
    const auto m = media::CompareVideos(probe.frames, v.frames, radius);
    const media::VideoMatch reverse{m.compared_match_percent, m.query_match_percent,
                                    m.compared_unique_frames, m.query_unique_frames};
    if (media::IsMatch(m) || media::IsMatch(reverse)) {
      // For vPDQ the distance is the share of frames that did not match, in percent.
      const double pct = std::max(m.compared_match_percent, m.query_match_percent);
      out->push_back({store::MatchKind::kMedia, Sha(v.file), "", "vpdq", "",
                      static_cast<int>(std::lround(100 - pct))});
    }
  }
}

}  // namespace vigil::scan
