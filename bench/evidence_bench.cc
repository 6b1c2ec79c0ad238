// Vault throughput beside plain SHA-256 of the same bytes (the baseline: a
// Put must hash anyway; encryption should cost at most as much again).
// BM_Sha256 is vigil's SHA-256 (vigil/core/digest.h, OpenSSL), the one the
// vault uses; BM_Sha256Sodium is libsodium's, which the vault used before.
// Run: build/bench/evidence_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <sodium.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <string>

#include "vigil/core/digest.h"
#include "vigil/evidence/keys.h"
#include "vigil/evidence/vault.h"

namespace {

using vigil::evidence::Keys;
using vigil::evidence::Vault;

std::string Bytes(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  uint32_t x = seed;
  for (char& c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

struct Fixture {
  Fixture()
      : dir(MakeDir()),
        keys(Keys::Generate(0).value()),
        vault(Vault::Open(dir + "/vault", keys).value()) {}
  static std::string MakeDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "evidence-bench-XXXXXX").string();
    return ::mkdtemp(tmpl.data());
  }
  std::string dir;
  Keys keys;
  Vault vault;
};

Fixture& Shared() {
  static Fixture f;  // the vault folder is left in $TMPDIR for inspection
  return f;
}

void BM_Sha256Sodium(benchmark::State& state) {
  const std::string data = Bytes(static_cast<size_t>(state.range(0)), 1);
  unsigned char out[32];
  for (auto _ : state) {
    crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(data.data()), data.size());
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

void BM_Sha256(benchmark::State& state) {
  const std::string data = Bytes(static_cast<size_t>(state.range(0)), 1);
  for (auto _ : state) {
    vigil::Sha256Digest out = vigil::Sha256(data);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

// Each iteration stores new bytes (a changed first word), so every Put
// encrypts, fsyncs and renames a new file.
void BM_VaultPut(benchmark::State& state) {
  Fixture& f = Shared();
  std::string data = Bytes(static_cast<size_t>(state.range(0)), 2);
  uint32_t i = 0;
  for (auto _ : state) {
    std::memcpy(data.data(), &++i, sizeof i);
    auto sha = f.vault.Put(data);
    if (!sha.ok()) state.SkipWithError(sha.status().message().c_str());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

void BM_VaultVerify(benchmark::State& state) {
  Fixture& f = Shared();
  const std::string sha = *f.vault.Put(Bytes(static_cast<size_t>(state.range(0)), 3));
  for (auto _ : state) {
    auto s = f.vault.Verify(sha);
    if (!s.ok()) state.SkipWithError(s.message().c_str());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}

BENCHMARK(BM_Sha256Sodium)->Arg(1 << 20)->Arg(16 << 20);
BENCHMARK(BM_Sha256)->Arg(1 << 20)->Arg(16 << 20);
BENCHMARK(BM_VaultPut)->Arg(1 << 20)->Arg(16 << 20);
BENCHMARK(BM_VaultVerify)->Arg(1 << 20)->Arg(16 << 20);

}  // namespace

BENCHMARK_MAIN();
