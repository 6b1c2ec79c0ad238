#include "vigil/evidence/merkle.h"

#include <gtest/gtest.h>

#include "vigil/core/hex.h"

namespace vigil::evidence {
namespace {

std::vector<Digest> Leaves(size_t n) {
  std::vector<Digest> out;
  for (size_t i = 0; i < n; ++i) out.push_back(MerkleLeafHash("leaf " + std::to_string(i)));
  return out;
}

// RFC 6962 reference vectors (certificate-transparency test data).
TEST(Merkle, Rfc6962Vectors) {
  const std::vector<std::string> data = {
      "",
      std::string(1, '\0'),
      "\x10",
      "\x20\x21",
      "\x30\x31",
      "\x40\x41\x42\x43",
      "\x50\x51\x52\x53\x54\x55\x56\x57",
      "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
  const std::vector<std::string> roots = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  std::vector<Digest> leaves;
  for (size_t i = 0; i < data.size(); ++i) {
    leaves.push_back(MerkleLeafHash(data[i]));
    EXPECT_EQ(HexEncode(MerkleRoot(leaves)), roots[i]) << "size " << i + 1;
  }
  EXPECT_EQ(HexEncode(MerkleRoot({})),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Merkle, InclusionProofsExhaustive) {
  for (size_t n = 1; n <= 64; ++n) {
    const std::vector<Digest> leaves = Leaves(n);
    const Digest root = MerkleRoot(leaves);
    for (size_t i = 0; i < n; ++i) {
      std::vector<Digest> proof = InclusionProof(i, leaves);
      ASSERT_TRUE(VerifyInclusion(i, n, leaves[i], proof, root)) << n << " " << i;
      EXPECT_FALSE(VerifyInclusion(i, n, MerkleLeafHash("other"), proof, root));
      if (n > 1) {
        EXPECT_FALSE(VerifyInclusion((i + 1) % n, n, leaves[i], proof, root));
      }
      if (!proof.empty()) {
        proof[proof.size() / 2][0] ^= 1;
        EXPECT_FALSE(VerifyInclusion(i, n, leaves[i], proof, root));
      }
    }
  }
}

TEST(Merkle, ConsistencyProofsExhaustive) {
  const std::vector<Digest> all = Leaves(64);
  for (size_t n = 1; n <= 64; ++n) {
    const std::span<const Digest> big(all.data(), n);
    const Digest root2 = MerkleRoot(big);
    for (size_t m = 1; m <= n; ++m) {
      const Digest root1 = MerkleRoot(big.first(m));
      std::vector<Digest> proof = ConsistencyProof(m, big);
      ASSERT_TRUE(VerifyConsistency(m, n, root1, root2, proof)) << m << " " << n;
      if (m < n) {
        EXPECT_FALSE(VerifyConsistency(m, n, MerkleLeafHash("x"), root2, proof));
        EXPECT_FALSE(VerifyConsistency(m, n, root1, MerkleLeafHash("x"), proof));
        proof.back()[31] ^= 1;
        EXPECT_FALSE(VerifyConsistency(m, n, root1, root2, proof));
      }
    }
  }
}

}  // namespace
}  // namespace vigil::evidence
