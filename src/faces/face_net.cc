// The only translation unit that instantiates dlib's DNN templates.
#include "src/faces/face_net.h"

#include <dlib/dnn.h>
#include <rapidjson/document.h>

#include <cstring>
#include <map>
#include <string>
#include <utility>

namespace vigil::faces::internal {
namespace {

// dlib's dnn_face_recognition_ex network, written out again. Each residual
// block is con3x3(stride) -> affine -> relu -> con3x3 -> affine, added to
// its input (avg-pooled 2x2 in the down-sampling blocks; add_prev zero-pads
// the smaller operand, as face-api does), then relu.
template <int N, int kStride, typename SUBNET>
using Block =
    dlib::affine<dlib::con<N, 3, 3, 1, 1,
                           dlib::relu<dlib::affine<dlib::con<N, 3, 3, kStride, kStride, SUBNET>>>>>;
template <int N, typename SUBNET>
using Res = dlib::relu<dlib::add_prev1<Block<N, 1, dlib::tag1<SUBNET>>>>;
template <int N, typename SUBNET>
using ResDown = dlib::relu<dlib::add_prev2<
    dlib::avg_pool<2, 2, 2, 2, dlib::skip1<dlib::tag2<Block<N, 2, dlib::tag1<SUBNET>>>>>>>;

template <typename SUBNET>
using Level0 = ResDown<256, SUBNET>;
template <typename SUBNET>
using Level1 = Res<256, Res<256, ResDown<256, SUBNET>>>;
template <typename SUBNET>
using Level2 = Res<128, Res<128, ResDown<128, SUBNET>>>;
template <typename SUBNET>
using Level3 = Res<64, Res<64, Res<64, ResDown<64, SUBNET>>>>;
template <typename SUBNET>
using Level4 = Res<32, Res<32, Res<32, SUBNET>>>;

using Net = dlib::fc_no_bias<
    kEmbeddingDims,
    dlib::avg_pool_everything<Level0<Level1<Level2<Level3<
        Level4<dlib::max_pool<3, 3, 2, 2,
                              dlib::relu<dlib::affine<dlib::con<
                                  32, 7, 7, 2, 2, dlib::input_rgb_image_sized<kChipSide>>>>>>>>>>>>;

// tfjs names of the conv+scale pairs, input to output.
std::vector<std::string> ConvPrefixes() {
  std::vector<std::string> out = {"conv32_down"};
  const char* blocks[] = {"conv32_1",  "conv32_2",        "conv32_3",     "conv64_down",
                          "conv64_1",  "conv64_2",        "conv64_3",     "conv128_down",
                          "conv128_1", "conv128_2",       "conv256_down", "conv256_1",
                          "conv256_2", "conv256_down_out"};
  for (const char* b : blocks) {
    out.push_back(std::string(b) + "/conv1");
    out.push_back(std::string(b) + "/conv2");
  }
  return out;
}

struct Tensor {
  std::vector<int> shape;
  std::vector<float> values;
};

// Reads every tensor of a one-shard tfjs manifest into floats.
Result<std::map<std::string, Tensor>> ParseWeights(std::string_view manifest_json,
                                                   std::span<const uint8_t> shard) {
  rapidjson::Document doc;
  doc.Parse(manifest_json.data(), manifest_json.size());
  if (doc.HasParseError() || !doc.IsArray() || doc.Size() != 1 || !doc[0].IsObject() ||
      !doc[0].HasMember("weights") || !doc[0]["weights"].IsArray()) {
    return Status::Corrupt("faces: weights manifest is not a one-group tfjs manifest");
  }
  std::map<std::string, Tensor> out;
  size_t offset = 0;
  for (const auto& w : doc[0]["weights"].GetArray()) {
    if (!w.IsObject() || !w.HasMember("name") || !w["name"].IsString() || !w.HasMember("shape") ||
        !w["shape"].IsArray()) {
      return Status::Corrupt("faces: weights manifest entry without name or shape");
    }
    const std::string name = w["name"].GetString();
    Tensor t;
    size_t count = 1;
    for (const auto& d : w["shape"].GetArray()) {
      if (!d.IsInt() || d.GetInt() <= 0 || d.GetInt() > 4096) {
        return Status::Corrupt("faces: weights manifest: bad shape for " + name);
      }
      t.shape.push_back(d.GetInt());
      count *= static_cast<size_t>(d.GetInt());
    }
    if (!w.HasMember("dtype") || !w["dtype"].IsString() ||
        std::string_view(w["dtype"].GetString()) != "float32") {
      return Status::Corrupt("faces: weights manifest: " + name + " is not float32");
    }
    t.values.resize(count);
    if (w.HasMember("quantization")) {
      const auto& q = w["quantization"];
      if (!q.IsObject() || !q.HasMember("dtype") || !q["dtype"].IsString() ||
          std::string_view(q["dtype"].GetString()) != "uint8" || !q.HasMember("scale") ||
          !q["scale"].IsNumber() || !q.HasMember("min") || !q["min"].IsNumber()) {
        return Status::Corrupt("faces: weights manifest: unsupported quantization of " + name);
      }
      const double scale = q["scale"].GetDouble(), min = q["min"].GetDouble();
      if (shard.size() - offset < count || offset > shard.size()) {
        return Status::Corrupt("faces: weights shard ends inside " + name);
      }
      for (size_t i = 0; i < count; ++i) {
        t.values[i] = static_cast<float>(min + scale * shard[offset + i]);
      }
      offset += count;
    } else {
      if (offset > shard.size() || (shard.size() - offset) / 4 < count) {
        return Status::Corrupt("faces: weights shard ends inside " + name);
      }
      std::memcpy(t.values.data(), shard.data() + offset, count * 4);  // little-endian host
      offset += count * 4;
    }
    out[name] = std::move(t);
  }
  if (offset != shard.size()) {
    return Status::Corrupt("faces: weights shard has " + std::to_string(shard.size() - offset) +
                           " bytes the manifest does not describe");
  }
  return out;
}

// Collects the parameterised layers, output to input (visit_layers' order).
struct LayerLists {
  std::vector<dlib::tensor*> con_params;
  std::vector<std::pair<long, long>> con_shapes;  // filters, kernel side
  std::vector<dlib::affine_*> affines;
  dlib::tensor* fc = nullptr;
};

struct Collect {
  LayerLists* lists;
  template <long N, long NR, long NC, int SY, int SX, int PY, int PX>
  void operator()(dlib::con_<N, NR, NC, SY, SX, PY, PX>& l) const {
    lists->con_params.push_back(&l.get_layer_params());
    lists->con_shapes.emplace_back(l.num_filters(), NR);
  }
  void operator()(dlib::affine_& l) const { lists->affines.push_back(&l); }
  template <unsigned long N, dlib::fc_bias_mode B>
  void operator()(dlib::fc_<N, B>& l) const {
    lists->fc = &l.get_layer_params();
  }
};

Status Fill(dlib::tensor& dst, size_t dst_offset, const std::vector<float>& src,
            const std::string& name) {
  if (dst_offset + src.size() > dst.size()) {
    return Status::Corrupt("faces: weights: " + name + " does not fit its layer");
  }
  std::copy(src.begin(), src.end(), dst.host() + dst_offset);
  return Status::Ok();
}

}  // namespace

struct FaceNet::Impl {
  Net net;
};

FaceNet::FaceNet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FaceNet::~FaceNet() = default;

Result<std::unique_ptr<FaceNet>> FaceNet::Load(std::string_view manifest_json,
                                               std::span<const uint8_t> shard) {
  auto weights = ParseWeights(manifest_json, shard);
  if (!weights.ok()) return weights.status();
  auto get = [&](const std::string& name,
                 const std::vector<int>& shape) -> Result<const std::vector<float>*> {
    auto it = weights->find(name);
    if (it == weights->end()) return Status::Corrupt("faces: weights lack " + name);
    if (it->second.shape != shape) return Status::Corrupt("faces: weights: wrong shape of " + name);
    return &it->second.values;
  };
  try {
    auto impl = std::make_unique<Impl>();
    LayerLists lists;
    dlib::visit_computational_layers(impl->net, Collect{&lists});
    // A fresh affine_ scales per element (FC_MODE); the scale layers here are
    // per channel, so every affine_ must be CONV_MODE before setup.
    for (dlib::affine_* a : lists.affines) *a = dlib::affine_(dlib::CONV_MODE);
    // One pass through the input layer (it records how samples map to
    // tensor rows) and the net (it allocates every layer's parameters).
    const dlib::matrix<dlib::rgb_pixel> blank(kChipSide, kChipSide);
    dlib::resizable_tensor dummy;
    impl->net.to_tensor(&blank, &blank + 1, dummy);
    impl->net.forward(dummy);

    const std::vector<std::string> prefixes = ConvPrefixes();
    if (lists.con_params.size() != prefixes.size() || lists.affines.size() != prefixes.size() ||
        lists.fc == nullptr) {
      return Status::Internal("faces: network has an unexpected layer count");
    }
    int cin = 3;
    for (size_t i = 0; i < prefixes.size(); ++i) {
      const size_t layer = prefixes.size() - 1 - i;  // lists run output to input
      const auto [cout, k] = lists.con_shapes[layer];
      const std::string& p = prefixes[i];
      auto filters = get(p + "/conv/filters",
                         {static_cast<int>(k), static_cast<int>(k), cin, static_cast<int>(cout)});
      if (!filters.ok()) return filters.status();
      auto bias = get(p + "/conv/bias", {static_cast<int>(cout)});
      if (!bias.ok()) return bias.status();
      auto gamma = get(p + "/scale/weights", {static_cast<int>(cout)});
      if (!gamma.ok()) return gamma.status();
      auto beta = get(p + "/scale/biases", {static_cast<int>(cout)});
      if (!beta.ok()) return beta.status();
      // tfjs HWIO -> dlib OIHW, then the bias.
      const std::vector<float>& hwio = **filters;
      std::vector<float> oihw(hwio.size());
      for (long o = 0; o < cout; ++o) {
        for (int c = 0; c < cin; ++c) {
          for (long y = 0; y < k; ++y) {
            for (long x = 0; x < k; ++x) {
              oihw[((o * cin + c) * k + y) * k + x] = hwio[((y * k + x) * cin + c) * cout + o];
            }
          }
        }
      }
      dlib::tensor& params = *lists.con_params[layer];
      if (params.size() != oihw.size() + static_cast<size_t>(cout)) {
        return Status::Internal("faces: conv layer " + p + " has an unexpected size");
      }
      VIGIL_RETURN_IF_ERROR(Fill(params, 0, oihw, p + "/conv/filters"));
      VIGIL_RETURN_IF_ERROR(Fill(params, oihw.size(), **bias, p + "/conv/bias"));
      dlib::affine_& a = *lists.affines[layer];
      auto g = a.get_gamma();
      auto b = a.get_beta();
      if (g.size() != static_cast<size_t>(cout) || b.size() != static_cast<size_t>(cout)) {
        return Status::Internal("faces: scale layer " + p + " has an unexpected size");
      }
      std::copy((*gamma)->begin(), (*gamma)->end(), g.host());
      std::copy((*beta)->begin(), (*beta)->end(), b.host());
      cin = static_cast<int>(cout);
    }
    auto fc = get("fc", {256, kEmbeddingDims});
    if (!fc.ok()) return fc.status();
    VIGIL_RETURN_IF_ERROR(Fill(*lists.fc, 0, **fc, "fc"));
    if (lists.fc->size() != (*fc)->size()) {
      return Status::Internal("faces: fc layer has an unexpected size");
    }
    const size_t used = prefixes.size() * 4 + 1;
    if (weights->size() != used) {
      return Status::Corrupt("faces: weights hold " + std::to_string(weights->size() - used) +
                             " tensors the network does not use");
    }
    return std::unique_ptr<FaceNet>(new FaceNet(std::move(impl)));
  } catch (const std::exception& e) {
    return Status::Internal(std::string("faces: building the network: ") + e.what());
  }
}

std::unique_ptr<FaceNet> FaceNet::Clone() const {
  auto impl = std::make_unique<Impl>();
  impl->net = impl_->net;
  return std::unique_ptr<FaceNet>(new FaceNet(std::move(impl)));
}

Result<std::vector<Embedding>> FaceNet::Run(std::span<const float> input, size_t n) {
  const size_t plane = static_cast<size_t>(kChipSide) * kChipSide;
  if (n == 0) return std::vector<Embedding>{};
  if (input.size() != n * 3 * plane)
    return Status::Internal("faces: input batch has the wrong size");
  try {
    dlib::resizable_tensor x(static_cast<long long>(n), 3, kChipSide, kChipSide);
    std::copy(input.begin(), input.end(), x.host());
    const dlib::tensor& out = impl_->net.forward(x);
    if (out.num_samples() != static_cast<long long>(n) ||
        out.size() != n * static_cast<size_t>(kEmbeddingDims)) {
      return Status::Internal("faces: network output has the wrong shape");
    }
    std::vector<Embedding> result(n);
    const float* p = out.host();
    for (size_t i = 0; i < n; ++i) {
      std::copy(p + i * kEmbeddingDims, p + (i + 1) * kEmbeddingDims, result[i].begin());
    }
    return result;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("faces: running the network: ") + e.what());
  }
}

}  // namespace vigil::faces::internal
