#include "vigil/evidence/vault.h"

#include <fcntl.h>
#include <rapidjson/document.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "src/evidence/util.h"
#include "vigil/core/digest.h"
#include "vigil/core/hex.h"
#include "vigil/core/json_writer.h"

namespace vigil::evidence {
namespace {

namespace fs = std::filesystem;
using internal::ErrnoText;
using internal::UniqueFd;

constexpr std::string_view kMagic = "VGLVLT01";
constexpr size_t kHeader = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr size_t kAbytes = crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr size_t kMaxChunk = 16 << 20;  // readers refuse larger records

Status MakeDir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::IoError(ErrnoText(dir + ": mkdir"));
  }
  return Status::Ok();
}

// Reads exactly n bytes; returns the count read (< n only at end of file).
Result<size_t> ReadFull(int fd, char* buf, size_t n, const std::string& what) {
  size_t got = 0;
  while (got < n) {
    const ssize_t r = ::read(fd, buf + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(ErrnoText(what + ": read"));
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  return got;
}

std::string Rel(const std::string& area, std::string_view sha) {
  return area + "/" + std::string(sha.substr(0, 2)) + "/" + std::string(sha);
}

}  // namespace

Result<Vault> Vault::Open(const std::string& root, const Keys& keys, VaultOptions options) {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  if (keys.vault_key().size() != crypto_secretstream_xchacha20poly1305_KEYBYTES) {
    return Status::InvalidArgument("vault: no vault key");
  }
  if (options.chunk_bytes == 0 || options.chunk_bytes > kMaxChunk) {
    return Status::InvalidArgument("vault: chunk_bytes out of range");
  }
  VIGIL_RETURN_IF_ERROR(MakeDir(root));
  for (const char* sub : {"/originals", "/derived", "/tmp"}) {
    VIGIL_RETURN_IF_ERROR(MakeDir(root + sub));
  }
  Vault v;
  v.root_ = root;
  v.key_ = SecretBytes(keys.vault_key().size());
  if (v.key_.empty()) return Status::ResourceExhausted("vault: no secure memory");
  std::copy_n(keys.vault_key().data(), keys.vault_key().size(), v.key_.data());
  v.options_ = std::move(options);
  return v;
}

std::string Vault::PathOf(std::string_view sha256) const {
  return root_ + "/" + Rel("originals", sha256);
}

Result<std::string> Vault::Store(const std::string& area,
                                 const std::function<Result<size_t>(char*, size_t)>& read) const {
  const std::string tmp = root_ + "/tmp/put" + internal::TempSuffix();
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) return Status::IoError(ErrnoText(tmp + ": create"));
  struct Unlinker {
    std::string path;
    ~Unlinker() {
      if (!path.empty()) ::unlink(path.c_str());
    }
  } cleanup{tmp};

  crypto_secretstream_xchacha20poly1305_state st;
  unsigned char header[kHeader];
  crypto_secretstream_xchacha20poly1305_init_push(&st, header, key_.data());
  std::string out(kMagic);
  out.append(reinterpret_cast<const char*>(header), kHeader);
  uint64_t written = 0;
  const size_t chunk = options_.chunk_bytes;
  std::string plain(chunk, '\0');
  Sha256Stream hash;

  auto emit = [&](const unsigned char* p, size_t n, unsigned char tag) -> Status {
    const size_t rec = 4 + n + kAbytes;
    const size_t at = out.size();
    out.resize(at + rec);
    const uint32_t len = static_cast<uint32_t>(n + kAbytes);
    for (int i = 0; i < 4; ++i) out[at + i] = static_cast<char>((len >> (8 * i)) & 0xff);
    crypto_secretstream_xchacha20poly1305_push(
        &st, reinterpret_cast<unsigned char*>(out.data() + at + 4), nullptr, p, n, nullptr, 0, tag);
    VIGIL_RETURN_IF_ERROR(internal::WriteAll(fd.get(), out, tmp));
    written += out.size();
    out.clear();
    if (options_.write_hook) options_.write_hook(written);
    return Status::Ok();
  };

  for (;;) {
    Result<size_t> n = read(plain.data(), chunk);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    hash.Update(std::string_view(plain.data(), *n));
    VIGIL_RETURN_IF_ERROR(emit(reinterpret_cast<const unsigned char*>(plain.data()), *n,
                               crypto_secretstream_xchacha20poly1305_TAG_MESSAGE));
    if (*n < chunk) break;
  }
  const Sha256Digest digest = hash.Final();
  VIGIL_RETURN_IF_ERROR(
      emit(digest.data(), digest.size(), crypto_secretstream_xchacha20poly1305_TAG_FINAL));
  sodium_memzero(plain.data(), plain.size());
  if (::fsync(fd.get()) != 0) return Status::IoError(ErrnoText(tmp + ": fsync"));
  VIGIL_RETURN_IF_ERROR(fd.Close(tmp));

  const std::string sha = HexEncode(digest);
  const std::string dir = root_ + "/" + area + "/" + sha.substr(0, 2);
  const std::string dest = dir + "/" + sha;
  struct stat sb;
  if (::stat(dest.c_str(), &sb) == 0) return sha;  // already stored; never rewritten
  VIGIL_RETURN_IF_ERROR(MakeDir(dir));
  if (::rename(tmp.c_str(), dest.c_str()) != 0)
    return Status::IoError(ErrnoText(dest + ": rename"));
  cleanup.path.clear();
  VIGIL_RETURN_IF_ERROR(internal::FsyncDir(dir));
  return sha;
}

Result<std::string> Vault::Put(std::string_view bytes) const {
  size_t at = 0;
  return Store("originals", [&](char* buf, size_t n) -> Result<size_t> {
    const size_t k = std::min(n, bytes.size() - at);
    std::copy_n(bytes.data() + at, k, buf);
    at += k;
    return k;
  });
}

Result<std::string> Vault::PutFile(const std::string& path) const {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IoError(ErrnoText(path + ": open"));
  }
  return Store("originals", [&](char* buf, size_t n) { return ReadFull(fd.get(), buf, n, path); });
}

Status Vault::Read(const std::string& rel, std::string_view sha256, const ByteSink& sink) const {
  const std::string path = root_ + "/" + rel;
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return Status::NotFound(rel + ": not in the vault");
    return Status::IoError(ErrnoText(path + ": open"));
  }
  auto corrupt = [&](const std::string& why) { return Status::Corrupt(rel + ": " + why); };
  char head[kMagic.size() + kHeader];
  Result<size_t> n = ReadFull(fd.get(), head, sizeof head, rel);
  if (!n.ok()) return n.status();
  if (*n != sizeof head || std::string_view(head, kMagic.size()) != kMagic) {
    return corrupt("not a vault file (bad magic or header)");
  }
  crypto_secretstream_xchacha20poly1305_state st;
  if (crypto_secretstream_xchacha20poly1305_init_pull(
          &st, reinterpret_cast<const unsigned char*>(head + kMagic.size()), key_.data()) != 0) {
    return corrupt("bad stream header");
  }
  std::string cipher, plain;
  Sha256Stream hash;
  for (uint64_t record = 0;; ++record) {
    char lenb[4];
    n = ReadFull(fd.get(), lenb, 4, rel);
    if (!n.ok()) return n.status();
    if (*n != 4) return corrupt("truncated (no final record)");
    uint32_t len = 0;
    for (int i = 0; i < 4; ++i) len |= uint32_t{static_cast<uint8_t>(lenb[i])} << (8 * i);
    if (len < kAbytes || len > kMaxChunk + kAbytes) {
      return corrupt("record " + std::to_string(record) + ": bad length");
    }
    cipher.resize(len);
    n = ReadFull(fd.get(), cipher.data(), len, rel);
    if (!n.ok()) return n.status();
    if (*n != len) return corrupt("truncated in record " + std::to_string(record));
    plain.resize(len - kAbytes);
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(
            &st, reinterpret_cast<unsigned char*>(plain.data()), nullptr, &tag,
            reinterpret_cast<const unsigned char*>(cipher.data()), len, nullptr, 0) != 0) {
      return corrupt("authentication failed in record " + std::to_string(record));
    }
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      const Sha256Digest got = hash.Final();
      if (plain.size() != 32 || !std::equal(got.begin(), got.end(), plain.begin(),
                                            [](uint8_t a, char b) { return a == uint8_t(b); })) {
        return corrupt("sha256 of the content does not match the stored digest");
      }
      if (HexEncode(got) != sha256) return corrupt("sha256 does not match the file name");
      char extra;
      n = ReadFull(fd.get(), &extra, 1, rel);
      if (!n.ok()) return n.status();
      if (*n != 0) return corrupt("bytes after the final record");
      return Status::Ok();
    }
    if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
      return corrupt("unexpected record tag");
    }
    hash.Update(plain);
    VIGIL_RETURN_IF_ERROR(sink(plain));
  }
}

Status Vault::Get(std::string_view sha256, const ByteSink& sink) const {
  if (!IsSha256Hex(sha256)) {
    return Status::InvalidArgument("vault: not a sha256: " + std::string(sha256));
  }
  return Read(Rel("originals", sha256), sha256, sink);
}

Result<std::string> Vault::GetBytes(std::string_view sha256) const {
  std::string out;
  Status s = Get(sha256, [&](std::string_view b) {
    out.append(b);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

bool Vault::Contains(std::string_view sha256) const {
  struct stat sb;
  return IsSha256Hex(sha256) && ::stat(PathOf(sha256).c_str(), &sb) == 0;
}

Status Vault::Verify(std::string_view sha256) const {
  return Get(sha256, [](std::string_view) { return Status::Ok(); });
}

std::vector<std::string> Vault::List() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root_ + "/originals", ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_regular_file()) out.push_back(it->path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Vault::VerifyAll() const {
  std::vector<std::string> problems;
  auto ignore = [](std::string_view) { return Status::Ok(); };
  for (const std::string area : {"originals", "derived"}) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (fs::recursive_directory_iterator it(root_ + "/" + area, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (!it->is_directory()) files.push_back(it->path());
    }
    if (ec) problems.push_back(area + ": cannot list: " + ec.message());
    std::sort(files.begin(), files.end());
    for (const fs::path& p : files) {
      const std::string name = p.filename().string();
      const std::string parent = p.parent_path().filename().string();
      const bool sidecar = area == "derived" && name.size() == 69 && name.ends_with(".json");
      const std::string sha = sidecar ? name.substr(0, 64) : name;
      const std::string rel = area + "/" + parent + "/" + name;
      if (!IsSha256Hex(sha) || parent != sha.substr(0, 2) || !p.has_parent_path() ||
          !fs::is_regular_file(p)) {
        problems.push_back(rel + ": unexpected file in the vault");
        continue;
      }
      if (sidecar) {
        Result<DerivedInfo> info = GetDerivedInfo(sha);
        if (!info.ok()) {
          problems.push_back(info.status().message());
        } else if (!Contains(info->original_sha256)) {
          problems.push_back(rel + ": its original " + info->original_sha256 + " is missing");
        }
        continue;
      }
      Status s = Read(rel, sha, ignore);
      if (!s.ok()) problems.push_back(s.message());
      if (area == "derived" && !fs::exists(p.string() + ".json")) {
        problems.push_back(rel + ": derived copy without its sidecar");
      }
    }
  }
  return problems;
}

Result<std::string> Vault::PutDerived(std::string_view original_sha256, std::string_view derivation,
                                      std::string_view bytes) const {
  if (!Contains(original_sha256)) {
    return Status::NotFound("vault: original " + std::string(original_sha256) + " not stored");
  }
  size_t at = 0;
  Result<std::string> sha = Store("derived", [&](char* buf, size_t n) -> Result<size_t> {
    const size_t k = std::min(n, bytes.size() - at);
    std::copy_n(bytes.data() + at, k, buf);
    at += k;
    return k;
  });
  if (!sha.ok()) return sha;
  JsonWriter w;
  w.BeginObject().Key("original_sha256").String(original_sha256);
  w.Key("derivation").String(derivation).Key("derived_sha256").String(*sha);
  w.Key("created").Int(options_.now).EndObject();
  const std::string path = root_ + "/" + Rel("derived", *sha) + ".json";
  struct stat sb;
  if (::stat(path.c_str(), &sb) != 0) {
    VIGIL_RETURN_IF_ERROR(internal::AtomicWriteFile(path, w.str() + "\n", 0600));
  }
  return sha;
}

Status Vault::GetDerived(std::string_view derived_sha256, const ByteSink& sink) const {
  if (!IsSha256Hex(derived_sha256)) {
    return Status::InvalidArgument("vault: not a sha256: " + std::string(derived_sha256));
  }
  return Read(Rel("derived", derived_sha256), derived_sha256, sink);
}

Result<DerivedInfo> Vault::GetDerivedInfo(std::string_view derived_sha256) const {
  if (!IsSha256Hex(derived_sha256)) {
    return Status::InvalidArgument("vault: not a sha256: " + std::string(derived_sha256));
  }
  const std::string rel = Rel("derived", derived_sha256) + ".json";
  Result<std::string> text = ReadFile(root_ + "/" + rel, 1 << 20);
  if (!text.ok()) return text.status();
  rapidjson::Document d;
  d.Parse(text->data(), text->size());
  DerivedInfo info;
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("original_sha256") ||
      !d["original_sha256"].IsString() || !d.HasMember("derivation") ||
      !d["derivation"].IsString() || !d.HasMember("derived_sha256") ||
      !d["derived_sha256"].IsString() || !d.HasMember("created") || !d["created"].IsInt64()) {
    return Status::Corrupt(rel + ": bad sidecar");
  }
  info.original_sha256 = d["original_sha256"].GetString();
  info.derivation = d["derivation"].GetString();
  info.derived_sha256 = d["derived_sha256"].GetString();
  info.created = d["created"].GetInt64();
  if (info.derived_sha256 != derived_sha256 || !IsSha256Hex(info.original_sha256)) {
    return Status::Corrupt(rel + ": sidecar names the wrong file");
  }
  return info;
}

}  // namespace vigil::evidence
