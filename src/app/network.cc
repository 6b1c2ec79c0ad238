#include "vigil/app/network.h"

#include <algorithm>
#include <deque>
#include <set>
#include <utility>

namespace vigil::app {
namespace {

// Selector kinds that name someone; prices and ages do not.
bool IsIdentity(const std::string& kind) {
  return kind == "phone" || kind == "handle" || kind == "email" || kind == "wallet" ||
         kind == "url";
}

std::vector<std::vector<size_t>> Adjacency(const SellerNetwork& n) {
  std::vector<std::vector<size_t>> adj(n.nodes.size());
  for (const NetworkEdge& e : n.edges) {
    adj[e.a].push_back(e.b);
    adj[e.b].push_back(e.a);
  }
  return adj;
}

// The nodes marked in `keep` (in their order) and the edges among them.
SellerNetwork Keep(const SellerNetwork& network, const std::vector<bool>& keep) {
  SellerNetwork out;
  out.posts = network.posts;
  out.truncated = network.truncated;
  std::vector<size_t> index(network.nodes.size(), SIZE_MAX);
  for (size_t i = 0; i < network.nodes.size(); ++i) {
    if (!keep[i]) continue;
    index[i] = out.nodes.size();
    out.nodes.push_back(network.nodes[i]);
  }
  for (const NetworkEdge& e : network.edges) {
    if (index[e.a] != SIZE_MAX && index[e.b] != SIZE_MAX) {
      out.edges.push_back({index[e.a], index[e.b], e.posts});
    }
  }
  return out;
}

}  // namespace

std::optional<size_t> SellerNetwork::Find(const std::string& id) const {
  auto it = std::lower_bound(nodes.begin(), nodes.end(), id,
                             [](const NetworkNode& n, const std::string& v) { return n.id < v; });
  if (it == nodes.end() || it->id != id) return std::nullopt;
  return static_cast<size_t>(it - nodes.begin());
}

std::string NetworkBuilder::Root(const std::string& sha) {
  auto it = parent_.try_emplace(sha, sha).first;
  while (it->second != it->first) {
    auto up = parent_.find(it->second);
    it->second = up->second;  // path halving
    it = up;
  }
  return it->first;
}

void NetworkBuilder::Add(const store::ScanRecord& r) {
  const Post& p = r.post;
  const std::string platform(PlatformName(p.platform));
  Seen seen;
  seen.key = KeyOf(p);
  // An author without a platform id is known by name within its channel
  // only: two "Admin"s of two channels are not one person.
  const std::string author = !p.author.id.empty()     ? p.author.id
                             : !p.author.name.empty() ? p.channel.id + "/" + p.author.name
                                                      : "";
  if (!author.empty()) {
    seen.entities.push_back(
        {"author", platform + "/" + author, p.author.name.empty() ? author : p.author.name});
  }
  seen.entities.push_back({"channel", platform + "/" + p.channel.id,
                           p.channel.title.empty() ? p.channel.id : p.channel.title});
  for (const text::Selector& s : r.analysis.selectors) {
    if (IsIdentity(s.kind)) seen.entities.push_back({s.kind, s.value, s.value});
  }
  for (const store::MediaResult& m : r.media) {
    if (!m.info || m.info->sha256.empty()) continue;
    const std::string& sha = m.info->sha256;
    Root(sha);
    for (const store::MediaMatch& x : m.matches) {
      if (x.kind != store::MatchKind::kMedia) continue;
      const std::string a = Root(sha), b = Root(x.target);
      if (a != b) parent_[std::max(a, b)] = std::min(a, b);
    }
    seen.entities.push_back({"photo", sha, ""});
  }
  posts_.push_back(std::move(seen));
}

SellerNetwork NetworkBuilder::Finish(bool truncated) && {
  SellerNetwork out;
  out.posts = posts_.size();
  out.truncated = truncated;
  // Photos become their cluster's root; a post counts each entity once.
  std::map<std::string, NetworkNode> nodes;
  std::vector<std::vector<std::string>> ids(posts_.size());
  for (size_t i = 0; i < posts_.size(); ++i) {
    for (Entity& e : posts_[i].entities) {
      if (e.kind == "photo") {
        e.value = Root(e.value);
        e.label = e.value.substr(0, 12);
      }
      std::string id = e.kind + ":" + e.value;
      if (std::find(ids[i].begin(), ids[i].end(), id) != ids[i].end()) continue;
      NetworkNode& n = nodes[id];
      if (n.id.empty()) {
        n.id = id;
        n.kind = e.kind;
        n.label = e.label;
      }
      ++n.posts;
      if (n.sample.size() < kNetworkSample) n.sample.push_back(posts_[i].key);
      ids[i].push_back(std::move(id));
    }
  }
  // A photo that only one post shows joins nothing.
  std::erase_if(nodes,
                [](const auto& kv) { return kv.second.kind == "photo" && kv.second.posts < 2; });
  out.nodes.reserve(nodes.size());
  for (auto& [id, n] : nodes) out.nodes.push_back(std::move(n));
  std::map<std::pair<size_t, size_t>, size_t> edges;
  for (const auto& post : ids) {
    std::vector<size_t> at;
    for (const std::string& id : post) {
      if (auto k = out.Find(id)) at.push_back(*k);
    }
    if (at.empty()) continue;
    // The hub is the author when there is one (entities[0]), else the channel.
    for (size_t j = 1; j < at.size(); ++j) {
      ++edges[{std::min(at[0], at[j]), std::max(at[0], at[j])}];
    }
  }
  for (const auto& [ab, count] : edges) out.edges.push_back({ab.first, ab.second, count});
  return out;
}

Result<SellerNetwork> BuildSellerNetwork(store::Store& store, const NetworkOptions& options) {
  NetworkBuilder builder;
  store::PostFilter filter;
  filter.flagged_only = options.flagged_only;
  filter.newest_first = true;
  filter.limit = options.max_posts == 0 ? 0 : options.max_posts + 1;
  // One post past the limit tells whether the limit cut the read short.
  size_t seen = 0;
  bool truncated = false;
  VIGIL_RETURN_IF_ERROR(store.ForEachPost(filter, [&](const store::ScanRecord& r) {
    if (options.max_posts != 0 && seen == options.max_posts) {
      truncated = true;
      return Status::Ok();
    }
    ++seen;
    builder.Add(r);
    return Status::Ok();
  }));
  return std::move(builder).Finish(truncated);
}

SellerNetwork Strongest(const SellerNetwork& network, size_t max_nodes) {
  if (network.nodes.size() <= max_nodes) return network;
  std::vector<size_t> degree(network.nodes.size(), 0);
  for (const NetworkEdge& e : network.edges) {
    ++degree[e.a];
    ++degree[e.b];
  }
  std::vector<size_t> order(network.nodes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Nodes are in id order, so the stable sort breaks the last tie by id.
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const size_t px = network.nodes[x].posts, py = network.nodes[y].posts;
    return px != py ? px > py : degree[x] > degree[y];
  });
  std::vector<bool> keep(network.nodes.size(), false);
  for (size_t i = 0; i < max_nodes; ++i) keep[order[i]] = true;
  SellerNetwork out = Keep(network, keep);
  out.truncated = true;
  return out;
}

SellerNetwork Neighbourhood(const SellerNetwork& network, size_t center, int depth) {
  const auto adj = Adjacency(network);
  std::vector<int> dist(network.nodes.size(), -1);
  std::deque<size_t> todo{center};
  dist[center] = 0;
  while (!todo.empty()) {
    const size_t v = todo.front();
    todo.pop_front();
    if (dist[v] == depth) continue;
    for (size_t w : adj[v]) {
      if (dist[w] < 0) {
        dist[w] = dist[v] + 1;
        todo.push_back(w);
      }
    }
  }
  std::vector<bool> keep(network.nodes.size());
  for (size_t i = 0; i < keep.size(); ++i) keep[i] = dist[i] >= 0;
  return Keep(network, keep);
}

std::vector<size_t> ShortestPath(const SellerNetwork& network, size_t from, size_t to) {
  const auto adj = Adjacency(network);
  std::vector<size_t> prev(network.nodes.size(), SIZE_MAX);
  std::deque<size_t> todo{from};
  prev[from] = from;
  while (!todo.empty() && prev[to] == SIZE_MAX) {
    const size_t v = todo.front();
    todo.pop_front();
    for (size_t w : adj[v]) {
      if (prev[w] == SIZE_MAX) {
        prev[w] = v;
        todo.push_back(w);
      }
    }
  }
  if (prev[to] == SIZE_MAX) return {};
  std::vector<size_t> path{to};
  while (path.back() != from) path.push_back(prev[path.back()]);
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace vigil::app
