#include "src/ingest/facebook_reader.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <map>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "src/ingest/ingest_util.h"
#include "src/ingest/json_helpers.h"

namespace vigil::ingest {

namespace fs = std::filesystem;
using rapidjson::Value;

fs::path FacebookExportRoot(const fs::path& json_file) {
  std::error_code ec;
  fs::path dir = fs::absolute(json_file, ec).lexically_normal().parent_path();
  fs::path section_parent;  // parent of the nearest messages/posts/comments folder
  for (fs::path p = dir; !p.empty() && p != p.root_path(); p = p.parent_path()) {
    const std::string name = p.filename().string();
    if (name == "your_facebook_activity" || name == "your_instagram_activity") {
      return p.parent_path();
    }
    if (section_parent.empty() && (name == "messages" || name == "posts" || name == "comments" ||
                                   name == "comments_and_reactions")) {
      section_parent = p.parent_path();
    }
  }
  return section_parent.empty() ? dir : section_parent;
}

namespace {

std::optional<std::string> FbString(const Value* v) {
  if (v == nullptr || !v->IsString()) return std::nullopt;
  return FixMojibake(std::string_view(v->GetString(), v->GetStringLength()));
}

std::string FbStringOr(const Value& obj, const char* key) {
  auto s = FbString(Member(obj, key));
  return s ? *s : std::string();
}

class FacebookReader : public Reader {
 public:
  FacebookReader(fs::path file, ReaderOptions options)
      : file_(std::move(file)), options_(std::move(options)), root_(FacebookExportRoot(file_)) {}
  std::string Describe() const override { return "facebook json: " + file_.string(); }
  Status Read(PostSink& sink) override;
  uint64_t SizeBytes() const override { return FileBytes(file_); }

 private:
  Status ReadThread(const Value& doc, PostSink& sink);
  Status ReadPosts(const Value& items, PostSink& sink);
  Status ReadComments(const Value& items, PostSink& sink);
  MediaRef MediaFromUri(const std::string& uri, MediaKind kind) const;
  void AddAttachments(const Value& item, Post& post) const;
  void Error(PostSink& sink, std::string item, std::string reason) const {
    sink.OnError({file_.string(), std::move(item), std::move(reason)});
  }

  fs::path file_;
  ReaderOptions options_;
  fs::path root_;
};

MediaRef FacebookReader::MediaFromUri(const std::string& uri, MediaKind kind) const {
  MediaRef ref;
  ref.kind = kind;
  ref.name = BaseName(uri);
  if (uri.starts_with("http://") || uri.starts_with("https://")) {
    ref.name = uri;
    ref.missing_reason = "remote url";
    return ref;
  }
  ResolvedPath r = ResolveInside(root_, uri);
  ref.path = std::move(r.path);
  ref.missing_reason = std::move(r.missing_reason);
  return ref;
}

Status FacebookReader::ReadThread(const Value& doc, PostSink& sink) {
  const Value& messages = doc["messages"];
  Channel channel;
  channel.title = FbStringOr(doc, "title");
  if (channel.title.empty()) channel.title = FbStringOr(doc, "threadName");
  if (channel.title.empty()) {
    if (const Value* ps = Member(doc, "participants"); ps != nullptr && ps->IsArray()) {
      for (const Value& p : ps->GetArray()) {
        std::string name = p.IsString() ? *FbString(&p) : FbStringOr(p, "name");
        if (name.empty()) continue;
        if (!channel.title.empty()) channel.title += ", ";
        channel.title += name;
      }
    }
  }
  channel.id = FbStringOr(doc, "thread_path");
  if (channel.id.empty()) channel.id = file_.parent_path().filename().string();
  if (channel.id.empty() || channel.id == ".") channel.id = channel.title;
  channel.type = FbStringOr(doc, "thread_type");
  if (channel.type.empty()) channel.type = "message_thread";

  std::map<std::pair<int64_t, std::string>, int> seen;
  const rapidjson::SizeType n = messages.Size();
  // DYI writes newest first; some tools write oldest first. Emit oldest first.
  auto ts_of = [](const Value& m) {
    auto t = AsInt64(Member(m, "timestamp_ms"));
    return t ? t : AsInt64(Member(m, "timestamp"));
  };
  const bool reverse = n > 1 && ts_of(messages[0]) > ts_of(messages[n - 1]);
  for (rapidjson::SizeType j = 0; j < n; ++j) {
    const rapidjson::SizeType i = reverse ? n - 1 - j : j;
    const Value& m = messages[i];
    const std::string item = "message #" + std::to_string(i);
    if (!m.IsObject()) {
      Error(sink, item, "not a JSON object");
      continue;
    }
    std::optional<int64_t> ts = AsInt64(Member(m, "timestamp_ms"));
    if (!ts) ts = AsInt64(Member(m, "timestamp"));  // E2EE form, also ms
    if (!ts) {
      Error(sink, item, "no \"timestamp_ms\"");
      continue;
    }
    // A message's text that is not a string (an array, an object, a JSON
    // nested a million deep) is damage, not an empty message.
    if (const Value* c = Member(m, "content"); c != nullptr && !c->IsString() && !c->IsNull()) {
      Error(sink, item, "\"content\" is not a string");
      continue;
    }
    Post p;
    p.platform = Platform::kFacebook;
    p.channel = channel;
    p.author.name = FbStringOr(m, "sender_name");
    if (p.author.name.empty()) p.author.name = FbStringOr(m, "senderName");
    p.time = *ts >= 0 ? *ts / 1000 : -((-*ts + 999) / 1000);
    p.time_is_utc = true;
    p.text = FbStringOr(m, "content");
    if (p.text.empty()) p.text = FbStringOr(m, "text");
    const std::string type = FbStringOr(m, "type");
    p.service = type == "Subscribe" || type == "Unsubscribe";
    static constexpr std::pair<const char*, MediaKind> kLists[] = {
        {"photos", MediaKind::kPhoto},      {"videos", MediaKind::kVideo},
        {"audio_files", MediaKind::kAudio}, {"files", MediaKind::kDocument},
        {"gifs", MediaKind::kAnimation},    {"media", MediaKind::kOther}};
    for (const auto& [key, kind] : kLists) {
      const Value* list = Member(m, key);
      if (list == nullptr || !list->IsArray()) continue;
      for (const Value& e : list->GetArray()) {
        if (auto uri = FbString(Member(e, "uri")); uri && !uri->empty()) {
          p.media.push_back(MediaFromUri(*uri, kind));
        }
      }
    }
    if (const Value* sticker = Member(m, "sticker")) {
      if (auto uri = FbString(Member(*sticker, "uri")); uri && !uri->empty()) {
        p.media.push_back(MediaFromUri(*uri, MediaKind::kSticker));
      }
    }
    if (const Value* share = Member(m, "share")) {
      if (auto link = FbString(Member(*share, "link")); link && !link->empty()) {
        p.entities.push_back({"link", *link, *link});
      }
      if (auto t = FbString(Member(*share, "share_text")); t && !t->empty() && *t != p.text) {
        if (!p.text.empty()) p.text += "\n";
        p.text += *t;
      }
    }
    const int k = seen[{*ts, p.author.name}]++;
    p.external_id = std::to_string(*ts) + ":" + p.author.name + ":" + std::to_string(k);
    p.source_file = file_.string();
    p.source_item = item;
    VIGIL_RETURN_IF_ERROR(sink.OnPost(std::move(p)));
  }
  return Status::Ok();
}

void FacebookReader::AddAttachments(const Value& item, Post& post) const {
  const Value* att = Member(item, "attachments");
  if (att == nullptr) return;
  auto one = [&](const Value& group) {
    const Value* data = Member(group, "data");
    if (data == nullptr || !data->IsArray()) return;
    for (const Value& d : data->GetArray()) {
      if (const Value* media = Member(d, "media")) {
        if (auto uri = FbString(Member(*media, "uri")); uri && !uri->empty()) {
          post.media.push_back(MediaFromUri(*uri, MediaKind::kOther));
        }
        if (auto desc = FbString(Member(*media, "description")); desc && !desc->empty()) {
          post.text += (post.text.empty() ? "" : "\n") + *desc;
        }
      }
      if (const Value* ctx = Member(d, "external_context")) {
        if (auto url = FbString(Member(*ctx, "url")); url && !url->empty()) {
          post.entities.push_back({"link", *url, *url});
        }
      }
      if (const Value* sale = Member(d, "for_sale_item")) {
        for (const char* key : {"title", "price", "description"}) {
          if (auto s = FbString(Member(*sale, key)); s && !s->empty()) {
            post.text += (post.text.empty() ? "" : "\n") + *s;
          }
        }
      }
    }
  };
  if (att->IsArray()) {
    for (const Value& group : att->GetArray()) one(group);
  } else if (att->IsObject()) {
    one(*att);
  }
}

Status FacebookReader::ReadPosts(const Value& items, PostSink& sink) {
  std::map<int64_t, int> seen;
  for (rapidjson::SizeType i = 0; i < items.Size(); ++i) {
    const Value& it = items[i];
    const std::string item = "post #" + std::to_string(i);
    std::optional<int64_t> ts = AsInt64(Member(it, "timestamp"));
    if (!it.IsObject() || !ts) {
      Error(sink, item, "not a post object with \"timestamp\"");
      continue;
    }
    Post p;
    p.platform = Platform::kFacebook;
    p.channel = {"your_posts", "Facebook posts", "posts"};
    p.time = *ts;
    p.time_is_utc = true;
    if (const Value* data = Member(it, "data"); data != nullptr && data->IsArray()) {
      for (const Value& d : data->GetArray()) {
        if (auto s = FbString(Member(d, "post")); s && !s->empty()) {
          p.text += (p.text.empty() ? "" : "\n") + *s;
        }
      }
    }
    AddAttachments(it, p);
    if (p.text.empty()) p.text = FbStringOr(it, "title");
    p.external_id = "post:" + std::to_string(*ts) + ":" + std::to_string(seen[*ts]++);
    p.source_file = file_.string();
    p.source_item = item;
    VIGIL_RETURN_IF_ERROR(sink.OnPost(std::move(p)));
  }
  return Status::Ok();
}

Status FacebookReader::ReadComments(const Value& items, PostSink& sink) {
  std::map<int64_t, int> seen;
  for (rapidjson::SizeType i = 0; i < items.Size(); ++i) {
    const Value& it = items[i];
    const std::string item = "comment #" + std::to_string(i);
    std::optional<int64_t> ts = AsInt64(Member(it, "timestamp"));
    if (!it.IsObject() || !ts) {
      Error(sink, item, "not a comment object with \"timestamp\"");
      continue;
    }
    Post p;
    p.platform = Platform::kFacebook;
    p.channel = {"comments", "Facebook comments", "comments"};
    p.time = *ts;
    p.time_is_utc = true;
    if (const Value* data = Member(it, "data"); data != nullptr && data->IsArray()) {
      for (const Value& d : data->GetArray()) {
        const Value* c = Member(d, "comment");
        if (c == nullptr) continue;
        if (auto s = FbString(Member(*c, "comment")); s && !s->empty()) {
          p.text += (p.text.empty() ? "" : "\n") + *s;
        }
        if (p.author.name.empty()) p.author.name = FbStringOr(*c, "author");
      }
    }
    AddAttachments(it, p);
    if (p.text.empty()) p.text = FbStringOr(it, "title");
    p.external_id = "comment:" + std::to_string(*ts) + ":" + std::to_string(seen[*ts]++);
    p.source_file = file_.string();
    p.source_item = item;
    VIGIL_RETURN_IF_ERROR(sink.OnPost(std::move(p)));
  }
  return Status::Ok();
}

Status FacebookReader::Read(PostSink& sink) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(file_, ec);
  if (!ec && size > options_.limits.max_item_bytes) {
    return Status::ResourceExhausted(file_.string() + ": file larger than " +
                                     std::to_string(options_.limits.max_item_bytes) + " bytes");
  }
  auto f = OpenForRead(file_);
  if (!f.ok()) return f.status();
  ChunkedJsonStream stream(f->get(), &sink);
  rapidjson::Document doc;
  doc.ParseStream<rapidjson::kParseIterativeFlag>(stream);
  if (stream.io_error()) return Status::IoError(file_.string() + ": read error");
  if (doc.HasParseError()) {
    return Status::Corrupt(file_.string() + ": byte " + std::to_string(doc.GetErrorOffset()) +
                           ": " + rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (doc.IsArray()) return ReadPosts(doc, sink);
  if (const Value* m = Member(doc, "messages"); m != nullptr && m->IsArray()) {
    return ReadThread(doc, sink);
  }
  if (const Value* c = Member(doc, "comments_v2"); c != nullptr && c->IsArray()) {
    return ReadComments(*c, sink);
  }
  if (const Value* c = Member(doc, "comments"); c != nullptr && c->IsArray()) {
    return ReadComments(*c, sink);
  }
  return Status::Unsupported(file_.string() + ": not a Facebook messages, posts or comments file");
}

}  // namespace

std::unique_ptr<Reader> MakeFacebookReader(const fs::path& json_file,
                                           const ReaderOptions& options) {
  return std::make_unique<FacebookReader>(json_file, options);
}

}  // namespace vigil::ingest
