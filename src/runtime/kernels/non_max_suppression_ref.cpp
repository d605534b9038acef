// Reference kernel of NonMaxSuppression: per batch and class, greedily keeps the highest
// scoring boxes above score_threshold, dropping any whose IoU with a kept box exceeds
// iou_threshold, up to max_output_boxes_per_class. Output: int64 [num_selected, 3] rows of
// (batch, class, box).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "runtime/kernel.h"
#include "runtime/kernels/axis_args.h"
#include "runtime/kernels/dispatch.h"
#include "runtime/kernels/reference_kernels.h"

namespace trex {

namespace {

/// A box as its corners, smallest first whatever order the input gave them in.
struct Box {
  double y1, x1, y2, x2;
};

double area(const Box& b) {
  return (b.y2 - b.y1) * (b.x2 - b.x1);
}

/// Whether the boxes overlap by more than `threshold` (intersection over union).
bool overlaps(const Box& a, const Box& b, double threshold) {
  const double ih = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  const double iw = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  if (ih <= 0 || iw <= 0) return false;
  const double inter = ih * iw;
  const double uni = area(a) + area(b) - inter;
  if (uni <= 0) return false;
  return inter / uni > threshold;
}

class NonMaxSuppressionRef : public OpKernel {
 public:
  explicit NonMaxSuppressionRef(const KernelInit& init)
      : center_point_box_(init.node->attr_int("center_point_box", 0) != 0) {}

  void compute(KernelContext& ctx) override {
    const std::string& label = ctx.node_label();
    const TensorView* boxes = ctx.input(0);
    const TensorView* scores = ctx.input(1);
    if (!boxes || !scores) throw_invalid(label + ": boxes and scores are required");
    if (boxes->rank() != 3 || boxes->dims[2] != 4)
      throw_invalid(label + ": boxes must be [batches, boxes, 4]");
    if (scores->rank() != 3 || scores->dims[0] != boxes->dims[0] ||
        scores->dims[2] != boxes->dims[1])
      throw_invalid(label + ": scores must be [batches, classes, boxes] matching boxes");
    int64_t max_out = 0;
    if (const TensorView* m = ctx.input(2); m && m->numel() > 0)
      max_out = read_int64s(*m, label, "max_output_boxes_per_class")[0];
    const double iou_threshold = scalar_of(ctx.input(3), label, 0.0);
    const bool has_score_threshold = ctx.input(4) && ctx.input(4)->numel() > 0;
    const double score_threshold = scalar_of(ctx.input(4), label, 0.0);
    if (iou_threshold < 0 || iou_threshold > 1)
      throw_invalid(label + ": iou_threshold " + std::to_string(iou_threshold) +
                    " is outside [0, 1]");
    const int64_t batches = boxes->dims[0], classes = scores->dims[1], n = boxes->dims[1];
    const std::vector<double> box_values = floats_of(*boxes, label);
    const std::vector<double> score_values = floats_of(*scores, label);
    std::vector<int64_t> selected;  // flattened triples
    for (int64_t b = 0; b < batches && max_out > 0; ++b) {
      std::vector<Box> bx(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) bx[static_cast<size_t>(i)] = box_at(box_values, b * n + i);
      for (int64_t c = 0; c < classes; ++c) {
        const double* s = score_values.data() + (b * classes + c) * n;
        std::vector<int64_t> order;
        for (int64_t i = 0; i < n; ++i)
          if (!has_score_threshold || s[i] > score_threshold) order.push_back(i);
        // Highest score first; equal scores keep the lower box index first. NaN scores never
        // pass a threshold; without one they rank last so the order stays total.
        std::stable_sort(order.begin(), order.end(), [s](int64_t i, int64_t j) {
          const bool ni = std::isnan(s[i]), nj = std::isnan(s[j]);
          if (ni || nj) return !ni && nj;
          return s[i] > s[j];
        });
        std::vector<int64_t> kept;
        for (int64_t i : order) {
          if (static_cast<int64_t>(kept.size()) >= max_out) break;
          bool drop = false;
          for (int64_t k : kept)
            if (overlaps(bx[static_cast<size_t>(i)], bx[static_cast<size_t>(k)], iou_threshold)) {
              drop = true;
              break;
            }
          if (drop) continue;
          kept.push_back(i);
          selected.insert(selected.end(), {b, c, i});
        }
      }
    }
    const int64_t count = static_cast<int64_t>(selected.size() / 3);
    TensorView& y = ctx.output(0, DType::kInt64, {count, 3});
    std::copy(selected.begin(), selected.end(), y.as<int64_t>());
  }

 private:
  Box box_at(const std::vector<double>& v, int64_t i) const {
    const double* p = v.data() + i * 4;
    if (center_point_box_) {
      // [x_center, y_center, width, height]
      return {p[1] - p[3] / 2, p[0] - p[2] / 2, p[1] + p[3] / 2, p[0] + p[2] / 2};
    }
    // [y1, x1, y2, x2], any pair of diagonal corners
    return {std::min(p[0], p[2]), std::min(p[1], p[3]), std::max(p[0], p[2]), std::max(p[1], p[3])};
  }

  static std::vector<double> floats_of(const TensorView& t, const std::string& label) {
    return dispatch_float(t.dtype, label, [&](auto zero) {
      using T = decltype(zero);
      std::vector<double> out(static_cast<size_t>(t.numel()));
      for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<double>(t.as<T>()[i]);
      return out;
    });
  }

  static double scalar_of(const TensorView* t, const std::string& label, double def) {
    if (!t || t->numel() == 0) return def;
    return floats_of(*t, label)[0];
  }

  bool center_point_box_;
};

}  // namespace

std::unique_ptr<OpKernel> create_non_max_suppression_ref(const KernelInit& init) {
  return std::make_unique<NonMaxSuppressionRef>(init);
}

}  // namespace trex
