# mbedtls-iot.cmake - the `mbedtls-iot` backend: Mbed TLS as a device ships
# it (configs/mbedtls-iot.h), built from Debian's source package by
# scripts/build-mbedtls-iot.sh, once, into a cache outside the checkout
# keyed by version and configuration.  The backend is backends/mbedtls.c
# compiled a second time, against that build's headers, with SB_MBED_IOT
# and the archive's symbol renaming (rename.h), so that it and Debian's
# Mbed TLS (the `mbedtls` backend) link into one executable.  When the
# library cannot be fetched or built, the backend is absent with one
# message and everything else builds.
#
#   -DSB_WITH_MBEDTLS_IOT=OFF   leave the backend out without trying
#
# Included from the top-level CMakeLists.txt after the sbcore target.

option(SB_WITH_MBEDTLS_IOT "Mbed TLS IoT build (from Debian's source)" ON)

set(sb_mbediot_prefix "")
if(SB_WITH_MBEDTLS_IOT)
  # A changed configuration or script reconfigures, and so rebuilds.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
               ${CMAKE_SOURCE_DIR}/scripts/build-mbedtls-iot.sh
               ${CMAKE_SOURCE_DIR}/configs/mbedtls-iot.h)
  execute_process(
    COMMAND sh ${CMAKE_SOURCE_DIR}/scripts/build-mbedtls-iot.sh
    OUTPUT_VARIABLE sb_mbediot_out OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_VARIABLE sb_mbediot_err
    RESULT_VARIABLE sb_mbediot_rc)
  if(sb_mbediot_rc EQUAL 0 AND EXISTS "${sb_mbediot_out}/lib/libmbedtls-iot.a")
    set(sb_mbediot_prefix "${sb_mbediot_out}")
  else()
    string(REGEX REPLACE "\n$" "" sb_mbediot_err "${sb_mbediot_err}")
    string(REGEX REPLACE ".*\n" "" sb_mbediot_last "${sb_mbediot_err}")
    message(WARNING "mbedtls-iot backend absent: "
                    "scripts/build-mbedtls-iot.sh failed (${sb_mbediot_last})")
  endif()
endif()

if(sb_mbediot_prefix)
  set(SB_MBEDTLS_IOT_FOUND ON)
  file(READ "${sb_mbediot_prefix}/debian-version" sb_mbediot_debian)
  string(STRIP "${sb_mbediot_debian}" sb_mbediot_debian)
  file(READ "${sb_mbediot_prefix}/config-sha256" sb_mbediot_sha)
  string(SUBSTRING "${sb_mbediot_sha}" 0 12 sb_mbediot_sha)
  message(STATUS "Mbed TLS IoT build ${sb_mbediot_debian}: ${sb_mbediot_prefix}")

  add_library(sb_mbedtls_iot OBJECT backends/mbedtls.c)
  target_include_directories(sb_mbedtls_iot BEFORE PRIVATE
    ${sb_mbediot_prefix}/include)
  target_compile_definitions(sb_mbedtls_iot PRIVATE
    MBEDTLS_CONFIG_FILE="mbedtls-iot.h"
    SB_MBED_IOT="${sb_mbediot_debian}, configs/mbedtls-iot.h sha256 ${sb_mbediot_sha}")
  target_compile_options(sb_mbedtls_iot PRIVATE
    "SHELL:-include ${sb_mbediot_prefix}/rename.h")
  target_sources(sbcore PRIVATE $<TARGET_OBJECTS:sb_mbedtls_iot>)
  target_link_libraries(sbcore PUBLIC ${sb_mbediot_prefix}/lib/libmbedtls-iot.a)
  target_compile_definitions(sbcore PUBLIC SB_WITH_MBEDTLS_IOT)
else()
  set(SB_MBEDTLS_IOT_FOUND OFF)
endif()
