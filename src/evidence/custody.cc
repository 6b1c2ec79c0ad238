#include "vigil/evidence/custody.h"

#include <fcntl.h>
#include <rapidjson/document.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "src/evidence/util.h"
#include "vigil/core/digest.h"
#include "vigil/core/hex.h"
#include "vigil/core/json_writer.h"

namespace vigil::evidence {
namespace {

const std::string kZeroHash(64, '0');
constexpr uint64_t kMaxLogBytes = 4ull << 30;

struct Loaded {
  std::vector<CustodyEntry> entries;
  std::vector<std::string> lines;
  std::vector<Digest> leaves;
  std::vector<TreeHead> heads;
  std::vector<std::string> problems;
};

// Splits into lines; a final piece without '\n' is a torn write.
std::vector<std::string_view> SplitLines(std::string_view text, bool* torn) {
  std::vector<std::string_view> out;
  *torn = false;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      *torn = true;
      out.push_back(text);
      break;
    }
    out.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  return out;
}

// Loads and checks a log and its heads. `keys` empty skips head signatures.
Loaded Load(const std::string& path, std::span<const PublicKeyInfo> keys, bool check_sigs,
            Status* io) {
  Loaded l;
  Result<std::string> text = ReadFile(path, kMaxLogBytes);
  if (!text.ok() && text.status().code() != StatusCode::kNotFound) {
    *io = text.status();
    return l;
  }
  bool torn = false;
  const std::string empty;
  for (std::string_view line : SplitLines(text.ok() ? *text : empty, &torn)) {
    const uint64_t seq = l.entries.size();
    const std::string where = "custody entry " + std::to_string(seq);
    Result<CustodyEntry> e = ParseEntryLine(line);
    if (!e.ok()) {
      l.problems.push_back(where + ": " + e.status().message());
      // Keep the leaf so later entries and heads are still checked.
      CustodyEntry placeholder;
      placeholder.seq = seq;
      l.entries.push_back(std::move(placeholder));
    } else {
      if (e->seq != seq)
        l.problems.push_back(where + ": sequence number is " + std::to_string(e->seq));
      const std::string& expect_prev = seq == 0 ? kZeroHash : l.entries.back().entry_hash;
      if (e->prev_hash != expect_prev) l.problems.push_back(where + ": chain broken");
      l.entries.push_back(std::move(*e));
    }
    l.lines.emplace_back(line);
    l.leaves.push_back(MerkleLeafHash(line));
  }
  if (torn) l.problems.push_back("custody log: last line is incomplete (torn write)");

  Result<std::string> heads = ReadFile(path + ".heads", kMaxLogBytes);
  if (!heads.ok() && heads.status().code() != StatusCode::kNotFound) {
    *io = heads.status();
    return l;
  }
  bool heads_torn = false;
  uint64_t prev_size = 0;
  size_t i = 0;
  for (std::string_view line : SplitLines(heads.ok() ? *heads : empty, &heads_torn)) {
    const std::string where = "tree head " + std::to_string(i++);
    Result<TreeHead> h = ParseTreeHead(line);
    if (!h.ok()) {
      l.problems.push_back(where + ": " + h.status().message());
      continue;
    }
    if (check_sigs) {
      std::string why = CheckTreeHeadSignature(*h, keys);
      if (!why.empty()) l.problems.push_back(where + ": " + why);
    }
    if (h->size < prev_size) l.problems.push_back(where + ": tree size went backwards");
    prev_size = h->size;
    if (h->size > l.leaves.size()) {
      l.problems.push_back(where + ": signs " + std::to_string(h->size) +
                           " entries but the log has " + std::to_string(l.leaves.size()) +
                           " (entries removed)");
    } else if (HexEncode(MerkleRoot(std::span(l.leaves).first(h->size))) != h->root) {
      l.problems.push_back(where + ": root does not match the first " + std::to_string(h->size) +
                           " entries (log rewritten)");
    }
    l.heads.push_back(std::move(*h));
  }
  if (heads_torn) l.problems.push_back("tree heads: last line is incomplete (torn write)");
  return l;
}

void WriteAcquisition(JsonWriter& w, const AcquisitionRecord& a) {
  w.BeginObject();
  w.Key("source_file").String(a.source_file).Key("source_sha256").String(a.source_sha256);
  w.Key("path_in_source").String(a.path_in_source).Key("platform").String(a.platform);
  w.Key("channel").String(a.channel).Key("message_id").String(a.message_id);
  w.Key("acquired_time").Int(a.acquired_time).Key("vigil_version").String(a.vigil_version);
  w.Key("operator").String(a.operator_name).EndObject();
}

}  // namespace

std::string CanonicalEntry(const CustodyEntry& e, bool with_hash) {
  JsonWriter w;
  w.BeginObject().Key("seq").Int(static_cast<int64_t>(e.seq)).Key("time").Int(e.time);
  w.Key("actor").String(e.actor).Key("action").String(e.action).Key("items").BeginArray();
  for (const std::string& s : e.items) w.String(s);
  w.EndArray().Key("details").String(e.details);
  if (e.acquisition) {
    w.Key("acquisition");
    WriteAcquisition(w, *e.acquisition);
  }
  w.Key("prev_hash").String(e.prev_hash);
  if (with_hash) w.Key("entry_hash").String(e.entry_hash);
  w.EndObject();
  return w.str();
}

Result<CustodyEntry> ParseEntryLine(std::string_view line) {
  rapidjson::Document parsed;
  parsed.Parse(line.data(), line.size());
  if (parsed.HasParseError() || !parsed.IsObject()) return Status::Corrupt("not a JSON object");
  // Read through a const Value: comparing rapidjson 1.1's non-const
  // MemberIterators is ambiguous in C++20 (clang -Wambiguous-reversed-operator).
  const rapidjson::Value& d = parsed;
  auto str = [&](const char* k, std::string* out) {
    auto it = d.FindMember(k);
    if (it == d.MemberEnd() || !it->value.IsString()) return false;
    *out = std::string(it->value.GetString(), it->value.GetStringLength());
    return true;
  };
  CustodyEntry e;
  auto seq = d.FindMember("seq");
  auto time = d.FindMember("time");
  auto items = d.FindMember("items");
  if (seq == d.MemberEnd() || !seq->value.IsUint64() || time == d.MemberEnd() ||
      !time->value.IsInt64() || items == d.MemberEnd() || !items->value.IsArray() ||
      !str("actor", &e.actor) || !str("action", &e.action) || !str("details", &e.details) ||
      !str("prev_hash", &e.prev_hash) || !str("entry_hash", &e.entry_hash)) {
    return Status::Corrupt("missing or mistyped field");
  }
  e.seq = seq->value.GetUint64();
  e.time = time->value.GetInt64();
  for (const auto& v : items->value.GetArray()) {
    if (!v.IsString()) return Status::Corrupt("item is not a string");
    e.items.emplace_back(v.GetString(), v.GetStringLength());
  }
  auto acq = d.FindMember("acquisition");
  if (acq != d.MemberEnd()) {
    const auto& a = acq->value;
    auto s = [&](const char* k, std::string* out) {
      if (!a.IsObject() || !a.HasMember(k) || !a[k].IsString()) return false;
      *out = std::string(a[k].GetString(), a[k].GetStringLength());
      return true;
    };
    AcquisitionRecord r;
    if (!s("source_file", &r.source_file) || !s("source_sha256", &r.source_sha256) ||
        !s("path_in_source", &r.path_in_source) || !s("platform", &r.platform) ||
        !s("channel", &r.channel) || !s("message_id", &r.message_id) ||
        !s("vigil_version", &r.vigil_version) || !s("operator", &r.operator_name) ||
        !a.HasMember("acquired_time") || !a["acquired_time"].IsInt64()) {
      return Status::Corrupt("bad acquisition record");
    }
    r.acquired_time = a["acquired_time"].GetInt64();
    e.acquisition = std::move(r);
  }
  if (CanonicalEntry(e, true) != line) return Status::Corrupt("line altered (not canonical)");
  if (Sha256Hex(CanonicalEntry(e, false)) != e.entry_hash) {
    return Status::Corrupt("entry hash mismatch");
  }
  return e;
}

std::string TreeHeadMessage(const TreeHead& h) {
  return "vigil-tree-head-v1\n" + std::to_string(h.size) + "\n" + h.root + "\n" +
         std::to_string(h.time) + "\n" + h.key_id + "\n";
}

std::string TreeHeadJson(const TreeHead& h) {
  JsonWriter w;
  w.BeginObject().Key("size").Int(static_cast<int64_t>(h.size)).Key("root").String(h.root);
  w.Key("time").Int(h.time).Key("key_id").String(h.key_id);
  w.Key("signature").String(HexEncode(h.signature)).EndObject();
  return w.str();
}

Result<TreeHead> ParseTreeHead(std::string_view json) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("size") || !d["size"].IsUint64() ||
      !d.HasMember("root") || !d["root"].IsString() || !d.HasMember("time") ||
      !d["time"].IsInt64() || !d.HasMember("key_id") || !d["key_id"].IsString() ||
      !d.HasMember("signature") || !d["signature"].IsString()) {
    return Status::Corrupt("not a tree head");
  }
  TreeHead h;
  h.size = d["size"].GetUint64();
  h.root = d["root"].GetString();
  h.time = d["time"].GetInt64();
  h.key_id = d["key_id"].GetString();
  std::optional<Signature> sig = HexDecodeArray<64>(d["signature"].GetString());
  if (!IsSha256Hex(h.root) || !sig) {
    return Status::Corrupt("tree head: bad root or signature field");
  }
  h.signature = *sig;
  if (TreeHeadJson(h) != json) return Status::Corrupt("tree head altered (not canonical)");
  return h;
}

std::string CheckTreeHeadSignature(const TreeHead& h, std::span<const PublicKeyInfo> keys) {
  for (const PublicKeyInfo& k : keys) {
    if (k.key_id != h.key_id) continue;
    if (!VerifySignature(k.public_key, TreeHeadMessage(h), h.signature)) return "bad signature";
    if (!k.ValidAt(h.time)) return "signed by key " + k.key_id + " outside its validity period";
    return "";
  }
  return "signed by unknown key " + h.key_id;
}

CustodyLog::CustodyLog(CustodyLog&& o) noexcept
    : path_(std::move(o.path_)),
      clock_(std::move(o.clock_)),
      fd_(std::exchange(o.fd_, -1)),
      entries_(std::move(o.entries_)),
      lines_(std::move(o.lines_)),
      leaves_(std::move(o.leaves_)),
      heads_(std::move(o.heads_)),
      torn_bytes_(o.torn_bytes_) {}

CustodyLog& CustodyLog::operator=(CustodyLog&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    path_ = std::move(o.path_);
    clock_ = std::move(o.clock_);
    fd_ = std::exchange(o.fd_, -1);
    entries_ = std::move(o.entries_);
    lines_ = std::move(o.lines_);
    leaves_ = std::move(o.leaves_);
    heads_ = std::move(o.heads_);
    torn_bytes_ = o.torn_bytes_;
  }
  return *this;
}

CustodyLog::~CustodyLog() {
  if (fd_ >= 0) ::close(fd_);
}

// A crash during Append or SignTreeHead can leave the last line without its
// '\n': that entry was never acknowledged (fsync had not returned), so it is
// cut off — but only when it does not parse (`complete` says whether a line
// is whole), so a tampered newline is left for verification to report.
// Returns the bytes removed. Runs under the log's exclusive lock.
Result<uint64_t> CutTornTail(const std::string& path, bool (*complete)(std::string_view line)) {
  internal::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return uint64_t{0};
    return Status::IoError(internal::ErrnoText(path + ": open"));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Status::IoError(internal::ErrnoText(path + ": stat"));
  if (st.st_size == 0) return uint64_t{0};
  std::string text(static_cast<size_t>(st.st_size), '\0');
  if (::pread(fd.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    return Status::IoError(internal::ErrnoText(path + ": read"));
  }
  if (text.back() == '\n') return uint64_t{0};
  const size_t keep = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
  if (complete(std::string_view(text).substr(keep))) return uint64_t{0};
  if (::ftruncate(fd.get(), static_cast<off_t>(keep)) != 0 || ::fsync(fd.get()) != 0) {
    return Status::IoError(internal::ErrnoText(path + ": cutting a torn last line"));
  }
  VIGIL_RETURN_IF_ERROR(fd.Close(path));
  return static_cast<uint64_t>(text.size() - keep);
}

Result<CustodyLog> CustodyLog::Open(const std::string& path, Clock clock) {
  internal::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
  if (fd.get() < 0) return Status::IoError(internal::ErrnoText(path + ": open"));
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    return Status::IoError(path + ": custody log is in use by another process");
  }
  auto cut = CutTornTail(path, [](std::string_view l) { return ParseEntryLine(l).ok(); });
  if (!cut.ok()) return cut.status();
  auto cut_heads =
      CutTornTail(path + ".heads", [](std::string_view l) { return ParseTreeHead(l).ok(); });
  if (!cut_heads.ok()) return cut_heads.status();
  Status io;
  Loaded l = Load(path, {}, false, &io);
  if (!io.ok()) return io;
  if (!l.problems.empty()) {
    return Status::Corrupt(path + ": " + l.problems.front() + " (run verify; not appending)");
  }
  CustodyLog log;
  log.torn_bytes_ = *cut + *cut_heads;
  log.path_ = path;
  log.clock_ = std::move(clock);
  log.fd_ = fd.Release();
  log.entries_ = std::move(l.entries);
  log.lines_ = std::move(l.lines);
  log.leaves_ = std::move(l.leaves);
  log.heads_ = std::move(l.heads);
  return log;
}

Result<CustodyEntry> CustodyLog::Append(CustodyEntry e) {
  if (e.actor.empty() || e.action.empty()) {
    return Status::InvalidArgument("custody: entry needs an actor and an action");
  }
  for (const std::string& s : e.items) {
    if (!IsSha256Hex(s)) return Status::InvalidArgument("custody: bad item hash " + s);
  }
  e.seq = entries_.size();
  e.time = clock_ ? clock_() : 0;
  e.prev_hash = entries_.empty() ? kZeroHash : entries_.back().entry_hash;
  e.entry_hash = Sha256Hex(CanonicalEntry(e, false));
  const std::string line = CanonicalEntry(e, true);
  // One write(2) so a line is never interleaved; fsync before acknowledging.
  VIGIL_RETURN_IF_ERROR(internal::WriteAll(fd_, line + "\n", path_));
  if (::fsync(fd_) != 0) return Status::IoError(internal::ErrnoText(path_ + ": fsync"));
  leaves_.push_back(MerkleLeafHash(line));
  lines_.push_back(line);
  entries_.push_back(e);
  return e;
}

Result<TreeHead> CustodyLog::SignTreeHead(const Keys& keys) {
  TreeHead h;
  h.size = entries_.size();
  h.root = HexEncode(Root(h.size));
  h.time = clock_ ? clock_() : 0;
  h.key_id = keys.current().key_id;
  h.signature = keys.Sign(TreeHeadMessage(h));
  const std::string hp = path_ + ".heads";
  internal::UniqueFd fd(::open(hp.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
  if (fd.get() < 0) return Status::IoError(internal::ErrnoText(hp + ": open"));
  VIGIL_RETURN_IF_ERROR(internal::WriteAll(fd.get(), TreeHeadJson(h) + "\n", hp));
  if (::fsync(fd.get()) != 0) return Status::IoError(internal::ErrnoText(hp + ": fsync"));
  VIGIL_RETURN_IF_ERROR(fd.Close(hp));
  heads_.push_back(h);
  return h;
}

Digest CustodyLog::Root(uint64_t size) const {
  return MerkleRoot(std::span(leaves_).first(std::min<uint64_t>(size, leaves_.size())));
}

std::vector<Digest> CustodyLog::InclusionProofFor(uint64_t seq, uint64_t tree_size) const {
  return InclusionProof(seq,
                        std::span(leaves_).first(std::min<uint64_t>(tree_size, leaves_.size())));
}

std::vector<Digest> CustodyLog::ConsistencyProofFor(uint64_t size1, uint64_t size2) const {
  return ConsistencyProof(size1,
                          std::span(leaves_).first(std::min<uint64_t>(size2, leaves_.size())));
}

std::vector<std::string> VerifyCustodyLog(const std::string& path,
                                          std::span<const PublicKeyInfo> keys) {
  Status io;
  Loaded l = Load(path, keys, true, &io);
  if (!io.ok()) l.problems.insert(l.problems.begin(), io.message());
  return l.problems;
}

}  // namespace vigil::evidence
