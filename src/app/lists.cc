// Installation's hash lists and `vigil match`: importing and exporting lists,
// and matching files or hashes against the lists and the stored media.
#include <algorithm>
#include <cctype>
#include <fstream>

#include "vigil/app/installation.h"
#include "vigil/match/matcher.h"
#include "vigil/media/pdq.h"
#include "vigil/scan/media_matching.h"

namespace vigil::app {

namespace fs = std::filesystem;

namespace {

// Guesses a list file's format from its first bytes.
match::ListFormat GuessFormat(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<size_t>(in.gcount()));
  size_t i = head.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  while (i < head.size() && std::isspace(static_cast<unsigned char>(head[i]))) ++i;
  if (i < head.size() && head[i] == '{') return match::ListFormat::kVicsJson;
  std::string first = head.substr(i, head.find('\n', i) - i);
  std::transform(first.begin(), first.end(), first.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (first.find("signal_type") != std::string::npos) return match::ListFormat::kThreatExchangeCsv;
  if (first.rfind("type,value", 0) == 0) return match::ListFormat::kVigilCsv;
  return match::ListFormat::kPlain;
}

}  // namespace

Result<ListImportResult> Installation::ImportList(ListImport request) {
  ListImportResult out;
  out.format = request.format ? *request.format : GuessFormat(request.file);
  VIGIL_ASSIGN_OR_RETURN(out.report,
                         match::ImportHashListFile(request.file, out.format, request.limits));
  match::HashList list = std::move(out.report.list);
  out.report.list = {};
  list.name = request.name.empty() ? fs::path(request.file).stem().string() : request.name;
  list.source = fs::path(request.file).filename().string();
  list.labels = std::move(request.labels);
  list.pdq_threshold = request.pdq_threshold;
  VIGIL_RETURN_IF_ERROR(store().PutHashList(list, request.replace));
  out.name = list.name;
  out.entries = list.entries.size();
  return out;
}

Result<std::string> Installation::ExportList(const std::string& name, match::ListFormat format) {
  VIGIL_ASSIGN_OR_RETURN(auto lists, store().LoadHashLists(name));
  if (lists.empty()) return Status::NotFound("no hash list named " + name);
  return match::ExportHashList(lists.front(), format);
}

Result<std::vector<MatchAnswer>> Installation::Match(const std::vector<std::string>& queries,
                                                     const MatchRequest& request) {
  VIGIL_ASSIGN_OR_RETURN(auto lists, store().LoadHashLists());
  VIGIL_ASSIGN_OR_RETURN(match::Matcher matcher, match::Matcher::Build(std::move(lists)));
  std::optional<scan::SeenMedia> seen;
  if (request.lists.empty()) {  // naming lists narrows the search to them
    VIGIL_ASSIGN_OR_RETURN(scan::SeenMedia loaded, scan::SeenMedia::Load(store()));
    seen.emplace(std::move(loaded));
  }
  match::MatchOptions options;
  options.radius = request.radius;
  options.lists = request.lists;
  std::vector<MatchAnswer> answers;
  for (const std::string& q : queries) {
    MatchAnswer& a = answers.emplace_back();
    a.query = q;
    auto add = [&](const Result<std::vector<match::ListMatch>>& hits) {
      if (!hits.ok()) {
        a.error = hits.status().ToString();
        return;
      }
      for (const auto& m : *hits) {
        std::string labels;
        for (const auto& l : m.entry->labels) labels += (labels.empty() ? "" : ", ") + l;
        a.matches.push_back({store::MatchKind::kList, m.entry->signal.ToHex(), m.list->name,
                             std::string(match::SignalTypeName(m.entry->signal.type)), labels,
                             m.distance});
      }
    };
    std::error_code ec;
    if (fs::is_regular_file(q, ec)) {
      MediaRef ref;
      ref.path = q;
      ref.name = fs::path(q).filename().string();
      scan::MediaProbe probe;
      const store::MediaResult r = scan::InspectMedia(ref, Limits{}, &probe);
      if (!r.info) {
        a.error = r.error;
        continue;
      }
      if (request.lists.empty()) {
        scan::MatchLists(matcher, *r.info, probe, request.radius, &a.matches);
      } else {  // the same lookups, restricted to the named lists
        add(matcher.MatchExact(match::SignalType::kMd5, r.info->md5, request.lists));
        add(matcher.MatchExact(match::SignalType::kSha256, r.info->sha256, request.lists));
        for (const auto& h : probe.image) add(matcher.Match(h, options));
        for (const auto& f : probe.frames) {
          if (f.quality >= media::kPdqMinQuality) add(matcher.Match(f.hash, options));
        }
      }
      if (seen) seen->Match(*r.info, probe, request.radius, &a.matches);
      if (probe.image.empty() && probe.frames.empty() && !r.info->pdq_error.empty()) {
        a.note = "no perceptual hash: " + r.info->pdq_error;
      }
      continue;
    }
    // HASH or TYPE:HASH (pdq, md5, sha1, sha256); bare 64 hex digits are PDQ.
    std::string type = "pdq", hex = q;
    if (const size_t colon = q.find(':'); colon != std::string::npos) {
      type = q.substr(0, colon);
      hex = q.substr(colon + 1);
    } else if (q.size() == 32) {
      type = "md5";
    } else if (q.size() == 40) {
      type = "sha1";
    }
    const auto signal_type = match::SignalTypeFromName(type);
    if (!signal_type) {
      a.error = "not a file, and not a hash (pdq, md5, sha1 or sha256)";
      continue;
    }
    if (*signal_type != match::SignalType::kPdq) {
      add(matcher.MatchExact(*signal_type, hex, request.lists));
      continue;
    }
    auto h = Hash256::FromHex(hex);
    if (!h) {
      a.error = "not a file, and not a PDQ hash (64 hex digits)";
      continue;
    }
    add(matcher.Match(*h, options));
    if (seen) {
      scan::MediaProbe probe;
      probe.image.push_back(*h);
      media::MediaInfo info;
      seen->Match(info, probe, request.radius, &a.matches);
    }
  }
  return answers;
}

}  // namespace vigil::app
