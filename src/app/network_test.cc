#include "vigil/app/network.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vigil::app {
namespace {

using ::testing::ElementsAre;

store::ScanRecord Record(const std::string& channel, const std::string& id,
                         const std::string& author,
                         std::vector<std::pair<std::string, std::string>> selectors,
                         std::vector<std::pair<char, std::vector<char>>> photos = {}) {
  store::ScanRecord r;
  r.post.platform = Platform::kTelegram;
  r.post.channel.id = channel;
  r.post.channel.title = "Channel " + channel;
  r.post.external_id = id;
  r.post.author.name = author;
  r.post.author.id = author == "Admin" ? "" : author;  // "Admin": a name without an id
  for (auto& [kind, value] : selectors) r.analysis.selectors.push_back({kind, value, {}});
  for (const auto& [fill, reposts] : photos) {
    store::MediaResult m;
    m.info.emplace();
    m.info->sha256 = std::string(64, fill);
    for (char to : reposts) {
      m.matches.push_back({store::MatchKind::kMedia, std::string(64, to), "", "pdq", "", 8});
    }
    r.media.push_back(std::move(m));
  }
  return r;
}

std::vector<std::string> Ids(const SellerNetwork& n, const std::vector<size_t>& path) {
  std::vector<std::string> out;
  for (size_t i : path) out.push_back(n.nodes[i].id);
  return out;
}

TEST(SellerNetworkTest, JoinsPostsThroughTheirIdentitiesOnly) {
  NetworkBuilder b;
  // Seller A posts in channel 1 with a phone; seller B, in channel 2, uses
  // the same phone and a handle; seller C in channel 3 reposts B's photo
  // (mirrored: a different file, a repost match) with another phone.
  b.Add(Record("1", "10", "A", {{"phone", "+9647501111111"}, {"price", "2000 USD"}}));
  b.Add(
      Record("2", "20", "B", {{"phone", "+9647501111111"}, {"handle", "@seller_b"}}, {{'a', {}}}));
  b.Add(Record("3", "30", "C", {{"phone", "+9647502222222"}}, {{'b', {'a'}}}));
  b.Add(Record("4", "40", "", {{"wallet", "TXYZ"}}, {{'c', {}}}));  // no author; a lone photo
  // Two channels' "Admin"s, known by name only, are two authors.
  b.Add(Record("5", "50", "Admin", {}));
  b.Add(Record("6", "60", "Admin", {}));
  const SellerNetwork n = std::move(b).Finish();
  EXPECT_EQ(n.posts, 6u);
  EXPECT_TRUE(n.Find("author:telegram/5/Admin").has_value());
  EXPECT_TRUE(n.Find("author:telegram/6/Admin").has_value());
  EXPECT_EQ(n.nodes[*n.Find("author:telegram/5/Admin")].label, "Admin");
  std::vector<std::string> ids;
  for (const auto& node : n.nodes) ids.push_back(node.id);
  EXPECT_THAT(ids, ElementsAre("author:telegram/5/Admin", "author:telegram/6/Admin",
                               "author:telegram/A", "author:telegram/B", "author:telegram/C",
                               "channel:telegram/1", "channel:telegram/2", "channel:telegram/3",
                               "channel:telegram/4", "channel:telegram/5", "channel:telegram/6",
                               "handle:@seller_b", "phone:+9647501111111", "phone:+9647502222222",
                               "photo:" + std::string(64, 'a'), "wallet:TXYZ"));
  const NetworkNode& phone = n.nodes[*n.Find("phone:+9647501111111")];
  EXPECT_EQ(phone.posts, 2u);
  ASSERT_EQ(phone.sample.size(), 2u);
  EXPECT_EQ(phone.sample[1].external_id, "20");
  EXPECT_EQ(n.nodes[*n.Find("channel:telegram/2")].label, "Channel 2");
  // The mirrored repost is one photo node, shown by two posts.
  EXPECT_EQ(n.nodes[*n.Find("photo:" + std::string(64, 'a'))].posts, 2u);
  EXPECT_FALSE(n.Find("photo:" + std::string(64, 'c')).has_value());
  EXPECT_FALSE(n.Find("price:2000 USD").has_value());
  // Without an author, the channel is the post's hub.
  const auto wallet = *n.Find("wallet:TXYZ"), ch4 = *n.Find("channel:telegram/4");
  EXPECT_TRUE(std::any_of(n.edges.begin(), n.edges.end(), [&](const NetworkEdge& e) {
    return e.a == std::min(wallet, ch4) && e.b == std::max(wallet, ch4) && e.posts == 1;
  }));

  // From seller A to seller C: through the shared phone, seller B and the photo.
  const auto path = ShortestPath(n, *n.Find("author:telegram/A"), *n.Find("author:telegram/C"));
  EXPECT_THAT(Ids(n, path),
              ElementsAre("author:telegram/A", "phone:+9647501111111", "author:telegram/B",
                          "photo:" + std::string(64, 'a'), "author:telegram/C"));
  EXPECT_TRUE(ShortestPath(n, *n.Find("author:telegram/A"), wallet).empty());
  EXPECT_THAT(Ids(n, ShortestPath(n, wallet, wallet)), ElementsAre("wallet:TXYZ"));

  // Seller B's neighbourhood: one step reaches its channel, phone, handle, photo.
  const SellerNetwork near = Neighbourhood(n, *n.Find("author:telegram/B"), 1);
  std::vector<std::string> near_ids;
  for (const auto& node : near.nodes) near_ids.push_back(node.id);
  EXPECT_THAT(near_ids, ElementsAre("author:telegram/B", "channel:telegram/2", "handle:@seller_b",
                                    "phone:+9647501111111", "photo:" + std::string(64, 'a')));
  EXPECT_EQ(near.edges.size(), 4u);
  for (const NetworkEdge& e : near.edges) {
    EXPECT_LT(e.a, near.nodes.size());
    EXPECT_LT(e.b, near.nodes.size());
  }

  // The 3 nodes carried by the most posts (ties: the most edges), and the edges among them.
  const SellerNetwork top = Strongest(n, 3);
  EXPECT_TRUE(top.truncated);
  std::vector<std::string> top_ids;
  for (const auto& node : top.nodes) top_ids.push_back(node.id);
  EXPECT_THAT(top_ids, ElementsAre("author:telegram/B", "phone:+9647501111111",
                                   "photo:" + std::string(64, 'a')));
  EXPECT_EQ(top.edges.size(), 2u);  // B-phone, B-photo
  for (const NetworkEdge& e : top.edges) EXPECT_LT(e.a, e.b);
  EXPECT_FALSE(Strongest(n, 100).truncated);
  EXPECT_EQ(Strongest(n, 100).nodes.size(), n.nodes.size());
}

}  // namespace
}  // namespace vigil::app
