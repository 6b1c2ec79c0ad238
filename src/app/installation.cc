// Installation: opening, the session (keys, custody log, vault, registry),
// scanning, evidence and review decisions. Registry use cases are in
// src/app/registry.cc, hash lists and matching in src/app/lists.cc.
#include "vigil/app/installation.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <utility>

#include "vigil/core/hex.h"
#include "vigil/core/version.h"
#include "vigil/faces/faces.h"
#include "vigil/scan/face_matching.h"
#include "vigil/store/clusters.h"
#include "vigil/text/analyzer.h"

namespace vigil::app {

namespace fs = std::filesystem;

PassphraseSource PassphraseFromFileOrEnv(std::string file) {
  return [file = std::move(file)]() -> Result<std::string> {
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
  };
}

std::string OperatorFromEnvironment() {
  for (const char* var : {"VIGIL_OPERATOR", "USER", "LOGNAME"}) {
    if (const char* v = std::getenv(var); v != nullptr && *v) return v;
  }
  return "unknown";
}

fs::path DefaultDataDir() {
  if (const char* env = std::getenv("VIGIL_DATA_DIR"); env && *env) return env;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path installed = exe.parent_path().parent_path() / "share" / "vigil";
    if (fs::exists(installed / "lexicons", ec)) return installed;
  }
  return VIGIL_BUILD_DATA_DIR;
}

Result<Paths> PathsFor(const InstallationOptions& options) {
  Paths p;
  p.home = options.home;
  if (p.home.empty()) {
    VIGIL_ASSIGN_OR_RETURN(store::DatabaseUrl url, store::ParseDatabaseUrl(options.db));
    if (url.backend != store::Backend::kSqlite) {
      // A database server: the key file, vault and custody log live in
      // --home; without one, only what needs none of them works.
      p.keys = options.keys;
      return p;
    }
    p.home = fs::path(url.path).parent_path().string();
  }
  p.keys = options.keys.empty() ? (fs::path(p.home) / "vigil.keys").string() : options.keys;
  p.vault = (fs::path(p.home) / "vault").string();
  p.custody = (fs::path(p.home) / "custody.log").string();
  return p;
}

namespace {

// A path PathsFor left empty: a database server without --home.
Status NeedHome(const std::string& path) {
  if (!path.empty()) return Status::Ok();
  return Status::InvalidArgument(
      "a database server keeps the key file, vault and custody log in a folder of their own: "
      "give --home DIR (or $VIGIL_HOME)");
}

int64_t SystemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void FillDefaults(InstallationOptions& o) {
  if (o.operator_name.empty()) o.operator_name = OperatorFromEnvironment();
  if (!o.clock) o.clock = SystemNow;
  if (o.data_dir.empty()) o.data_dir = DefaultDataDir();
}

}  // namespace

Result<std::string> InitKeys(const InstallationOptions& options, bool rotate) {
  VIGIL_ASSIGN_OR_RETURN(Paths paths, PathsFor(options));
  VIGIL_RETURN_IF_ERROR(NeedHome(paths.keys));
  if (!options.passphrase) return Status::InvalidArgument("no passphrase source");
  VIGIL_ASSIGN_OR_RETURN(std::string passphrase, options.passphrase());
  evidence::KeyOptions key_options;
  key_options.now = options.clock ? options.clock() : SystemNow();
  VIGIL_RETURN_IF_ERROR(rotate ? evidence::RotateSigningKey(paths.keys, passphrase, key_options)
                               : evidence::InitKeys(paths.keys, passphrase, key_options));
  VIGIL_ASSIGN_OR_RETURN(evidence::Keys keys, evidence::LoadKeys(paths.keys, passphrase));
  return keys.current().key_id;
}

Result<std::unique_ptr<Installation>> Installation::Open(InstallationOptions options) {
  FillDefaults(options);
  std::unique_ptr<Installation> inst(new Installation());
  VIGIL_ASSIGN_OR_RETURN(inst->paths_, PathsFor(options));
  store::OpenOptions open;
  open.create = options.create;
  open.sqlite = options.sqlite;
  open.now = options.clock;
  auto db = store::Open(options.db, open);
  if (!db.ok()) {
    if (db.status().code() == StatusCode::kNotFound) {
      return Status::NotFound(db.status().message() + " (run vigil scan or vigil lists import)");
    }
    return db.status();
  }
  inst->db_ = std::move(db).value();
  inst->options_ = std::move(options);
  return inst;
}

Installation::~Installation() = default;

void Installation::Notice(std::string_view text) const {
  if (options_.notice) options_.notice(text);
}

Result<const evidence::Keys*> Installation::Keys() {
  if (keys_) return &*keys_;
  if (!options_.passphrase) {
    return Status::InvalidArgument("no passphrase: set VIGIL_PASSPHRASE or --passphrase-file");
  }
  VIGIL_RETURN_IF_ERROR(NeedHome(paths_.keys));
  VIGIL_ASSIGN_OR_RETURN(std::string passphrase, options_.passphrase());
  auto keys = evidence::LoadKeys(paths_.keys, passphrase);
  if (!keys.ok()) {
    return Status(keys.status().code(),
                  keys.status().message() + " (create keys with vigil keys init)");
  }
  keys_.emplace(std::move(keys).value());
  return &*keys_;
}

Result<evidence::CustodyLog*> Installation::Custody() {
  if (custody_) return &*custody_;
  VIGIL_RETURN_IF_ERROR(Keys().status());  // the log is only opened within a session
  VIGIL_RETURN_IF_ERROR(NeedHome(paths_.custody));
  VIGIL_ASSIGN_OR_RETURN(evidence::CustodyLog log,
                         evidence::CustodyLog::Open(paths_.custody, options_.clock));
  custody_.emplace(std::move(log));
  return &*custody_;
}

Result<const evidence::Vault*> Installation::Vault() {
  if (vault_) return &*vault_;
  VIGIL_ASSIGN_OR_RETURN(const evidence::Keys* keys, Keys());
  VIGIL_RETURN_IF_ERROR(NeedHome(paths_.vault));
  VIGIL_ASSIGN_OR_RETURN(evidence::Vault vault, evidence::Vault::Open(paths_.vault, *keys));
  vault_.emplace(std::move(vault));
  return &*vault_;
}

Result<registry::Registry*> Installation::Registry() {
  if (registry_) return registry_.get();
  VIGIL_ASSIGN_OR_RETURN(const evidence::Keys* keys, Keys());
  VIGIL_RETURN_IF_ERROR(Custody().status());
  registry::Session session;
  session.keys = keys;
  session.actor = options_.operator_name;
  session.audit = [this](std::string_view action, std::string_view details) -> Status {
    return Audit(action, details);
  };
  session.clock = options_.clock;
  VIGIL_ASSIGN_OR_RETURN(registry_, registry::Registry::Open(db_->registry(), std::move(session)));
  return registry_.get();
}

// --- scanning ----------------------------------------------------------------

Result<scan::ScanSummary> Installation::Scan(const std::vector<fs::path>& inputs,
                                             const ScanRequest& request,
                                             scan::ScanObserver* observer) {
  scan::ScanOptions options = request.options;
  options.lexicon_dir = options_.data_dir / "lexicons";
  options.vault = nullptr;
  options.custody = nullptr;
  options.face_engine = nullptr;
  options.registry = nullptr;
  if (request.evidence) {
    VIGIL_ASSIGN_OR_RETURN(options.vault, Vault());
    VIGIL_ASSIGN_OR_RETURN(options.custody, Custody());
    options.operator_name = options_.operator_name;
  }

  // Faces: always with kOn; with kAuto when the registry holds photos.
  // Matching them needs the session; without one, faces are stored and
  // Rematch matches them later.
  std::optional<scan::RegistryMatcher> matcher;
  std::unique_ptr<faces::FaceEngine> engine;
  if (request.faces != FacePolicy::kOff) {
    VIGIL_ASSIGN_OR_RETURN(auto photos, db_->registry().Photos(""));
    const bool registry_has_photos = !photos.empty();
    if (registry_has_photos) {
      auto reg = Registry();
      if (!reg.ok()) {
        Notice("the registry is not searched: " + reg.status().message());
      } else {
        VIGIL_ASSIGN_OR_RETURN(auto refs, (*reg)->References());
        matcher.emplace(scan::RegistryMatcher::Build(refs));
        options.registry = &*matcher;
      }
    }
    if (request.faces == FacePolicy::kOn || registry_has_photos) {
      VIGIL_ASSIGN_OR_RETURN(engine,
                             faces::FaceEngine::Load(faces::DefaultModelDir(options_.data_dir)));
      faces::SetBlasThreads(1);  // one engine per worker thread, one core each
      options.face_engine = engine.get();
    }
  }

  VIGIL_ASSIGN_OR_RETURN(auto analyzer, text::Analyzer::Create(options.lexicon_dir));
  const uint64_t log_size = custody_ ? custody_->size() : 0;
  auto summary = scan::RunScan(inputs, options, *analyzer, *db_, observer);
  // Every scan that added to the custody log ends with a signed tree head, so
  // a later bundle can prove what the log held when this scan finished (also
  // after a failed scan: what it logged stays logged).
  if (custody_ && custody_->size() > log_size) {
    auto head = custody_->SignTreeHead(*keys_);
    if (!head.ok()) {
      return Status(head.status().code(), "signing the custody log: " + head.status().message());
    }
  }
  return summary;
}

// --- evidence ----------------------------------------------------------------

Result<std::vector<PostKey>> Installation::ClusterPosts(std::string_view prefix) {
  if (prefix.size() < 8 || !IsLowerHex(prefix)) {
    return Status::InvalidArgument(
        "a cluster is named by a media SHA-256 (at least 8 lower-case hex digits), as the "
        "report shows, not '" +
        std::string(prefix) + "'");
  }
  VIGIL_ASSIGN_OR_RETURN(store::MediaClusters media, store::LoadMediaClusters(store()));
  std::vector<size_t> start;
  for (auto it = media.cluster_of.lower_bound(std::string(prefix));
       it != media.cluster_of.end() && it->first.starts_with(prefix); ++it) {
    start.push_back(it->second);
  }
  if (start.empty()) {
    return Status::NotFound("no media " + std::string(prefix) + "… in the database");
  }
  if (start.size() > 1) {
    return Status::InvalidArgument("media prefix " + std::string(prefix) + " is ambiguous (" +
                                   std::to_string(start.size()) + " files); give more digits");
  }
  std::vector<PostKey> posts;
  for (const auto& a : media.clusters[start[0]].appearances) {
    posts.push_back({a.platform, a.channel_id, a.external_id});
  }
  return posts;
}

Result<std::vector<PostKey>> Installation::SelectPosts(const EvidenceSelection& selection) {
  std::vector<PostKey> keys = selection.posts;
  for (const auto& prefix : selection.clusters) {
    VIGIL_ASSIGN_OR_RETURN(auto posts, ClusterPosts(prefix));
    keys.insert(keys.end(), posts.begin(), posts.end());
  }
  if (!selection.cases.empty()) {  // a case's confirmed sightings (reading them is audited)
    VIGIL_ASSIGN_OR_RETURN(registry::Registry * reg, Registry());
    for (const auto& code : selection.cases) {
      VIGIL_ASSIGN_OR_RETURN(registry::PersonRecord rec, reg->Show(code));
      if (rec.sightings.empty()) {
        return Status::InvalidArgument(
            "case " + code +
            " has no confirmed sighting (vigil registry sighting CASE --post ...)");
      }
      for (const auto& x : rec.sightings) {
        // Field by field: an image folder's post ids hold '/' themselves.
        const auto platform = PlatformFromName(x.platform);
        if (!platform) return Status::Corrupt("case " + code + ": a sighting names no platform");
        keys.push_back({*platform, x.channel_id, x.external_id});
      }
    }
  }
  if (selection.escalated) {
    VIGIL_ASSIGN_OR_RETURN(std::vector<store::Decision> decisions, store().Decisions(std::nullopt));
    // Oldest first: a later confirm or dismiss settles an earlier escalation.
    std::map<PostKey, store::DecisionType> latest;
    for (const store::Decision& d : decisions) latest[d.post] = d.type;
    size_t escalated = 0;
    for (const auto& [key, type] : latest) {
      if (type != store::DecisionType::kEscalate) continue;
      keys.push_back(key);
      ++escalated;
    }
    if (escalated == 0) return Status::NotFound("no post is escalated");
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

Result<size_t> Installation::ExportEvidence(const EvidenceSelection& selection,
                                            const fs::path& out) {
  VIGIL_ASSIGN_OR_RETURN(std::vector<PostKey> keys, SelectPosts(selection));
  std::vector<evidence::BundleItem> items;
  std::set<std::string> seen;
  for (const PostKey& key : keys) {
    VIGIL_ASSIGN_OR_RETURN(std::optional<store::ScanRecord> r, store().GetPost(key));
    if (!r) return Status::NotFound("no post " + FormatPostKey(key) + " in " + db_->url().text);
    for (size_t i = 0; i < r->media.size(); ++i) {
      const auto& info = r->media[i].info;
      if (info && seen.insert(info->sha256).second) {
        items.push_back({info->sha256, r->post.media[i].name});
      }
    }
  }
  if (items.empty()) return Status::NotFound("the posts carry no stored media");
  VIGIL_ASSIGN_OR_RETURN(const evidence::Vault* vault, Vault());
  VIGIL_ASSIGN_OR_RETURN(evidence::CustodyLog * log, Custody());
  evidence::ExportOptions options;
  options.actor = options_.operator_name;
  options.now = Now();
  options.vigil_version = std::string(kVersion);
  const Status s = evidence::ExportBundle(items, *vault, *log, *keys_, out.string(), options);
  if (!s.ok()) {
    return Status(s.code(), s.message() + (s.code() == StatusCode::kNotFound
                                               ? " (scan with --evidence to keep originals in "
                                                 "the vault)"
                                               : ""));
  }
  return items.size();
}

Result<evidence::TreeHead> Installation::SignTreeHead() {
  VIGIL_ASSIGN_OR_RETURN(evidence::CustodyLog * log, Custody());
  return log->SignTreeHead(*keys_);
}

Result<evidence::Verdict> Installation::VerifyInstallation() {
  VIGIL_ASSIGN_OR_RETURN(const evidence::Vault* vault, Vault());
  auto log = Custody();
  if (!log.ok()) return evidence::Verdict{false, {log.status().ToString()}, "", 0};
  return evidence::VerifyInstallation(*vault, **log, *keys_);
}

// --- review decisions ----------------------------------------------------------

Result<int64_t> Installation::Decide(const PostKey& post, store::DecisionType type,
                                     const std::string& note) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<store::ScanRecord> r, store().GetPost(post));
  if (!r) return Status::NotFound("no post " + FormatPostKey(post));
  VIGIL_RETURN_IF_ERROR(
      Audit("decision", std::string(store::DecisionTypeName(type)) + " " + FormatPostKey(post)));
  store::Decision d;
  d.post = post;
  d.type = type;
  d.note = note;
  d.actor = options_.operator_name;
  d.time = Now();
  return store().AddDecision(d);
}

// --- files ---------------------------------------------------------------------

Status WriteFileAtomically(const fs::path& path, const std::function<Status(std::ostream&)>& write,
                           bool owner_only) {
  const fs::path tmp = path.string() + ".tmp";
  std::error_code ec;
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    Status s = out ? write(out) : Status::IoError("cannot write " + tmp.string());
    if (s.ok() && !out.flush()) s = Status::IoError("cannot write " + tmp.string());
    if (!s.ok()) {
      out.close();
      fs::remove(tmp, ec);
      return s;
    }
  }
  if (owner_only) fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, ec);
  fs::rename(tmp, path, ec);
  if (ec) return Status::IoError("cannot write " + path.string() + ": " + ec.message());
  return Status::Ok();
}

Status WriteFileAtomically(const fs::path& path, std::string_view bytes, bool owner_only) {
  return WriteFileAtomically(
      path,
      [bytes](std::ostream& out) {
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        return Status::Ok();
      },
      owner_only);
}

}  // namespace vigil::app
