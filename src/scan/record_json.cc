#include "vigil/scan/record_json.h"

#include <algorithm>

#include "vigil/core/json_writer.h"
#include "vigil/core/time.h"
#include "vigil/faces/faces.h"

namespace vigil::scan {

void WriteMatchJson(const store::MediaMatch& m, JsonWriter& w) {
  w.BeginObject().Key("kind").String(store::MatchKindName(m.kind));
  if (!m.list.empty()) w.Key("list").String(m.list);
  w.Key("target").String(m.target).Key("signal").String(m.signal_type);
  w.Key("distance").Int(m.distance);
  if (!m.labels.empty()) w.Key("labels").String(m.labels);
  w.EndObject();
}

std::string RecordToJson(const store::ScanRecord& r) {
  const Post& p = r.post;
  JsonWriter w;
  w.BeginObject();
  w.Key("platform").String(PlatformName(p.platform));
  w.Key("channel").String(p.channel.id);
  w.Key("channel_title").String(p.channel.title);
  w.Key("id").String(p.external_id);
  w.Key("time").String(FormatIso8601(p.time, p.time_is_utc));
  w.Key("time_is_utc").Bool(p.time_is_utc);
  w.Key("author").String(p.author.name);
  w.Key("author_id").String(p.author.id);
  w.Key("service").Bool(p.service);
  w.Key("text").String(p.text);
  w.Key("category").String(text::CategoryName(r.analysis.category));
  w.Key("score").Double(r.analysis.score);
  w.Key("reasons").BeginArray();
  for (const auto& reason : r.analysis.reasons) {
    const size_t b = std::min(reason.span.begin, p.text.size());
    const size_t e = std::clamp(reason.span.end, b, p.text.size());
    w.BeginObject()
        .Key("class")
        .String(reason.klass)
        .Key("term")
        .String(reason.term)
        .Key("lang")
        .String(reason.lang)
        .Key("begin")
        .Int(static_cast<int64_t>(b))
        .Key("end")
        .Int(static_cast<int64_t>(e))
        .Key("match")
        .String(std::string_view(p.text).substr(b, e - b))
        .EndObject();
  }
  w.EndArray();
  w.Key("selectors").BeginArray();
  for (const auto& s : r.analysis.selectors) {
    w.BeginObject().Key("kind").String(s.kind).Key("value").String(s.value).EndObject();
  }
  w.EndArray();
  w.Key("media").BeginArray();
  for (size_t i = 0; i < r.media.size(); ++i) {
    w.BeginObject();
    if (i < p.media.size()) {
      w.Key("name").String(p.media[i].name).Key("kind").String(MediaKindName(p.media[i].kind));
    }
    if (const auto& info = r.media[i].info) {
      w.Key("sha256").String(info->sha256).Key("md5").String(info->md5);
      w.Key("type").String(info->type).Key("width").Int(info->width);
      w.Key("height").Int(info->height).Key("size").Int(static_cast<int64_t>(info->size));
      if (!info->pdq.empty()) {
        w.Key("pdq").String(info->pdq).Key("quality").Int(info->pdq_quality);
      } else if (!info->pdq_error.empty()) {
        w.Key("pdq_error").String(info->pdq_error);
      }
      if (!r.media[i].frames.empty()) {
        w.Key("frames").Int(static_cast<int64_t>(r.media[i].frames.size()));
      }
      w.Key("matches").BeginArray();
      for (const auto& m : r.media[i].matches) WriteMatchJson(m, w);
      w.EndArray();
      if (r.media[i].faces_searched) {
        w.Key("faces").BeginArray();
        for (const auto& f : r.media[i].faces) {
          w.BeginObject().Key("box").BeginArray();
          for (int v : f.box) w.Int(v);
          w.EndArray().Key("matches").BeginArray();
          for (const auto& c : f.matches) {
            w.BeginObject().Key("case").String(c.case_code).Key("distance").Double(c.distance);
            w.Key("strength").String(c.distance <= faces::kStrongMatch ? "strong" : "possible");
            w.EndObject();
          }
          w.EndArray().EndObject();
        }
        w.EndArray();
      }
      if (!r.media[i].registry_pdq.empty()) {
        w.Key("registry_pdq").BeginArray();
        for (const auto& c : r.media[i].registry_pdq) {
          w.BeginObject()
              .Key("case")
              .String(c.case_code)
              .Key("distance")
              .Int(static_cast<int64_t>(c.distance));
          w.EndObject();
        }
        w.EndArray();
      }
    } else {
      w.Key("error").String(r.media[i].error);
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("source").BeginObject().Key("file").String(p.source_file);
  w.Key("item").String(p.source_item).EndObject();
  w.EndObject();
  return w.str();
}

}  // namespace vigil::scan
