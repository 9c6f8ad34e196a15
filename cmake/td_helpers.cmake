# td_library(NAME SOURCES ... DEPS ...): a static library of ours with the common options.
function(td_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_link_libraries(${name} PUBLIC td_options ${ARG_DEPS})
endfunction()

# td_test(NAME SOURCES ... DEPS ...): a gtest binary registered with CTest (label "unit").
function(td_test name)
  if(NOT TD_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE td_options ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit TIMEOUT 120)
endfunction()

# td_benchmark(NAME SOURCES ... DEPS ...): a Google Benchmark binary (run by `make bench`).
function(td_benchmark name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE td_options ${ARG_DEPS} benchmark::benchmark)
  # bench/run.sh runs every binary in this folder.
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bench)
endfunction()
