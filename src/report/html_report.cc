#include "vigil/report/html_report.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "vigil/core/time.h"
#include "vigil/core/utf8.h"
#include "vigil/store/clusters.h"

namespace vigil::report {
namespace {

bool IsBoundary(std::string_view s, size_t i) {
  return i == 0 || i >= s.size() || (static_cast<uint8_t>(s[i]) & 0xC0) != 0x80;
}

constexpr std::string_view kStyle = R"css(
body{font:15px/1.5 system-ui,"Noto Sans","Noto Naskh Arabic",sans-serif;margin:2rem auto;max-width:70rem;color:#1d1d1f;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #eee;text-align:left}
.post{border:1px solid #ddd;border-radius:6px;padding:.8rem 1rem;margin:1rem 0}
.meta{color:#555;font-size:.85rem}.text{white-space:pre-wrap;margin:.5rem 0;unicode-bidi:plaintext}
.cat{display:inline-block;border-radius:3px;padding:0 .4rem;color:#fff;font-size:.8rem}
.cat-sale_offer{background:#b00020}.cat-sale_request{background:#c45500}.cat-appeal{background:#1565c0}.cat-other{background:#777}
mark{background:#ffe08a;border-radius:2px}mark.person{background:#ffc4c4}mark.sale,mark.auction,mark.price{background:#ffd699}
mark.age{background:#e4c9ff}mark.appeal{background:#bfe0ff}mark.negative,mark.news{background:#ddd}
mark.sel{background:#c8f0c8}.sel{font-family:monospace;font-size:.85rem}
.reasons{font-size:.85rem;color:#333}.bar-sale_offer{fill:#b00020}.bar-sale_request{fill:#c45500}.bar-appeal{fill:#1565c0}
)css";

const char* kCategories[] = {"sale_offer", "sale_request", "appeal"};

void WriteChart(const std::vector<store::MonthCount>& counts, std::ostream& out) {
  std::map<std::string, std::map<std::string, int64_t>> by_month;
  for (const auto& c : counts) {
    by_month[c.month][std::string(text::CategoryName(c.category))] += c.count;
  }
  int64_t max_total = 1;
  for (const auto& [month, cats] : by_month) {
    int64_t t = 0;
    for (const char* c : kCategories) t += cats.count(c) ? cats.at(c) : 0;
    max_total = std::max(max_total, t);
  }
  const int bar_w = 28, gap = 8, h = 160, left = 40;
  const int width = left + static_cast<int>(by_month.size()) * (bar_w + gap) + 20;
  out << "<svg role=\"img\" aria-label=\"flagged posts per month\" width=\"" << width
      << "\" height=\"" << h + 50 << "\" xmlns=\"http://www.w3.org/2000/svg\">\n";
  out << "<text x=\"0\" y=\"12\" font-size=\"11\">" << max_total << "</text>"
      << "<line x1=\"" << left - 4 << "\" y1=\"10\" x2=\"" << left - 4 << "\" y2=\"" << h + 10
      << "\" stroke=\"#999\"/>\n";
  int x = left;
  for (const auto& [month, cats] : by_month) {
    double y = h + 10;
    for (const char* c : kCategories) {
      const int64_t n = cats.count(c) ? cats.at(c) : 0;
      if (n == 0) continue;
      const double bh = static_cast<double>(n) * h / static_cast<double>(max_total);
      y -= bh;
      out << "<rect class=\"bar-" << c << "\" x=\"" << x << "\" y=\"" << y << "\" width=\"" << bar_w
          << "\" height=\"" << bh << "\"><title>" << month << " " << c << ": " << n
          << "</title></rect>\n";
    }
    out << "<text x=\"" << x << "\" y=\"" << h + 24 << "\" font-size=\"10\" transform=\"rotate(45 "
        << x << " " << h + 24 << ")\">" << month << "</text>\n";
    x += bar_w + gap;
  }
  out << "</svg>\n<p class=\"meta\">Stacked bars: <span class=\"cat cat-sale_offer\">sale_offer"
         "</span> <span class=\"cat cat-sale_request\">sale_request</span> <span class=\"cat "
         "cat-appeal\">appeal</span></p>\n";
}

void WritePost(const store::ScanRecord& r, std::ostream& out) {
  const Post& p = r.post;
  const auto cat = std::string(text::CategoryName(r.analysis.category));
  std::vector<Mark> marks;
  for (const auto& reason : r.analysis.reasons) {
    marks.push_back({reason.span.begin, reason.span.end, reason.klass,
                     reason.klass + " (" + reason.lang + "): " + reason.term});
  }
  for (const auto& sel : r.analysis.selectors) {
    const bool ltr = sel.kind != "price" && sel.kind != "age";
    marks.push_back({sel.span.begin, sel.span.end, "sel", sel.kind + ": " + sel.value, ltr});
  }
  out << "<div class=\"post\"><div class=\"meta\"><span class=\"cat cat-" << cat << "\">" << cat
      << " " << static_cast<int>(r.analysis.score * 100 + 0.5) << "%</span> "
      << EscapeHtml(PlatformName(p.platform)) << " · <b>"
      << EscapeHtml(p.channel.title.empty() ? p.channel.id : p.channel.title) << "</b> · #"
      << EscapeHtml(p.external_id) << " · " << FormatIso8601(p.time, p.time_is_utc)
      << (p.time_is_utc ? "" : " (local)") << " · <bdi>" << EscapeHtml(p.author.name)
      << "</bdi></div>\n<div class=\"text\" dir=\"auto\">" << HighlightHtml(p.text, marks)
      << "</div>\n<div class=\"reasons\">Reasons: ";
  bool first = true;
  for (const auto& reason : r.analysis.reasons) {
    out << (first ? "" : ", ") << EscapeHtml(reason.klass) << " <bdi>\""
        << EscapeHtml(p.text.substr(
               std::min(reason.span.begin, p.text.size()),
               reason.span.end > reason.span.begin ? reason.span.end - reason.span.begin : 0))
        << "\"</bdi>";
    first = false;
  }
  out << "</div>\n";
  if (!r.analysis.selectors.empty()) {
    out << "<div class=\"sel\">";
    for (const auto& s : r.analysis.selectors) {
      out << EscapeHtml(s.kind) << "=<bdi>" << EscapeHtml(s.value) << "</bdi> ";
    }
    out << "</div>\n";
  }
  for (size_t i = 0; i < r.media.size() && i < p.media.size(); ++i) {
    out << "<div class=\"sel\">" << EscapeHtml(MediaKindName(p.media[i].kind)) << " "
        << EscapeHtml(p.media[i].name) << ": ";
    if (r.media[i].info) {
      const auto& m = *r.media[i].info;
      out << EscapeHtml(m.type) << " " << m.width << "×" << m.height << " sha256 "
          << EscapeHtml(m.sha256);
      for (const auto& m : r.media[i].matches) {
        const bool listed = m.kind == store::MatchKind::kList;
        out << "<br>&nbsp;&nbsp;" << (listed ? "<b>on list " : "same as media ")
            << EscapeHtml(listed ? m.list : m.target.substr(0, 16)) << "</b>" << (listed ? "" : "…")
            << " (" << EscapeHtml(m.signal_type) << " distance " << m.distance << ")";
        if (!m.labels.empty()) out << " [" << EscapeHtml(m.labels) << "]";
      }
    } else {
      out << "<i>" << EscapeHtml(r.media[i].error) << "</i>";
    }
    out << "</div>\n";
  }
  out << "</div>\n";
}

std::string Where(const store::MediaAppearance& a) {
  return std::string(PlatformName(a.platform)) + " / " +
         (a.channel_title.empty() ? a.channel_id : a.channel_title) + " #" + a.external_id;
}

// "This photo appeared in N channels": every group of files that are the same
// photo (identical bytes, or matched within the PDQ radius in any rotation or
// mirror) with where and when each copy was posted, first sighting first.
Status WriteRepeatedMedia(store::Store& store, std::ostream& out) {
  VIGIL_ASSIGN_OR_RETURN(store::MediaClusters media, store::LoadMediaClusters(store));
  const auto& list_hits = media.list_matches;
  std::map<std::string, store::MediaAppearance> first_seen;
  for (const auto& c : media.clusters) {
    for (const auto& a : c.appearances) first_seen.try_emplace(a.sha256, a);
  }

  out << "<h2>Photos and videos seen more than once</h2>\n";
  std::vector<const std::vector<store::MediaAppearance>*> repeated;
  for (const auto& c : media.clusters) {
    if (c.appearances.size() > 1) repeated.push_back(&c.appearances);
  }
  std::stable_sort(repeated.begin(), repeated.end(),
                   [](const auto* a, const auto* b) { return a->size() > b->size(); });
  if (repeated.empty()) out << "<p>None.</p>\n";
  for (const auto* apps : repeated) {
    std::set<std::string> channels, files;
    for (const auto& a : *apps) {
      channels.insert(std::string(PlatformName(a.platform)) + "/" + a.channel_id);
      files.insert(a.sha256);
    }
    const auto& first = apps->front();
    out << "<div class=\"post\"><b>Appeared in " << channels.size() << " channel"
        << (channels.size() == 1 ? "" : "s") << " (" << apps->size() << " posts, " << files.size()
        << " distinct file" << (files.size() == 1 ? "" : "s") << "), first on "
        << FormatIso8601(first.time, first.time_is_utc) << " in <bdi>" << EscapeHtml(Where(first))
        << "</bdi></b>\n<ul>";
    for (const auto& a : *apps) {
      out << "<li>" << FormatIso8601(a.time, a.time_is_utc) << " <bdi>" << EscapeHtml(Where(a))
          << "</bdi> <span class=\"sel\">sha256 " << EscapeHtml(a.sha256.substr(0, 16))
          << "…</span></li>";
    }
    out << "</ul></div>\n";
  }

  out << "<h2>Media on hash lists</h2>\n";
  if (list_hits.empty()) out << "<p>None.</p>\n";
  if (!list_hits.empty()) {
    out << "<table><tr><th>first posted</th><th>list</th><th>signal</th><th>distance</th>"
           "<th>labels</th></tr>\n";
    for (const auto& [sha, m] : list_hits) {
      const auto it = first_seen.find(sha);
      out << "<tr><td><bdi>" << (it == first_seen.end() ? "" : EscapeHtml(Where(it->second)))
          << "</bdi></td><td>" << EscapeHtml(m.list) << "</td><td>" << EscapeHtml(m.signal_type)
          << "</td><td>" << m.distance << "</td><td>" << EscapeHtml(m.labels) << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  return Status::Ok();
}

// "This post may show case C-0142": every candidate match of a scanned face
// (or photo) with the registry, strongest first, with where it was posted.
Status WriteRegistryMatches(store::Store& store, const std::vector<store::FaceMatchRow>& rows,
                            std::ostream& out) {
  out << "<h2>Posts that may show a registered missing person</h2>\n";
  if (rows.empty()) {
    out << "<p>None.</p>\n";
    return Status::Ok();
  }
  std::map<std::string, std::vector<store::MediaAppearance>> where;
  VIGIL_RETURN_IF_ERROR(store.ForEachMediaAppearance([&](const store::MediaAppearance& a) {
    where[a.sha256].push_back(a);
    return Status::Ok();
  }));
  std::vector<store::FaceMatchRow> sorted = rows;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    if (a.kind != b.kind) return a.kind == store::CandidateKind::kPdq;  // identical photos first
    return a.distance < b.distance;
  });
  out << "<p class=\"meta\">For review: a face within 0.5 of a registry photo is a strong "
         "candidate, within 0.6 a possible one; a PDQ match is the registry photo itself, "
         "reposted. Compare with <code>vigil registry show CASE</code>.</p>\n"
         "<table><tr><th>case</th><th>match</th><th>distance</th><th>posted</th>"
         "<th>media</th></tr>\n";
  for (const auto& m : sorted) {
    const char* strength = m.kind == store::CandidateKind::kPdq
                               ? "same photo (PDQ)"
                               : (m.distance <= 0.5 ? "strong" : "possible");
    out << "<tr><td>" << EscapeHtml(m.case_code) << "</td><td>" << strength
        << (m.face >= 0 ? " (face " + std::to_string(m.face + 1) + ")" : "") << "</td><td>";
    if (m.kind == store::CandidateKind::kPdq) {
      out << static_cast<int>(m.distance) << " bits";
    } else {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%.3f", m.distance);
      out << buf;
    }
    out << "</td><td>";
    const auto it = where.find(m.sha256);
    if (it != where.end()) {
      for (const auto& a : it->second) {
        out << FormatIso8601(a.time, a.time_is_utc) << " <bdi>" << EscapeHtml(Where(a))
            << "</bdi><br>";
      }
    }
    out << "</td><td class=\"sel\">" << EscapeHtml(m.sha256.substr(0, 16)) << "…</td></tr>\n";
  }
  out << "</table>\n";
  return Status::Ok();
}

}  // namespace

std::string EscapeHtml(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  const std::string clean = IsValidUtf8(s) ? std::string() : SanitizeUtf8(s);
  for (char c : clean.empty() ? s : std::string_view(clean)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string HighlightHtml(std::string_view text, std::vector<Mark> marks) {
  std::erase_if(marks, [&](const Mark& m) {
    return m.begin >= m.end || m.end > text.size() || !IsBoundary(text, m.begin) ||
           !IsBoundary(text, m.end);
  });
  std::sort(marks.begin(), marks.end(),
            [](const Mark& a, const Mark& b) { return a.begin < b.begin; });
  std::string out;
  size_t pos = 0;
  for (size_t i = 0; i < marks.size();) {
    Mark m = marks[i++];
    if (m.begin < pos) continue;  // overlaps an earlier mark, already covered
    while (i < marks.size() && marks[i].begin < m.end) {  // merge overlaps
      m.end = std::max(m.end, marks[i].end);
      m.title += "; " + marks[i].title;
      m.ltr = m.ltr && marks[i].ltr;
      ++i;
    }
    out += EscapeHtml(text.substr(pos, m.begin - pos));
    out += "<mark class=\"" + EscapeHtml(m.klass) + "\" title=\"" + EscapeHtml(m.title) + "\"" +
           (m.ltr ? " dir=\"ltr\">" : ">");
    out += EscapeHtml(text.substr(m.begin, m.end - m.begin));
    out += "</mark>";
    pos = m.end;
  }
  out += EscapeHtml(text.substr(pos));
  return out;
}

Status WriteHtmlReport(store::Store& store, const ReportOptions& options, std::ostream& out) {
  auto totals = store.GetTotals();
  if (!totals.ok()) return totals.status();
  auto months = store.CountByMonth();
  if (!months.ok()) return months.status();
  auto errors = store.ListErrors();
  if (!errors.ok()) return errors.status();

  std::map<std::string, int64_t> by_category;
  for (const auto& m : *months) by_category[std::string(text::CategoryName(m.category))] += m.count;

  out << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'\"><title>"
      << EscapeHtml(options.title) << "</title><style>" << kStyle << "</style></head><body>\n"
      << "<h1>" << EscapeHtml(options.title) << "</h1>\n<table>"
      << "<tr><th>posts</th><td>" << totals->posts << "</td></tr>"
      << "<tr><th>flagged</th><td>" << totals->flagged << "</td></tr>";
  for (const char* c : kCategories) {
    out << "<tr><th>" << c << "</th><td>" << (by_category.count(c) ? by_category[c] : 0)
        << "</td></tr>";
  }
  out << "<tr><th>service messages</th><td>" << totals->service << "</td></tr>"
      << "<tr><th>distinct media</th><td>" << totals->media << "</td></tr>"
      << "<tr><th>distinct selectors</th><td>" << totals->selectors << "</td></tr>"
      << "<tr><th>input errors</th><td>" << totals->errors << "</td></tr></table>\n";

  out << "<h2>Flagged posts per month</h2>\n";
  WriteChart(*months, out);

  out << "<h2>Flagged posts</h2>\n";
  if (static_cast<size_t>(totals->flagged) > options.max_posts) {
    out << "<p class=\"meta\">Showing the first " << options.max_posts << " of " << totals->flagged
        << " flagged posts (oldest first); the selectors table below covers "
        << "the posts shown. Query the database for the rest.</p>\n";
  }
  store::PostFilter filter;
  filter.flagged_only = true;
  filter.limit = options.max_posts;
  std::map<std::pair<std::string, std::string>, std::set<std::string>> selector_posts;
  Status s = store.ForEachPost(filter, [&](const store::ScanRecord& r) {
    WritePost(r, out);
    for (const auto& sel : r.analysis.selectors) {
      selector_posts[{sel.kind, sel.value}].insert(
          std::string(PlatformName(r.post.platform)) + "/" +
          (r.post.channel.title.empty() ? r.post.channel.id : r.post.channel.title));
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;

  out << "<h2>Selectors in flagged posts</h2>\n<table><tr><th>kind</th><th>value</th>"
         "<th>channels</th></tr>\n";
  for (const auto& [key, channels] : selector_posts) {
    out << "<tr><td>" << EscapeHtml(key.first) << "</td><td class=\"sel\"><bdi>"
        << EscapeHtml(key.second) << "</bdi></td><td>";
    bool first = true;
    for (const auto& c : channels) {
      out << (first ? "" : ", ") << "<bdi>" << EscapeHtml(c) << "</bdi>";
      first = false;
    }
    out << "</td></tr>\n";
  }
  out << "</table>\n";

  VIGIL_RETURN_IF_ERROR(WriteRepeatedMedia(store, out));
  VIGIL_RETURN_IF_ERROR(WriteRegistryMatches(store, options.registry_matches, out));

  if (!errors->empty()) {
    out << "<h2>Input errors</h2>\n<table><tr><th>file</th><th>item</th><th>reason</th></tr>\n";
    for (const auto& e : *errors) {
      out << "<tr><td>" << EscapeHtml(e.file) << "</td><td>" << EscapeHtml(e.item) << "</td><td>"
          << EscapeHtml(e.reason) << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  out << "</body></html>\n";
  if (!out) return Status::IoError("writing the report failed");
  return Status::Ok();
}

}  // namespace vigil::report
