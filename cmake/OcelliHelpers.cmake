# Shared CMake helpers for ocelli.

set(OCELLI_WARNINGS -Wall -Wextra -Wno-unused-parameter)
# Glue code -- test executables and the command-line front ends -- compiles at -O1: it only drives the libraries
# (golden, driver, runtime, DRAM, report: CMake's Release -O3) and the verilated models (their own flags below), and
# -O1 takes about a third less compile time than -O3 there (test_runtime.cpp 6.8 s against 10.0 s).
set(OCELLI_OPT_GLUE "-O1" CACHE STRING "g++ optimization flags for test executables and command-line front ends")

# C++ optimization of the verilated models' per-cycle code. -Os, as in Verilator's own makefiles: the root code of the
# top is large and instruction-fetch bound (conv5 ran 10.5 k cycles/s with -Os against 8.2 k with -O3). The PE's code,
# one small copy shared by all 168 instances, is compiled with OCELLI_OPT_PE instead (docs/architecture.md,
# Simulation).
set(OCELLI_OPT_FAST "-Os" CACHE STRING "g++ optimization flags for the verilated models' per-cycle code")
set(OCELLI_OPT_PE "-O2" CACHE STRING "g++ optimization flags for the PE's shared per-cycle code")
# Code that runs once (constructors, initial values, trace declarations: Verilator's "slow" files) and trace code
# (runs only inside a trace window) is compiled quickly instead of well: most of a clean build's time.
set(OCELLI_OPT_SLOW "-O1" CACHE STRING "g++ optimization flags for the verilated models' run-once and trace code")
# Trace code runs only inside a trace window (`make wave`, one layer). Its run-once part (<prefix>__Trace__<n>__Slow:
# declarations, the full dump at a window's start) compiles at -O0; the per-cycle part stays at OCELLI_OPT_SLOW
# (at -O0 a focused trace of small_conv took 62 s instead of 8).
set(OCELLI_OPT_TRACE_SLOW "-O0" CACHE STRING "g++ optimization flags for the verilated models' run-once trace code")

# Verilator's runtime (verilated.cpp, FST writer, threads, DPI), compiled once for every model instead of once per
# model. Built with tracing enabled: the traced model needs it, the others do not call into it.
set(OCELLI_VERILATED_RUNTIME
    ${VERILATOR_ROOT}/include/verilated.cpp
    ${VERILATOR_ROOT}/include/verilated_dpi.cpp
    ${VERILATOR_ROOT}/include/verilated_fst_c.cpp
    ${VERILATOR_ROOT}/include/verilated_threads.cpp)
add_library(ocelli_verilated STATIC ${OCELLI_VERILATED_RUNTIME})
target_include_directories(ocelli_verilated PUBLIC ${VERILATOR_ROOT}/include ${VERILATOR_ROOT}/include/vltstd)
target_compile_definitions(ocelli_verilated PRIVATE VM_COVERAGE=0 VM_SC=0 VM_TRACE=1 VM_TRACE_VCD=0 VM_TRACE_FST=1)
target_compile_options(ocelli_verilated PRIVATE -Os)
target_link_libraries(ocelli_verilated PUBLIC ZLIB::ZLIB Threads::Threads)
set_target_properties(ocelli_verilated PROPERTIES POSITION_INDEPENDENT_CODE ON)

# ocelli_verilate(<target> TOP <module> SOURCES <sv...> [PREFIX <class>] [TRACE] [FAST] [ARGS <extra args...>])
# Builds a static library holding the verilated model <PREFIX> (default V<module>; header "<PREFIX>.h").
#   default: a checked model: the PE rule checks (+define+OCELLI_CHECKS) and, with OCELLI_ASSERT, the SystemVerilog
#            assertions; no trace code.
#   TRACE:   also FST trace code (stays off until a harness opens a trace). Only waveform models need it: trace
#            code dominates compile time and keeps logic alive that would otherwise be optimized away.
#   FAST:    the performance model: no rule checks, no assertions, no trace code in the per-cycle path.
function(ocelli_verilate target)
  cmake_parse_arguments(ARG "TRACE;FAST" "TOP;PREFIX" "SOURCES;ARGS" ${ARGN})
  if(NOT ARG_PREFIX)
    set(ARG_PREFIX V${ARG_TOP})
  endif()
  add_library(${target} STATIC)
  set(variant_args)
  if(ARG_FAST)
    if(ARG_TRACE)
      message(FATAL_ERROR "ocelli_verilate(${target}): FAST and TRACE exclude each other")
    endif()
    list(APPEND variant_args --no-assert)
  else()
    list(APPEND variant_args +define+OCELLI_CHECKS)
    if(OCELLI_ASSERT)
      list(APPEND variant_args --assert)
    endif()
  endif()
  set(trace_option)
  if(ARG_TRACE)
    set(trace_option TRACE_FST)
    # --output-split-ctrace: the top's trace code (every PE's spads) is otherwise a few functions of megabytes each,
    # which took g++ -O3 over ten minutes; small functions compile in a fraction of that, and in parallel.
    list(APPEND variant_args --output-split-ctrace 2000)
  endif()
  verilate(${target}
    SOURCES ${ARG_SOURCES}
    TOP_MODULE ${ARG_TOP}
    PREFIX ${ARG_PREFIX}
    ${trace_option}
    OPT_FAST ${OCELLI_OPT_FAST}
    OPT_SLOW ${OCELLI_OPT_SLOW}
    # -fno-table: V3Table numbers its lookup tables per instance, which keeps the 168 PEs from sharing one copy of
    # their code (rtl/pe/pe.sv); sharing is worth far more than the tables.
    VERILATOR_ARGS -O3 --x-assign fast --x-initial fast --no-timing -Wall -fno-table
                   ${variant_args}
                   -I${PROJECT_SOURCE_DIR}/rtl
                   ${PROJECT_SOURCE_DIR}/rtl/ocelli.vlt
                   ${ARG_ARGS})
  # Verilator's runtime comes from ocelli_verilated (compiled once), not from every model.
  get_target_property(model_sources ${target} SOURCES)
  list(FILTER model_sources EXCLUDE REGEX "^${VERILATOR_ROOT}/include/verilated[a-z_]*\\.cpp$")
  set_property(TARGET ${target} PROPERTY SOURCES ${model_sources})
  # The PE's shared code (<prefix>_pe__DepSet_*.cpp, not __Slow) is small and hot: OCELLI_OPT_PE (appended after
  # OPT_FAST, so it wins).
  # Per-cycle trace code (<prefix>__Trace__<n>.cpp) gets OCELLI_OPT_SLOW, run-once trace code OCELLI_OPT_TRACE_SLOW.
  foreach(src ${model_sources})
    if(src MATCHES "/${ARG_PREFIX}_pe__DepSet_[^/]*[0-9]\\.cpp$")
      set_property(SOURCE ${src} APPEND_STRING PROPERTY COMPILE_FLAGS " ${OCELLI_OPT_PE}")
    elseif(src MATCHES "/${ARG_PREFIX}__Trace__[0-9]+\\.cpp$")
      set_property(SOURCE ${src} APPEND_STRING PROPERTY COMPILE_FLAGS " ${OCELLI_OPT_SLOW}")
    elseif(src MATCHES "/${ARG_PREFIX}__Trace__[0-9]+__Slow\\.cpp$")
      set_property(SOURCE ${src} APPEND_STRING PROPERTY COMPILE_FLAGS " ${OCELLI_OPT_TRACE_SLOW}")
    endif()
  endforeach()
  target_link_libraries(${target} PUBLIC ocelli_verilated)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()

# ocelli_add_gtest(<target> SOURCES <cpp...> LIBS <libs...> LABELS <labels...>)
# A GoogleTest executable whose tests CTest discovers, labelled by area for `ctest -L <area>`.
# One precompiled header for every test executable: GoogleTest, fmt and the standard headers most tests include
# (parsing them took about 2 s of each test file's 3-9 s).
set(OCELLI_PCH_SOURCE ${CMAKE_BINARY_DIR}/ocelli_gtest_pch.cpp)
file(WRITE ${OCELLI_PCH_SOURCE} "// the precompiled header of the test executables (cmake/OcelliHelpers.cmake)\n")
add_library(ocelli_gtest_pch STATIC ${OCELLI_PCH_SOURCE})
target_link_libraries(ocelli_gtest_pch PRIVATE GTest::gtest fmt::fmt)
target_compile_options(ocelli_gtest_pch PRIVATE ${OCELLI_WARNINGS} ${OCELLI_OPT_GLUE})
target_precompile_headers(ocelli_gtest_pch PRIVATE <gtest/gtest.h> <fmt/core.h> <algorithm> <cstdint> <filesystem>
                          <fstream> <memory> <random> <string> <vector>)

function(ocelli_add_gtest target)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE ${ARG_LIBS} GTest::gtest_main fmt::fmt)
  target_compile_options(${target} PRIVATE ${OCELLI_WARNINGS} ${OCELLI_OPT_GLUE})
  target_precompile_headers(${target} REUSE_FROM ocelli_gtest_pch)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 600)
  endif()
  gtest_discover_tests(${target}
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()
