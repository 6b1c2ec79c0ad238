// Evidence bundles: a signed, self-verifying zip of originals for a court.
//
// Layout (entries in this order; the zip is written deterministically —
// stored entries, fixed timestamps, no extra fields — so any edit to the
// container, not only to the contents, is detected):
//   manifest.json   {"format":"vigil-bundle-1","created":T,"vigil_version":"..",
//                    "signing_key_id":"..","items":[{"path","sha256","size",
//                    ["acquisition_seq":N]}],"custody":[{"seq","line","proof":[hex..]}],
//                    "tree_head":{"size","root","time","key_id","signature"},
//                    "public_keys":[{"key_id","public_key","valid_from","valid_until"}]}
//   manifest.sig    64 raw bytes: Ed25519 detached signature over manifest.json
//   originals/<sha[0:16]>_<name>   the decrypted originals
// "custody" holds every log entry naming an exported item (including the
// export entry itself; acquire entries carry the AcquisitionRecord), each as its exact log line
// with an RFC 6962 inclusion proof against "tree_head", a head signed at export time.
//
// Thread-safety: the functions are reentrant; ExportBundle appends to the
// log, so calls sharing a CustodyLog must be serialised by the caller.
#ifndef VIGIL_EVIDENCE_BUNDLE_H_
#define VIGIL_EVIDENCE_BUNDLE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/limits.h"
#include "vigil/core/status.h"
#include "vigil/evidence/custody.h"
#include "vigil/evidence/keys.h"
#include "vigil/evidence/vault.h"

namespace vigil::evidence {

struct BundleItem {
  std::string sha256;  // an original in the vault
  std::string name;    // file name to show ("IMG_0012.jpg"); sanitised
};

struct ExportOptions {
  std::string actor;  // recorded in the custody log
  int64_t now = 0;    // manifest "created" (injected clock)
  std::string vigil_version = "0.1.0";
  std::function<void(std::string_view)> hook;  // test hook: after each zip entry
};

// Writes the bundle to `out_zip` through a temp file + fsync + rename (a
// crash leaves no file at `out_zip`). Appends an "export" entry to `log` and
// signs a new tree head first. kNotFound when an item is not in the vault,
// kInvalidArgument for no items/actor or duplicate items, kIoError on write,
// kCorrupt when a vault file fails its check (nothing is written then).
Status ExportBundle(const std::vector<BundleItem>& items, const Vault& vault, CustodyLog& log,
                    const Keys& keys, const std::string& out_zip, const ExportOptions& options);

struct VerifyOptions {
  Limits limits;
  // When non-empty, the bundle must be signed by one of these keys (compared
  // by key bytes); otherwise the verdict names the foreign key.
  std::vector<PublicKeyInfo> trusted_keys;
};

struct Verdict {
  bool ok = false;
  // One line per problem, naming the part: "originals/ab12_x.jpg: sha256
  // mismatch", "manifest.sig: bad signature", "custody entry 12: chain broken".
  std::vector<std::string> problems;
  std::string signer_key_id;
  uint64_t items = 0;
};

// Verifies a bundle offline using only its own bytes (and trusted_keys when
// given). Never crashes on hostile input: unsafe or duplicate entry names,
// truncation and oversize entries become problems.
Verdict VerifyBundle(const std::string& zip_path, const VerifyOptions& options = {});

// Checks an installation: every vault file, the custody chain and every
// signed tree head (against keys.public_keys()), and that every item named in
// the log is in the vault.
Verdict VerifyInstallation(const Vault& vault, const CustodyLog& log, const Keys& keys);

}  // namespace vigil::evidence

#endif  // VIGIL_EVIDENCE_BUNDLE_H_
