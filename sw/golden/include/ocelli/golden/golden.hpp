// Umbrella header of the golden reference.
#pragma once

#include "ocelli/golden/layers.hpp"
#include "ocelli/golden/rlc.hpp"
#include "ocelli/golden/tensor.hpp"
#include "ocelli/golden/tensor_file.hpp"
