// IDX files (the MNIST / Fashion-MNIST format, optionally gzip-compressed) as float images and labels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ocelli/onnx/numeric_tensor.hpp"

namespace ocelli::import {

// The first `count` images (all when count is 0) of an idx3-ubyte file as [N, 1, rows, cols] floats pixel / 255
// (the preprocessing of scripts/train_fashion.py). Throws std::runtime_error naming the file and the problem.
ocelli::onnx::NumericTensor read_idx_images(const std::string& path, std::size_t count = 0, std::size_t first = 0);
// Labels of an idx1-ubyte file, `count` of them (all when 0) from `first`.
std::vector<int> read_idx_labels(const std::string& path, std::size_t count = 0, std::size_t first = 0);

}  // namespace ocelli::import
