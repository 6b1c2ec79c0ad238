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

}  // namespace vigil::store

#endif  // VIGIL_SRC_STORE_MIGRATIONS_H_
