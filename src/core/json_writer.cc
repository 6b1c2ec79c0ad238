#include "vigil/core/json_writer.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>

#include "vigil/core/utf8.h"

namespace vigil {

struct JsonWriter::Impl {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer{buffer};
  std::string out;
};

JsonWriter::JsonWriter() : impl_(std::make_unique<Impl>()) {}
JsonWriter::~JsonWriter() = default;

namespace {
template <typename W>
void WriteString(W& w, std::string_view s) {
  if (IsValidUtf8(s)) {
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  } else {
    const std::string clean = SanitizeUtf8(s);
    w.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
  }
}
}  // namespace

JsonWriter& JsonWriter::BeginObject() {
  impl_->writer.StartObject();
  return *this;
}
JsonWriter& JsonWriter::EndObject() {
  impl_->writer.EndObject();
  return *this;
}
JsonWriter& JsonWriter::BeginArray() {
  impl_->writer.StartArray();
  return *this;
}
JsonWriter& JsonWriter::EndArray() {
  impl_->writer.EndArray();
  return *this;
}
JsonWriter& JsonWriter::Key(std::string_view k) {
  WriteString(impl_->writer, k);
  return *this;
}
JsonWriter& JsonWriter::String(std::string_view s) {
  WriteString(impl_->writer, s);
  return *this;
}
JsonWriter& JsonWriter::Int(int64_t v) {
  impl_->writer.Int64(v);
  return *this;
}
JsonWriter& JsonWriter::Double(double v) {
  if (std::isfinite(v)) {
    impl_->writer.Double(v);
  } else {
    impl_->writer.Null();
  }
  return *this;
}
JsonWriter& JsonWriter::Bool(bool v) {
  impl_->writer.Bool(v);
  return *this;
}
JsonWriter& JsonWriter::Null() {
  impl_->writer.Null();
  return *this;
}

const std::string& JsonWriter::str() {
  impl_->out.assign(impl_->buffer.GetString(), impl_->buffer.GetSize());
  return impl_->out;
}

}  // namespace vigil
