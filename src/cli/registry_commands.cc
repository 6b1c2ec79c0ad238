// vigil registry, vigil stats: the registry of the missing and the figures
// coordinators report. Every command opens a session (the key file's
// passphrase) and the installation writes what it reads or changes to the
// custody log.
#include <iomanip>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "src/cli/commands.h"
#include "vigil/core/json_writer.h"
#include "vigil/core/time.h"
#include "vigil/faces/faces.h"
#include "vigil/registry/registry.h"

namespace vigil::cli {

namespace {

std::string Date(int64_t t) { return FormatIso8601(t); }

struct RegistryArgs {
  InstallationArgs inst;
  bool json = false;
  bool jsonl = false;
  // Person fields (add/update); unset options leave a field as it is.
  std::string case_code;
  app::PersonUpdate fields;
  std::vector<std::string> photos;
  std::string status = "missing";
  std::string reason;
  std::string csv;
  std::string by;
  // sighting
  std::string post, media;
  double distance = 0;
  std::string out;
};

// The installation behind `command` ("registry add", "stats", ...); a
// missing database is created only by the commands that add persons.
Result<std::unique_ptr<app::Installation>> Open(const RegistryArgs& a, std::string_view command,
                                                bool create = false) {
  auto inst = OpenInstallation(a.inst, command, create);
  if (!inst.ok() && inst.status().code() == StatusCode::kNotFound) {
    return Status::NotFound(inst.status().message() + "; vigil keys init and vigil scan make one");
  }
  return inst;
}

void PersonJson(JsonWriter& w, const registry::Person& p) {
  w.Key("case").String(p.case_code);
  w.Key("status").String(registry::StatusName(p.status));
  w.Key("names").BeginArray();
  for (const auto& n : p.fields.names) w.String(n);
  w.EndArray().Key("aliases").BeginArray();
  for (const auto& n : p.fields.aliases) w.String(n);
  w.EndArray();
  w.Key("sex").String(p.fields.sex);
  w.Key("birth_year").Int(p.fields.birth_year);
  w.Key("place").String(p.fields.place);
  w.Key("date").String(p.fields.date);
  w.Key("family_contact").String(p.fields.family_contact);
  w.Key("notes").String(p.fields.notes);
  w.Key("created").Int(p.created);
  w.Key("updated").Int(p.updated);
}

std::string JoinNames(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " / ") + s;
  return out;
}

int RunAdd(const RegistryArgs& a, const Context& ctx) {
  const auto status = registry::ParseStatus(a.status);
  if (!status) return Fail(ctx, "registry add", "unknown status " + a.status);
  const registry::PersonFields f = a.fields.Apply({});
  auto inst = Open(a, "registry add", /*create=*/true);
  if (!inst.ok()) return Fail(ctx, "registry add", inst.status().ToString());
  const Status st = (*inst)->AddPerson(a.case_code, f, *status, a.photos);
  if (!st.ok()) return Fail(ctx, "registry add", st.ToString());
  std::cerr << "added " << a.case_code << " (" << a.photos.size() << " photos)\n";
  return kExitOk;
}

int RunImport(const RegistryArgs& a, const Context& ctx) {
  auto inst = Open(a, "registry import", /*create=*/true);
  if (!inst.ok()) return Fail(ctx, "registry import", inst.status().ToString());
  auto persons = (*inst)->ImportRegistry(a.csv);
  if (!persons.ok()) return Fail(ctx, "registry import", persons.status().message());
  std::cerr << "imported " << *persons << " persons from " << a.csv << "\n";
  return kExitOk;
}

int RunList(const RegistryArgs& a, const Context& ctx) {
  auto inst = Open(a, "registry list");
  if (!inst.ok()) return Fail(ctx, "registry list", inst.status().ToString());
  auto list = (*inst)->ListPersons();
  if (!list.ok()) return Fail(ctx, "registry list", list.status().ToString());
  if (a.json) {
    JsonWriter w;
    w.BeginArray();
    for (const auto& p : *list) {
      w.BeginObject();
      PersonJson(w, p);
      w.EndObject();
    }
    w.EndArray();
    std::cout << w.str() << "\n";
  } else if (a.jsonl) {
    for (const auto& p : *list) {
      JsonWriter w;
      w.BeginObject();
      PersonJson(w, p);
      w.EndObject();
      std::cout << w.str() << "\n";
    }
  } else {
    for (const auto& p : *list) {
      std::cout << std::left << std::setw(12) << p.case_code << std::setw(10)
                << registry::StatusName(p.status) << JoinNames(p.fields.names) << "\n";
    }
    std::cerr << list->size() << " persons\n";
  }
  return kExitOk;
}

int RunShow(const RegistryArgs& a, const Context& ctx) {
  auto inst = Open(a, "registry show");
  if (!inst.ok()) return Fail(ctx, "registry show", inst.status().ToString());
  auto view = (*inst)->ShowPerson(a.case_code);
  if (!view.ok()) return Fail(ctx, "registry show", view.status().ToString());
  const registry::PersonRecord* rec = &view->record;
  const std::vector<store::FaceMatchRow>* matches = &view->candidates;
  if (a.json || a.jsonl) {
    JsonWriter w;
    w.BeginObject();
    PersonJson(w, rec->person);
    w.Key("history").BeginArray();
    for (const auto& h : rec->history) {
      w.BeginObject();
      w.Key("from").String(h.from ? registry::StatusName(*h.from) : "");
      w.Key("to").String(registry::StatusName(h.to));
      w.Key("actor").String(h.actor);
      w.Key("time").Int(h.time);
      w.Key("reason").String(h.reason);
      w.EndObject();
    }
    w.EndArray().Key("photos").BeginArray();
    for (const auto& p : rec->photos) {
      w.BeginObject();
      w.Key("id").Int(p.id);
      w.Key("sha256").String(p.features.sha256);
      w.Key("pdq").String(p.features.pdq);
      w.Key("faces").Int(static_cast<int64_t>(p.features.faces.size()));
      w.EndObject();
    }
    w.EndArray().Key("sightings").BeginArray();
    for (const auto& x : rec->sightings) {
      w.BeginObject();
      w.Key("post").String(x.platform + "/" + x.channel_id + "/" + x.external_id);
      w.Key("media").String(x.media_sha256);
      w.Key("post_time").Int(x.post_time);
      w.Key("distance").Double(x.distance);
      w.Key("confirmed_by").String(x.actor);
      w.EndObject();
    }
    w.EndArray().Key("candidates").BeginArray();
    for (const auto& m : *matches) {
      w.BeginObject();
      w.Key("media").String(m.sha256);
      w.Key("face").Int(m.face);
      w.Key("photo").Int(m.photo_id);
      w.Key("kind").String(store::CandidateKindName(m.kind));
      w.Key("distance").Double(m.distance);
      w.EndObject();
    }
    w.EndArray().EndObject();
    std::cout << w.str() << "\n";
    return kExitOk;
  }
  const auto& p = rec->person;
  std::cout << p.case_code << "  " << registry::StatusName(p.status) << "\n"
            << "  names:   " << JoinNames(p.fields.names) << "\n";
  if (!p.fields.aliases.empty()) std::cout << "  aliases: " << JoinNames(p.fields.aliases) << "\n";
  if (!p.fields.sex.empty()) std::cout << "  sex:     " << p.fields.sex << "\n";
  if (p.fields.birth_year) std::cout << "  born:    " << p.fields.birth_year << "\n";
  if (!p.fields.place.empty() || !p.fields.date.empty()) {
    std::cout << "  missing: " << p.fields.place << (p.fields.date.empty() ? "" : ", ")
              << p.fields.date << "\n";
  }
  if (!p.fields.family_contact.empty()) {
    std::cout << "  contact: " << p.fields.family_contact << "\n";
  }
  if (!p.fields.notes.empty()) std::cout << "  notes:   " << p.fields.notes << "\n";
  std::cout << "  photos:  " << rec->photos.size() << "\n  history:\n";
  for (const auto& h : rec->history) {
    std::cout << "    " << Date(h.time) << "  " << (h.from ? registry::StatusName(*h.from) : "")
              << (h.from ? " -> " : "") << registry::StatusName(h.to) << "  by " << h.actor
              << (h.reason.empty() ? "" : "  (" + h.reason + ")") << "\n";
  }
  if (!rec->sightings.empty()) std::cout << "  sightings:\n";
  for (const auto& x : rec->sightings) {
    std::cout << "    " << Date(x.post_time) << "  " << x.platform << "/" << x.channel_id << "/"
              << x.external_id << "  distance " << x.distance << "  confirmed by " << x.actor
              << "\n";
  }
  if (!matches->empty()) std::cout << "  candidate matches for review:\n";
  for (const auto& m : *matches) {
    std::cout << "    " << m.sha256.substr(0, 16) << "  " << store::CandidateKindName(m.kind)
              << " distance " << m.distance
              << (m.kind == store::CandidateKind::kFace && m.distance <= faces::kStrongMatch
                      ? "  strong"
                      : "")
              << "\n";
  }
  return kExitOk;
}

int RunUpdate(const RegistryArgs& a, const Context& ctx) {
  auto inst = Open(a, "registry update");
  if (!inst.ok()) return Fail(ctx, "registry update", inst.status().ToString());
  const Status st = (*inst)->UpdatePerson(a.case_code, a.fields, a.photos);
  if (!st.ok()) return Fail(ctx, "registry update", st.ToString());
  std::cerr << "updated " << a.case_code << "\n";
  return kExitOk;
}

int RunStatus(const RegistryArgs& a, const Context& ctx) {
  const auto to = registry::ParseStatus(a.status);
  if (!to) {
    std::cerr << "vigil registry status: unknown status '" << a.status
              << "' (missing, sighted, located, rescued, reunited, deceased, closed)\n";
    return kExitUsage;
  }
  auto inst = Open(a, "registry status");
  if (!inst.ok()) return Fail(ctx, "registry status", inst.status().ToString());
  const Status st = (*inst)->SetCaseStatus(a.case_code, *to, a.reason);
  if (!st.ok()) return Fail(ctx, "registry status", st.ToString());
  std::cerr << a.case_code << " is now " << a.status << "\n";
  return kExitOk;
}

int RunSighting(const RegistryArgs& a, const Context& ctx) {
  const auto key = ParsePostKey(a.post);
  if (!key) {
    std::cerr << "vigil registry sighting: --post takes PLATFORM/CHANNEL/ID\n";
    return kExitUsage;
  }
  auto inst = Open(a, "registry sighting");
  if (!inst.ok()) return Fail(ctx, "registry sighting", inst.status().ToString());
  const Status st = (*inst)->RecordSighting(a.case_code, *key, a.media, a.distance);
  if (!st.ok()) return Fail(ctx, "registry sighting", st.ToString());
  std::cerr << "sighting of " << a.case_code << " in " << a.post << " recorded\n";
  return kExitOk;
}

// Writes a page with each candidate face of `media` beside the registry
// photo it matched, blurred until the analyst reveals them. Both views are
// audited: the registry photo by the registry, the original in the custody log.
int RunCompare(const RegistryArgs& a, const Context& ctx) {
  auto inst = Open(a, "registry compare");
  if (!inst.ok()) return Fail(ctx, "registry compare", inst.status().ToString());
  auto page = (*inst)->CompareFaces(a.case_code, a.media);
  if (!page.ok()) return Fail(ctx, "registry compare", page.status().ToString());
  const Status s = app::WriteFileAtomically(a.out, page->html, /*owner_only=*/true);
  if (!s.ok()) return Fail(ctx, "registry compare", s.ToString());
  std::cerr << "wrote " << a.out << " (" << page->pairs
            << " face pairs; it holds registry photos: delete it after review)\n";
  return kExitOk;
}

int RunMatch(const RegistryArgs& a, const Context& ctx) {
  auto inst = Open(a, "registry match");
  if (!inst.ok()) return Fail(ctx, "registry match", inst.status().ToString());
  auto rows = (*inst)->Rematch();
  if (!rows.ok()) return Fail(ctx, "registry match", rows.status().ToString());
  std::cerr << *rows << " candidate matches of scanned media with the registry"
            << (*rows ? " (vigil registry show CASE)" : "") << "\n";
  return kExitOk;
}

int RunStats(const RegistryArgs& a, const Context& ctx) {
  if (!a.by.empty() && a.by != "month") {
    std::cerr << "vigil stats: --by takes month\n";
    return kExitUsage;
  }
  auto inst = Open(a, "stats");
  if (!inst.ok()) return Fail(ctx, "stats", inst.status().ToString());
  auto st = (*inst)->RegistryStats();
  if (!st.ok()) return Fail(ctx, "stats", st.status().ToString());
  constexpr registry::CaseStatus kMoves[] = {
      registry::CaseStatus::kSighted,  registry::CaseStatus::kLocated,
      registry::CaseStatus::kRescued,  registry::CaseStatus::kReunited,
      registry::CaseStatus::kDeceased, registry::CaseStatus::kClosed,
      registry::CaseStatus::kMissing};
  if (a.json) {
    JsonWriter w;
    w.BeginObject().Key("persons").Int(st->persons).Key("by_status").BeginObject();
    for (const auto& [status, n] : st->by_status) w.Key(registry::StatusName(status)).Int(n);
    w.EndObject();
    w.Key("by_month").BeginArray();
    for (const auto& [month, counts] : st->transitions_by_month) {
      w.BeginObject().Key("month").String(month);
      for (auto m : kMoves) {
        auto it = counts.find(m);
        w.Key(registry::StatusName(m)).Int(it == counts.end() ? 0 : it->second);
      }
      w.EndObject();
    }
    w.EndArray().EndObject();
    std::cout << w.str() << "\n";
    return kExitOk;
  }
  std::cout << "persons: " << st->persons << "\n";
  for (const auto& [status, n] : st->by_status) {
    std::cout << "  " << std::left << std::setw(10) << registry::StatusName(status) << n << "\n";
  }
  if (a.by == "month") {
    std::cout << "\nchanges by month (status moved into):\n  month    ";
    for (auto m : kMoves) std::cout << std::right << std::setw(9) << registry::StatusName(m);
    std::cout << "\n";
    for (const auto& [month, counts] : st->transitions_by_month) {
      std::cout << "  " << month << "  ";
      for (auto m : kMoves) {
        auto it = counts.find(m);
        std::cout << std::right << std::setw(9) << (it == counts.end() ? 0 : it->second);
      }
      std::cout << "\n";
    }
  }
  return kExitOk;
}

void AddSessionOptions(CLI::App* c, RegistryArgs* a) { AddInstallationOptions(c, a->inst); }

void AddFieldOptions(CLI::App* c, RegistryArgs* a) {
  c->add_option("--name", a->fields.names, "A name, in any script (repeat for several)");
  c->add_option("--alias", a->fields.aliases, "An alias (repeat for several)");
  c->add_option("--sex", a->fields.sex, "female, male or empty");
  c->add_option("--birth-year", a->fields.birth_year, "Year of birth");
  c->add_option("--place", a->fields.place, "Where they disappeared");
  c->add_option("--date", a->fields.date, "When they disappeared: YYYY, YYYY-MM or YYYY-MM-DD");
  c->add_option("--contact", a->fields.family_contact, "Family contact");
  c->add_option("--notes", a->fields.notes, "Notes");
  c->add_option("--photo", a->photos, "A photo of the person (repeat for several)")
      ->check(CLI::ExistingFile);
  c->add_option("--data-dir", a->inst.data_dir,
                "Folder with models/ (default: $VIGIL_DATA_DIR, else the installed or source "
                "tree's data/)");
}

}  // namespace

void AddRegistryCommands(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<RegistryArgs>();
  CLI::App* reg = app.add_subcommand(
      "registry",
      "The registry of the missing (encrypted; every read is written to the custody log)");
  reg->require_subcommand(1);

  CLI::App* add = reg->add_subcommand("add", "Register a missing person");
  add->add_option("CASE", args->case_code, "Case code, e.g. C-0142")->required();
  AddFieldOptions(add, args.get());
  add->add_option("--status", args->status, "Initial status")->capture_default_str();
  AddSessionOptions(add, args.get());
  add->callback([args, &ctx] {
    if (args->fields.names.empty()) {
      std::cerr << "vigil registry add: at least one --name is required\n";
      ctx.exit_code = kExitUsage;
      return;
    }
    ctx.exit_code = RunAdd(*args, ctx);
  });

  CLI::App* list = reg->add_subcommand("list", "List registered persons");
  AddSessionOptions(list, args.get());
  auto* json = list->add_flag("--json", args->json, "One JSON array");
  list->add_flag("--jsonl", args->jsonl, "One JSON object per person")->excludes(json);
  list->callback([args, &ctx] { ctx.exit_code = RunList(*args, ctx); });

  CLI::App* show = reg->add_subcommand("show", "Show a person, their history and matches");
  show->add_option("CASE", args->case_code, "Case code")->required();
  AddSessionOptions(show, args.get());
  show->add_flag("--json", args->json, "JSON output");
  show->callback([args, &ctx] { ctx.exit_code = RunShow(*args, ctx); });

  CLI::App* update = reg->add_subcommand("update", "Change a person's fields or add photos");
  update->add_option("CASE", args->case_code, "Case code")->required();
  AddFieldOptions(update, args.get());
  AddSessionOptions(update, args.get());
  update->callback([args, &ctx] { ctx.exit_code = RunUpdate(*args, ctx); });

  CLI::App* status = reg->add_subcommand(
      "status", "Move a case: missing, sighted, located, rescued, reunited, deceased, closed");
  status->add_option("CASE", args->case_code, "Case code")->required();
  status->add_option("STATUS", args->status, "New status")->required();
  status->add_option("--reason", args->reason,
                     "Why (required unless moving forward from missing towards reunited)");
  AddSessionOptions(status, args.get());
  status->callback([args, &ctx] { ctx.exit_code = RunStatus(*args, ctx); });

  CLI::App* import = reg->add_subcommand(
      "import", "Import a coordinator's CSV (all or nothing; columns in the README)");
  import->add_option("FILE", args->csv, "CSV file")->required()->check(CLI::ExistingFile);
  import->add_option("--data-dir", args->inst.data_dir, "Folder with models/");
  AddSessionOptions(import, args.get());
  import->callback([args, &ctx] { ctx.exit_code = RunImport(*args, ctx);
});

CLI::App* sighting =
    reg->add_subcommand("sighting", "Confirm that a post shows a person (a sighting)");
sighting->add_option("CASE", args->case_code, "Case code")->required();
sighting->add_option("--post", args->post, "PLATFORM/CHANNEL/ID")->required();
sighting->add_option("--media", args->media, "SHA-256 of the media (default: the post's first)");
sighting->add_option("--distance", args->distance, "Face distance of the match");
AddSessionOptions(sighting, args.get());
sighting->callback([args, &ctx] { ctx.exit_code = RunSighting(*args, ctx); });

CLI::App* compare = reg->add_subcommand(
    "compare", "Write a page with a scanned face beside the registry photo it matched");
compare->add_option("CASE", args->case_code, "Case code")->required();
compare->add_option("--media", args->media, "SHA-256 (or first 8+ digits) of the scanned media")
    ->required();
compare->add_option("-o,--out", args->out, "HTML page to write")->required();
AddSessionOptions(compare, args.get());
compare->callback([args, &ctx] { ctx.exit_code = RunCompare(*args, ctx); });

CLI::App* match =
    reg->add_subcommand("match", "Compare every scanned face and photo with the registry again");
AddSessionOptions(match, args.get());
match->callback([args, &ctx] { ctx.exit_code = RunMatch(*args, ctx); });

CLI::App* stats = app.add_subcommand("stats", "Persons by status, and status changes per month");
stats->add_option("--by", args->by, "month: changes per month");
stats->add_flag("--json", args->json, "JSON output");
AddSessionOptions(stats, args.get());
stats->callback([args, &ctx] { ctx.exit_code = RunStats(*args, ctx); });
}  // namespace vigil::cli

}  // namespace vigil::cli
