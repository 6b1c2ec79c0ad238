#include "src/store/codec.h"

#include <rapidjson/document.h>

#include <array>
#include <string>
#include <utility>

namespace vigil::store {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void String(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

std::string_view View(const rapidjson::StringBuffer& b) {
  return std::string_view(b.GetString(), b.GetSize());
}

std::string Member(const rapidjson::Value& obj, const char* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsString()) return {};
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

size_t SizeMember(const rapidjson::Value& obj, const char* name) {
  auto it = obj.FindMember(name);
  return it != obj.MemberEnd() && it->value.IsUint64() ? it->value.GetUint64() : 0;
}

Status ParseArray(std::string_view json, const char* what, rapidjson::Document& doc) {
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError() || !doc.IsArray()) {
    return Status::Corrupt(std::string("stored ") + what + " are not a JSON array");
  }
  return Status::Ok();
}

}  // namespace

std::string_view JsonEncoder::Entities(const std::vector<Entity>& entities) {
  entities_.Clear();
  Writer w(entities_);
  w.StartArray();
  for (const Entity& e : entities) {
    w.StartObject();
    w.Key("type");
    String(w, e.type);
    w.Key("text");
    String(w, e.text);
    if (!e.href.empty()) {
      w.Key("href");
      String(w, e.href);
    }
    w.EndObject();
  }
  w.EndArray();
  return View(entities_);
}

std::string_view JsonEncoder::Reasons(const std::vector<text::Reason>& reasons) {
  reasons_.Clear();
  Writer w(reasons_);
  w.StartArray();
  for (const text::Reason& r : reasons) {
    w.StartObject();
    w.Key("class");
    String(w, r.klass);
    w.Key("term");
    String(w, r.term);
    w.Key("lang");
    String(w, r.lang);
    w.Key("begin");
    w.Uint64(r.span.begin);
    w.Key("end");
    w.Uint64(r.span.end);
    w.EndObject();
  }
  w.EndArray();
  return View(reasons_);
}

std::string EncodeLabels(const std::vector<std::string>& labels) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartArray();
  for (const std::string& l : labels)
    w.String(l.data(), static_cast<rapidjson::SizeType>(l.size()));
  w.EndArray();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Status DecodeLabels(std::string_view json, std::vector<std::string>* out) {
  rapidjson::Document doc;
  VIGIL_RETURN_IF_ERROR(ParseArray(json, "labels", doc));
  out->clear();
  for (const auto& v : doc.GetArray()) {
    if (!v.IsString()) return Status::Corrupt("stored label is not a JSON string");
    out->emplace_back(v.GetString(), v.GetStringLength());
  }
  return Status::Ok();
}

Status DecodeEntities(std::string_view json, std::vector<Entity>* out) {
  rapidjson::Document doc;
  VIGIL_RETURN_IF_ERROR(ParseArray(json, "entities", doc));
  out->clear();
  out->reserve(doc.Size());
  for (const auto& v : doc.GetArray()) {
    if (!v.IsObject()) return Status::Corrupt("stored entity is not a JSON object");
    out->push_back({Member(v, "type"), Member(v, "text"), Member(v, "href")});
  }
  return Status::Ok();
}

Status DecodeReasons(std::string_view json, std::vector<text::Reason>* out) {
  rapidjson::Document doc;
  VIGIL_RETURN_IF_ERROR(ParseArray(json, "reasons", doc));
  out->clear();
  out->reserve(doc.Size());
  for (const auto& v : doc.GetArray()) {
    if (!v.IsObject()) return Status::Corrupt("stored reason is not a JSON object");
    out->push_back({Member(v, "class"),
                    Member(v, "term"),
                    Member(v, "lang"),
                    {SizeMember(v, "begin"), SizeMember(v, "end")}});
  }
  return Status::Ok();
}

}  // namespace vigil::store
