// The `vigil scan --jsonl` line for one post. This is a stable contract other
// tools build on: fields are only ever added, never renamed or removed.
//
// {"platform","channel","channel_title","id","time","time_is_utc","author",
//  "author_id","service","text","category","score",
//  "reasons":[{"class","term","lang","begin","end","match"}],
//  "selectors":[{"kind","value"}],
//  "media":[{"name","kind","sha256","md5","type","width","height","size",
//            "pdq","quality" | "pdq_error", "frames" (videos: sampled frames),
//            "matches":[{"kind":"list"|"media","list","target","signal",
//                        "distance","labels"}]} |
//           {"name","kind","error"}],
//  "source":{"file","item"}}
//
// `time` is ISO-8601 with "Z" when the source gave UTC, without it when the
// source only gave a local wall-clock time (WhatsApp). `begin`/`end` are byte
// offsets into `text`; `match` is the original text they cover. A match of
// kind "list" names the hash list and the entry's value (`target`); one of
// kind "media" names the other media file's sha256. `distance` is the PDQ
// Hamming distance (0 for exact MD5/SHA-256), or for "vpdq" the percent of
// frames that did not match.
#ifndef VIGIL_SCAN_RECORD_JSON_H_
#define VIGIL_SCAN_RECORD_JSON_H_

#include <string>

#include "vigil/core/json_writer.h"
#include "vigil/store/store.h"

namespace vigil::scan {

std::string RecordToJson(const store::ScanRecord& record);

// One match as it appears in "matches" arrays (scan --jsonl, vigil match).
void WriteMatchJson(const store::MediaMatch& match, JsonWriter& w);

}  // namespace vigil::scan

#endif  // VIGIL_SCAN_RECORD_JSON_H_
