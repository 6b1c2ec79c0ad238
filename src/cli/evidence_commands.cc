// vigil keys, vigil evidence, vigil verify: the installation's keys, signed
// evidence bundles, and their offline verification.
#include <algorithm>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "src/cli/commands.h"
#include "vigil/core/version.h"
#include "vigil/evidence/bundle.h"
#include "vigil/evidence/custody.h"
#include "vigil/evidence/keys.h"
#include "vigil/evidence/vault.h"
#include "vigil/registry/registry.h"
#include "vigil/store/registry_store.h"

namespace vigil::cli {

namespace fs = std::filesystem;

Result<std::string> ReadPassphrase(const std::string& file) {
  if (!file.empty()) {
    std::ifstream in(file);
    std::string line;
    if (!in || !std::getline(in, line)) return Status::NotFound("cannot read " + file);
    return line;
  }
  if (const char* env = std::getenv("VIGIL_PASSPHRASE"); env != nullptr && *env) {
    return std::string(env);
  }
  return Status::InvalidArgument(
      "no passphrase: set VIGIL_PASSPHRASE or pass --passphrase-file FILE");
}

EvidencePaths EvidencePathsFor(const std::string& db, const std::string& keys) {
  const fs::path dir = fs::path(db).parent_path();
  EvidencePaths p;
  p.keys = keys.empty() ? (dir / "vigil.keys").string() : keys;
  p.vault = (dir / "vault").string();
  p.custody = (dir / "custody.log").string();
  return p;
}

std::string OperatorName() {
  for (const char* var : {"VIGIL_OPERATOR", "USER", "LOGNAME"}) {
    if (const char* v = std::getenv(var); v != nullptr && *v) return v;
  }
  return "unknown";
}

namespace {

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

struct EvidenceArgs {
  std::string db = "vigil.db";
  std::string keys;
  std::string passphrase_file;
  std::vector<std::string> posts;
  std::string out;
  std::string bundle;
  std::vector<std::string> cases;
  std::vector<std::string> clusters;
};

// The posts of every media file in the same repost cluster as the media
// whose SHA-256 starts with `prefix` (at least 8 hex digits, unambiguous):
// the files joined by "media" matches, as the report groups them.
Status ClusterPosts(store::Store& store, const std::string& prefix,
                    std::vector<std::string>* posts) {
  if (prefix.size() < 8 || prefix.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return Status::InvalidArgument(
        "--cluster takes a media SHA-256 (at least 8 lower-case hex "
        "digits), as the report shows, got '" +
        prefix + "'");
  }
  std::map<std::string, std::vector<std::string>> edges;
  VIGIL_ASSIGN_OR_RETURN(auto matches, store.ListMediaMatches());
  for (const auto& [sha, m] : matches) {
    if (m.kind != "media") continue;
    edges[sha].push_back(m.target);
    edges[m.target].push_back(sha);
  }
  std::map<std::string, std::vector<std::string>> where;  // sha -> posts
  VIGIL_RETURN_IF_ERROR(store.ForEachMediaAppearance([&](const store::MediaAppearance& a) {
    where[a.sha256].push_back(std::string(PlatformName(a.platform)) + "/" + a.channel_id + "/" +
                              a.external_id);
    return Status::Ok();
  }));
  std::vector<std::string> start;
  for (auto it = where.lower_bound(prefix); it != where.end() && it->first.starts_with(prefix);
       ++it) {
    start.push_back(it->first);
  }
  if (start.empty()) return Status::NotFound("no media " + prefix + "… in the database");
  if (start.size() > 1) {
    return Status::InvalidArgument("media prefix " + prefix + " is ambiguous (" +
                                   std::to_string(start.size()) + " files); give more digits");
  }
  std::set<std::string> cluster = {start[0]};
  std::vector<std::string> todo = {start[0]};
  while (!todo.empty()) {
    const std::string sha = todo.back();
    todo.pop_back();
    for (const auto& next : edges[sha]) {
      if (cluster.insert(next).second) todo.push_back(next);
    }
  }
  for (const auto& sha : cluster) {
    for (const auto& p : where[sha]) posts->push_back(p);
  }
  return Status::Ok();
}

int RunKeysInit(const EvidenceArgs& a, const Context& ctx, bool rotate) {
  const EvidencePaths paths = EvidencePathsFor(a.db, a.keys);
  auto passphrase = ReadPassphrase(a.passphrase_file);
  if (!passphrase.ok()) return Fail(ctx, "keys", passphrase.status().message());
  evidence::KeyOptions options;
  options.now = Now();
  const Status s = rotate ? evidence::RotateSigningKey(paths.keys, *passphrase, options)
                          : evidence::InitKeys(paths.keys, *passphrase, options);
  if (!s.ok()) return Fail(ctx, "keys", s.ToString());
  auto keys = evidence::LoadKeys(paths.keys, *passphrase);
  if (!keys.ok()) return Fail(ctx, "keys", keys.status().ToString());
  std::cerr << (rotate ? "rotated" : "created") << " " << paths.keys << "; signing key "
            << keys->current().key_id << "\n";
  return kExitOk;
}

// "PLATFORM/CHANNEL/ID": the platform up to the first '/', the id after the
// last, the channel (which may itself hold '/') in between.
bool ParsePostKey(const std::string& key, std::string* platform, std::string* channel,
                  std::string* id) {
  const size_t first = key.find('/'), last = key.rfind('/');
  if (first == std::string::npos || first == last) return false;
  *platform = key.substr(0, first);
  *channel = key.substr(first + 1, last - first - 1);
  *id = key.substr(last + 1);
  return !platform->empty() && !id->empty();
}

int RunEvidenceExport(const EvidenceArgs& a, const Context& ctx) {
  const EvidencePaths paths = EvidencePathsFor(a.db, a.keys);
  auto passphrase = ReadPassphrase(a.passphrase_file);
  if (!passphrase.ok()) return Fail(ctx, "evidence export", passphrase.status().message());
  auto keys = evidence::LoadKeys(paths.keys, *passphrase);
  if (!keys.ok()) return Fail(ctx, "evidence export", keys.status().ToString());
  auto vault = evidence::Vault::Open(paths.vault, *keys);
  if (!vault.ok()) return Fail(ctx, "evidence export", vault.status().ToString());
  auto log = evidence::CustodyLog::Open(paths.custody, Now);
  if (!log.ok()) return Fail(ctx, "evidence export", log.status().ToString());
  auto store = OpenStore(a.db, false);
  if (!store.ok()) return Fail(ctx, "evidence export", store.status().ToString());

  struct Wanted {
    std::string platform, channel, id;
    bool found = false;
  };
  std::vector<std::string> post_keys = a.posts;
  for (const auto& prefix : a.clusters) {
    if (Status s = ClusterPosts(**store, prefix, &post_keys); !s.ok()) {
      return Fail(ctx, "evidence export", s.ToString());
    }
  }
  if (!a.cases.empty()) {  // a case's confirmed sightings (reading them is audited)
    auto rs = store::RegistryStore::OpenSqlite(a.db);
    if (!rs.ok()) return Fail(ctx, "evidence export", rs.status().ToString());
    auto registry =
        registry::Registry::Open(std::move(rs).value(), RegistrySessionFor(*keys, *log));
    if (!registry.ok()) return Fail(ctx, "evidence export", registry.status().ToString());
    for (const auto& code : a.cases) {
      auto rec = (*registry)->Show(code);
      if (!rec.ok()) return Fail(ctx, "evidence export", rec.status().ToString());
      if (rec->sightings.empty()) {
        return Fail(ctx, "evidence export",
                    "case " + code +
                        " has no confirmed sighting (vigil registry sighting CASE --post ...)");
      }
      for (const auto& x : rec->sightings) {
        post_keys.push_back(x.platform + "/" + x.channel_id + "/" + x.external_id);
      }
    }
  }
  std::sort(post_keys.begin(), post_keys.end());
  post_keys.erase(std::unique(post_keys.begin(), post_keys.end()), post_keys.end());
  std::vector<Wanted> wanted;
  for (const auto& key : post_keys) {
    Wanted w;
    if (!ParsePostKey(key, &w.platform, &w.channel, &w.id)) {
      std::cerr << "vigil evidence export: --post takes PLATFORM/CHANNEL/ID, got " << key << "\n";
      return kExitUsage;
    }
    wanted.push_back(w);
  }
  std::vector<evidence::BundleItem> items;
  std::set<std::string> seen;
  const Status walk = (*store)->ForEachPost({}, [&](const store::ScanRecord& r) {
    for (Wanted& w : wanted) {
      if (PlatformName(r.post.platform) != w.platform || r.post.channel.id != w.channel ||
          r.post.external_id != w.id) {
        continue;
      }
      w.found = true;
      for (size_t i = 0; i < r.media.size(); ++i) {
        const auto& info = r.media[i].info;
        if (info && seen.insert(info->sha256).second) {
          items.push_back({info->sha256, r.post.media[i].name});
        }
      }
    }
    return Status::Ok();
  });
  if (!walk.ok()) return Fail(ctx, "evidence export", walk.ToString());
  for (const Wanted& w : wanted) {
    if (!w.found) {
      return Fail(ctx, "evidence export",
                  "no post " + w.platform + "/" + w.channel + "/" + w.id + " in " + a.db);
    }
  }
  if (items.empty()) return Fail(ctx, "evidence export", "the posts carry no stored media");
  evidence::ExportOptions options;
  options.actor = OperatorName();
  options.now = Now();
  options.vigil_version = std::string(kVersion);
  const Status s = evidence::ExportBundle(items, *vault, *log, *keys, a.out, options);
  if (!s.ok()) {
    return Fail(ctx, "evidence export",
                s.ToString() + (s.code() == StatusCode::kNotFound
                                    ? " (scan with --evidence to keep originals in the vault)"
                                    : ""));
  }
  std::cerr << "bundle: " << a.out << " (" << items.size() << " originals)\n";
  return kExitOk;
}

// Signs the custody log's current tree head (on demand; scans and exports
// also sign one).
int RunSign(const EvidenceArgs& a, const Context& ctx) {
  const EvidencePaths paths = EvidencePathsFor(a.db, a.keys);
  auto passphrase = ReadPassphrase(a.passphrase_file);
  if (!passphrase.ok()) return Fail(ctx, "evidence sign", passphrase.status().message());
  auto keys = evidence::LoadKeys(paths.keys, *passphrase);
  if (!keys.ok()) return Fail(ctx, "evidence sign", keys.status().ToString());
  auto log = evidence::CustodyLog::Open(paths.custody, Now);
  if (!log.ok()) return Fail(ctx, "evidence sign", log.status().ToString());
  auto head = log->SignTreeHead(*keys);
  if (!head.ok()) return Fail(ctx, "evidence sign", head.status().ToString());
  std::cout << evidence::TreeHeadJson(*head) << "\n";
  return kExitOk;
}

int PrintVerdict(const evidence::Verdict& v, const std::string& what) {
  for (const auto& p : v.problems) std::cout << "FAIL " << p << "\n";
  if (v.ok) {
    std::cout << "OK " << what << ": every hash, chain link and signature holds (" << v.items
              << " items" << (v.signer_key_id.empty() ? "" : ", signed by " + v.signer_key_id)
              << ")\n";
    return kExitOk;
  }
  std::cout << "INVALID " << what << ": " << v.problems.size() << " problem"
            << (v.problems.size() == 1 ? "" : "s") << "\n";
  return kExitFailure;
}

int RunVerify(const EvidenceArgs& a, const Context& ctx, bool installation) {
  if (!installation) {
    return PrintVerdict(evidence::VerifyBundle(a.bundle), a.bundle);
  }
  const EvidencePaths paths = EvidencePathsFor(a.db, a.keys);
  auto passphrase = ReadPassphrase(a.passphrase_file);
  if (!passphrase.ok()) return Fail(ctx, "verify", passphrase.status().message());
  auto keys = evidence::LoadKeys(paths.keys, *passphrase);
  if (!keys.ok()) return Fail(ctx, "verify", keys.status().ToString());
  auto vault = evidence::Vault::Open(paths.vault, *keys);
  if (!vault.ok()) return Fail(ctx, "verify", vault.status().ToString());
  auto log = evidence::CustodyLog::Open(paths.custody, Now);
  if (!log.ok()) return PrintVerdict({false, {log.status().ToString()}, "", 0}, paths.custody);
  return PrintVerdict(evidence::VerifyInstallation(*vault, *log, *keys),
                      fs::path(a.db).parent_path().string() + " (vault, custody log, keys)");
}

void AddKeyOptions(CLI::App* cmd, EvidenceArgs& a) {
  cmd->add_option("--db", a.db, "SQLite database; keys, vault and log live beside it")
      ->capture_default_str();
  cmd->add_option("--keys", a.keys, "Key file (default: vigil.keys beside the database)");
  cmd->add_option("--passphrase-file", a.passphrase_file,
                  "File whose first line is the passphrase (default: $VIGIL_PASSPHRASE)");
}

}  // namespace

void AddEvidenceCommands(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<EvidenceArgs>();
  auto* keys = app.add_subcommand("keys", "The installation's signing and vault keys");
  keys->require_subcommand(1);
  auto* init = keys->add_subcommand("init", "Create the key file (never overwrites one)");
  AddKeyOptions(init, *args);
  init->callback([args, &ctx] { ctx.exit_code = RunKeysInit(*args, ctx, false); });
  auto* rotate = keys->add_subcommand(
      "rotate", "New signing key; old public keys stay so old signatures still verify");
  AddKeyOptions(rotate, *args);
  rotate->callback([args, &ctx] { ctx.exit_code = RunKeysInit(*args, ctx, true); });

  auto* ev = app.add_subcommand("evidence", "Signed evidence bundles");
  ev->require_subcommand(1);
  auto* exp = ev->add_subcommand(
      "export", "Write a signed bundle of posts' originals, manifest and custody records");
  auto* sign = ev->add_subcommand(
      "sign", "Sign the custody log's current tree head now (prints it as JSON)");
  AddKeyOptions(sign, *args);
  sign->callback([args, &ctx] { ctx.exit_code = RunSign(*args, ctx); });
  exp->add_option("--post", args->posts, "PLATFORM/CHANNEL/ID (repeatable)");
  exp->add_option("--case", args->cases,
                  "Every post confirmed as a sighting of this registry case (repeatable)");
  exp->add_option("--cluster", args->clusters,
                  "Every post of the repost cluster of this media (its SHA-256 or first 8+ hex "
                  "digits, as the report shows; repeatable)");
  exp->add_option("-o,--out", args->out, "Bundle to write (.zip)")->required();
  AddKeyOptions(exp, *args);
  exp->callback([args, &ctx] {
    if (args->posts.empty() && args->cases.empty() && args->clusters.empty()) {
      std::cerr << "vigil evidence export: give --post, --case or --cluster\n";
      ctx.exit_code = kExitUsage;
      return;
    }
    ctx.exit_code = RunEvidenceExport(*args, ctx);
  });

  auto* verify = app.add_subcommand(
      "verify",
      "Check a bundle offline, or without one the installation beside --db (vault, custody "
      "log, signed tree heads); exit 0 only when every hash, link and signature holds");
  verify->add_option("bundle", args->bundle, "Bundle (.zip) to check");
  AddKeyOptions(verify, *args);
  verify->callback([args, &ctx] { ctx.exit_code = RunVerify(*args, ctx, args->bundle.empty()); });
}

}  // namespace vigil::cli
