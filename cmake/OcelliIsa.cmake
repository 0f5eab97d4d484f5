# The ISA's one description, rtl/isa/isa.json, generates at configure time (and again whenever it or the generator
# changes) the SystemVerilog package isa_pkg and the C++ header ocelli/isa.hpp into ${OCELLI_GENERATED_DIR}.
# Configure time, not build time: the verilated models' source lists are fixed when CMake runs verilator.
find_package(Python3 REQUIRED COMPONENTS Interpreter)

set(OCELLI_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)
set(OCELLI_ISA_JSON ${PROJECT_SOURCE_DIR}/rtl/isa/isa.json)
set(OCELLI_ISA_GEN ${PROJECT_SOURCE_DIR}/scripts/gen_isa.py)
set(OCELLI_ISA_PKG ${OCELLI_GENERATED_DIR}/isa_pkg.sv)

execute_process(
  COMMAND ${Python3_EXECUTABLE} ${OCELLI_ISA_GEN} --isa ${OCELLI_ISA_JSON}
          --sv ${OCELLI_ISA_PKG} --cpp ${OCELLI_GENERATED_DIR}/ocelli/isa.hpp
  RESULT_VARIABLE isa_result
  ERROR_VARIABLE isa_error)
if(NOT isa_result EQUAL 0)
  message(FATAL_ERROR "generating the ISA package and header from ${OCELLI_ISA_JSON} failed:\n${isa_error}")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${OCELLI_ISA_JSON} ${OCELLI_ISA_GEN})

# C++ users link ocelli_isa for #include "ocelli/isa.hpp".
add_library(ocelli_isa INTERFACE)
target_include_directories(ocelli_isa INTERFACE ${OCELLI_GENERATED_DIR})

# docs/isa.md's tables are committed; this test fails when they no longer match the description.
add_test(NAME isa_doc_is_current
         COMMAND ${Python3_EXECUTABLE} ${OCELLI_ISA_GEN} --isa ${OCELLI_ISA_JSON}
                 --check-doc ${PROJECT_SOURCE_DIR}/docs/isa.md)
set_tests_properties(isa_doc_is_current PROPERTIES LABELS "isa")
