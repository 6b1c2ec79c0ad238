#include "vigil/queue/post_codec.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <limits>
#include <utility>

namespace vigil::queue {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void Str(Writer& w, std::string_view key, std::string_view value) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void WritePost(Writer& w, const Post& p) {
  w.StartObject();
  Str(w, "platform", PlatformName(p.platform));
  w.Key("channel");
  w.StartObject();
  Str(w, "id", p.channel.id);
  Str(w, "title", p.channel.title);
  Str(w, "type", p.channel.type);
  w.EndObject();
  Str(w, "external_id", p.external_id);
  w.Key("author");
  w.StartObject();
  Str(w, "name", p.author.name);
  Str(w, "id", p.author.id);
  w.EndObject();
  w.Key("time");
  w.Int64(p.time);
  w.Key("time_is_utc");
  w.Bool(p.time_is_utc);
  Str(w, "local_time", p.local_time);
  if (p.utc_offset_minutes) {
    w.Key("utc_offset_minutes");
    w.Int(*p.utc_offset_minutes);
  }
  Str(w, "text", p.text);
  w.Key("entities");
  w.StartArray();
  for (const auto& e : p.entities) {
    w.StartObject();
    Str(w, "type", e.type);
    Str(w, "text", e.text);
    Str(w, "href", e.href);
    w.EndObject();
  }
  w.EndArray();
  w.Key("media");
  w.StartArray();
  for (const auto& m : p.media) {
    w.StartObject();
    Str(w, "path", m.path);
    Str(w, "display_path", m.display_path);
    Str(w, "name", m.name);
    Str(w, "kind", MediaKindName(m.kind));
    Str(w, "mime", m.mime);
    if (m.declared_size) {
      w.Key("declared_size");
      w.Uint64(*m.declared_size);
    }
    if (m.declared_width) {
      w.Key("declared_width");
      w.Int(*m.declared_width);
    }
    if (m.declared_height) {
      w.Key("declared_height");
      w.Int(*m.declared_height);
    }
    Str(w, "missing_reason", m.missing_reason);
    w.EndObject();
  }
  w.EndArray();
  Str(w, "forwarded_from", p.forwarded_from);
  Str(w, "reply_to", p.reply_to);
  w.Key("edited");
  w.Bool(p.edited);
  w.Key("service");
  w.Bool(p.service);
  Str(w, "source_file", p.source_file);
  Str(w, "source_item", p.source_item);
  w.EndObject();
}

// Reading: every member is required and typed, so a message from another
// version or a damaged one fails loudly instead of losing a field.
class Fields {
 public:
  Fields(const rapidjson::Value& obj, std::string where) : obj_(obj), where_(std::move(where)) {}

  const rapidjson::Value* Get(const char* key) {
    if (!obj_.IsObject()) return Bad("not an object");
    auto it = obj_.FindMember(key);
    if (it == obj_.MemberEnd()) return Bad(std::string("no ") + key);
    return &it->value;
  }
  const rapidjson::Value* Optional(const char* key) {
    if (!obj_.IsObject()) return Bad("not an object");
    auto it = obj_.FindMember(key);
    return it == obj_.MemberEnd() ? nullptr : &it->value;
  }
  std::string String(const char* key) {
    const rapidjson::Value* v = Get(key);
    if (v == nullptr) return {};
    if (!v->IsString()) {
      Bad(std::string(key) + " is not a string");
      return {};
    }
    return std::string(v->GetString(), v->GetStringLength());
  }
  bool Bool(const char* key) {
    const rapidjson::Value* v = Get(key);
    if (v == nullptr) return false;
    if (!v->IsBool()) {
      Bad(std::string(key) + " is not a boolean");
      return {};
    }
    return v->GetBool();
  }
  int64_t Int64(const char* key) {
    const rapidjson::Value* v = Get(key);
    if (v == nullptr) return 0;
    if (!v->IsInt64()) {
      Bad(std::string(key) + " is not an integer");
      return {};
    }
    return v->GetInt64();
  }
  std::optional<int> OptionalInt(const char* key) {
    const rapidjson::Value* v = Optional(key);
    if (v == nullptr) return std::nullopt;
    if (!v->IsInt()) {
      Bad(std::string(key) + " is not an int");
      return {};
    }
    return v->GetInt();
  }
  std::optional<uint64_t> OptionalUint64(const char* key) {
    const rapidjson::Value* v = Optional(key);
    if (v == nullptr) return std::nullopt;
    if (!v->IsUint64()) {
      Bad(std::string(key) + " is not an unsigned integer");
      return {};
    }
    return v->GetUint64();
  }
  const rapidjson::Value* Array(const char* key) {
    const rapidjson::Value* v = Get(key);
    if (v != nullptr && !v->IsArray()) return Bad(std::string(key) + " is not an array");
    return v;
  }
  const std::string& error() const { return error_; }
  std::nullptr_t Bad(const std::string& why) {
    if (error_.empty()) error_ = where_ + ": " + why;
    return nullptr;
  }

 private:
  const rapidjson::Value& obj_;
  std::string where_;
  std::string error_;
};

Status Corrupt(const std::string& why) { return Status::Corrupt("queue message: " + why); }

Result<Post> ReadPost(const rapidjson::Value& v) {
  Post p;
  Fields f(v, "post");
  const std::string platform = f.String("platform");
  if (f.error().empty()) {
    auto known = PlatformFromName(platform);
    if (!known) return Corrupt("post: unknown platform " + platform);
    p.platform = *known;
  }
  if (const rapidjson::Value* c = f.Get("channel")) {
    Fields cf(*c, "post.channel");
    p.channel.id = cf.String("id");
    p.channel.title = cf.String("title");
    p.channel.type = cf.String("type");
    if (!cf.error().empty()) return Corrupt(cf.error());
  }
  p.external_id = f.String("external_id");
  if (const rapidjson::Value* a = f.Get("author")) {
    Fields af(*a, "post.author");
    p.author.name = af.String("name");
    p.author.id = af.String("id");
    if (!af.error().empty()) return Corrupt(af.error());
  }
  p.time = f.Int64("time");
  p.time_is_utc = f.Bool("time_is_utc");
  p.local_time = f.String("local_time");
  p.utc_offset_minutes = f.OptionalInt("utc_offset_minutes");
  p.text = f.String("text");
  if (const rapidjson::Value* entities = f.Array("entities")) {
    for (const auto& e : entities->GetArray()) {
      Fields ef(e, "post.entities");
      Entity entity;
      entity.type = ef.String("type");
      entity.text = ef.String("text");
      entity.href = ef.String("href");
      if (!ef.error().empty()) return Corrupt(ef.error());
      p.entities.push_back(std::move(entity));
    }
  }
  if (const rapidjson::Value* media = f.Array("media")) {
    for (const auto& m : media->GetArray()) {
      Fields mf(m, "post.media");
      MediaRef ref;
      ref.path = mf.String("path");
      ref.display_path = mf.String("display_path");
      ref.name = mf.String("name");
      const std::string kind = mf.String("kind");
      ref.mime = mf.String("mime");
      ref.declared_size = mf.OptionalUint64("declared_size");
      ref.declared_width = mf.OptionalInt("declared_width");
      ref.declared_height = mf.OptionalInt("declared_height");
      ref.missing_reason = mf.String("missing_reason");
      if (!mf.error().empty()) return Corrupt(mf.error());
      auto k = MediaKindFromName(kind);
      if (!k) return Corrupt("post.media: unknown kind " + kind);
      ref.kind = *k;
      p.media.push_back(std::move(ref));
    }
  }
  p.forwarded_from = f.String("forwarded_from");
  p.reply_to = f.String("reply_to");
  p.edited = f.Bool("edited");
  p.service = f.Bool("service");
  p.source_file = f.String("source_file");
  p.source_item = f.String("source_item");
  if (!f.error().empty()) return Corrupt(f.error());
  return p;
}

Result<rapidjson::Document> Parse(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    return Corrupt(std::string(rapidjson::GetParseError_En(doc.GetParseError())) + " at byte " +
                   std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject()) return Corrupt("not a JSON object");
  return doc;
}

}  // namespace

std::string EncodePost(const Post& post) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  WritePost(w, post);
  return std::string(buf.GetString(), buf.GetSize());
}

Result<Post> DecodePost(std::string_view json) {
  VIGIL_ASSIGN_OR_RETURN(rapidjson::Document doc, Parse(json));
  return ReadPost(doc);
}

std::string EncodeWorkItem(const WorkItem& item) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("v");
  w.Int(1);
  w.Key("seq");
  w.Uint64(item.seq);
  if (item.kind == WorkItem::Kind::kPost) {
    w.Key("post");
    WritePost(w, item.post);
    w.Key("media_files");
    w.StartArray();
    for (const auto& f : item.media_files) {
      w.String(f.data(), static_cast<rapidjson::SizeType>(f.size()));
    }
    w.EndArray();
  } else {
    w.Key("error");
    w.StartObject();
    Str(w, "file", item.error_file);
    Str(w, "item", item.error_item);
    Str(w, "reason", item.error_reason);
    w.EndObject();
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

Result<WorkItem> DecodeWorkItem(std::string_view json) {
  VIGIL_ASSIGN_OR_RETURN(rapidjson::Document doc, Parse(json));
  Fields f(doc, "message");
  const int64_t version = f.Int64("v");
  if (!f.error().empty()) return Corrupt(f.error());
  if (version != 1) return Corrupt("version " + std::to_string(version) + " (this vigil reads 1)");
  WorkItem item;
  const rapidjson::Value* seq = f.Get("seq");
  if (seq == nullptr || !seq->IsUint64()) return Corrupt("message: no seq");
  item.seq = seq->GetUint64();
  if (const rapidjson::Value* post = f.Optional("post")) {
    item.kind = WorkItem::Kind::kPost;
    VIGIL_ASSIGN_OR_RETURN(item.post, ReadPost(*post));
    const rapidjson::Value* files = f.Array("media_files");
    if (files == nullptr) return Corrupt(f.error());
    for (const auto& v : files->GetArray()) {
      if (!v.IsString()) return Corrupt("message: media_files holds a non-string");
      item.media_files.emplace_back(v.GetString(), v.GetStringLength());
    }
    if (item.media_files.size() != item.post.media.size()) {
      return Corrupt("message: " + std::to_string(item.media_files.size()) + " media files for " +
                     std::to_string(item.post.media.size()) + " media");
    }
  } else if (const rapidjson::Value* error = f.Optional("error")) {
    item.kind = WorkItem::Kind::kError;
    Fields ef(*error, "message.error");
    item.error_file = ef.String("file");
    item.error_item = ef.String("item");
    item.error_reason = ef.String("reason");
    if (!ef.error().empty()) return Corrupt(ef.error());
  } else {
    return Corrupt("message: neither a post nor an error");
  }
  return item;
}

Result<Post> WithSharedMedia(Post post, const std::vector<std::string>& media_files) {
  if (media_files.size() != post.media.size()) {
    return Corrupt(std::to_string(media_files.size()) + " media files for " +
                   std::to_string(post.media.size()) + " media");
  }
  for (size_t i = 0; i < media_files.size(); ++i) {
    if (media_files[i].empty()) continue;
    MediaRef& m = post.media[i];
    if (m.display_path.empty()) m.display_path = m.path;
    m.path = media_files[i];
  }
  return post;
}

}  // namespace vigil::queue
