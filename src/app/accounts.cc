// Installation's account use cases (the review app's users), the audit
// entries every use case appends, and who acts.
#include <algorithm>
#include <cctype>
#include <string>

#include "vigil/app/installation.h"
#include "vigil/evidence/credentials.h"

namespace vigil::app {
namespace {

constexpr size_t kMinPassword = 12;
constexpr size_t kMaxPassword = 1024;

Status CheckAccountName(const std::string& name) {
  const bool ok =
      !name.empty() && name.size() <= 64 && std::isalnum(static_cast<unsigned char>(name[0])) &&
      std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
      });
  if (ok) return Status::Ok();
  return Status::InvalidArgument("account name '" + name +
                                 "' must be 1-64 letters, digits, '.', '_' or '-', starting "
                                 "with a letter or digit");
}

Status CheckPassword(std::string_view password) {
  if (password.size() < kMinPassword) {
    return Status::InvalidArgument("a password needs at least " + std::to_string(kMinPassword) +
                                   " characters");
  }
  if (password.size() > kMaxPassword) {
    return Status::InvalidArgument("a password may have at most " + std::to_string(kMaxPassword) +
                                   " bytes");
  }
  return Status::Ok();
}

}  // namespace

Status Installation::AddAccount(const std::string& name, store::Role role,
                                std::string_view password) {
  VIGIL_RETURN_IF_ERROR(CheckAccountName(name));
  VIGIL_RETURN_IF_ERROR(CheckPassword(password));
  VIGIL_ASSIGN_OR_RETURN(std::optional<store::Account> existing, db_->accounts().GetAccount(name));
  if (existing) return Status::InvalidArgument("account '" + name + "' exists already");
  VIGIL_ASSIGN_OR_RETURN(std::string hash, evidence::HashPassword(password));
  VIGIL_RETURN_IF_ERROR(Audit("account.add", name + " " + std::string(store::RoleName(role))));
  store::Account a;
  a.name = name;
  a.role = role;
  a.password_hash = std::move(hash);
  a.created = a.updated = Now();
  return db_->accounts().AddAccount(a);
}

Result<std::vector<store::Account>> Installation::ListAccounts() {
  return db_->accounts().ListAccounts();
}

Status Installation::SetAccountDisabled(const std::string& name, bool disabled) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<store::Account> a, db_->accounts().GetAccount(name));
  if (!a) return Status::NotFound("no account '" + name + "'");
  VIGIL_RETURN_IF_ERROR(Audit(disabled ? "account.disable" : "account.enable", name));
  store::AccountChange c;
  c.disabled = disabled;
  c.updated = Now();
  return db_->accounts().UpdateAccount(name, c);
}

Status Installation::SetAccountPassword(const std::string& name, std::string_view password) {
  VIGIL_RETURN_IF_ERROR(CheckPassword(password));
  VIGIL_ASSIGN_OR_RETURN(std::optional<store::Account> a, db_->accounts().GetAccount(name));
  if (!a) return Status::NotFound("no account '" + name + "'");
  VIGIL_ASSIGN_OR_RETURN(std::string hash, evidence::HashPassword(password));
  VIGIL_RETURN_IF_ERROR(Audit("account.password", name));
  store::AccountChange c;
  c.password_hash = std::move(hash);
  c.updated = Now();
  return db_->accounts().UpdateAccount(name, c);
}

Result<std::optional<store::Account>> Installation::Authenticate(const std::string& name,
                                                                 std::string_view password) {
  VIGIL_ASSIGN_OR_RETURN(std::optional<store::Account> a, db_->accounts().GetAccount(name));
  if (!a) {
    // The same work as for a real account, so that timing does not tell
    // which names exist.
    static const Result<std::string> dummy = evidence::HashPassword("not an account's password");
    if (dummy.ok()) evidence::VerifyPassword(*dummy, password);
    return std::optional<store::Account>();
  }
  if (!evidence::VerifyPassword(a->password_hash, password) || a->disabled) {
    return std::optional<store::Account>();
  }
  return a;
}

void Installation::ActAs(std::string actor) {
  if (actor.empty()) return;
  options_.operator_name = std::move(actor);
  if (registry_) registry_->SetActor(options_.operator_name);
}

Status Installation::Audit(std::string_view action, std::string_view details,
                           std::vector<std::string> items) {
  VIGIL_ASSIGN_OR_RETURN(evidence::CustodyLog * log, Custody());
  evidence::CustodyEntry e;
  e.actor = options_.operator_name;
  e.action = std::string(action);
  e.details = std::string(details);
  e.items = std::move(items);
  return log->Append(std::move(e)).status();
}

Result<std::vector<evidence::CustodyEntry>> Installation::AuditEntries(uint64_t from_seq,
                                                                       size_t limit) {
  VIGIL_ASSIGN_OR_RETURN(evidence::CustodyLog * log, Custody());
  std::vector<evidence::CustodyEntry> out;
  for (const auto& e : log->entries()) {
    if (e.seq < from_seq) continue;
    if (out.size() >= limit) break;
    out.push_back(e);
  }
  return out;
}

}  // namespace vigil::app
