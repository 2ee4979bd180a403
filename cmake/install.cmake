# `cmake --install` puts the public headers, the library and a CMake package config in place,
# so another project writes find_package(hpo CONFIG REQUIRED) and links hpo::hpo.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS hpo EXPORT hpoTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
# Public headers: the core model and interfaces, and parameter importance. hpo/hpo.h is the
# umbrella header.
install(DIRECTORY core/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hpo/core
  FILES_MATCHING PATTERN "*.h")
install(DIRECTORY importance/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hpo/importance
  FILES_MATCHING PATTERN "*.h")
install(FILES core/hpo.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hpo)

set(HPO_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/hpo)
install(EXPORT hpoTargets NAMESPACE hpo:: DESTINATION ${HPO_CMAKE_DIR})
configure_package_config_file(cmake/hpoConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/hpoConfig.cmake INSTALL_DESTINATION ${HPO_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/hpoConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/hpoConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/hpoConfigVersion.cmake DESTINATION ${HPO_CMAKE_DIR})
