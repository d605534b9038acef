// Reference kernel of Pad: modes constant, reflect, edge (and wrap, opset 19). Pads come
// from the attribute before opset 11 and the input from 11 (with optional axes from 18);
// negative pads crop, and the other modes then reflect or extend the cropped tensor.
#include <cstring>

#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

enum class Mode { kConstant, kReflect, kEdge, kWrap };

class PadRef : public OpKernel {
 public:
  explicit PadRef(const KernelInit& init) : legacy_(init.opset < 11) {
    const Node& n = *init.node;
    const std::string mode = n.attr_string("mode", "constant");
    if (mode == "constant")
      mode_ = Mode::kConstant;
    else if (mode == "reflect")
      mode_ = Mode::kReflect;
    else if (mode == "edge")
      mode_ = Mode::kEdge;
    else if (mode == "wrap")
      mode_ = Mode::kWrap;
    else
      throw_invalid("Pad: unknown mode '" + mode + "'");
    if (legacy_) {
      pads_attr_ = n.attr_ints("pads", n.attr_ints("paddings", {}));
      value_attr_ = n.attr_float("value", 0.0f);
    }
  }

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView& x = *ctx.input(0);
    const size_t rank = x.rank();
    std::vector<int64_t> pads(2 * rank, 0);
    if (legacy_) {
      if (pads_attr_.size() != 2 * rank)
        throw_invalid(label + ": pads has " + std::to_string(pads_attr_.size()) +
                      " values, expected " + std::to_string(2 * rank));
      pads = pads_attr_;
    } else {
      if (!ctx.input(1)) throw_invalid(label + ": input pads is required");
      std::vector<int64_t> given = read_int64s(*ctx.input(1), label, "pads");
      std::vector<int64_t> axes;
      if (const TensorView* a = ctx.input(3)) {
        for (int64_t v : read_int64s(*a, label, "axes"))
          axes.push_back(normalize_axis(v, static_cast<int64_t>(rank), label));
      } else {
        for (size_t i = 0; i < rank; ++i) axes.push_back(static_cast<int64_t>(i));
      }
      if (given.size() != 2 * axes.size())
        throw_invalid(label + ": pads has " + std::to_string(given.size()) + " values, expected " +
                      std::to_string(2 * axes.size()));
      for (size_t i = 0; i < axes.size(); ++i) {
        const size_t ax = static_cast<size_t>(axes[i]);
        pads[ax] = given[i];
        pads[rank + ax] = given[axes.size() + i];
      }
    }
    const size_t esize = dtype_size(x.dtype);
    std::vector<uint8_t> fill(esize, 0);
    if (mode_ == Mode::kConstant) {
      const TensorView* v = legacy_ ? nullptr : ctx.input(2);
      if (v && v->numel() > 0) {
        if (v->dtype != x.dtype)
          throw_invalid(label + ": constant_value is " + dtype_name(v->dtype) + ", data is " +
                        dtype_name(x.dtype));
        std::memcpy(fill.data(), v->data, esize);
      } else if (legacy_) {
        Tensor t(x.dtype, {});
        t.set_double(0, static_cast<double>(value_attr_));
        std::memcpy(fill.data(), t.raw(), esize);
      }
    }
    // Per axis: the source coordinate of every output coordinate, or -1 for the fill value.
    std::vector<std::vector<int64_t>> src(rank);
    std::vector<int64_t> out_dims(rank);
    for (size_t d = 0; d < rank; ++d) {
      const int64_t b = pads[d], e = pads[rank + d], in = x.dims[d];
      out_dims[d] = in + b + e;
      if (out_dims[d] < 0)
        throw_invalid(label + ": pads " + std::to_string(b) + ", " + std::to_string(e) +
                      " leave axis " + std::to_string(d) + " with a negative size");
      // Negative pads crop first; what is left, [lo, lo + kept), is what the modes see.
      const int64_t lo = b < 0 ? -b : 0;
      const int64_t kept = in - lo - (e < 0 ? -e : 0);
      const int64_t before = b > 0 ? b : 0;
      if (kept < 0 || (kept == 0 && out_dims[d] > 0 && mode_ != Mode::kConstant))
        throw_invalid(label + ": axis " + std::to_string(d) + " of size " + std::to_string(in) +
                      " cannot be padded by " + std::to_string(b) + ", " + std::to_string(e) +
                      " in this mode");
      src[d].resize(static_cast<size_t>(out_dims[d]));
      for (int64_t o = 0; o < out_dims[d]; ++o) {
        int64_t j = o - before;  // coordinate in the cropped axis
        if (j < 0 || j >= kept) {
          switch (mode_) {
            case Mode::kConstant:
              j = -1;
              break;
            case Mode::kEdge:
              j = j < 0 ? 0 : kept - 1;
              break;
            case Mode::kWrap:
              j = ((j % kept) + kept) % kept;
              break;
            case Mode::kReflect: {
              // Mirror without repeating the edge: a period of 2 (kept - 1).
              const int64_t period = 2 * (kept - 1);
              if (period == 0) {
                j = 0;
              } else {
                j = ((j % period) + period) % period;
                if (j >= kept) j = period - j;
              }
              break;
            }
          }
        }
        src[d][static_cast<size_t>(o)] = j < 0 ? -1 : lo + j;
      }
    }
    TensorView& y = ctx.output(0, x.dtype, out_dims);
    const int64_t n = y.numel();
    if (n == 0) return;
    const std::vector<int64_t> in_strides = strides_of(x.dims);
    const uint8_t* px = static_cast<const uint8_t*>(x.data);
    uint8_t* py = static_cast<uint8_t*>(y.data);
#pragma omp parallel for
    for (int64_t i = 0; i < n; ++i) {
      int64_t rest = i, at = 0;
      bool outside = false;
      for (size_t d = rank; d-- > 0;) {
        const int64_t s = src[d][static_cast<size_t>(rest % out_dims[d])];
        rest /= out_dims[d];
        if (s < 0) outside = true;
        at += s * in_strides[d];
      }
      std::memcpy(py + static_cast<size_t>(i) * esize,
                  outside ? fill.data() : px + static_cast<size_t>(at) * esize, esize);
    }
  }

 private:
  bool legacy_;
  Mode mode_ = Mode::kConstant;
  std::vector<int64_t> pads_attr_;
  float value_attr_ = 0.0f;
};

}  // namespace

std::unique_ptr<OpKernel> create_pad_ref(const KernelInit& init) {
  return std::make_unique<PadRef>(init);
}

}  // namespace trex
