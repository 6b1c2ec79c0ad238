// JsonWriter: builds one compact JSON document into a string (RapidJSON's
// writer behind a small interface, so callers need not know RapidJSON).
// Strings must be UTF-8; invalid sequences are replaced with U+FFFD so the
// output is always valid JSON. Not thread-safe; one per document.
#ifndef VIGIL_CORE_JSON_WRITER_H_
#define VIGIL_CORE_JSON_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace vigil {

class JsonWriter {
 public:
  JsonWriter();
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view k);
  JsonWriter& String(std::string_view s);
  JsonWriter& Int(int64_t v);
  JsonWriter& Double(double v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();

  // The document so far; complete once every Begin has its End.
  const std::string& str();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil

#endif  // VIGIL_CORE_JSON_WRITER_H_
