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
  td_link_allocator(${name})  # the product's allocator: its figures are the product's
  # bench/run.sh runs every binary in this folder.
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bench)
endfunction()

# jemalloc (Debian's libjemalloc-dev) replaces glibc's malloc in the plain builds: measured with
# bench/endpoint_ab.sh, a lone users service 41.3k -> 46.1k req/s, traced full flow +12-17% and a
# lower p99, for 1-2 MB more RSS. Sanitizer and fuzz builds keep their own allocator.
# td_link_allocator(TARGET) links it into tracing-demo and into every benchmark, so that a
# benchmark measures code with the allocator it runs with (BM_IngestProtobufFullStore: 1.3M
# spans/s with glibc's malloc, 1.8M with jemalloc).
option(TD_JEMALLOC "Link jemalloc into tracing-demo and the benchmarks (plain builds)" ON)
set(TD_USE_JEMALLOC OFF)  # decided once here; td_link_allocator only reads it
if(TD_JEMALLOC AND NOT CMAKE_CXX_FLAGS MATCHES "-fsanitize=")
  find_library(TD_JEMALLOC_LIBRARY NAMES jemalloc)
  if(TD_JEMALLOC_LIBRARY)
    set(TD_USE_JEMALLOC ON)
    message(STATUS "tracing-demo: jemalloc (${TD_JEMALLOC_LIBRARY})")
  else()
    message(STATUS "tracing-demo: glibc malloc (libjemalloc-dev not found)")
  endif()
endif()
function(td_link_allocator target)
  if(TD_USE_JEMALLOC)
    target_link_libraries(${target} PRIVATE ${TD_JEMALLOC_LIBRARY})
    target_compile_definitions(${target} PRIVATE TD_JEMALLOC)
  endif()
endfunction()
