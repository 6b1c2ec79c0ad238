// Internal to the faces module: the embedding network (dlib's ResNet from
// dnn_face_recognition_ex, 29 conv + 29 affine layers + fc 256x128) loaded
// from face-api's tfjs weights. Only face_net.cc includes dlib's DNN headers
// (they take ~40 s to compile per translation unit).
#ifndef VIGIL_SRC_FACES_FACE_NET_H_
#define VIGIL_SRC_FACES_FACE_NET_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "vigil/core/status.h"
#include "vigil/faces/faces.h"

namespace vigil::faces::internal {

inline constexpr int kChipSide = 150;
// face-api's per-channel input mean (RGB); the net sees (x - mean) / 255.
inline constexpr float kInputMean[3] = {122.782f, 117.001f, 104.298f};

class FaceNet {
 public:
  // Parses a tfjs weights manifest (JSON) and its one binary shard into the
  // network. Corrupt if the manifest does not name exactly the tensors and
  // shapes the network has, or the shard's size does not match it.
  static Result<std::unique_ptr<FaceNet>> Load(std::string_view manifest_json,
                                               std::span<const uint8_t> shard);
  ~FaceNet();
  FaceNet(const FaceNet&) = delete;
  FaceNet& operator=(const FaceNet&) = delete;

  std::unique_ptr<FaceNet> Clone() const;

  // `input` holds n planar images, n x 3 x 150 x 150 floats (RGB planes),
  // already normalised. Returns n embeddings (Internal if dlib throws,
  // e.g. out of memory). Not thread-safe.
  Result<std::vector<Embedding>> Run(std::span<const float> input, size_t n);

 private:
  struct Impl;
  explicit FaceNet(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vigil::faces::internal

#endif  // VIGIL_SRC_FACES_FACE_NET_H_
