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
#include "vigil/evidence/bundle.h"
#include "vigil/evidence/custody.h"

namespace vigil::cli {

namespace fs = std::filesystem;

namespace {

struct EvidenceArgs {
  InstallationArgs inst;
  std::vector<std::string> posts;
  std::string out;
  std::string bundle;
  std::vector<std::string> cases;
  std::vector<std::string> clusters;
  bool escalated = false;
};

app::InstallationOptions KeyFileOptions(const EvidenceArgs& a) {
  app::InstallationOptions o;
  o.db = a.inst.db;
  o.home = a.inst.home;
  o.keys = a.inst.keys;
  o.passphrase = app::PassphraseFromFileOrEnv(a.inst.passphrase_file);
  return o;
}

int RunKeysInit(const EvidenceArgs& a, const Context& ctx, bool rotate) {
  const app::InstallationOptions o = KeyFileOptions(a);
  auto key_id = app::InitKeys(o, rotate);
  if (!key_id.ok()) return Fail(ctx, "keys", key_id.status().ToString());
  auto paths = app::PathsFor(o);
  std::cerr << (rotate ? "rotated" : "created") << " " << (paths.ok() ? paths->keys : o.keys)
            << "; signing key " << *key_id << "\n";
  return kExitOk;
}

int RunEvidenceExport(const EvidenceArgs& a, const Context& ctx) {
  app::EvidenceSelection selection;
  for (const auto& text : a.posts) {
    auto key = ParsePostKey(text);
    if (!key) {
      std::cerr << "vigil evidence export: --post takes PLATFORM/CHANNEL/ID, got " << text << "\n";
      return kExitUsage;
    }
    selection.posts.push_back(*key);
  }
  selection.cases = a.cases;
  selection.clusters = a.clusters;
  selection.escalated = a.escalated;
  auto inst = OpenInstallation(a.inst, "evidence export", /*create=*/false);
  if (!inst.ok()) return Fail(ctx, "evidence export", inst.status().ToString());
  auto originals = (*inst)->ExportEvidence(selection, a.out);
  if (!originals.ok()) return Fail(ctx, "evidence export", originals.status().ToString());
  std::cerr << "bundle: " << a.out << " (" << *originals << " originals)\n";
  return kExitOk;
}

// Signs the custody log's current tree head (on demand; scans and exports
// also sign one).
int RunSign(const EvidenceArgs& a, const Context& ctx) {
  auto inst = OpenInstallation(a.inst, "evidence sign", /*create=*/false);
  if (!inst.ok()) return Fail(ctx, "evidence sign", inst.status().ToString());
  auto head = (*inst)->SignTreeHead();
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
  auto inst = OpenInstallation(a.inst, "verify", /*create=*/false);
  if (!inst.ok()) return Fail(ctx, "verify", inst.status().ToString());
  auto verdict = (*inst)->VerifyInstallation();
  if (!verdict.ok()) return Fail(ctx, "verify", verdict.status().ToString());
  return PrintVerdict(*verdict, (*inst)->paths().home + " (vault, custody log, keys)");
}

void AddKeyOptions(CLI::App* cmd, EvidenceArgs& a) { AddInstallationOptions(cmd, a.inst); }

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
  exp->add_flag("--escalated", args->escalated,
                "Every post whose latest review decision is an escalation");
  exp->add_option("-o,--out", args->out, "Bundle to write (.zip)")->required();
  AddKeyOptions(exp, *args);
  exp->callback([args, &ctx] {
    if (args->posts.empty() && args->cases.empty() && args->clusters.empty() && !args->escalated) {
      std::cerr << "vigil evidence export: give --post, --case, --cluster or --escalated\n";
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
