// JSONL schema (one JSON object per line, UTF-8; blank lines are ignored):
//
//   {
//     "platform": "telegram" | "whatsapp" | "facebook" | "jsonl" | "folder"
//                 optional; default and fallback for other names: "jsonl"
//     "channel":  "name"  or  {"id": string|number, "title": string, "type": string}
//                 optional; default: the file name without extension
//     "id":       string | integer                       REQUIRED, unique per channel
//     "time":     ISO-8601 "2024-03-05T07:08:09" with optional fraction and
//                 "Z"/"+hh:mm" (with an offset the time is UTC; without, it is
//                 a wall-clock time), or a number of Unix seconds (UTC);
//                 optional (absent: 0, not UTC)
//     "author":   "name"  or  {"name": string, "id": string|number}
//     "text":     string
//     "media":    [ "relative/path.jpg" | {"path": string, "type": "photo"|"video"|
//                   "audio"|"sticker"|"animation"|"document"|"other",
//                   "mime": string, "size": integer} ]
//                 paths are relative to the folder of the JSONL file and may not
//                 leave it; http(s) URLs are kept as references ("remote url")
//     "forwarded_from": string
//     "reply_to": string | integer   (id of the replied-to post)
//     "edited":   bool
//     "service":  bool               (a system event rather than a post)
//   }
//
// Unknown keys are ignored. A line over Limits::max_line_bytes, with invalid
// UTF-8, that is not a JSON object, or with a field of the wrong type is
// reported as "line N" and skipped.
#include "src/ingest/jsonl_reader.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "src/ingest/ingest_util.h"
#include "src/ingest/json_helpers.h"
#include "vigil/core/time.h"
#include "vigil/core/utf8.h"

namespace vigil::ingest {
namespace {

namespace fs = std::filesystem;
using rapidjson::Value;

std::optional<std::string> IdOf(const Value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->IsString()) return *AsString(v);
  if (v->IsInt64() || v->IsUint64()) return IdToString(*AsInt64(v));
  return std::nullopt;
}

class JsonlReader : public Reader {
 public:
  JsonlReader(fs::path file, ReaderOptions options)
      : file_(std::move(file)), options_(std::move(options)) {
    root_ = file_.parent_path();
    if (root_.empty()) root_ = ".";
  }
  std::string Describe() const override { return "jsonl: " + file_.string(); }
  Status Read(PostSink& sink) override;
  uint64_t SizeBytes() const override { return FileBytes(file_); }

 private:
  Status Line(std::string& line, int64_t number, PostSink& sink);
  Result<Post> Convert(const Value& o);
  Result<MediaRef> Media(const Value& v);

  fs::path file_;
  fs::path root_;
  ReaderOptions options_;
};

Result<MediaRef> JsonlReader::Media(const Value& v) {
  MediaRef ref;
  std::string path;
  if (v.IsString()) {
    path = *AsString(&v);
  } else if (v.IsObject()) {
    auto p = AsString(Member(v, "path"));
    if (!p) return Status::Corrupt("media object without \"path\"");
    path = *p;
    if (auto type = AsString(Member(v, "type"))) {
      static constexpr MediaKind kKinds[] = {
          MediaKind::kPhoto,     MediaKind::kVideo,    MediaKind::kAudio, MediaKind::kSticker,
          MediaKind::kAnimation, MediaKind::kDocument, MediaKind::kOther};
      bool found = false;
      for (MediaKind k : kKinds) {
        if (MediaKindName(k) == *type) {
          ref.kind = k;
          found = true;
        }
      }
      if (!found) return Status::Corrupt("unknown media type \"" + *type + "\"");
    }
    ref.mime = StringOr(v, "mime");
    if (auto size = AsInt64(Member(v, "size")); size && *size >= 0) ref.declared_size = *size;
  } else {
    return Status::Corrupt("media entry is neither a string nor an object");
  }
  if (path.starts_with("http://") || path.starts_with("https://")) {
    ref.name = path;
    ref.missing_reason = "remote url";
    return ref;
  }
  ref.name = BaseName(path);
  ResolvedPath r = ResolveInside(root_, path);
  ref.path = std::move(r.path);
  ref.missing_reason = std::move(r.missing_reason);
  return ref;
}

Result<Post> JsonlReader::Convert(const Value& o) {
  Post p;
  p.platform = Platform::kJsonl;
  if (auto name = AsString(Member(o, "platform"))) {
    if (auto platform = PlatformFromName(*name)) p.platform = *platform;
  }
  auto id = IdOf(Member(o, "id"));
  if (!id || id->empty()) return Status::Corrupt("missing or invalid \"id\"");
  p.external_id = *id;

  const Value* ch = Member(o, "channel");
  if (ch == nullptr) {
    p.channel = {file_.stem().string(), file_.stem().string(), "jsonl"};
  } else if (ch->IsString()) {
    p.channel.id = p.channel.title = *AsString(ch);
  } else if (ch->IsObject()) {
    p.channel.id = IdOf(Member(*ch, "id")).value_or("");
    p.channel.title = StringOr(*ch, "title");
    p.channel.type = StringOr(*ch, "type");
    if (p.channel.id.empty()) p.channel.id = p.channel.title;
  } else {
    return Status::Corrupt("\"channel\" is neither a string nor an object");
  }

  if (const Value* t = Member(o, "time")) {
    if (t->IsString()) {
      std::optional<int> offset;
      auto secs = ParseIso8601(*AsString(t), &offset);
      if (!secs) return Status::Corrupt("\"time\" is not ISO-8601");
      p.time = *secs;
      p.time_is_utc = offset.has_value();
      p.local_time = *AsString(t);
      if (offset) p.utc_offset_minutes = *offset;
    } else if (t->IsNumber()) {
      const double d = t->GetDouble();
      if (!(d > -1e13 && d < 1e13)) return Status::Corrupt("\"time\" out of range");
      p.time = t->IsInt64() ? t->GetInt64() : static_cast<int64_t>(d);
      p.time_is_utc = true;
    } else {
      return Status::Corrupt("\"time\" is neither a string nor a number");
    }
  }

  if (const Value* a = Member(o, "author")) {
    if (a->IsString()) {
      p.author.name = *AsString(a);
    } else if (a->IsObject()) {
      p.author.name = StringOr(*a, "name");
      p.author.id = IdOf(Member(*a, "id")).value_or("");
    } else if (!a->IsNull()) {
      return Status::Corrupt("\"author\" is neither a string nor an object");
    }
  }
  if (const Value* t = Member(o, "text"); t != nullptr && !t->IsNull()) {
    if (!t->IsString()) return Status::Corrupt("\"text\" is not a string");
    p.text = *AsString(t);
  }
  if (const Value* m = Member(o, "media"); m != nullptr && !m->IsNull()) {
    if (!m->IsArray()) return Status::Corrupt("\"media\" is not an array");
    for (const Value& e : m->GetArray()) {
      Result<MediaRef> ref = Media(e);
      if (!ref.ok()) return ref.status();
      p.media.push_back(std::move(ref).value());
    }
  }
  p.forwarded_from = StringOr(o, "forwarded_from");
  p.reply_to = IdOf(Member(o, "reply_to")).value_or("");
  if (const Value* e = Member(o, "edited"); e != nullptr && e->IsBool()) p.edited = e->GetBool();
  if (const Value* s = Member(o, "service"); s != nullptr && s->IsBool()) p.service = s->GetBool();
  return p;
}

Status JsonlReader::Line(std::string& line, int64_t number, PostSink& sink) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.find_first_not_of(" \t") == std::string::npos) return Status::Ok();
  const std::string item = "line " + std::to_string(number);
  if (!IsValidUtf8(line)) {
    sink.OnError({file_.string(), item, "invalid UTF-8"});
    return Status::Ok();
  }
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(line.data(), line.size());
  if (doc.HasParseError()) {
    sink.OnError({file_.string(), item,
                  std::string("invalid JSON at column ") +
                      std::to_string(doc.GetErrorOffset() + 1) + ": " +
                      rapidjson::GetParseError_En(doc.GetParseError())});
    return Status::Ok();
  }
  if (!doc.IsObject()) {
    sink.OnError({file_.string(), item, "not a JSON object"});
    return Status::Ok();
  }
  Result<Post> post = Convert(doc);
  if (!post.ok()) {
    sink.OnError({file_.string(), item, post.status().message()});
    return Status::Ok();
  }
  post->source_file = file_.string();
  post->source_item = item;
  return sink.OnPost(std::move(post).value());
}

Status JsonlReader::Read(PostSink& sink) {
  auto f = OpenForRead(file_);
  if (!f.ok()) return f.status();
  const uint64_t max_line = options_.limits.max_line_bytes;
  std::vector<char> buf(64 * 1024);
  std::string line;
  bool overlong = false;
  int64_t number = 1;
  auto finish = [&]() -> Status {
    Status st;
    if (overlong) {
      sink.OnError({file_.string(), "line " + std::to_string(number),
                    "longer than " + std::to_string(max_line) + " bytes, skipped"});
    } else {
      st = Line(line, number, sink);
    }
    line.clear();
    overlong = false;
    ++number;
    return st;
  };
  for (;;) {
    const size_t n = std::fread(buf.data(), 1, buf.size(), f->get());
    if (n == 0) break;
    sink.OnBytesRead(n);
    std::string_view chunk(buf.data(), n);
    while (!chunk.empty()) {
      const size_t nl = chunk.find('\n');
      const std::string_view part = chunk.substr(0, nl);
      if (!overlong) {
        if (line.size() + part.size() > max_line) {
          overlong = true;
          std::string().swap(line);  // release the memory of the partial line
        } else {
          line.append(part);
        }
      }
      if (nl == std::string_view::npos) break;
      VIGIL_RETURN_IF_ERROR(finish());
      chunk.remove_prefix(nl + 1);
    }
  }
  if (std::ferror(f->get())) return Status::IoError(file_.string() + ": read error");
  if (!line.empty() || overlong) VIGIL_RETURN_IF_ERROR(finish());
  return Status::Ok();
}

}  // namespace

std::unique_ptr<Reader> MakeJsonlReader(const fs::path& file, const ReaderOptions& options) {
  return std::make_unique<JsonlReader>(file, options);
}

}  // namespace vigil::ingest
