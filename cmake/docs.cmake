# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
# `cmake --build build --target docs`: the API reference in build/docs/html,
# from the public headers (Doxygen; Debian package doxygen). Warnings, such as
# an undocumented public name, fail the target.
find_program(QAIO_DOXYGEN doxygen)
if(QAIO_DOXYGEN)
  set(QAIO_DOCS_OUTPUT_DIR ${PROJECT_BINARY_DIR}/docs)
  file(GLOB QAIO_DOCS_HEADERS CONFIGURE_DEPENDS
    ${PROJECT_SOURCE_DIR}/src/qaio/*.h)
  list(APPEND QAIO_DOCS_HEADERS ${PROJECT_BINARY_DIR}/src/qaio/version.h)
  list(JOIN QAIO_DOCS_HEADERS " " QAIO_DOCS_INPUT)
  configure_file(${PROJECT_SOURCE_DIR}/docs/Doxyfile.in ${QAIO_DOCS_OUTPUT_DIR}/Doxyfile @ONLY)
  add_custom_target(docs
    COMMAND ${QAIO_DOXYGEN} ${QAIO_DOCS_OUTPUT_DIR}/Doxyfile
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    COMMENT "API reference (Doxygen) -> ${QAIO_DOCS_OUTPUT_DIR}/html"
    VERBATIM)
else()
  add_custom_target(docs
    COMMAND ${CMAKE_COMMAND} -E echo "docs: doxygen not found (apt-get install doxygen)"
    COMMAND ${CMAKE_COMMAND} -E false)
endif()
