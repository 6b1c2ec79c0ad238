// Project VIC VICS JSON: a streaming (SAX) reader, so a multi-gigabyte hash
// set is never held as a DOM, and a writer for the 2.0 "#Media" shape.
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "src/match/hash_list_internal.h"
#include "vigil/core/json_writer.h"
#include "vigil/core/utf8.h"

namespace vigil::match::internal {
namespace {

constexpr std::string_view kMediaIdLabel = "vics_media_id=";
constexpr std::string_view kContext =
    "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media";

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::vector<std::string> SplitTags(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    const size_t j = std::min(s.find_first_of(",;", i), s.size());
    std::string_view piece = s.substr(i, j - i);
    while (!piece.empty() && std::isspace(static_cast<unsigned char>(piece.front()))) {
      piece.remove_prefix(1);
    }
    while (!piece.empty() && std::isspace(static_cast<unsigned char>(piece.back()))) {
      piece.remove_suffix(1);
    }
    if (!piece.empty()) out.push_back(SanitizeUtf8(piece));
    i = j + 1;
  }
  return out;
}

enum class Role { kRoot, kValueArray, kItem, kMediaArray, kAltArray, kAltItem, kTagsArray, kOther };

struct Frame {
  Role role;
  std::string key;  // the last key seen, for objects
};

// One object of the "value" or "Media" arrays: a Media, or a Case holding Media.
struct Item {
  uint64_t line = 0;
  uint64_t index = 0;  // 1-based position among items, for messages
  bool is_case = false;
  std::vector<std::pair<std::string, std::string>> hashes;  // (name, value)
  std::string category;
  std::vector<std::string> tags;
  std::string media_id;
  std::string alt_name;
  std::string alt_value;
};

class Handler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
 public:
  Handler(std::string_view content, const rapidjson::MemoryStream& stream, ImportSink& sink)
      : content_(content), stream_(stream), sink_(sink) {}

  bool StartObject() {
    Role role = Role::kOther;
    if (frames_.empty()) {
      role = Role::kRoot;
    } else if (Top().role == Role::kValueArray || Top().role == Role::kMediaArray) {
      role = Role::kItem;
      Item item;
      item.line = Line();
      item.index = ++items_seen_;
      items_.push_back(std::move(item));
    } else if (Top().role == Role::kAltArray) {
      role = Role::kAltItem;
      items_.back().alt_name.clear();
      items_.back().alt_value.clear();
    }
    return Push(role);
  }

  bool EndObject(rapidjson::SizeType) {
    const Role role = Top().role;
    frames_.pop_back();
    if (role == Role::kItem) {
      Emit(items_.back());
      items_.pop_back();
    } else if (role == Role::kAltItem) {
      Item& item = items_.back();
      if (!item.alt_name.empty() || !item.alt_value.empty()) {
        item.hashes.emplace_back(std::move(item.alt_name), std::move(item.alt_value));
      }
    }
    return true;
  }

  bool StartArray() {
    Role role = Role::kOther;
    if (frames_.empty()) {
      error_ = "the root is an array; expected an object with a \"value\" array";
      return false;
    }
    const Frame& parent = Top();
    if (parent.role == Role::kRoot && parent.key == "value") {
      role = Role::kValueArray;
      saw_value_ = true;
    } else if (parent.role == Role::kItem) {
      if (EqualsIgnoreCase(parent.key, "Media")) {
        role = Role::kMediaArray;
        items_.back().is_case = true;
      } else if (EqualsIgnoreCase(parent.key, "AlternativeHashes")) {
        role = Role::kAltArray;
      } else if (EqualsIgnoreCase(parent.key, "Tags")) {
        role = Role::kTagsArray;
      }
    }
    return Push(role);
  }

  bool EndArray(rapidjson::SizeType) {
    frames_.pop_back();
    return true;
  }

  bool Key(const char* s, rapidjson::SizeType n, bool) {
    Top().key.assign(s, n);
    return true;
  }

  bool String(const char* s, rapidjson::SizeType n, bool) { return Scalar(std::string_view(s, n)); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    return Scalar(std::string_view(s, n));
  }
  bool Null() { return Scalar({}); }
  bool Bool(bool b) { return Scalar(b ? "true" : "false"); }

  bool saw_value() const { return saw_value_; }
  const std::string& error() const { return error_; }

  uint64_t Line() {
    const size_t offset = std::min(stream_.Tell(), content_.size());
    if (offset > line_offset_) {
      line_ += std::count(content_.begin() + line_offset_, content_.begin() + offset, '\n');
      line_offset_ = offset;
    }
    return line_;
  }

 private:
  Frame& Top() { return frames_.back(); }

  bool Push(Role role) {
    if (frames_.size() >= sink_.limits().max_json_depth) {
      error_ = "nesting deeper than " + std::to_string(sink_.limits().max_json_depth);
      return false;
    }
    frames_.push_back({role, {}});
    return true;
  }

  bool Scalar(std::string_view v) {
    if (frames_.empty()) {
      error_ = "the root is not an object";
      return false;
    }
    const Frame& f = Top();
    if (f.role == Role::kItem) {
      Item& item = items_.back();
      const std::string& k = f.key;
      if (EqualsIgnoreCase(k, "MD5") || EqualsIgnoreCase(k, "SHA1") ||
          EqualsIgnoreCase(k, "SHA256")) {
        if (!v.empty()) item.hashes.emplace_back(k, std::string(v));
      } else if (EqualsIgnoreCase(k, "Category")) {
        item.category = SanitizeUtf8(v);
      } else if (EqualsIgnoreCase(k, "Tags")) {
        for (std::string& t : SplitTags(v)) item.tags.push_back(std::move(t));
      } else if (EqualsIgnoreCase(k, "MediaID")) {
        item.media_id = SanitizeUtf8(v);
      }
    } else if (f.role == Role::kAltItem) {
      Item& item = items_.back();
      if (EqualsIgnoreCase(f.key, "HashName")) item.alt_name.assign(v);
      if (EqualsIgnoreCase(f.key, "HashValue")) item.alt_value.assign(v);
    } else if (f.role == Role::kTagsArray && !v.empty()) {
      items_.back().tags.push_back(SanitizeUtf8(v));
    }
    return true;
  }

  void Emit(const Item& item) {
    if (item.is_case) return;
    const std::string who =
        "media " + (item.media_id.empty() ? "#" + std::to_string(item.index) : item.media_id);
    if (item.hashes.empty()) {
      sink_.Error(item.line, who + ": no MD5, SHA1, SHA256 or PDQ");
      return;
    }
    std::vector<std::string> labels = item.tags;
    if (!item.media_id.empty()) labels.push_back(std::string(kMediaIdLabel) + item.media_id);
    std::vector<Signal> seen;
    for (const auto& [name, value] : item.hashes) {
      const std::optional<SignalType> type = SignalTypeFromName(name);
      if (!type) {
        sink_.Unsupported();
        continue;
      }
      Result<Signal> signal = Signal::FromHex(*type, value);
      if (!signal.ok()) {
        sink_.Error(item.line, who + ": " + SanitizeUtf8(name.substr(0, 40)) + ": " +
                                   signal.status().message());
        continue;
      }
      if (std::find(seen.begin(), seen.end(), *signal) != seen.end()) continue;
      seen.push_back(*signal);
      HashEntry entry;
      entry.signal = *signal;
      entry.labels = labels;
      entry.category = item.category;
      sink_.Add(std::move(entry));
    }
  }

  std::string_view content_;
  const rapidjson::MemoryStream& stream_;
  ImportSink& sink_;
  std::vector<Frame> frames_;
  std::vector<Item> items_;
  uint64_t items_seen_ = 0;
  bool saw_value_ = false;
  std::string error_;
  uint64_t line_ = 1;
  size_t line_offset_ = 0;
};

// The MediaID an entry carries as a label, and its other labels.
std::pair<std::string, std::vector<std::string>> SplitMediaId(const HashEntry& e) {
  std::string id;
  std::vector<std::string> rest;
  for (const std::string& l : e.labels) {
    if (id.empty() && l.starts_with(kMediaIdLabel)) {
      id = l.substr(kMediaIdLabel.size());
    } else {
      rest.push_back(l);
    }
  }
  return {std::move(id), std::move(rest)};
}

bool IsInteger(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  size_t i = s.front() == '-' ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

}  // namespace

Status ImportVicsJson(std::string_view content, ImportSink& sink) {
  rapidjson::MemoryStream stream(content.data(), content.size());
  Handler handler(content, stream, sink);
  rapidjson::Reader reader;
  const rapidjson::ParseResult ok =
      reader.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag>(
          stream, handler);
  if (!ok) {
    const std::string why = handler.error().empty() ? GetParseError_En(ok.Code()) : handler.error();
    return Status::Corrupt(sink.file() + ":" + std::to_string(handler.Line()) + ": " + why);
  }
  if (!handler.saw_value()) {
    return Status::Corrupt(sink.file() + ": no \"value\" array (not a VICS JSON file?)");
  }
  return Status::Ok();
}

std::string ExportVicsJson(const HashList& list) {
  JsonWriter w;
  w.BeginObject().Key("@odata.context").String(kContext).Key("value").BeginArray();
  size_t i = 0;
  while (i < list.entries.size()) {
    const HashEntry& first = list.entries[i];
    auto [media_id, labels] = SplitMediaId(first);
    // Entries of one Media: consecutive, same MediaID (non-empty), category and
    // labels, and no two in the same MD5 / SHA1 / SHA256 field.
    size_t end = i + 1;
    bool used[4] = {};
    used[static_cast<int>(first.signal.type)] = true;
    while (!media_id.empty() && end < list.entries.size()) {
      const HashEntry& e = list.entries[end];
      const int slot = static_cast<int>(e.signal.type);
      if (e.category != first.category || SplitMediaId(e) != std::pair(media_id, labels) ||
          (e.signal.type != SignalType::kPdq && used[slot])) {
        break;
      }
      used[slot] = true;
      ++end;
    }
    w.BeginObject();
    if (!media_id.empty()) {
      w.Key("MediaID");
      if (IsInteger(media_id)) {
        w.Int(std::stoll(media_id));
      } else {
        w.String(media_id);
      }
    }
    if (!first.category.empty()) {
      w.Key("Category");
      if (IsInteger(first.category)) {
        w.Int(std::stoll(first.category));
      } else {
        w.String(first.category);
      }
    }
    bool any_pdq = false;
    for (size_t k = i; k < end; ++k) {
      const Signal& s = list.entries[k].signal;
      if (s.type == SignalType::kPdq) {
        any_pdq = true;
        continue;
      }
      w.Key(s.type == SignalType::kMd5    ? "MD5"
            : s.type == SignalType::kSha1 ? "SHA1"
                                          : "SHA256")
          .String(s.ToHex());
    }
    if (!labels.empty()) {
      std::string tags;
      for (const std::string& l : labels) {
        if (!tags.empty()) tags += ',';
        for (char c : l) tags += (c == ',' || c == ';') ? '_' : c;
      }
      w.Key("Tags").String(tags);
    }
    if (any_pdq) {
      w.Key("AlternativeHashes").BeginArray();
      for (size_t k = i; k < end; ++k) {
        const Signal& s = list.entries[k].signal;
        if (s.type != SignalType::kPdq) continue;
        w.BeginObject().Key("HashName").String("PDQ").Key("HashValue").String(s.ToHex());
        w.EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
    i = end;
  }
  w.EndArray().EndObject();
  return w.str();
}

}  // namespace vigil::match::internal
