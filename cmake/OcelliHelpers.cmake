# Shared CMake helpers for ocelli.

set(OCELLI_WARNINGS -Wall -Wextra -Wno-unused-parameter)
# Glue code -- test executables and the command-line front ends -- compiles at -O0: it only drives the libraries
# (golden, driver, runtime, DRAM, report: CMake's Release -O3) and the verilated models (their own flags below).
# -O0 compiles it in about three quarters of -O1's time (the `ocelli` tool's first unity batch 17.0 s of CPU against
# 12.8 s, ocelli-regress's 14.1 against 10.4; -O1 took a third less than -O3) and `make test` runs as long.
set(OCELLI_OPT_GLUE "-O0" CACHE STRING "g++ optimization flags for test executables and command-line front ends")

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
# declarations, the full dump at a window's start) compiles at -O0; the per-cycle part at -Og, which compiles in 58%
# of -O1's time into smaller code (at -O0 a focused trace of small_conv took 62 s instead of 8).
set(OCELLI_OPT_TRACE "-Og" CACHE STRING "g++ optimization flags for the verilated models' per-cycle trace code")
set(OCELLI_OPT_TRACE_SLOW "-O0" CACHE STRING "g++ optimization flags for the verilated models' run-once trace code")
# A model's small generated files compile together (ocelli_verilated_unity() below).
option(OCELLI_VERILATED_UNITY "Compile each verilated model's generated files in a few translation units" ON)
set(OCELLI_VERILATED_UNITY_BYTES 1500000 CACHE STRING "Source bytes per translation unit of a verilated model")
# Verilator runs at configuration time (verilate()), one model after the other; the models of one directory start
# together in the background instead (_ocelli_verilate_start() below), which keeps both cores busy.
option(OCELLI_PARALLEL_VERILATION "Verilate the models of a directory side by side at configuration time" ON)

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
# Verilator's runtime files are not written to share one translation unit.
set_target_properties(ocelli_verilated PROPERTIES POSITION_INDEPENDENT_CODE ON UNITY_BUILD OFF)

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
  # -fno-table: V3Table numbers its lookup tables per instance, which keeps the 168 PEs from sharing one copy of their
  # code (rtl/pe/pe.sv); sharing is worth far more than the tables.
  set(verilator_args -O3 --x-assign fast --x-initial fast --no-timing -Wall -fno-table ${variant_args}
                     -I${PROJECT_SOURCE_DIR}/rtl ${PROJECT_SOURCE_DIR}/rtl/ocelli.vlt ${ARG_ARGS})
  set_target_properties(${target} PROPERTIES
    OCELLI_VERILATE_ARGS "SOURCES;${ARG_SOURCES};TOP_MODULE;${ARG_TOP};PREFIX;${ARG_PREFIX};${trace_option};OPT_FAST;${OCELLI_OPT_FAST};OPT_SLOW;${OCELLI_OPT_SLOW};VERILATOR_ARGS;${verilator_args}"
    OCELLI_VERILATE_PREFIX ${ARG_PREFIX})
  if(OCELLI_PARALLEL_VERILATION)
    # Verilator runs now, in the background, and verilate() at the end of this directory (the models of one
    # directory verilate side by side instead of one after the other).
    _ocelli_verilate_start(${target} ${ARG_PREFIX} "${trace_option}" "${ARG_TOP}" "${verilator_args}" "${ARG_SOURCES}")
    cmake_language(EVAL CODE "cmake_language(DEFER CALL _ocelli_verilate_finish ${target})")
  else()
    _ocelli_verilate_finish(${target})
  endif()
endfunction()

# _ocelli_verilate_start(<target> <prefix> <trace option> <top> <verilator args> <sources>)
# Starts the Verilator command that verilate() would run (same words, see verilator-config.cmake) in the background,
# unless verilate()'s record of its last command says the output is current. _ocelli_verilate_finish() waits for it
# and leaves verilate() the record that makes it skip its own, serial run; if the two commands ever differ (another
# Verilator release), verilate() simply runs Verilator again itself and says nothing is lost but time.
function(_ocelli_verilate_start target prefix trace_option top verilator_args sources)
  set(vdir ${CMAKE_CURRENT_BINARY_DIR}/CMakeFiles/${target}.dir/${prefix}.dir)
  set(options --top ${top})
  if(trace_option STREQUAL "TRACE_FST")
    list(APPEND options --trace-fst)
  endif()
  list(APPEND options --cc)
  string(TOLOWER ${CMAKE_CXX_COMPILER_ID} compiler)
  if(compiler STREQUAL "appleclang")
    set(compiler clang)
  elseif(NOT compiler MATCHES "^msvc$|^clang$")
    set(compiler gcc)
  endif()
  set(command "${VERILATOR_BIN}" --compiler ${compiler} --prefix ${prefix} --Mdir ${vdir} --make cmake ${options}
              ${verilator_args} ${sources})
  set_target_properties(${target} PROPERTIES OCELLI_VERILATE_COMMAND "${command}" OCELLI_VERILATE_DIR ${vdir})
  if(EXISTS ${vdir}/verilator_args.txt AND EXISTS ${vdir}/${prefix}_copy.cmake)
    file(READ ${vdir}/verilator_args.txt previous)
    if(previous STREQUAL "${command}")
      return()
    endif()
  endif()
  file(MAKE_DIRECTORY ${vdir})
  file(REMOVE ${vdir}/ocelli_verilate.rc)
  message(STATUS "Starting Verilator for ${target}")
  # Run from the source directory, as verilate() does. The subshell's output goes to a log, so execute_process
  # returns at once; Verilator's exit status lands in ocelli_verilate.rc when it ends.
  execute_process(
    COMMAND sh -c "(\"\$@\" > '${vdir}/ocelli_verilate.log' 2>&1 < /dev/null; echo \$? > '${vdir}/rc.tmp'; mv '${vdir}/rc.tmp' '${vdir}/ocelli_verilate.rc') > /dev/null 2>&1 < /dev/null &" sh ${command}
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
  set_target_properties(${target} PROPERTIES OCELLI_VERILATE_STARTED ON)
endfunction()

# _ocelli_verilate_finish(<target>): verilate() with the arguments ocelli_verilate() stored, then ocelli's flags.
function(_ocelli_verilate_finish target)
  get_target_property(args ${target} OCELLI_VERILATE_ARGS)
  get_target_property(prefix ${target} OCELLI_VERILATE_PREFIX)
  get_target_property(started ${target} OCELLI_VERILATE_STARTED)
  if(started)
    get_target_property(vdir ${target} OCELLI_VERILATE_DIR)
    get_target_property(command ${target} OCELLI_VERILATE_COMMAND)
    execute_process(COMMAND sh -c "while [ ! -f ocelli_verilate.rc ]; do sleep 0.1; done" WORKING_DIRECTORY ${vdir})
    file(READ ${vdir}/ocelli_verilate.rc rc)
    string(STRIP "${rc}" rc)
    if(rc STREQUAL "0")
      # What verilate() records after its own run: the command and a copy of the generated file list.
      file(WRITE ${vdir}/verilator_args.txt "${command}")
      file(COPY_FILE ${vdir}/${prefix}.cmake ${vdir}/${prefix}_copy.cmake)
    endif()
    # On failure verilate() runs the command again and reports Verilator's messages itself.
  endif()
  verilate(${target} ${args})
  if(started)
    file(READ ${vdir}/verilator_args.txt recorded)
    if(NOT recorded STREQUAL "${command}")
      message(WARNING "ocelli_verilate(${target}): verilate() ran another Verilator command than the background run; "
                      "the parallel verilation (OCELLI_PARALLEL_VERILATION) no longer matches this Verilator release")
    endif()
  endif()
  # Verilator's runtime comes from ocelli_verilated (compiled once), not from every model.
  get_target_property(model_sources ${target} SOURCES)
  list(FILTER model_sources EXCLUDE REGEX "^${VERILATOR_ROOT}/include/verilated[a-z_]*\\.cpp$")
  set_property(TARGET ${target} PROPERTY SOURCES ${model_sources})
  # The PE's shared code (<prefix>_pe__DepSet_*.cpp, not __Slow) is small and hot: OCELLI_OPT_PE (appended after
  # OPT_FAST, so it wins).
  # Per-cycle trace code (<prefix>__Trace__<n>.cpp) gets OCELLI_OPT_TRACE, run-once trace code OCELLI_OPT_TRACE_SLOW.
  foreach(src ${model_sources})
    if(src MATCHES "/${prefix}_pe__DepSet_[^/]*[0-9]\\.cpp$")
      set_property(SOURCE ${src} APPEND_STRING PROPERTY COMPILE_FLAGS " ${OCELLI_OPT_PE}")
    elseif(src MATCHES "/${prefix}__Trace__[0-9]+\\.cpp$")
      set_property(SOURCE ${src} APPEND_STRING PROPERTY COMPILE_FLAGS " ${OCELLI_OPT_TRACE}")
    elseif(src MATCHES "/${prefix}__Trace__[0-9]+__Slow\\.cpp$")
      set_property(SOURCE ${src} APPEND_STRING PROPERTY COMPILE_FLAGS " ${OCELLI_OPT_TRACE_SLOW}")
    endif()
  endforeach()
  if(OCELLI_VERILATED_UNITY)
    ocelli_verilated_unity(${target} ${prefix})
  endif()
  target_link_libraries(${target} PUBLIC ocelli_verilated)
  # CMake's own unity build would not combine these files anyway (they carry per-file flags); say it.
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON UNITY_BUILD OFF)
endfunction()

# ocelli_verilated_unity(<target> <prefix>)
# Compiles a model's generated files in a few translation units instead of one each: every file of a model spends about
# a second parsing Verilator's headers and the model's own before its code, and most files are small (a clean build
# compiles about 220 of them). Files with the same g++ flags are included, in Verilator's order, by wrapper files of
# at most OCELLI_VERILATED_UNITY_BYTES of source each, so the large per-cycle files (the top's, the trace code) still
# compile in parallel. Verilator's own makefiles do the same (<prefix>__ALL.cpp). The generated files stay sources of
# the target (HEADER_FILE_ONLY), which keeps them behind the Verilator custom command; the wrappers are rewritten only
# when the file list changes (a new verilation changes it through a reconfiguration, verilate() arranges that).
function(ocelli_verilated_unity target prefix)
  get_target_property(sources ${target} SOURCES)
  get_target_property(binary_dir ${target} BINARY_DIR)
  set(unity_dir ${binary_dir}/CMakeFiles/${target}.dir/${prefix}.unity)
  set(groups)
  foreach(src ${sources})
    if(NOT src MATCHES "\\.cpp$")
      continue()
    endif()
    get_source_file_property(flags ${src} COMPILE_FLAGS)
    if(NOT flags)
      set(flags "")
    endif()
    string(MAKE_C_IDENTIFIER "g${flags}" group)
    if(NOT group IN_LIST groups)
      list(APPEND groups ${group})
      set(flags_${group} "${flags}")
      set(chunk_${group} 0)
      set(bytes_${group} 0)
    endif()
    if(EXISTS ${src})
      file(SIZE ${src} size)
    else()
      set(size 0)
    endif()
    # A new chunk when this file would push the current one past the limit (a large file gets a chunk to itself).
    if(bytes_${group} GREATER 0)
      math(EXPR after "${bytes_${group}} + ${size}")
      if(after GREATER OCELLI_VERILATED_UNITY_BYTES)
        math(EXPR chunk_${group} "${chunk_${group}} + 1")
        set(bytes_${group} 0)
      endif()
    endif()
    math(EXPR bytes_${group} "${bytes_${group}} + ${size}")
    set(key ${group}_${chunk_${group}})
    if(NOT key IN_LIST keys)
      list(APPEND keys ${key})
      set(group_of_${key} ${group})
      set(files_${key})
    endif()
    list(APPEND files_${key} ${src})
  endforeach()
  set(index 0)
  foreach(key ${keys})
    list(LENGTH files_${key} count)
    if(count LESS 2)
      continue()
    endif()
    set(content "// Generated by ocelli_verilated_unity() (cmake/OcelliHelpers.cmake): one translation unit for ${count} files.\n")
    foreach(src ${files_${key}})
      string(APPEND content "#include \"${src}\"\n")
      set_source_files_properties(${src} PROPERTIES HEADER_FILE_ONLY ON)
    endforeach()
    set(wrapper ${unity_dir}/${prefix}__unity_${index}.cpp)
    file(CONFIGURE OUTPUT ${wrapper} CONTENT "${content}" @ONLY)
    set(group ${group_of_${key}})
    set_source_files_properties(${wrapper} PROPERTIES COMPILE_FLAGS "${flags_${group}}")
    target_sources(${target} PRIVATE ${wrapper})
    math(EXPR index "${index} + 1")
  endforeach()
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
  # PRE_TEST: CTest lists the tests when it runs them, instead of the build running every test executable once.
  gtest_discover_tests(${target}
    DISCOVERY_MODE PRE_TEST
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT})
endfunction()
