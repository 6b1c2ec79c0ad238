// Custody log: an append-only, hash-chained, Merkle-tree-signed record of
// everything done to evidence (acquire, view, decision, export, ...).
//
// Storage: a plain file of JSON lines (one entry per line) — auditable with
// any text tool, no database. Each line is the entry's canonical JSON:
//   {"seq":N,"time":T,"actor":"..","action":"..","items":["<sha256>",..],
//    "details":"..",["acquisition":{..},]"prev_hash":"<hex>","entry_hash":"<hex>"}
// in exactly that key order, compact, as vigil::JsonWriter writes it.
// entry_hash = SHA-256 of the same JSON without the entry_hash member;
// prev_hash is the previous entry's entry_hash (64 zeros for seq 0). A line
// that is not byte-for-byte canonical is reported as altered.
// Merkle tree (RFC 6962): leaf i = the bytes of line i (without "\n").
// Signed tree heads go to "<log>.heads", one JSON line each:
//   {"size":N,"root":"<hex>","time":T,"key_id":"ed25519:..","signature":"<hex64>"}
// signature = Ed25519 over TreeHeadMessage(): "vigil-tree-head-v1\n<size>\n
// <root hex>\n<time>\n<key_id>\n". A head pins the first `size` entries, so
// truncating or rewriting the log is caught even when the chain is redone.
//
// Thread-safety: a CustodyLog is not thread-safe; one writer per file, which
// Open enforces across processes with flock(LOCK_EX). Each Append is one
// write(2) of a whole line followed by fsync, so a crash loses at most the
// entry being written: Open cuts such a torn last line (torn_bytes()), while
// the read-only VerifyCustodyLog reports it.
#ifndef VIGIL_EVIDENCE_CUSTODY_H_
#define VIGIL_EVIDENCE_CUSTODY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"
#include "vigil/evidence/keys.h"
#include "vigil/evidence/merkle.h"

namespace vigil::evidence {

// Where an original came from.
struct AcquisitionRecord {
  std::string source_file;     // export file (e.g. result.json or chat.zip) as named
  std::string source_sha256;   // SHA-256 of that export file
  std::string path_in_source;  // path of the item inside it
  std::string platform;        // "telegram", "whatsapp", ...
  std::string channel;         // platform channel id
  std::string message_id;      // platform message id
  int64_t acquired_time = 0;   // unix seconds
  std::string vigil_version;
  std::string operator_name;
  friend bool operator==(const AcquisitionRecord&, const AcquisitionRecord&) = default;
};

struct CustodyEntry {
  uint64_t seq = 0;
  int64_t time = 0;
  std::string actor;
  std::string action;              // acquire | view | decision | export | derive | ...
  std::vector<std::string> items;  // SHA-256 hex of the originals concerned
  std::string details;
  std::optional<AcquisitionRecord> acquisition;
  std::string prev_hash;
  std::string entry_hash;
};

// The canonical line (with_hash) or the bytes entry_hash is computed over.
std::string CanonicalEntry(const CustodyEntry& e, bool with_hash);
// Parses one line; kCorrupt when it is not JSON of the right shape, not
// canonical, or its entry_hash does not match. Does not check the chain.
Result<CustodyEntry> ParseEntryLine(std::string_view line);

struct TreeHead {
  uint64_t size = 0;
  std::string root;  // hex
  int64_t time = 0;
  std::string key_id;
  Signature signature{};
};
std::string TreeHeadMessage(const TreeHead& h);
std::string TreeHeadJson(const TreeHead& h);
Result<TreeHead> ParseTreeHead(std::string_view json);
// Checks the signature with the key named by h.key_id among `keys`, and that
// the key was valid at h.time. Returns "" when fine, else the problem.
std::string CheckTreeHeadSignature(const TreeHead& h, std::span<const PublicKeyInfo> keys);

using Clock = std::function<int64_t()>;

class CustodyLog {
 public:
  // Opens (creating when missing) the log at `path`, verifying the whole
  // chain and the heads' roots; kCorrupt naming the first problem when the
  // log is damaged (a damaged log is never appended to), kIoError when
  // locked by another process or unreadable.
  static Result<CustodyLog> Open(const std::string& path, Clock clock);
  CustodyLog(CustodyLog&& o) noexcept;
  CustodyLog& operator=(CustodyLog&& o) noexcept;
  CustodyLog(const CustodyLog&) = delete;
  CustodyLog& operator=(const CustodyLog&) = delete;
  ~CustodyLog();

  // Appends an entry: fills seq, time (from the clock), prev_hash and
  // entry_hash; returns the stored entry. kInvalidArgument for an empty
  // actor/action or an item that is not a SHA-256.
  Result<CustodyEntry> Append(CustodyEntry draft);
  // Signs the current tree head with the current key and appends it to the
  // heads file.
  Result<TreeHead> SignTreeHead(const Keys& keys);

  uint64_t size() const { return entries_.size(); }
  const std::vector<CustodyEntry>& entries() const { return entries_; }
  const std::vector<std::string>& lines() const { return lines_; }
  const std::vector<TreeHead>& heads() const { return heads_; }
  // Root of the tree of the first `size` entries (<= size()).
  Digest Root(uint64_t size) const;
  std::vector<Digest> InclusionProofFor(uint64_t seq, uint64_t tree_size) const;
  std::vector<Digest> ConsistencyProofFor(uint64_t size1, uint64_t size2) const;
  const std::string& path() const { return path_; }
  // Bytes of a torn last line (a crash mid-append) that Open cut from the log
  // and its heads file; such an entry was never acknowledged. 0 normally.
  uint64_t torn_bytes() const { return torn_bytes_; }

 private:
  CustodyLog() = default;
  std::string path_;
  Clock clock_;
  int fd_ = -1;  // held open with an exclusive flock
  std::vector<CustodyEntry> entries_;
  std::vector<std::string> lines_;
  std::vector<Digest> leaves_;
  std::vector<TreeHead> heads_;
  uint64_t torn_bytes_ = 0;
};

// Read-only check of a log file and its heads file: the chain, every line,
// every head (signature by one of `keys`, root, size). One line per problem
// ("custody entry 12: chain broken"); empty when all is well.
std::vector<std::string> VerifyCustodyLog(const std::string& path,
                                          std::span<const PublicKeyInfo> keys);

}  // namespace vigil::evidence

#endif  // VIGIL_EVIDENCE_CUSTODY_H_
