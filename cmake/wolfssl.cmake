# wolfssl.cmake - the wolfSSL backend: wolfSSL 5.7.2 built from Debian 13's
# source package by scripts/build-wolfssl.sh, once, into a cache outside
# the checkout (${XDG_CACHE_HOME:-$HOME/.cache}/suitebench/, keyed by the
# configure line), so a rebuild or a fresh clone neither refetches nor
# rebuilds.  When the library cannot be fetched or built, the backend is
# absent with one message and everything else builds.
#
#   -DSB_WITH_WOLFSSL=OFF      leave the backend out without trying
#   -DSB_WOLFSSL_PREFIX=DIR    use a wolfSSL installed in DIR instead
#
# Included from the top-level CMakeLists.txt after the sbcore target.

option(SB_WITH_WOLFSSL "wolfSSL backend (built from Debian 13's source)" ON)
set(SB_WOLFSSL_PREFIX "" CACHE PATH
    "wolfSSL install prefix (empty: scripts/build-wolfssl.sh builds one)")

if(SB_WITH_WOLFSSL AND NOT SB_WOLFSSL_PREFIX)
  # A changed configure line reconfigures, and so builds the new library.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               ${CMAKE_SOURCE_DIR}/scripts/build-wolfssl.sh)
  execute_process(
    COMMAND sh ${CMAKE_SOURCE_DIR}/scripts/build-wolfssl.sh
    OUTPUT_VARIABLE sb_wolfssl_out OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_VARIABLE sb_wolfssl_err
    RESULT_VARIABLE sb_wolfssl_rc)
  if(sb_wolfssl_rc EQUAL 0 AND EXISTS "${sb_wolfssl_out}/lib/libwolfssl.a")
    set(sb_wolfssl_prefix "${sb_wolfssl_out}")
  else()
    string(REGEX REPLACE "\n$" "" sb_wolfssl_err "${sb_wolfssl_err}")
    string(REGEX REPLACE ".*\n" "" sb_wolfssl_last "${sb_wolfssl_err}")
    message(WARNING "wolfSSL backend absent: scripts/build-wolfssl.sh "
                    "failed (${sb_wolfssl_last})")
  endif()
elseif(SB_WITH_WOLFSSL)
  set(sb_wolfssl_prefix "${SB_WOLFSSL_PREFIX}")
endif()

if(sb_wolfssl_prefix)
  set(SB_WOLFSSL_FOUND ON)
  file(READ "${sb_wolfssl_prefix}/configure-line" sb_wolfssl_config)
  string(STRIP "${sb_wolfssl_config}" sb_wolfssl_config)
  string(REPLACE "\"" "'" sb_wolfssl_config "${sb_wolfssl_config}")
  file(READ "${sb_wolfssl_prefix}/debian-version" sb_wolfssl_debian)
  string(STRIP "${sb_wolfssl_debian}" sb_wolfssl_debian)
  message(STATUS "wolfSSL ${sb_wolfssl_debian}: ${sb_wolfssl_prefix}")

  add_library(sb_wolfssl STATIC IMPORTED)
  set_target_properties(sb_wolfssl PROPERTIES
    IMPORTED_LOCATION "${sb_wolfssl_prefix}/lib/libwolfssl.a"
    INTERFACE_INCLUDE_DIRECTORIES "${sb_wolfssl_prefix}/include")
  target_link_libraries(sb_wolfssl INTERFACE m pthread)

  target_sources(sbcore PRIVATE backends/wolfssl.c)
  target_link_libraries(sbcore PUBLIC sb_wolfssl)
  target_compile_definitions(sbcore PUBLIC SB_WITH_WOLFSSL)
  # The provenance names the build: Debian version and configure line.
  set_source_files_properties(backends/wolfssl.c PROPERTIES
    COMPILE_DEFINITIONS
    "SB_WOLFSSL_DEBIAN=\"${sb_wolfssl_debian}\";SB_WOLFSSL_CONFIG=\"${sb_wolfssl_config}\"")
else()
  set(SB_WOLFSSL_FOUND OFF)
endif()
