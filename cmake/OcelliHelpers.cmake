# Shared CMake helpers for ocelli.

set(OCELLI_WARNINGS -Wall -Wextra -Wno-unused-parameter)

# ocelli_verilate(<target> TOP <module> SOURCES <sv...> [ARGS <extra verilator args...>])
# Builds a static library holding the verilated model V<module> (header "V<module>.h").
# FST tracing is compiled in and stays off until a harness opens a trace.
# C++ optimization of the verilated models' hot code. -Os, as in Verilator's own makefiles: the model is instruction-
# fetch bound, and on conv5 -Os ran 10.5 k cycles/s against 8.2 k with -O3 (docs/architecture.md).
set(OCELLI_OPT_FAST "-Os" CACHE STRING "g++ optimization flags for the verilated models' per-cycle code")

function(ocelli_verilate target)
  cmake_parse_arguments(ARG "" "TOP" "SOURCES;ARGS" ${ARGN})
  add_library(${target} STATIC)
  set(assert_args)
  if(OCELLI_ASSERT)
    set(assert_args --assert)
  endif()
  verilate(${target}
    SOURCES ${ARG_SOURCES}
    TOP_MODULE ${ARG_TOP}
    PREFIX V${ARG_TOP}
    TRACE_FST
    OPT_FAST ${OCELLI_OPT_FAST}
    # -fno-table: V3Table numbers its lookup tables per instance, which keeps the 168 PEs from sharing one copy of
    # their code (rtl/pe/pe.sv); sharing is worth far more than the tables.
    # --output-split-ctrace: the top's trace code (every PE's spads) is otherwise a few functions of megabytes each,
    # which took g++ -O3 over ten minutes; small functions compile in a fraction of that, and in parallel.
    VERILATOR_ARGS -O3 --x-assign fast --x-initial fast --no-timing -Wall -fno-table --output-split-ctrace 2000
                   ${assert_args}
                   -I${PROJECT_SOURCE_DIR}/rtl
                   ${PROJECT_SOURCE_DIR}/rtl/ocelli.vlt
                   ${ARG_ARGS})
  # Harnesses that link the model and use tracing need the same defines the model was built with.
  target_compile_definitions(${target} PUBLIC VM_TRACE=1 VM_TRACE_FST=1)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()

# ocelli_add_gtest(<target> SOURCES <cpp...> LIBS <libs...> LABELS <labels...>)
# A GoogleTest executable whose tests CTest discovers, labelled by area for `ctest -L <area>`.
function(ocelli_add_gtest target)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_LIBS} GTest::gtest_main fmt::fmt)
  target_compile_options(${target} PRIVATE ${OCELLI_WARNINGS})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  gtest_discover_tests(${target}
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()
