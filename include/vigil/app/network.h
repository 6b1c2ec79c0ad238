// The seller network: who posts where, with which phones, handles, wallets,
// links and photos, as a graph a reviewer can walk. Sellers change channels
// and names but keep a phone, a payment wallet or a photo; two posts that
// share any of them are joined through it.
//
// Nodes are entities, one per kind and canonical value:
//   channel  "channel:PLATFORM/ID"        (label: the channel's title)
//   author   "author:PLATFORM/ID", or "author:PLATFORM/CHANNEL/NAME" when the
//            export gives no id (a name is only trusted within its channel)
//   phone, handle, email, wallet, url     "KIND:VALUE" (the analyzer's
//            canonical value: E.164 phones, lower-case '@handles', ...)
//   photo    "photo:SHA256" of the first file of a repost cluster the
//            posts show (a photo seen resized or mirrored is one node);
//            only photos seen in two or more posts appear.
// Prices and ages are not identities and are left out. Each post joins its
// author (or, without one, its channel) to every other entity it carries, so
// an edge counts the posts that joined its two ends.
//
// Thread-safety: NetworkBuilder is one thread's; a SellerNetwork is a value.
#ifndef VIGIL_APP_NETWORK_H_
#define VIGIL_APP_NETWORK_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vigil/core/post.h"
#include "vigil/core/status.h"
#include "vigil/store/records.h"
#include "vigil/store/store.h"

namespace vigil::app {

struct NetworkNode {
  std::string id;               // "KIND:VALUE", as above
  std::string kind;             // channel, author, phone, handle, email, wallet, url, photo
  std::string label;            // what a reviewer reads
  size_t posts = 0;             // posts that carry it
  std::vector<PostKey> sample;  // the first posts that carry it (at most kNetworkSample)
};

struct NetworkEdge {
  size_t a = 0, b = 0;  // node indexes, a < b
  size_t posts = 0;     // posts that joined them
};

struct SellerNetwork {
  std::vector<NetworkNode> nodes;  // ordered by id
  std::vector<NetworkEdge> edges;  // ordered by (a, b)
  size_t posts = 0;                // posts read
  bool truncated = false;          // the read stopped at its limit
  // Index of node `id`; nullopt when absent.
  std::optional<size_t> Find(const std::string& id) const;
};

inline constexpr size_t kNetworkSample = 10;

// Builds a network from posts given one at a time.
class NetworkBuilder {
 public:
  void Add(const store::ScanRecord& record);
  SellerNetwork Finish(bool truncated = false) &&;

 private:
  struct Entity {
    std::string kind, value, label;
  };
  struct Seen {
    std::vector<Entity> entities;  // [0] is the post's hub (author, else channel)
    PostKey key;
  };
  std::vector<Seen> posts_;
  std::map<std::string, std::string> parent_;  // photo sha256 -> repost cluster parent
  std::string Root(const std::string& sha);
};

struct NetworkOptions {
  bool flagged_only = true;  // only posts whose category is not `other`
  size_t max_posts = 5000;   // the newest ones; 0: every post
};

// The network of the stored posts `options` selects (the newest first).
Result<SellerNetwork> BuildSellerNetwork(store::Store& store, const NetworkOptions& options);

// At most `max_nodes` nodes: those carried by the most posts (ties: the most
// edges, then the smallest id), kept in id order,
// and the edges among them; `truncated` when any was left out. What the
// review app draws of a large network, which no browser could lay out whole.
SellerNetwork Strongest(const SellerNetwork& network, size_t max_nodes);

// The nodes within `depth` edges of `center`, and the edges among them.
SellerNetwork Neighbourhood(const SellerNetwork& network, size_t center, int depth);

// A shortest path from node `from` to node `to` (node indexes, both ends
// included); empty when they are not connected.
std::vector<size_t> ShortestPath(const SellerNetwork& network, size_t from, size_t to);

}  // namespace vigil::app

#endif  // VIGIL_APP_NETWORK_H_
