// Internal to the store module: how values that SQLite has no type for are
// spelt in the database — enum names and the JSON of entities and reasons.
// The JSON is documented in data/schema/001_init.sql. Thread-compatible.
#ifndef VIGIL_SRC_STORE_CODEC_H_
#define VIGIL_SRC_STORE_CODEC_H_

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/core/post.h"
#include "vigil/core/status.h"
#include "vigil/text/analyzer.h"

namespace vigil::store {

// Encodes into buffers it owns and reuses; a returned view stays valid until
// the next call of the same method.
class JsonEncoder {
 public:
  std::string_view Entities(const std::vector<Entity>& entities);
  std::string_view Reasons(const std::vector<text::Reason>& reasons);

 private:
  rapidjson::StringBuffer entities_;
  rapidjson::StringBuffer reasons_;
};

// Hash-list labels: a JSON array of strings.
std::string EncodeLabels(const std::vector<std::string>& labels);
Status DecodeLabels(std::string_view json, std::vector<std::string>* out);

Status DecodeEntities(std::string_view json, std::vector<Entity>* out);
Status DecodeReasons(std::string_view json, std::vector<text::Reason>* out);

}  // namespace vigil::store

#endif  // VIGIL_SRC_STORE_CODEC_H_
