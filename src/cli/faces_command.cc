// vigil faces: detect faces in images and print their embeddings.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "src/cli/commands.h"
#include "vigil/core/file.h"
#include "vigil/core/json_writer.h"
#include "vigil/faces/faces.h"

namespace vigil::cli {
namespace {

namespace fs = std::filesystem;

struct FacesArgs {
  std::vector<std::string> files;
  std::string data_dir;
  int upsample = faces::FaceOptions{}.upsample;
  size_t max_faces = faces::FaceOptions{}.max_faces;
  bool jsonl = false;
};

int RunFaces(const FacesArgs& a, const Context& ctx) {
  const fs::path data_dir = a.data_dir.empty() ? app::DefaultDataDir() : fs::path(a.data_dir);
  auto engine = faces::FaceEngine::Load(faces::DefaultModelDir(data_dir));
  if (!engine.ok()) return Fail(ctx, "faces", engine.status().ToString());
  faces::FaceOptions options;
  options.upsample = a.upsample;
  options.max_faces = a.max_faces;
  const Limits limits;
  int errors = 0;
  for (const std::string& file : a.files) {
    auto bytes = ReadFile(file, limits.max_media_bytes);
    auto found = bytes.ok() ? (*engine)->DetectInFile(AsBytes(*bytes), options, limits)
                            : Result<std::vector<faces::Face>>(bytes.status());
    if (!found.ok()) {
      std::cerr << ctx.term.Paint("error", "31") << ": " << file << ": "
                << found.status().ToString() << '\n';
      ++errors;
      continue;
    }
    if (found->empty()) {
      std::cerr << "note: " << file << ": no face found\n";
      continue;
    }
    if ((*engine)->last_found() > found->size()) {
      std::cerr << "note: " << file << ": " << (*engine)->last_found() << " faces found, kept the "
                << found->size() << " largest (--max-faces)\n";
    }
    for (size_t i = 0; i < found->size(); ++i) {
      const faces::Face& f = (*found)[i];
      if (a.jsonl) {
        JsonWriter w;
        w.BeginObject().Key("file").String(file).Key("box").BeginArray();
        for (int v : f.box) w.Int(v);
        w.EndArray().Key("landmarks_ok").Bool(f.landmarks_ok);
        w.Key("score").Double(f.detection_score).Key("embedding");
        if (f.landmarks_ok) {
          w.BeginArray();
          for (float v : f.embedding) w.Double(v);
          w.EndArray();
        } else {
          w.Null();
        }
        w.EndObject();
        std::cout << w.str() << '\n';
      } else {
        char score[32];
        std::snprintf(score, sizeof score, "%.2f", f.detection_score);
        std::cout << file << ": face " << i + 1 << "/" << found->size() << " at " << f.box[0] << ','
                  << f.box[1] << ' ' << f.box[2] << 'x' << f.box[3] << ", score " << score
                  << (f.landmarks_ok ? "" : ", no landmarks (not embedded)") << '\n';
      }
    }
  }
  return errors ? kExitInputErrors : kExitOk;
}

}  // namespace

void AddFacesCommand(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<FacesArgs>();
  auto* cmd = app.add_subcommand(
      "faces", "Detect faces in images and print each one's box and 128-d embedding");
  cmd->add_option("files", args->files, "Image files (JPEG, PNG, WebP, GIF, BMP)")->required();
  cmd->add_flag("--jsonl", args->jsonl,
                "One JSON object per face: file, box [x,y,w,h], landmarks_ok, score, embedding");
  cmd->add_option("--data-dir", args->data_dir,
                  "Folder with models/ (default $VIGIL_DATA_DIR or the source tree's data/)");
  cmd->add_option("--upsample", args->upsample,
                  "Image doublings before detection; more finds smaller faces, slower")
      ->check(CLI::Range(0, 3))
      ->capture_default_str();
  cmd->add_option("--max-faces", args->max_faces, "Keep at most this many faces per image, largest")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->callback([args, &ctx] { ctx.exit_code = RunFaces(*args, ctx); });
}

}  // namespace vigil::cli
