// Repost clusters: the media files joined by the "media" matches the scans
// recorded (one photo seen resized, recompressed, watermarked, rotated or
// mirrored; a photo that is a frame of a video), with every post that carried
// one of them. The report's "seen more than once" section and evidence export
// by cluster read the same groups, computed here once, over the Store
// interface (so on every backend).
//
// Thread-safety: a pure function of the store's contents; uses the store as
// Store does (one thread at a time).
#ifndef VIGIL_STORE_CLUSTERS_H_
#define VIGIL_STORE_CLUSTERS_H_

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/core/status.h"
#include "vigil/store/records.h"
#include "vigil/store/store.h"

namespace vigil::store {

struct RepostCluster {
  std::vector<std::string> files;            // sha256, sorted
  std::vector<MediaAppearance> appearances;  // ordered as ForEachMediaAppearance orders them
};

struct MediaClusters {
  // Every stored media file's cluster (single files too), in the order of
  // their first member in ListMediaMatches, then in ForEachMediaAppearance.
  std::vector<RepostCluster> clusters;
  // The matches that are not reposts (hash lists), as ListMediaMatches
  // orders them.
  std::vector<std::pair<std::string, MediaMatch>> list_matches;
  std::map<std::string, size_t> cluster_of;  // sha256 -> index in `clusters`
};

Result<MediaClusters> LoadMediaClusters(Store& store);

// The repost cluster of one media file (the one LoadMediaClusters puts it
// in), found by walking its repost matches instead of reading them all: what
// the review app shows beside one photo. At most `max_files` files are
// followed and `max_appearances` of their posts read (`truncated` says when
// either limit cut it short). A file that is not stored gives a cluster of
// itself with no appearances.
struct RepostClusterOf {
  RepostCluster cluster;
  bool truncated = false;
};
Result<RepostClusterOf> LoadRepostCluster(Store& store, std::string_view sha256,
                                          size_t max_files = 256, size_t max_appearances = 1000);

}  // namespace vigil::store

#endif  // VIGIL_STORE_CLUSTERS_H_
