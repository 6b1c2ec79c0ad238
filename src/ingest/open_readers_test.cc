#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "src/ingest/detect.h"
#include "src/ingest/ingest_test_util.h"
#include "vigil/ingest/reader.h"

namespace vigil::ingest {
namespace {

namespace fs = std::filesystem;
using testing::CollectSink;
using testing::Fixture;
using testing::TempFolder;

constexpr char kTelegramJson[] =
    R"({"name":"Zip Chat","type":"private_group","id":77,"messages":[)"
    R"({"id":1,"type":"message","date_unixtime":"1700000000","from":"A","text":"neutral text",)"
    R"("photo":"photos/p.jpg"}]})";

struct ZipEntry {
  std::string name;
  std::string data;
  std::string symlink;  // non-empty: a symlink entry pointing there
};

void WriteZip(const fs::path& path, const std::vector<ZipEntry>& entries) {
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  ASSERT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
  for (const ZipEntry& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    if (!e.symlink.empty()) {
      archive_entry_set_filetype(entry, AE_IFLNK);
      archive_entry_set_symlink(entry, e.symlink.c_str());
      archive_entry_set_perm(entry, 0777);
      archive_write_header(a, entry);
    } else {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_perm(entry, 0644);
      archive_entry_set_size(entry, static_cast<la_int64_t>(e.data.size()));
      archive_write_header(a, entry);
      archive_write_data(a, e.data.data(), e.data.size());
    }
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
}

// Bytes that do not compress: pads an archive so that its whole-archive ratio
// stays low while one entry in it is a bomb.
std::string Noise(size_t n) {
  std::string out;
  out.reserve(n);
  uint32_t x = 12345;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245 + 12345;
    out.push_back(static_cast<char>(x >> 24));
  }
  return out;
}

// Regular files under `dir`, as paths relative to it ('/'-separated).
std::vector<std::string> FilesUnder(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file()) out.push_back(e.path().lexically_relative(dir).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool HasError(const std::vector<IngestError>& errors, std::string_view needle) {
  for (const IngestError& e : errors) {
    if (e.ToString().find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(DetectFile, Fixtures) {
  for (const char* f : {"chat-analytics_DM_2A_7M.json", "chat-analytics_MultiChat_2C_6M.json",
                        "chat-miner_test_batch_export.json", "chat-miner_test_single_export.json",
                        "chatpack-cli_telegram_export.json", "lokb_result.json"}) {
    EXPECT_EQ(DetectFile(Fixture(std::string("telegram/") + f)), Format::kTelegramJson) << f;
  }
  for (const char* f : {"chat-analytics_messenger_2A_7M.json",
                        "chat-miner_instagram_test_export.json", "osd2f_mock_comments.json",
                        "osd2f_mock_your_posts_0.json", "site_export_inspector_message_1.json"}) {
    EXPECT_EQ(DetectFile(Fixture(std::string("facebook/") + f)), Format::kFacebookJson) << f;
  }
  for (const char* f : {"WhatsR_englishandroid24h.txt", "WhatsR_germanios24h.txt",
                        "rwhatsapp_sample_en-GB_android.txt"}) {
    EXPECT_EQ(DetectFile(Fixture(std::string("whatsapp/") + f)), Format::kWhatsAppText) << f;
  }
}

TEST(DetectFile, Synthetic) {
  TempFolder dir;
  EXPECT_EQ(DetectFile(dir.Write("a.jpg", testing::kJpegBytes)), Format::kImageFolder);
  EXPECT_EQ(DetectFile(dir.Write("a.png", testing::kPngBytes)), Format::kImageFolder);
  EXPECT_EQ(DetectFile(dir.Write("a.gif", "GIF89a\x01\x00")), Format::kImageFolder);
  EXPECT_EQ(DetectFile(dir.Write("a.webp", std::string("RIFF\x10\x00\x00\x00WEBPVP8 ", 16))),
            Format::kImageFolder);
  EXPECT_EQ(DetectFile(dir.Write("a.bmp", std::string("BM") + std::string(20, '\0'))),
            Format::kImageFolder);
  EXPECT_EQ(DetectFile(dir.Write("feed.ndjson", "{\"id\":1}")), Format::kJsonl);
  EXPECT_EQ(DetectFile(dir.Write("feed.txt", "{\"id\":1}\n{\"id\":2}\n")), Format::kJsonl);
  EXPECT_EQ(DetectFile(dir.Write("bom.json", "\xEF\xBB\xBF \n{\"chats\":{\"list\":[]}}")),
            Format::kTelegramJson);
  EXPECT_EQ(DetectFile(dir.Write("esc.json", R"({"messages":[{"text":"\x01","date":"x"}]})")),
            Format::kTelegramJson);
  EXPECT_EQ(DetectFile(dir.Write("other.json", "{\n  \"config\": true\n}\n")), Format::kUnknown);
  EXPECT_EQ(DetectFile(dir.Write("notes.txt", "shopping list\nmilk\n")), Format::kUnknown);
  EXPECT_EQ(DetectFile(dir.Write("empty.txt", "")), Format::kUnknown);
  EXPECT_EQ(DetectFile(dir.Write("a.zip", std::string("PK\x03\x04", 4) + "xx")), Format::kUnknown);
  EXPECT_EQ(DetectFile(dir.path() / "missing"), Format::kUnknown);
}

TEST(OpenReaders, SingleFilesAndUnknownFormat) {
  std::vector<IngestError> errors;
  auto readers = OpenReaders(Fixture("telegram/lokb_result.json"), {}, errors);
  ASSERT_EQ(readers.size(), 1u);
  EXPECT_TRUE(readers[0]->Describe().starts_with("telegram json: "));
  EXPECT_TRUE(errors.empty());

  TempFolder dir;
  readers = OpenReaders(dir.Write("blob.bin", std::string("\x00\x01\x02", 3)), {}, errors);
  EXPECT_TRUE(readers.empty());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].reason, "unknown format");

  errors.clear();
  readers = OpenReaders(dir.path() / "nothing-here", {}, errors);
  EXPECT_TRUE(readers.empty());
  EXPECT_EQ(errors.size(), 1u);
}

TEST(OpenReaders, FolderWalkFindsExportsAndLooseImages) {
  TempFolder dir;
  const fs::path root = dir.path() / "case";
  dir.Write("case/tg/result.json", kTelegramJson);
  dir.Write("case/tg/photos/p.jpg", testing::kJpegBytes);
  dir.Write("case/fb/messages/inbox/t_1/message_1.json",
            R"({"title":"T","messages":[{"sender_name":"A","timestamp_ms":1000,"content":"x"}]})");
  dir.Write("case/fb/messages/inbox/t_1/photos/x.jpg", testing::kJpegBytes);
  dir.Write("case/fb/messages/stickers_used/s.png", testing::kPngBytes);
  dir.Write("case/feed.jsonl", "{\"id\":1,\"text\":\"x\"}\n");
  dir.Write("case/pics/a.jpg", testing::kJpegBytes);
  dir.Write("case/pics/b.png", testing::kPngBytes);
  dir.Write("case/pics/notes.txt", "not an export\n");
  dir.Write("case/pics/sub/c.gif", "GIF87a\x01\x00\x01\x00");
  dir.Write("case/wa/chat.txt",
            "1/29/18, 23:33 - Person A: neutral text\n1/29/18, 23:34 - Person B: reply\n");
  fs::create_symlink("/etc", root / "link");

  std::vector<IngestError> errors;
  auto readers = OpenReaders(root, {}, errors);
  ASSERT_EQ(readers.size(), 6u);
  EXPECT_TRUE(readers[0]->Describe().starts_with("facebook json: "));
  EXPECT_TRUE(readers[1]->Describe().starts_with("jsonl: "));
  EXPECT_EQ(readers[2]->Describe(), "image folder: " + (root / "pics").string());
  EXPECT_EQ(readers[3]->Describe(), "image folder: " + (root / "pics/sub").string());
  EXPECT_TRUE(readers[4]->Describe().starts_with("telegram json: "));
  EXPECT_NE(readers[5]->Describe().find("chat.txt"), std::string::npos);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, (root / "link").string());
  EXPECT_EQ(errors[0].reason, "symlink skipped");

  CollectSink images;
  ASSERT_TRUE(readers[2]->Read(images).ok());
  ASSERT_EQ(images.posts.size(), 2u);
  const Post& a = images.posts[0];
  EXPECT_EQ(a.platform, Platform::kFolder);
  EXPECT_EQ(a.channel.id, "pics");
  EXPECT_EQ(a.external_id, "pics/a.jpg");
  EXPECT_TRUE(a.time_is_utc);
  EXPECT_GT(a.time, 0);
  ASSERT_EQ(a.media.size(), 1u);
  EXPECT_EQ(a.media[0].path, (root / "pics/a.jpg").string());
  EXPECT_EQ(a.media[0].mime, "image/jpeg");
  EXPECT_EQ(images.posts[1].media[0].mime, "image/png");

  CollectSink tg;
  ASSERT_TRUE(readers[4]->Read(tg).ok());
  ASSERT_EQ(tg.posts.size(), 1u);
  EXPECT_EQ(tg.posts[0].media.at(0).path, (root / "tg/photos/p.jpg").string());
}

// Progress: every reader reports, over one Read, exactly the bytes it said
// it would (its file's size; an image folder's images), inside a .zip too.
TEST(OpenReaders, EveryReaderReportsTheBytesItReads) {
  TempFolder dir;
  const fs::path root = dir.path() / "case";
  dir.Write("case/tg/result.json", kTelegramJson);
  dir.Write("case/fb/messages/inbox/t_1/message_1.json",
            R"({"title":"T","messages":[{"sender_name":"A","timestamp_ms":1000,"content":"x"}]})");
  std::string jsonl;
  for (int i = 0; i < 3000; ++i) jsonl += "{\"id\":" + std::to_string(i) + ",\"text\":\"x\"}\n";
  dir.Write("case/feed.jsonl", jsonl);  // several read chunks
  dir.Write("case/pics/a.jpg", testing::kJpegBytes);
  dir.Write("case/pics/b.png", testing::kPngBytes);
  std::string chat;
  for (int i = 0; i < 2000; ++i)
    chat += "1/29/18, 23:33 - Person A: message " + std::to_string(i) + "\n";
  dir.Write("case/wa/chat.txt", chat);
  WriteZip(dir.path() / "export.zip", {{"ChatExport/result.json", kTelegramJson, ""}});
  for (const fs::path& input : {root, dir.path() / "export.zip"}) {
    std::vector<IngestError> errors;
    auto readers = OpenReaders(input, {}, errors);
    ASSERT_FALSE(readers.empty()) << input;
    for (auto& reader : readers) {
      SCOPED_TRACE(reader->Describe());
      CollectSink sink;
      ASSERT_TRUE(reader->Read(sink).ok());
      EXPECT_GT(reader->SizeBytes(), 0u);
      EXPECT_EQ(sink.bytes, reader->SizeBytes());
    }
  }
  std::vector<IngestError> errors;
  auto readers = OpenReaders(root / "feed.jsonl", {}, errors);
  ASSERT_EQ(readers.size(), 1u);
  EXPECT_EQ(readers[0]->SizeBytes(), jsonl.size());
  readers = OpenReaders(root / "pics", {}, errors);
  ASSERT_EQ(readers.size(), 1u);
  EXPECT_EQ(readers[0]->SizeBytes(), testing::kJpegBytes.size() + testing::kPngBytes.size());
}

TEST(OpenReaders, ZipIsExtractedSafelyAndCleanedUp) {
  TempFolder dir;
  const fs::path zip = dir.path() / "export.zip";
  WriteZip(zip, {{"ChatExport/result.json", kTelegramJson, ""},
                 {"ChatExport/photos/p.jpg", std::string(testing::kJpegBytes), ""},
                 {"../evil1.txt", "x", ""},
                 {"../../evil2.txt", "x", ""},
                 {"ok/../../evil3.txt", "x", ""},
                 {(dir.path() / "evil4.txt").string(), "x", ""},
                 {"ChatExport/link", "", "/etc/passwd"}});
  std::vector<IngestError> errors;
  {
    auto readers = OpenReaders(zip, {}, errors);
    ASSERT_EQ(readers.size(), 1u);
    CollectSink sink;
    ASSERT_TRUE(readers[0]->Read(sink).ok());
    ASSERT_EQ(sink.posts.size(), 1u);
    EXPECT_EQ(sink.posts[0].channel.title, "Zip Chat");
    // Posts name the archive, not the scratch folder that changes every run.
    EXPECT_EQ(sink.posts[0].source_file.rfind(zip.string(), 0), 0u) << sink.posts[0].source_file;
    EXPECT_EQ(readers[0]->Describe().find("vigil-zip-"), std::string::npos);
    const std::string media = sink.posts[0].media.at(0).path;
    ASSERT_FALSE(media.empty());
    EXPECT_TRUE(fs::exists(media));
    readers.clear();  // the temporary extraction goes with the last reader
    EXPECT_FALSE(fs::exists(media));
  }
  EXPECT_EQ(errors.size(), 5u);
  EXPECT_TRUE(HasError(errors, "unsafe path"));
  EXPECT_TRUE(HasError(errors, "link entry skipped"));
  for (const char* name : {"evil1.txt", "evil2.txt", "evil3.txt", "evil4.txt"}) {
    EXPECT_FALSE(fs::exists(dir.path() / name)) << name;
    EXPECT_FALSE(fs::exists(dir.path().parent_path() / name)) << name;
  }

  // With a scratch folder the extraction lands (and stays) there.
  ReaderOptions options;
  options.scratch_dir = dir.path() / "scratch";
  errors.clear();
  auto readers = OpenReaders(zip, options, errors);
  ASSERT_EQ(readers.size(), 1u);
  EXPECT_NE(readers[0]->Describe().find(zip.string()), std::string::npos);
  size_t extracted = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir.path() / "scratch")) {
    extracted += e.is_regular_file();
  }
  EXPECT_GT(extracted, 0u);
  EXPECT_FALSE(fs::exists(dir.path() / "scratch/evil1.txt"));
}

TEST(OpenReaders, TruncatedZipIsAClearError) {
  TempFolder dir;
  std::string noise;
  uint32_t x = 12345;
  for (int i = 0; i < 300000; ++i) {
    x = x * 1103515245 + 12345;
    noise.push_back(static_cast<char>(x >> 24));
  }
  const fs::path zip = dir.path() / "export.zip";
  WriteZip(zip, {{"a/result.json", kTelegramJson, ""}, {"a/noise.bin", noise, ""}});
  fs::resize_file(zip, fs::file_size(zip) / 2);
  std::vector<IngestError> errors;
  auto readers = OpenReaders(zip, {}, errors);
  EXPECT_TRUE(readers.empty());
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors.back().file, zip.string());
  EXPECT_TRUE(HasError(errors, "corrupt")) << errors.back().ToString();
}

TEST(OpenReaders, ZipLimits) {
  TempFolder dir;
  const fs::path bomb = dir.path() / "bomb.zip";
  WriteZip(bomb, {{"zeros.txt", std::string(20 << 20, '\0'), ""}});
  std::vector<IngestError> errors;
  EXPECT_TRUE(OpenReaders(bomb, {}, errors).empty());
  EXPECT_TRUE(HasError(errors, "compression ratio above 200 over the whole archive"))
      << errors.back().ToString();

  // Padded so that the archive as a whole passes: the entry's own ratio
  // stops it as it is extracted (a chat file, so extracted at once).
  const fs::path padded = dir.path() / "padded.zip";
  WriteZip(padded, {{"feed.jsonl", "{\"id\":1}\n" + std::string(20 << 20, ' '), ""},
                    {"pad.bin", Noise(200 << 10), ""}});
  errors.clear();
  ReaderOptions scratch;
  scratch.scratch_dir = dir.path() / "scratch";
  EXPECT_TRUE(OpenReaders(padded, scratch, errors).empty());
  ASSERT_FALSE(errors.empty());
  EXPECT_TRUE(HasError(errors, "feed.jsonl: compression ratio above 200 (zip bomb?)"))
      << errors.back().ToString();
  EXPECT_FALSE(HasError(errors, "whole archive"));
  EXPECT_TRUE(FilesUnder(scratch.scratch_dir).empty());  // the partial file went too

  const fs::path many = dir.path() / "many.zip";
  WriteZip(many, {{"a.jsonl", "{\"id\":1}\n", ""},
                  {"b.jsonl", "{\"id\":2}\n", ""},
                  {"c.jsonl", "{\"id\":3}\n", ""}});
  ReaderOptions options;
  options.limits.max_archive_entries = 2;
  errors.clear();
  EXPECT_TRUE(OpenReaders(many, options, errors).empty());
  EXPECT_TRUE(HasError(errors, "more than 2 entries"));

  options = {};
  options.limits.max_archive_bytes = 10;
  errors.clear();
  EXPECT_TRUE(OpenReaders(many, options, errors).empty());
  EXPECT_TRUE(HasError(errors, "bytes uncompressed"));

  errors.clear();
  EXPECT_EQ(OpenReaders(many, {}, errors).size(), 3u);
  EXPECT_TRUE(errors.empty());
}

// Each entry is 1 MiB of zeros: below the size at which one entry's ratio is
// judged, so the per-entry check never fires. Together they are ~1000 times
// the archive's size.
TEST(OpenReaders, ZipBombSpreadOverManyEntriesIsRefused) {
  TempFolder dir;
  std::vector<ZipEntry> entries = {{"ChatExport/result.json", kTelegramJson, ""}};
  for (int i = 0; i < 64; ++i) {
    entries.push_back(
        {"ChatExport/files/f" + std::to_string(i) + ".bin", std::string(1 << 20, '\0'), ""});
  }
  const fs::path zip = dir.path() / "spread.zip";
  WriteZip(zip, entries);
  ASSERT_LT(fs::file_size(zip) * 200, 64u << 20);
  ReaderOptions options;
  options.scratch_dir = dir.path() / "scratch";
  std::vector<IngestError> errors;
  EXPECT_TRUE(OpenReaders(zip, options, errors).empty());
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors.back().file, zip.string());
  EXPECT_TRUE(HasError(errors, "compression ratio above 200 over the whole archive"))
      << errors.back().ToString();
  // Refused before anything was inflated or written.
  EXPECT_TRUE(FilesUnder(options.scratch_dir).empty());

  // The same entries pass under a looser limit, and then only the chat file
  // is extracted before reading.
  options.limits.max_archive_ratio = 5000;
  errors.clear();
  auto readers = OpenReaders(zip, options, errors);
  ASSERT_EQ(readers.size(), 1u);
  EXPECT_TRUE(errors.empty()) << errors.front().ToString();
  const std::vector<std::string> files = FilesUnder(options.scratch_dir);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files[0].ends_with("/spread/ChatExport/result.json")) << files[0];
}

TEST(OpenReaders, ZipMediaIsExtractedWhenAPostRefersToIt) {
  TempFolder dir;
  const std::string photo = std::string(testing::kJpegBytes) + "photo bytes";
  const fs::path zip = dir.path() / "export.zip";
  WriteZip(zip, {{"ChatExport/result.json", kTelegramJson, ""},
                 {"ChatExport/photos/p.jpg", photo, ""},
                 {"ChatExport/photos/unused.jpg", std::string(testing::kJpegBytes), ""},
                 {"ChatExport/files/huge.bin", Noise(8 << 20), ""},
                 // Unreferenced, and a bomb: never inflated, so never refused.
                 {"ChatExport/files/zeros.bin", std::string(20 << 20, '\0'), ""},
                 {"ChatExport/files/nested.zip", "PK\x03\x04 not really", ""},
                 {"pics/a.jpg", std::string(testing::kJpegBytes), ""}});
  ReaderOptions options;
  options.scratch_dir = dir.path() / "scratch";
  std::vector<IngestError> errors;
  auto readers = OpenReaders(zip, options, errors);
  ASSERT_EQ(readers.size(), 2u);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, (zip / "ChatExport/files/nested.zip").string());
  EXPECT_EQ(errors[0].reason, "archive inside an archive skipped");
  ASSERT_EQ(fs::directory_iterator(options.scratch_dir)
                ->path()
                .filename()
                .string()
                .rfind("vigil-zip-", 0),
            0u);
  const fs::path root = fs::directory_iterator(options.scratch_dir)->path() / "export";
  // Before reading: the chat file, and the loose image (a post of its own).
  EXPECT_EQ(FilesUnder(root), (std::vector<std::string>{"ChatExport/result.json", "pics/a.jpg"}));

  EXPECT_TRUE(readers[0]->Describe().starts_with("telegram json: "));
  CollectSink sink;
  ASSERT_TRUE(readers[0]->Read(sink).ok());
  ASSERT_EQ(sink.posts.size(), 1u);
  const MediaRef& m = sink.posts[0].media.at(0);
  EXPECT_EQ(m.path, (root / "ChatExport/photos/p.jpg").string());
  EXPECT_EQ(m.display_path, (zip / "ChatExport/photos/p.jpg").string());
  std::ifstream in(m.path, std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), photo);
  // After reading: only what a post referred to was added.
  EXPECT_EQ(FilesUnder(root), (std::vector<std::string>{"ChatExport/photos/p.jpg",
                                                        "ChatExport/result.json", "pics/a.jpg"}));

  CollectSink images;
  ASSERT_TRUE(readers[1]->Read(images).ok());
  ASSERT_EQ(images.posts.size(), 1u);
  EXPECT_EQ(images.posts[0].media.at(0).display_path, (zip / "pics/a.jpg").string());
  EXPECT_TRUE(images.errors.empty());
}

TEST(OpenReaders, ZipMediaBombEndsTheReadWhenReferenced) {
  TempFolder dir;
  const fs::path zip = dir.path() / "export.zip";
  WriteZip(zip, {{"ChatExport/result.json", kTelegramJson, ""},
                 {"ChatExport/photos/p.jpg",
                  std::string(testing::kJpegBytes) + std::string(20 << 20, '\0'), ""},
                 {"ChatExport/pad.bin", Noise(200 << 10), ""}});
  ReaderOptions options;
  options.scratch_dir = dir.path() / "scratch";
  std::vector<IngestError> errors;
  auto readers = OpenReaders(zip, options, errors);
  ASSERT_EQ(readers.size(), 1u);
  EXPECT_TRUE(errors.empty());
  CollectSink sink;
  const Status s = readers[0]->Read(sink);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  EXPECT_NE(s.message().find("p.jpg: compression ratio above 200"), std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find("vigil-zip-"), std::string::npos) << s.message();
  EXPECT_TRUE(sink.posts.empty());
  for (const std::string& f : FilesUnder(options.scratch_dir)) {
    EXPECT_FALSE(f.ends_with("p.jpg")) << f;  // no partial file left
  }
  // The archive stays refused for any later read.
  CollectSink again;
  EXPECT_EQ(readers[0]->Read(again).code(), StatusCode::kResourceExhausted);
}

// Media damaged inside the archive: found when a post refers to it, and then
// the read ends as the whole extraction used to, leaving no partial file.
TEST(OpenReaders, ZipMediaDamagedEndsTheReadWhenReferenced) {
  TempFolder dir;
  // Large enough that reading its first bytes to classify it stops short of
  // the damage and of the CRC at its end.
  const std::string photo = std::string(testing::kJpegBytes) + Noise(1 << 20);
  const fs::path zip = dir.path() / "export.zip";
  WriteZip(zip,
           {{"ChatExport/result.json", kTelegramJson, ""}, {"ChatExport/photos/p.jpg", photo, ""}});
  // Random bytes are stored verbatim by deflate: flip one of them in place.
  std::string bytes;
  {
    std::ifstream in(zip, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t at = bytes.find(photo.substr(900000, 64));
  ASSERT_NE(at, std::string::npos);
  bytes[at + 10] = static_cast<char>(bytes[at + 10] ^ 0x55);
  {
    std::ofstream out(zip, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  ReaderOptions options;
  options.scratch_dir = dir.path() / "scratch";
  std::vector<IngestError> errors;
  auto readers = OpenReaders(zip, options, errors);
  // The damage is not read until the photo is needed.
  ASSERT_EQ(readers.size(), 1u) << (errors.empty() ? "" : errors.back().ToString());
  CollectSink sink;
  const Status s = readers[0]->Read(sink);
  EXPECT_EQ(s.code(), StatusCode::kCorrupt) << s.ToString();
  EXPECT_NE(s.message().find("p.jpg"), std::string::npos) << s.message();
  EXPECT_TRUE(sink.posts.empty());
  for (const std::string& f : FilesUnder(options.scratch_dir)) {
    EXPECT_FALSE(f.ends_with("p.jpg")) << f;
  }
}

// References far from the archive's order: each still resolves, and the walk
// back and forth gives way to one pass over the reader's own folder.
TEST(OpenReaders, ZipMediaReferencedOutOfOrder) {
  TempFolder dir;
  constexpr int kCount = 300;
  std::string feed;
  std::vector<ZipEntry> entries;
  for (int i = kCount - 1; i >= 0; --i) {
    feed += "{\"id\":" + std::to_string(i) + ",\"text\":\"x\",\"media\":[\"m/" + std::to_string(i) +
            ".mp4\"]}\n";
  }
  entries.push_back({"feed/posts.jsonl", feed, ""});
  for (int i = 0; i < kCount; ++i) {
    // Not images: a JSONL file does not claim images, which would be read
    // as posts of their own (and so extracted at once).
    entries.push_back({"feed/m/" + std::to_string(i) + ".mp4", "video " + std::to_string(i), ""});
  }
  entries.push_back({"other/big.bin", Noise(1 << 20), ""});
  const fs::path zip = dir.path() / "feed.zip";
  WriteZip(zip, entries);
  ReaderOptions options;
  options.scratch_dir = dir.path() / "scratch";
  std::vector<IngestError> errors;
  auto readers = OpenReaders(zip, options, errors);
  ASSERT_EQ(readers.size(), 1u);
  CollectSink sink;
  ASSERT_TRUE(readers[0]->Read(sink).ok());
  ASSERT_EQ(sink.posts.size(), static_cast<size_t>(kCount));
  for (const Post& p : sink.posts) {
    ASSERT_EQ(p.media.size(), 1u);
    ASSERT_FALSE(p.media[0].path.empty()) << p.external_id << ": " << p.media[0].missing_reason;
    std::ifstream in(p.media[0].path, std::ios::binary);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "video " + p.external_id);
  }
  for (const std::string& f : FilesUnder(options.scratch_dir)) {
    EXPECT_FALSE(f.ends_with("other/big.bin")) << f;  // outside the reader's folder
  }
}

}  // namespace
}  // namespace vigil::ingest
