// A task's images as PTQ calibration data: the template's inference transform (the
// same preprocessing evaluation uses), batched by the background BatchLoader.
#pragma once

#include <string>

#include "data/batch_loader.h"
#include "quant/calibration_data.h"

namespace trex::engine {

class DatasetCalibration : public quant::CalibrationData {
 public:
  /// `data` must outlive this object.
  DatasetCalibration(const ImageDataset& data, TransformSpec transform, std::string input_name,
                     int workers)
      : data_(data),
        transform_(std::move(transform)),
        input_(std::move(input_name)),
        workers_(workers) {}
  size_t size() const override { return data_.size(); }
  void for_each_batch(const std::vector<size_t>& indices, int batch_size,
                      const std::function<void(const quant::InputBatch&)>& fn) override {
    LoaderOptions lo;
    lo.batch_size = batch_size;
    lo.workers = workers_;
    lo.order = indices;
    BatchLoader loader(data_, transform_, lo);
    Batch b;
    while (loader.next(b)) {
      Tensor x = Tensor::from_bytes(DType::kFloat32, {b.n, b.channels, b.height, b.width},
                                    b.data.data(), b.data.size() * sizeof(float));
      fn({{input_, std::move(x)}});
    }
  }

 private:
  const ImageDataset& data_;
  TransformSpec transform_;
  std::string input_;
  int workers_;
};

}  // namespace trex::engine
