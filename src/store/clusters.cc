#include "vigil/store/clusters.h"

#include <algorithm>
#include <deque>
#include <set>

namespace vigil::store {
namespace {

// Union-find over media sha256s; the root of a set is its smallest id.
class UnionFind {
 public:
  size_t Id(const std::string& sha) {
    auto [it, inserted] = ids_.try_emplace(sha, parent_.size());
    if (inserted) parent_.push_back(parent_.size());
    return it->second;
  }
  size_t Find(size_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void Join(const std::string& a, const std::string& b) {
    const size_t ra = Find(Id(a)), rb = Find(Id(b));
    if (ra != rb) parent_[std::max(ra, rb)] = std::min(ra, rb);
  }
  const std::map<std::string, size_t>& ids() const { return ids_; }

 private:
  std::map<std::string, size_t> ids_;
  std::vector<size_t> parent_;
};

}  // namespace

Result<MediaClusters> LoadMediaClusters(Store& store) {
  MediaClusters out;
  UnionFind sets;
  VIGIL_ASSIGN_OR_RETURN(auto matches, store.ListMediaMatches());
  for (auto& [sha, m] : matches) {
    if (m.kind == MatchKind::kMedia) {
      sets.Join(sha, m.target);
    } else {
      out.list_matches.emplace_back(sha, std::move(m));
    }
  }
  std::map<size_t, size_t> cluster_of_root;
  auto cluster = [&](const std::string& sha) -> RepostCluster& {
    const size_t root = sets.Find(sets.Id(sha));
    auto [it, inserted] = cluster_of_root.try_emplace(root, 0);
    if (inserted) {
      it->second = out.clusters.size();
      out.clusters.emplace_back();
    }
    return out.clusters[it->second];
  };
  VIGIL_RETURN_IF_ERROR(store.ForEachMediaAppearance([&](const MediaAppearance& a) {
    cluster(a.sha256).appearances.push_back(a);
    return Status::Ok();
  }));
  // Clusters in the order of their roots (the first member met), as the
  // report has always listed them.
  std::vector<std::pair<size_t, size_t>> order(cluster_of_root.begin(), cluster_of_root.end());
  std::vector<RepostCluster> sorted;
  sorted.reserve(order.size());
  std::vector<size_t> new_index(out.clusters.size());
  for (const auto& [root, index] : order) {
    new_index[index] = sorted.size();
    sorted.push_back(std::move(out.clusters[index]));
  }
  out.clusters = std::move(sorted);
  for (const auto& [sha, id] : sets.ids()) {
    const auto it = cluster_of_root.find(sets.Find(id));
    if (it == cluster_of_root.end()) continue;  // matched but never posted
    const size_t index = new_index[it->second];
    out.cluster_of.emplace(sha, index);
    out.clusters[index].files.push_back(sha);  // ids() is sorted by sha
  }
  return out;
}

Result<RepostClusterOf> LoadRepostCluster(Store& store, std::string_view sha256, size_t max_files,
                                          size_t max_appearances) {
  RepostClusterOf out;
  std::set<std::string> seen{std::string(sha256)};
  std::deque<std::string> todo{std::string(sha256)};
  while (!todo.empty()) {
    const std::string file = std::move(todo.front());
    todo.pop_front();
    VIGIL_ASSIGN_OR_RETURN(auto matches, store.RepostMatchesOf(file));
    for (const auto& [from, m] : matches) {
      for (const std::string* other : {&from, &m.target}) {
        if (seen.contains(*other)) continue;
        if (seen.size() >= max_files) {
          out.truncated = true;
          continue;
        }
        seen.insert(*other);
        todo.push_back(*other);
      }
    }
  }
  out.cluster.files.assign(seen.begin(), seen.end());
  // One more than asked tells whether there were more.
  VIGIL_ASSIGN_OR_RETURN(out.cluster.appearances,
                         store.AppearancesOf(out.cluster.files, max_appearances + 1));
  if (out.cluster.appearances.size() > max_appearances) {
    out.cluster.appearances.resize(max_appearances);
    out.truncated = true;
  }
  return out;
}

}  // namespace vigil::store
