# GnuTLS backend (Debian 12: libgnutls28-dev 3.7.9), included by the
# top-level CMakeLists.txt after the sbcore target exists.
#
# GnuTLS 3.7 has no allocator hook, so heap figures come from the tool's
# own malloc interposition (backends/heap_interpose.c; the top-level
# CMakeLists.txt builds it when SB_NEEDS_HEAP_INTERPOSITION is set), never
# with sanitizers, which own malloc themselves: the backend then claims no
# heap figures.  The DTLS timers' clock can only be set through
# _gnutls_global_set_gettime_function, a GNUTLS_PRIVATE_3_4 symbol: the
# backend is built only where it links.  The real gnutls_rnd is found
# behind the backend's own with dlvsym (libdl, part of libc since 2.34).
pkg_check_modules(GNUTLS IMPORTED_TARGET gnutls>=3.7)
if(GNUTLS_FOUND)
  include(CheckCSourceCompiles)
  set(CMAKE_REQUIRED_INCLUDES ${GNUTLS_INCLUDE_DIRS})
  set(CMAKE_REQUIRED_LIBRARIES ${GNUTLS_LINK_LIBRARIES})
  check_c_source_compiles([=[
    #include <time.h>
    void _gnutls_global_set_gettime_function(void (*)(struct timespec *));
    static void clock_fn(struct timespec *t) { t->tv_sec = 0; t->tv_nsec = 0; }
    int main(void) { _gnutls_global_set_gettime_function(clock_fn); return 0; }
  ]=] SB_GNUTLS_HAS_GETTIME_HOOK)
  unset(CMAKE_REQUIRED_INCLUDES)
  unset(CMAKE_REQUIRED_LIBRARIES)
  if(NOT SB_GNUTLS_HAS_GETTIME_HOOK)
    message(STATUS "GnuTLS found, but without _gnutls_global_set_gettime_function: no virtual clock for its DTLS timers, backend off")
    set(GNUTLS_FOUND OFF)
  endif()
endif()
option(SB_WITH_GNUTLS "GnuTLS backend" ${GNUTLS_FOUND})
if(SB_WITH_GNUTLS)
  target_sources(sbcore PRIVATE backends/gnutls.c)
  set(SB_NEEDS_HEAP_INTERPOSITION ON)
  if(NOT SB_SANITIZE)
    set_source_files_properties(backends/gnutls.c PROPERTIES
      COMPILE_DEFINITIONS SB_HEAP_INTERPOSITION)
  endif()
  target_link_libraries(sbcore PUBLIC PkgConfig::GNUTLS ${CMAKE_DL_LIBS})
  target_compile_definitions(sbcore PUBLIC SB_WITH_GNUTLS)
endif()
