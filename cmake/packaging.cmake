# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
# Debian packages with CPack (`cd build && cpack -G DEB`), one per install component:
#   libqaio0          runtime: libqaio.so.0
#   libqaio-dev       dev: headers, libqaio.so, CMake package, qaio.pc
#   qml6-module-qaio  qml: the QML module `import Qaio` and libqaio_qml.so.0
# Installed under /usr with Debian's multiarch libdir (see CMAKE_INSTALL_LIBDIR).
set(CPACK_PACKAGE_NAME qaio)
set(CPACK_PACKAGE_VENDOR "The qaio authors")
set(CPACK_PACKAGE_CONTACT "The qaio authors <qaio@invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
if(QAIO_BUILD_QML)
  list(APPEND CPACK_COMPONENTS_ALL qml)
endif()

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # <name>_<version>-<release>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "")
set(qaio_deb_version "${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}")

# The runtime's Depends (libc6, libstdc++6, libqt6core6, libqt6network6,
# libssl3 with versions) come from dpkg-shlibdeps (dpkg-dev) where it exists.
find_program(QAIO_DPKG_SHLIBDEPS dpkg-shlibdeps)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libqaio0)
if(QAIO_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS
      "libc6, libstdc++6 (>= 12), libqt6core6 (>= 6.4), libqt6network6 (>= 6.4), libssl3 (>= 3.0)")
endif()
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "${PROJECT_DESCRIPTION} - runtime library")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libqaio-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "libqaio0 (= ${qaio_deb_version}), qt6-base-dev (>= 6.4)")
if(QAIO_BUILD_QML)
  # libqaio_qml.so (the namelink) and qaio::qml point into the QML package.
  string(APPEND CPACK_DEBIAN_DEV_PACKAGE_DEPENDS ", qml6-module-qaio (= ${qaio_deb_version})")
  set(CPACK_DEBIAN_DEV_PACKAGE_SUGGESTS "qt6-declarative-dev (>= 6.4)")
endif()
set(CPACK_COMPONENT_DEV_DESCRIPTION "${PROJECT_DESCRIPTION} - development files")

set(CPACK_DEBIAN_QML_PACKAGE_NAME qml6-module-qaio)
set(CPACK_DEBIAN_QML_PACKAGE_DEPENDS "libqaio0 (= ${qaio_deb_version}), libqt6qml6 (>= 6.4)")
set(CPACK_COMPONENT_QML_DESCRIPTION "${PROJECT_DESCRIPTION} - QML module (import Qaio)")

if(NOT CMAKE_INSTALL_LIBDIR STREQUAL "lib/${CMAKE_LIBRARY_ARCHITECTURE}")
  message(STATUS "qaio: CMAKE_INSTALL_LIBDIR is ${CMAKE_INSTALL_LIBDIR}: the .deb will not use Debian's multiarch layout")
endif()
# Debian policy: each package carries its licence as /usr/share/doc/<package>/copyright.
foreach(component runtime dev qml)
  string(TOUPPER ${component} upper)
  if(component IN_LIST CPACK_COMPONENTS_ALL)
    install(FILES ${PROJECT_SOURCE_DIR}/LICENSE RENAME copyright
      DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${CPACK_DEBIAN_${upper}_PACKAGE_NAME} COMPONENT ${component})
  endif()
endforeach()
include(CPack)
