#include "vigil/evidence/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "src/evidence/util.h"
#include "src/evidence/zip_writer.h"
#include "vigil/core/digest.h"
#include "vigil/core/hex.h"
#include "vigil/core/json_writer.h"

namespace vigil::evidence {
namespace {

constexpr std::string_view kFormat = "vigil-bundle-1";
constexpr uint64_t kMaxManifestBytes = 64ull << 20;
constexpr uint64_t kMaxEntryBytes = 0xfffffffeull;  // no zip64

std::string SafeName(std::string_view name) {
  std::string out;
  for (char c : name.substr(
           name.find_last_of("/\\") == std::string_view::npos ? 0 : name.find_last_of("/\\") + 1)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    out += ok ? c : '_';
  }
  if (out.empty() || out.find_first_not_of('.') == std::string::npos) out = "original";
  return out.substr(0, 100);
}

bool UnsafePath(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.front() == '\\') return true;
  if (name.find('\\') != std::string_view::npos || name.find(':') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos) {
    return true;
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    const std::string_view part = name.substr(start, end - start);
    if (part == ".." || part == ".") return true;
    start = end + 1;
  }
  return false;
}

void WritePublicKeys(JsonWriter& w, const std::vector<PublicKeyInfo>& keys) {
  w.BeginArray();
  for (const PublicKeyInfo& k : keys) {
    w.BeginObject().Key("key_id").String(k.key_id);
    w.Key("public_key").String(HexEncode(k.public_key));
    w.Key("valid_from").Int(k.valid_from).Key("valid_until").Int(k.valid_until).EndObject();
  }
  w.EndArray();
}

struct ArchiveFree {
  void operator()(archive* a) const { archive_read_free(a); }
};

}  // namespace

Status WriteBundleZip(const std::string& out_zip, const std::string& manifest, const Signature& sig,
                      const std::vector<std::string>& shas, const std::vector<std::string>& paths,
                      const Vault& vault, const ExportOptions& options);

Status ExportBundle(const std::vector<BundleItem>& items, const Vault& vault, CustodyLog& log,
                    const Keys& keys, const std::string& out_zip, const ExportOptions& options) {
  if (items.empty()) return Status::InvalidArgument("export: no items");
  if (options.actor.empty()) return Status::InvalidArgument("export: no actor");
  std::set<std::string> seen;
  std::vector<std::string> shas, paths;
  for (const BundleItem& it : items) {
    if (!IsSha256Hex(it.sha256)) {
      return Status::InvalidArgument("export: not a sha256: " + it.sha256);
    }
    if (!seen.insert(it.sha256).second) return Status::InvalidArgument("export: duplicate item");
    VIGIL_RETURN_IF_ERROR(vault.Verify(it.sha256));
    shas.push_back(it.sha256);
    paths.push_back("originals/" + it.sha256.substr(0, 16) + "_" + SafeName(it.name));
  }
  CustodyEntry draft;
  draft.actor = options.actor;
  draft.action = "export";
  draft.items = shas;
  draft.details = "bundle " + std::filesystem::path(out_zip).filename().string();
  Result<CustodyEntry> exported = log.Append(std::move(draft));
  if (!exported.ok()) return exported.status();
  Result<TreeHead> head = log.SignTreeHead(keys);
  if (!head.ok()) return head.status();

  // Sizes and acquisition records for the manifest.
  std::vector<uint64_t> sizes;
  for (const std::string& sha : shas) {
    uint64_t n = 0;
    VIGIL_RETURN_IF_ERROR(vault.Get(sha, [&](std::string_view b) {
      n += b.size();
      return Status::Ok();
    }));
    if (n > kMaxEntryBytes) return Status::ResourceExhausted("export: item over 4 GiB: " + sha);
    sizes.push_back(n);
  }
  JsonWriter w;
  w.BeginObject().Key("format").String(kFormat).Key("created").Int(options.now);
  w.Key("vigil_version").String(options.vigil_version);
  w.Key("signing_key_id").String(keys.current().key_id).Key("items").BeginArray();
  for (size_t i = 0; i < shas.size(); ++i) {
    w.BeginObject().Key("path").String(paths[i]).Key("sha256").String(shas[i]);
    w.Key("size").Int(static_cast<int64_t>(sizes[i]));
    for (const CustodyEntry& e : log.entries()) {
      if (e.acquisition && std::find(e.items.begin(), e.items.end(), shas[i]) != e.items.end()) {
        w.Key("acquisition_seq").Int(static_cast<int64_t>(e.seq));
        break;
      }
    }
    w.EndObject();
  }
  w.EndArray().Key("custody").BeginArray();
  for (const CustodyEntry& e : log.entries()) {
    if (e.seq >= head->size) break;
    bool relevant = false;
    for (const std::string& s : e.items) relevant = relevant || seen.count(s) > 0;
    if (!relevant) continue;
    w.BeginObject()
        .Key("seq")
        .Int(static_cast<int64_t>(e.seq))
        .Key("line")
        .String(log.lines()[e.seq]);
    w.Key("proof").BeginArray();
    for (const Digest& d : log.InclusionProofFor(e.seq, head->size)) w.String(HexEncode(d));
    w.EndArray().EndObject();
  }
  w.EndArray().Key("tree_head").BeginObject();
  w.Key("size").Int(static_cast<int64_t>(head->size)).Key("root").String(head->root);
  w.Key("time").Int(head->time).Key("key_id").String(head->key_id);
  w.Key("signature").String(HexEncode(head->signature)).EndObject();
  w.Key("public_keys");
  WritePublicKeys(w, keys.public_keys());
  w.EndObject();
  const std::string manifest = w.str();
  const Signature sig = keys.Sign(manifest);

  // The export entry is logged first (the manifest carries it and the head
  // over it); when writing the bundle then fails, the log says so too.
  const Status written = WriteBundleZip(out_zip, manifest, sig, shas, paths, vault, options);
  if (!written.ok()) {
    CustodyEntry failed;
    failed.actor = options.actor;
    failed.action = "export-failed";
    failed.items = shas;
    failed.details = "bundle " + std::filesystem::path(out_zip).filename().string() +
                     " not written: " + written.ToString();
    Result<CustodyEntry> logged = log.Append(std::move(failed));
    (void)logged;  // the write error is what the caller needs to see
  }
  return written;
}

Status WriteBundleZip(const std::string& out_zip, const std::string& manifest, const Signature& sig,
                      const std::vector<std::string>& shas, const std::vector<std::string>& paths,
                      const Vault& vault, const ExportOptions& options) {
  const std::string tmp = out_zip + internal::TempSuffix();
  internal::UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) return Status::IoError(internal::ErrnoText(tmp + ": create"));
  struct Unlinker {
    std::string path;
    ~Unlinker() {
      if (!path.empty()) ::unlink(path.c_str());
    }
  } cleanup{tmp};
  internal::ZipWriter zip([&](std::string_view b) { return internal::WriteAll(fd.get(), b, tmp); });
  auto hook = [&](std::string_view what) {
    if (options.hook) options.hook(what);
  };
  VIGIL_RETURN_IF_ERROR(zip.BeginEntry("manifest.json"));
  VIGIL_RETURN_IF_ERROR(zip.Write(manifest));
  VIGIL_RETURN_IF_ERROR(zip.EndEntry());
  hook("manifest.json");
  VIGIL_RETURN_IF_ERROR(zip.BeginEntry("manifest.sig"));
  VIGIL_RETURN_IF_ERROR(
      zip.Write(std::string_view(reinterpret_cast<const char*>(sig.data()), sig.size())));
  VIGIL_RETURN_IF_ERROR(zip.EndEntry());
  hook("manifest.sig");
  for (size_t i = 0; i < shas.size(); ++i) {
    VIGIL_RETURN_IF_ERROR(zip.BeginEntry(paths[i]));
    VIGIL_RETURN_IF_ERROR(vault.Get(shas[i], [&](std::string_view b) { return zip.Write(b); }));
    VIGIL_RETURN_IF_ERROR(zip.EndEntry());
    hook(paths[i]);
  }
  VIGIL_RETURN_IF_ERROR(zip.Finish());
  if (::fsync(fd.get()) != 0) return Status::IoError(internal::ErrnoText(tmp + ": fsync"));
  VIGIL_RETURN_IF_ERROR(fd.Close(tmp));
  if (::rename(tmp.c_str(), out_zip.c_str()) != 0) {
    return Status::IoError(internal::ErrnoText(out_zip + ": rename"));
  }
  cleanup.path.clear();
  const std::string dir = std::filesystem::path(out_zip).parent_path().string();
  return internal::FsyncDir(dir.empty() ? "." : dir);
}

namespace {

struct EntryInfo {
  std::string sha256;
  uint64_t size = 0;
};

// Pass 1: read the zip with libarchive under limits, hash every entry, keep
// manifest.json and manifest.sig, and rebuild the canonical container.
void ReadZip(const std::string& zip_path, const Limits& limits, Verdict& v,
             std::map<std::string, EntryInfo>& entries, std::string& manifest, std::string& sig,
             std::vector<internal::ZipWriter::Region>& regions,
             std::vector<std::string>& region_sha, uint64_t& canonical_size, bool& complete) {
  std::unique_ptr<archive, ArchiveFree> a(archive_read_new());
  archive_read_support_format_zip_seekable(a.get());
  complete = false;
  if (archive_read_open_filename(a.get(), zip_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    v.problems.push_back("bundle: cannot open as zip: " +
                         std::string(archive_error_string(a.get()) ? archive_error_string(a.get())
                                                                   : "unknown error"));
    return;
  }
  Sha256Stream region_hash;
  internal::ZipWriter canon([&](std::string_view b) {
    region_hash.Update(b);
    return Status::Ok();
  });
  auto close_region = [&] {
    region_sha.push_back(HexEncode(region_hash.Final()));  // and starts the next region
  };
  uint64_t total = 0;
  std::string buf(1 << 16, '\0');
  for (;;) {
    archive_entry* e = nullptr;
    const int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK) {
      const char* err = archive_error_string(a.get());
      v.problems.push_back("bundle: truncated or corrupt zip: " + std::string(err ? err : "?"));
      return;
    }
    const char* raw = archive_entry_pathname(e);
    const std::string name = raw ? raw : "";
    if (entries.size() + 1 > std::min<uint64_t>(limits.max_archive_entries, 0xfffe)) {
      v.problems.push_back("bundle: too many entries");
      return;
    }
    if (UnsafePath(name)) v.problems.push_back("bundle entry '" + name + "': unsafe path");
    if (archive_entry_filetype(e) != AE_IFREG) {
      v.problems.push_back("bundle entry '" + name + "': not a regular file");
    }
    const bool dup = entries.count(name) > 0;
    if (dup) v.problems.push_back("bundle entry '" + name + "': duplicate name");
    if (!canon.BeginEntry(name).ok()) {
      v.problems.push_back("bundle entry '" + name + "': bad name");
      return;
    }
    const bool keep_manifest = name == "manifest.json" || name == "manifest.sig";
    Sha256Stream h;
    uint64_t size = 0;
    std::string* keep = name == "manifest.json"  ? &manifest
                        : name == "manifest.sig" ? &sig
                                                 : nullptr;
    for (;;) {
      const la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
      if (n < 0) {
        const char* err = archive_error_string(a.get());
        v.problems.push_back(name + ": unreadable (" + std::string(err ? err : "?") + ")");
        return;
      }
      if (n == 0) break;
      const std::string_view chunk(buf.data(), static_cast<size_t>(n));
      size += chunk.size();
      total += chunk.size();
      if (size > kMaxEntryBytes || total > limits.max_archive_bytes ||
          (keep_manifest && size > kMaxManifestBytes)) {
        v.problems.push_back(name + ": larger than the limit");
        return;
      }
      h.Update(chunk);
      if (keep && !dup) keep->append(chunk);
      (void)canon.Write(chunk);
    }
    (void)canon.EndEntry();
    close_region();
    if (!dup) entries[name] = {HexEncode(h.Final()), size};
  }
  (void)canon.Finish();
  close_region();
  regions = canon.regions();
  canonical_size = canon.offset();
  complete = true;
}

// Pass 2: the file must be exactly the canonical container.
void CheckContainer(const std::string& zip_path,
                    const std::vector<internal::ZipWriter::Region>& regions,
                    const std::vector<std::string>& region_sha, uint64_t canonical_size,
                    Verdict& v) {
  internal::UniqueFd fd(::open(zip_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return;
  const off_t size = ::lseek(fd.get(), 0, SEEK_END);
  if (size < 0 || static_cast<uint64_t>(size) != canonical_size) {
    v.problems.push_back("zip container: " + std::to_string(size) + " bytes where the layout has " +
                         std::to_string(canonical_size) + " (bytes added or removed)");
  }
  std::string buf(1 << 16, '\0');
  for (size_t i = 0; i < regions.size() && i < region_sha.size(); ++i) {
    Sha256Stream h;
    uint64_t at = regions[i].offset, left = regions[i].length;
    bool short_read = false;
    while (left > 0) {
      const ssize_t n = ::pread(fd.get(), buf.data(), std::min<uint64_t>(left, buf.size()),
                                static_cast<off_t>(at));
      if (n <= 0) {
        short_read = true;
        break;
      }
      h.Update(std::string_view(buf.data(), static_cast<size_t>(n)));
      at += static_cast<uint64_t>(n);
      left -= static_cast<uint64_t>(n);
    }
    if (short_read || HexEncode(h.Final()) != region_sha[i]) {
      v.problems.push_back("zip container: " + regions[i].name +
                           (i + 1 == regions.size() ? "" : " (local header, data or descriptor)") +
                           ": bytes differ from the layout vigil writes");
    }
  }
}

void CheckManifest(const std::string& manifest, const std::string& sig,
                   const std::map<std::string, EntryInfo>& entries, const VerifyOptions& options,
                   Verdict& v) {
  auto problem = [&](std::string s) { v.problems.push_back(std::move(s)); };
  rapidjson::Document d;
  d.Parse(manifest.data(), manifest.size());
  if (d.HasParseError() || !d.IsObject()) return problem("manifest.json: not valid JSON");
  auto str = [](const rapidjson::Value& o, const char* k) -> std::string {
    if (!o.IsObject()) return "";
    auto it = o.FindMember(k);
    return it != o.MemberEnd() && it->value.IsString()
               ? std::string(it->value.GetString(), it->value.GetStringLength())
               : "";
  };
  auto i64 = [](const rapidjson::Value& o, const char* k, int64_t* out) {
    if (!o.IsObject()) return false;
    auto it = o.FindMember(k);
    if (it == o.MemberEnd() || !it->value.IsInt64()) return false;
    *out = it->value.GetInt64();
    return true;
  };
  if (str(d, "format") != kFormat) problem("manifest.json: format is not vigil-bundle-1");

  // Keys and the manifest signature.
  std::vector<PublicKeyInfo> keys;
  if (d.HasMember("public_keys") && d["public_keys"].IsArray()) {
    for (const auto& k : d["public_keys"].GetArray()) {
      PublicKeyInfo info;
      info.key_id = str(k, "key_id");
      std::optional<PublicKey> pk = HexDecodeArray<32>(str(k, "public_key"));
      if (!pk || !i64(k, "valid_from", &info.valid_from) ||
          !i64(k, "valid_until", &info.valid_until) || KeyIdOf(*pk) != info.key_id) {
        problem("manifest.json: bad public key entry");
        continue;
      }
      info.public_key = *pk;
      keys.push_back(info);
    }
  }
  v.signer_key_id = str(d, "signing_key_id");
  int64_t created = 0;
  i64(d, "created", &created);
  const PublicKeyInfo* signer = nullptr;
  for (const PublicKeyInfo& k : keys) {
    if (k.key_id == v.signer_key_id) signer = &k;
  }
  if (sig.size() != 64) {
    problem("manifest.sig: missing or not 64 bytes");
  } else if (signer == nullptr) {
    problem("manifest.sig: signing key " + v.signer_key_id + " is not listed in the manifest");
  } else {
    Signature s;
    std::copy(sig.begin(), sig.end(), s.begin());
    if (!VerifySignature(signer->public_key, manifest, s)) {
      std::string who;
      for (const PublicKeyInfo& t : options.trusted_keys) {
        if (VerifySignature(t.public_key, manifest, s))
          who = " (it is a signature by " + t.key_id + ")";
      }
      problem("manifest.sig: bad signature: manifest.json altered or signed by another key" + who);
    } else if (!signer->ValidAt(created)) {
      problem("manifest.sig: key " + signer->key_id +
              " was not valid at the bundle's creation time");
    }
    if (!options.trusted_keys.empty()) {
      bool trusted = false;
      for (const PublicKeyInfo& t : options.trusted_keys) {
        trusted = trusted || t.public_key == signer->public_key;
      }
      if (!trusted) {
        problem("manifest.sig: signed by key " + signer->key_id +
                ", which is not a key of this installation (another installation's bundle?)");
      }
    }
  }

  // Signed tree head.
  TreeHead head;
  bool head_ok = false, head_reported = false;
  if (d.HasMember("tree_head") && d["tree_head"].IsObject()) {
    const auto& h = d["tree_head"];
    int64_t size = 0;
    std::optional<Signature> s = HexDecodeArray<64>(str(h, "signature"));
    head.root = str(h, "root");
    head.key_id = str(h, "key_id");
    if (i64(h, "size", &size) && size >= 0 && i64(h, "time", &head.time) && s &&
        IsSha256Hex(head.root)) {
      head.size = static_cast<uint64_t>(size);
      head.signature = *s;
      const std::string why = CheckTreeHeadSignature(head, keys);
      if (why.empty()) {
        head_ok = true;
      } else {
        problem("tree_head: " + why);
        head_reported = true;
      }
    }
  }
  if (!head_ok && !head_reported) problem("tree_head: missing or malformed");
  const std::optional<Digest> root = HexDecodeArray<32>(head.root);

  // Custody entries.
  std::map<uint64_t, CustodyEntry> custody;
  if (d.HasMember("custody") && d["custody"].IsArray()) {
    for (const auto& c : d["custody"].GetArray()) {
      int64_t seq = -1;
      const std::string line = str(c, "line");
      i64(c, "seq", &seq);
      const std::string where = "custody entry " + std::to_string(seq);
      Result<CustodyEntry> e = ParseEntryLine(line);
      if (!e.ok()) {
        problem(where + ": " + e.status().message());
        continue;
      }
      if (seq < 0 || e->seq != static_cast<uint64_t>(seq)) problem(where + ": sequence mismatch");
      std::vector<Digest> proof;
      bool proof_ok = c.IsObject() && c.HasMember("proof") && c["proof"].IsArray();
      if (proof_ok) {
        for (const auto& p : c["proof"].GetArray()) {
          std::optional<Digest> dg =
              p.IsString() ? HexDecodeArray<32>(p.GetString()) : std::nullopt;
          if (!dg) proof_ok = false;
          if (dg) proof.push_back(*dg);
        }
      }
      if (!proof_ok || !root ||
          !VerifyInclusion(e->seq, head.size, MerkleLeafHash(line), proof, *root)) {
        problem(where + ": not included in the signed tree head (inclusion proof fails)");
      }
      custody[e->seq] = std::move(*e);
    }
  }
  for (auto it = custody.begin(); it != custody.end(); ++it) {
    auto next = std::next(it);
    if (next != custody.end() && next->first == it->first + 1 &&
        next->second.prev_hash != it->second.entry_hash) {
      problem("custody entry " + std::to_string(next->first) + ": chain broken");
    }
  }

  // Items against the zip entries.
  std::set<std::string> listed = {"manifest.json", "manifest.sig"};
  if (!d.HasMember("items") || !d["items"].IsArray() || d["items"].Empty()) {
    problem("manifest.json: no items");
  } else {
    for (const auto& item : d["items"].GetArray()) {
      const std::string path = str(item, "path");
      const std::string sha = str(item, "sha256");
      int64_t size = -1;
      i64(item, "size", &size);
      listed.insert(path);
      ++v.items;
      auto e = entries.find(path);
      if (e == entries.end()) {
        problem(path + ": listed in the manifest but missing from the bundle");
        continue;
      }
      if (e->second.sha256 != sha) problem(path + ": sha256 mismatch");
      if (size < 0 || e->second.size != static_cast<uint64_t>(size))
        problem(path + ": size mismatch");
      bool has_custody = false;
      for (const auto& [seq, ce] : custody) {
        has_custody = has_custody || std::count(ce.items.begin(), ce.items.end(), sha) > 0;
      }
      if (!has_custody) problem(path + ": no custody entry names it");
    }
  }
  for (const auto& [name, info] : entries) {
    if (!listed.count(name)) problem("bundle entry '" + name + "': not listed in the manifest");
  }
}

}  // namespace

Verdict VerifyBundle(const std::string& zip_path, const VerifyOptions& options) {
  Verdict v;
  std::map<std::string, EntryInfo> entries;
  std::string manifest, sig;
  std::vector<internal::ZipWriter::Region> regions;
  std::vector<std::string> region_sha;
  uint64_t canonical_size = 0;
  bool complete = false;
  ReadZip(zip_path, options.limits, v, entries, manifest, sig, regions, region_sha, canonical_size,
          complete);
  if (complete) CheckContainer(zip_path, regions, region_sha, canonical_size, v);
  if (!entries.count("manifest.json")) {
    v.problems.push_back("manifest.json: missing from the bundle");
  } else {
    CheckManifest(manifest, sig, entries, options, v);
  }
  v.ok = v.problems.empty();
  return v;
}

Verdict VerifyInstallation(const Vault& vault, const CustodyLog& log, const Keys& keys) {
  Verdict v;
  v.problems = vault.VerifyAll();
  for (std::string& p : VerifyCustodyLog(log.path(), keys.public_keys())) {
    v.problems.push_back(std::move(p));
  }
  std::set<std::string> missing;
  for (const CustodyEntry& e : log.entries()) {
    for (const std::string& s : e.items) {
      if (!vault.Contains(s) && missing.insert(s).second) {
        v.problems.push_back("custody entry " + std::to_string(e.seq) + ": item " + s +
                             " is not in the vault");
      }
    }
  }
  v.items = vault.List().size();
  v.ok = v.problems.empty();
  return v;
}

}  // namespace vigil::evidence
