#include "vigil/store/database.h"

#include <chrono>
#include <string>

#include "src/store/backend.h"
#include "src/store/migrations.h"

namespace vigil::store {

Result<DatabaseUrl> ParseDatabaseUrl(std::string_view url) {
  DatabaseUrl out;
  out.text = std::string(url);
  if (url.empty()) return Status::InvalidArgument("empty database URL");
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    out.backend = Backend::kPostgresql;
    return out;
  }
  if (url.starts_with("sqlite://")) {
    out.path = std::string(url.substr(9));
    if (out.path.empty()) return Status::InvalidArgument("no path in database URL " + out.text);
    return out;
  }
  if (const size_t colon = url.find("://"); colon != std::string_view::npos) {
    return Status::InvalidArgument("unknown database URL scheme '" +
                                   std::string(url.substr(0, colon)) +
                                   "' (a path, sqlite://PATH or postgresql://...)");
  }
  out.path = std::string(url);
  return out;
}

Result<std::unique_ptr<Database>> Open(std::string_view url, const OpenOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(DatabaseUrl parsed, ParseDatabaseUrl(url));
  switch (parsed.backend) {
    case Backend::kSqlite:
      return OpenSqliteDatabase(std::move(parsed), options);
    case Backend::kPostgresql:
      return OpenPostgresDatabase(std::move(parsed), options);
  }
  return Status::Internal("unknown backend");
}

int64_t SystemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status SqlDatabase::Init(const OpenOptions& options) {
  VIGIL_ASSIGN_OR_RETURN(posts_, NewSqlStore(db_.get(), options.now ? options.now : SystemNow));
  registry_ = NewSqlRegistryStore(db_.get());
  accounts_ = NewSqlAccountStore(db_.get());
  return Status::Ok();
}

Status SqlDatabase::InTransaction(const std::function<Status()>& fn) {
  WriteTransaction txn(db_.get());
  VIGIL_RETURN_IF_ERROR(txn.Begin());
  VIGIL_RETURN_IF_ERROR(fn());
  return txn.Commit();
}

std::string RedactUrl(std::string_view url) {
  std::string out(url);
  const size_t scheme = out.find("://");
  const size_t at = out.find('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return out;
  const size_t colon = out.find(':', scheme + 3);
  if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  return out;
}

int SchemaVersion() { return static_cast<int>(Migrations().size()); }

}  // namespace vigil::store
