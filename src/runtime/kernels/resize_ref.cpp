// Reference kernel of Resize (opsets 10-13) and Upsample (opsets 7-9) on tensors of any
// rank: nearest (four rounding modes), N-D linear and cubic interpolation, with every
// coordinate transformation mode of opset 13 and output size from `scales` or `sizes`.
#include <cmath>
#include <vector>

#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

enum class Mode { kNearest, kLinear, kCubic };
enum class Coord {
  kHalfPixel,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfHalfPixelForNn,
  kTfCropAndResize
};
enum class Round { kPreferFloor, kPreferCeil, kFloor, kCeil };

/// One input coordinate feeding an output coordinate, with its weight.
struct Tap {
  int64_t index;
  double weight;
};

/// How one output axis reads the input axis: taps per output coordinate, and whether the
/// coordinate falls outside the crop (tf_crop_and_resize), where the output is the
/// extrapolation value.
struct AxisPlan {
  std::vector<std::vector<Tap>> taps;
  std::vector<char> outside;
};

class ResizeRef : public OpKernel {
 public:
  explicit ResizeRef(const KernelInit& init) {
    const Node& n = *init.node;
    const bool upsample = n.op_type() == "Upsample";
    legacy_ = upsample || init.opset < 11;
    const std::string mode = n.attr_string("mode", "nearest");
    if (mode == "nearest")
      mode_ = Mode::kNearest;
    else if (mode == "linear" || mode == "bilinear")
      mode_ = Mode::kLinear;
    else if (mode == "cubic" && !legacy_)
      mode_ = Mode::kCubic;
    else
      throw_invalid("unknown mode '" + mode + "'");
    if (upsample && init.opset < 9) {
      scales_attr_ = n.attr_floats("scales", {});
      if (scales_attr_.empty()) throw_invalid("Upsample needs the scales attribute");
    }
    // Pre-opset-11 semantics: asymmetric coordinates, and nearest truncates when
    // enlarging and rounds up when shrinking (what runtimes and the old tests agree on).
    scales_input_ = upsample ? (init.opset < 9 ? -1 : 1) : (init.opset < 11 ? 1 : 2);
    if (legacy_) return;
    const std::string coord = n.attr_string("coordinate_transformation_mode", "half_pixel");
    static const std::pair<const char*, Coord> kCoords[] = {
        {"half_pixel", Coord::kHalfPixel},
        {"pytorch_half_pixel", Coord::kPytorchHalfPixel},
        {"align_corners", Coord::kAlignCorners},
        {"asymmetric", Coord::kAsymmetric},
        {"tf_half_pixel_for_nn", Coord::kTfHalfPixelForNn},
        {"tf_crop_and_resize", Coord::kTfCropAndResize}};
    bool found = false;
    for (const auto& [name, c] : kCoords)
      if (coord == name) {
        coord_ = c;
        found = true;
      }
    if (!found)
      throw_unsupported("coordinate_transformation_mode '" + coord + "' is not supported");
    const std::string round = n.attr_string("nearest_mode", "round_prefer_floor");
    if (round == "round_prefer_floor")
      round_ = Round::kPreferFloor;
    else if (round == "round_prefer_ceil")
      round_ = Round::kPreferCeil;
    else if (round == "floor")
      round_ = Round::kFloor;
    else if (round == "ceil")
      round_ = Round::kCeil;
    else
      throw_invalid("unknown nearest_mode '" + round + "'");
    cubic_a_ = n.attr_float("cubic_coeff_a", -0.75f);
    exclude_outside_ = n.attr_int("exclude_outside", 0) != 0;
    extrapolation_ = n.attr_float("extrapolation_value", 0.0f);
    if (n.attr_int("antialias", 0) != 0 || n.has_attr("axes") ||
        n.attr_string("keep_aspect_ratio_policy", "stretch") != "stretch")
      throw_unsupported(
          "antialias, axes and keep_aspect_ratio_policy (opset 18) are not supported");
  }

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView& x = *ctx.input(0);
    const size_t rank = x.rank();
    std::vector<double> scales(rank, 1.0);
    std::vector<int64_t> out_dims(rank);
    const TensorView* sizes = legacy_ ? nullptr : ctx.input(3);
    if (sizes && sizes->numel() > 0) {
      std::vector<int64_t> sz = read_int64s(*sizes, label, "sizes");
      if (sz.size() != rank)
        throw_invalid(label + ": sizes has " + std::to_string(sz.size()) +
                      " values for an input of rank " + std::to_string(rank));
      for (size_t d = 0; d < rank; ++d) {
        if (sz[d] < 0 || (x.dims[d] == 0 && sz[d] > 0))
          throw_invalid(label + ": cannot resize axis " + std::to_string(d) + " of size " +
                        std::to_string(x.dims[d]) + " to " + std::to_string(sz[d]));
        out_dims[d] = sz[d];
        scales[d] =
            x.dims[d] == 0 ? 1.0 : static_cast<double>(sz[d]) / static_cast<double>(x.dims[d]);
      }
    } else {
      std::vector<double> sc = read_scales(ctx, label);
      if (sc.size() != rank)
        throw_invalid(label + ": scales has " + std::to_string(sc.size()) +
                      " values for an input of rank " + std::to_string(rank));
      for (size_t d = 0; d < rank; ++d) {
        if (!(sc[d] > 0) || !std::isfinite(sc[d]))
          throw_invalid(label + ": scale " + std::to_string(sc[d]) + " of axis " +
                        std::to_string(d) + " is not a positive number");
        scales[d] = sc[d];
        const double o = std::floor(sc[d] * static_cast<double>(x.dims[d]));
        if (o > 9.0e15) throw_invalid(label + ": scale " + std::to_string(sc[d]) + " is too large");
        out_dims[d] = static_cast<int64_t>(o);
      }
    }
    std::vector<double> roi_start(rank, 0.0), roi_end(rank, 1.0);
    if (!legacy_ && coord_ == Coord::kTfCropAndResize) {
      const TensorView* roi = ctx.input(1);
      if (!roi || roi->numel() != static_cast<int64_t>(2 * rank))
        throw_invalid(label + ": tf_crop_and_resize needs roi with " + std::to_string(2 * rank) +
                      " values");
      std::vector<double> r = floats_of(*roi, label, "roi");
      for (size_t d = 0; d < rank; ++d) {
        roi_start[d] = r[d];
        roi_end[d] = r[rank + d];
      }
    }
    std::vector<AxisPlan> plans(rank);
    for (size_t d = 0; d < rank; ++d)
      plans[d] = plan_axis(x.dims[d], out_dims[d], scales[d], roi_start[d], roi_end[d]);
    TensorView& y = ctx.output(0, x.dtype, out_dims);
    const int64_t n = y.numel();
    if (n == 0) return;
    const std::vector<int64_t> in_strides = strides_of(x.dims);
    dispatch_numeric(x.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      const T* px = x.as<T>();
      T* py = y.as<T>();
#pragma omp parallel
      {
        std::vector<const std::vector<Tap>*> taps(rank);
        std::vector<size_t> pick(rank);
#pragma omp for
        for (int64_t i = 0; i < n; ++i) {
          int64_t rest = i;
          bool outside = false;
          for (size_t d = rank; d-- > 0;) {
            const size_t c = static_cast<size_t>(rest % out_dims[d]);
            rest /= out_dims[d];
            taps[d] = &plans[d].taps[c];
            outside = outside || plans[d].outside[c];
          }
          if (outside) {
            py[i] = static_cast<T>(extrapolation_);
            continue;
          }
          // Sum over every combination of one tap per axis (the separable kernel).
          double sum = 0;
          std::fill(pick.begin(), pick.end(), 0);
          while (true) {
            double w = 1;
            int64_t at = 0;
            for (size_t d = 0; d < rank; ++d) {
              const Tap& t = (*taps[d])[pick[d]];
              w *= t.weight;
              at += t.index * in_strides[d];
            }
            sum += w * static_cast<double>(px[at]);
            size_t d = rank;
            while (d > 0 && ++pick[d - 1] == taps[d - 1]->size()) pick[--d] = 0;
            if (d == 0) break;
          }
          py[i] = static_cast<T>(sum);
        }
      }
    });
  }

 private:
  std::vector<double> read_scales(KernelContext& ctx, const std::string& label) const {
    if (scales_input_ < 0) return {scales_attr_.begin(), scales_attr_.end()};
    const TensorView* s = ctx.input(static_cast<size_t>(scales_input_));
    if (!s || s->numel() == 0) throw_invalid(label + ": neither scales nor sizes is given");
    return floats_of(*s, label, "scales");
  }

  static std::vector<double> floats_of(const TensorView& t, const std::string& label,
                                       const char* what) {
    return dispatch_float(t.dtype, label + ": " + what, [&](auto zero) {
      using T = decltype(zero);
      std::vector<double> out(static_cast<size_t>(t.numel()));
      for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(t.as<T>()[i]);
      return out;
    });
  }

  /// The input coordinate an output coordinate maps to (before any rounding).
  double source_coord(int64_t xo, int64_t in, double scale, double start, double end) const {
    const double x = static_cast<double>(xo);
    const double out_len = scale * static_cast<double>(in);  // unfloored, as the spec's
    const double last = static_cast<double>(in - 1);
    if (legacy_) return x / scale;
    switch (coord_) {
      case Coord::kHalfPixel:
        return (x + 0.5) / scale - 0.5;
      case Coord::kPytorchHalfPixel:
        return out_len > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
      case Coord::kAlignCorners:
        return out_len == 1 ? 0.0 : x * last / (out_len - 1);
      case Coord::kAsymmetric:
        return x / scale;
      case Coord::kTfHalfPixelForNn:
        return (x + 0.5) / scale;
      case Coord::kTfCropAndResize:
        return out_len == 1 ? 0.5 * (start + end) * last
                            : start * last + x * (end - start) * last / (out_len - 1);
    }
    return 0.0;
  }

  /// The cubic convolution kernel with parameter a_ at distance d.
  double cubic(double d) const {
    const double a = cubic_a_;
    d = std::fabs(d);
    if (d <= 1) return ((a + 2) * d - (a + 3)) * d * d + 1;
    if (d < 2) return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
    return 0;
  }

  AxisPlan plan_axis(int64_t in, int64_t out, double scale, double start, double end) const {
    AxisPlan p;
    p.taps.resize(static_cast<size_t>(out));
    p.outside.assign(static_cast<size_t>(out), 0);
    auto clamp = [in](int64_t i) { return i < 0 ? 0 : i >= in ? in - 1 : i; };
    for (int64_t o = 0; o < out; ++o) {
      std::vector<Tap>& taps = p.taps[static_cast<size_t>(o)];
      const double xs = source_coord(o, in, scale, start, end);
      if (!legacy_ && coord_ == Coord::kTfCropAndResize &&
          (xs < 0 || xs > static_cast<double>(in - 1))) {
        p.outside[static_cast<size_t>(o)] = 1;
        taps.push_back({0, 0.0});
        continue;
      }
      const double fl = std::floor(xs);
      const int64_t x0 = static_cast<int64_t>(fl);
      const double r = xs - fl;
      if (mode_ == Mode::kNearest) {
        int64_t i = x0;
        if (r > 0) {
          if (legacy_)
            i = scale < 1 ? x0 + 1 : x0;
          else if (round_ == Round::kPreferFloor)
            i = r <= 0.5 ? x0 : x0 + 1;
          else if (round_ == Round::kPreferCeil)
            i = r < 0.5 ? x0 : x0 + 1;
          else if (round_ == Round::kCeil)
            i = x0 + 1;
        }
        taps.push_back({clamp(i), 1.0});
      } else if (mode_ == Mode::kLinear) {
        taps.push_back({clamp(x0), 1.0 - r});
        taps.push_back({clamp(x0 + 1), r});
      } else {
        double total = 0;
        for (int64_t k = -1; k <= 2; ++k) {
          const int64_t i = x0 + k;
          double w = cubic(r - static_cast<double>(k));
          // exclude_outside drops taps beyond the input and renormalizes the rest.
          if (exclude_outside_ && (i < 0 || i >= in)) w = 0;
          total += w;
          taps.push_back({clamp(i), w});
        }
        if (exclude_outside_ && total != 0)
          for (Tap& t : taps) t.weight /= total;
      }
    }
    return p;
  }

  bool legacy_ = false;
  Mode mode_ = Mode::kNearest;
  Coord coord_ = Coord::kHalfPixel;
  Round round_ = Round::kPreferFloor;
  float cubic_a_ = -0.75f;
  bool exclude_outside_ = false;
  float extrapolation_ = 0.0f;
  int scales_input_ = 2;
  std::vector<float> scales_attr_;
};

}  // namespace

std::unique_ptr<OpKernel> create_resize_ref(const KernelInit& init) {
  return std::make_unique<ResizeRef>(init);
}

}  // namespace trex
