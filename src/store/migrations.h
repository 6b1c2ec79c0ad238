// Internal to the store module: the schema migrations, in order. Migration i
// (0-based) takes a database from user_version i to i + 1. The SQL lives in
// data/schema/NNN_*.sql and is compiled in by src/store/embed_schema.cmake.
#ifndef VIGIL_SRC_STORE_MIGRATIONS_H_
#define VIGIL_SRC_STORE_MIGRATIONS_H_

#include <span>
#include <string_view>

namespace vigil::store {

struct Migration {
  std::string_view name;  // file name, for error messages
  std::string_view sql;
};

std::span<const Migration> Migrations();

// PostgreSQL's: the first file (008_schema.sql) creates the schema of
// Migrations()[0..7] at once; each later file NNN is Migrations()[NNN-1]'s
// twin. The number in a file's name is the version it brings the database to.
std::span<const Migration> PostgresMigrations();

}  // namespace vigil::store

#endif  // VIGIL_SRC_STORE_MIGRATIONS_H_
