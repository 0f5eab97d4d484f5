// Whether a verilated model has trace code (built with TRACE, cmake/OcelliHelpers.cmake): the top's harness and the
// block testbenches ask before opening a trace.
#pragma once

#include <type_traits>
#include <utility>

class VerilatedFstC;

namespace ocelli::sim {

template <class Model, class = void>
struct HasTraceCode : std::false_type {};
template <class Model>
struct HasTraceCode<Model, std::void_t<decltype(std::declval<Model&>().trace(std::declval<VerilatedFstC*>(), 0))>>
    : std::true_type {};

}  // namespace ocelli::sim
