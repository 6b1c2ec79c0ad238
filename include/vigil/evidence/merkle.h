// RFC 6962 Merkle tree hashes, inclusion and consistency proofs.
//
// leaf hash = SHA-256(0x00 || data), node hash = SHA-256(0x01 || left || right),
// a tree of n > 1 leaves splits at k, the largest power of two below n
// (RFC 6962 §2.1). The empty tree's hash is SHA-256(""). Proof generation
// takes the leaf hashes (O(n) work per call); verification follows RFC 9162
// §2.1.3.2 / §2.1.4.2 and needs only the proof. Pure functions; thread-safe.
#ifndef VIGIL_EVIDENCE_MERKLE_H_
#define VIGIL_EVIDENCE_MERKLE_H_

#include <span>
#include <string_view>
#include <vector>

#include "vigil/core/digest.h"

namespace vigil::evidence {

using Digest = Sha256Digest;

Digest MerkleLeafHash(std::string_view data);
Digest MerkleNodeHash(const Digest& left, const Digest& right);
// MTH over leaves[0..n).
Digest MerkleRoot(std::span<const Digest> leaves);
// PATH(index, leaves) — the audit path for leaf `index` (< leaves.size()).
std::vector<Digest> InclusionProof(size_t index, std::span<const Digest> leaves);
// PROOF(m, leaves) — proves the tree of the first m leaves is a prefix of
// the tree of all leaves; requires 0 < m <= leaves.size().
std::vector<Digest> ConsistencyProof(size_t m, std::span<const Digest> leaves);

// True when `proof` shows `leaf` at `index` in the tree of `size` with `root`.
bool VerifyInclusion(size_t index, size_t size, const Digest& leaf, std::span<const Digest> proof,
                     const Digest& root);
// True when `proof` shows the tree (size1, root1) is a prefix of (size2, root2).
bool VerifyConsistency(size_t size1, size_t size2, const Digest& root1, const Digest& root2,
                       std::span<const Digest> proof);

}  // namespace vigil::evidence

#endif  // VIGIL_EVIDENCE_MERKLE_H_
