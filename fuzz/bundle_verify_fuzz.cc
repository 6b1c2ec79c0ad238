// libFuzzer target for evidence bundle verification (`vigil verify x.zip`),
// through the public API only: VerifyBundle on a temporary file. A bundle
// comes from whoever hands it over, so every byte of it is hostile input.
//
// Byte 0 picks what the rest is:
//   bit 0 clear: the whole .zip (libarchive's seekable zip reader, the
//                container check, then the manifest);
//   bit 0 set:   manifest.json alone, stored by this harness in a minimal zip
//                beside a 64-byte manifest.sig, so that mutations reach the
//                manifest checks (keys, signature, tree head, custody lines,
//                inclusion proofs, items) instead of dying in the container.
// Aborts when a verdict breaks its contract (ok exactly when there are no
// problems). Built as bundle_verify_fuzz and bundle_verify_replay
// (fuzz/CMakeLists.txt); the temporary folder is removed at exit.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "vigil/evidence/bundle.h"

namespace {

const std::filesystem::path& TempDir() {
  static const std::filesystem::path dir = [] {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vigil-fuzz-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    return std::filesystem::path(tmpl);
  }();
  // Registered after `dir` is built, so it runs before `dir` is destroyed.
  [[maybe_unused]] static const bool cleanup = [] {
    return std::atexit([] {
             std::error_code ec;
             std::filesystem::remove_all(TempDir(), ec);
           }) == 0;
  }();
  return dir;
}

uint32_t Crc32(std::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

void Put16(std::string& out, uint32_t v) {
  out += static_cast<char>(v & 0xFF);
  out += static_cast<char>((v >> 8) & 0xFF);
}
void Put32(std::string& out, uint32_t v) {
  Put16(out, v & 0xFFFF);
  Put16(out, v >> 16);
}

// A zip of stored entries (no compression, no extra fields).
std::string StoredZip(std::initializer_list<std::pair<std::string_view, std::string_view>> files) {
  std::string zip, central;
  uint16_t count = 0;
  for (const auto& [name, data] : files) {
    const uint32_t offset = static_cast<uint32_t>(zip.size());
    const uint32_t crc = Crc32(data);
    const auto size = static_cast<uint32_t>(data.size());
    Put32(zip, 0x04034b50);  // local file header
    Put16(zip, 20);          // version needed
    Put16(zip, 0);           // flags
    Put16(zip, 0);           // stored
    Put16(zip, 0);           // time
    Put16(zip, 0x21);        // date: 1980-01-01
    Put32(zip, crc);
    Put32(zip, size);
    Put32(zip, size);
    Put16(zip, static_cast<uint32_t>(name.size()));
    Put16(zip, 0);  // extra
    zip += name;
    zip += data;
    Put32(central, 0x02014b50);  // central directory header
    Put16(central, 20);          // version made by
    Put16(central, 20);
    Put16(central, 0);
    Put16(central, 0);
    Put16(central, 0);
    Put16(central, 0x21);
    Put32(central, crc);
    Put32(central, size);
    Put32(central, size);
    Put16(central, static_cast<uint32_t>(name.size()));
    Put16(central, 0);  // extra
    Put16(central, 0);  // comment
    Put16(central, 0);  // disk
    Put16(central, 0);  // internal attributes
    Put32(central, 0);  // external attributes
    Put32(central, offset);
    central += name;
    ++count;
  }
  const uint32_t central_at = static_cast<uint32_t>(zip.size());
  zip += central;
  Put32(zip, 0x06054b50);  // end of central directory
  Put16(zip, 0);
  Put16(zip, 0);
  Put16(zip, count);
  Put16(zip, count);
  Put32(zip, static_cast<uint32_t>(central.size()));
  Put32(zip, central_at);
  Put16(zip, 0);
  return zip;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string bytes;
  if ((data[0] & 1) != 0) {
    bytes = StoredZip({{"manifest.json", rest}, {"manifest.sig", std::string(64, '\x01')}});
  } else {
    bytes.assign(rest);
  }
  const std::filesystem::path file = TempDir() / "bundle.zip";
  if (std::FILE* f = std::fopen(file.c_str(), "wb")) {
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  } else {
    return 0;
  }
  vigil::evidence::VerifyOptions options;
  options.limits.max_archive_bytes = 16 << 20;
  options.limits.max_archive_entries = 1000;
  const vigil::evidence::Verdict v = vigil::evidence::VerifyBundle(file.string(), options);
  if (v.ok != v.problems.empty()) std::abort();
  for (const std::string& p : v.problems) {
    if (p.empty()) std::abort();
  }
  return 0;
}
