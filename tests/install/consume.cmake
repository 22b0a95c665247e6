# SPDX-License-Identifier: MIT
# SPDX-FileCopyrightText: 2026 The qaio authors
# Run with cmake -P -DSTEP=<step>: installs qaio, or packages it, and builds and
# runs programs against the result only (never the build tree). Steps:
#   install         cmake --install into WORK_DIR/prefix
#   cmake-core      the Core consumer via find_package(qaio)        (prefix)
#   cmake-readme    README.md's example, the same way
#   cmake-quick     the Qt Quick consumer via find_package(qaio COMPONENTS Qml), import Qaio
#   pkgconfig       the Core consumer via g++ $(pkg-config --cflags --libs qaio)
#   deb             cpack -G DEB, check the packages, dpkg-deb -x them into WORK_DIR/root
#   deb-core, deb-quick   the two CMake consumers against WORK_DIR/root/usr
# Variables: QAIO_BUILD_DIR, SOURCE_DIR (tests/install), WORK_DIR, GENERATOR,
# LIBDIR and QMLDIR (relative to the prefix), QML (the QML module was built).

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}${err}" PARENT_SCOPE)
endfunction()

# Each regex must match the program's output (stdout and stderr).
function(expect_output)
  foreach(regex ${ARGN})
    if(NOT last_output MATCHES "${regex}")
      message(FATAL_ERROR "expected output matching '${regex}', got:\n${last_output}")
    endif()
  endforeach()
  message("${last_output}")
endfunction()

# Configures consumer project `project` against `prefix`, builds its target
# `name` and runs it; the QML engine finds Qaio under the prefix through
# QML_IMPORT_PATH.
function(build_and_run project name prefix)
  set(build ${WORK_DIR}/${STEP}-${name})
  file(REMOVE_RECURSE ${build})
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/${project} -B ${build} -G ${GENERATOR}
      -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_BUILD_TYPE=Release)
  run(${CMAKE_COMMAND} --build ${build} --target ${name})
  run(${CMAKE_COMMAND} -E env --unset=LD_LIBRARY_PATH QT_QPA_PLATFORM=offscreen
      QML_IMPORT_PATH=${prefix}/${QMLDIR} ${build}/${name})
  set(last_output "${last_output}" PARENT_SCOPE)
endfunction()

set(prefix ${WORK_DIR}/prefix)
set(root ${WORK_DIR}/root)

if(STEP STREQUAL "install")
  file(REMOVE_RECURSE ${prefix})
  run(${CMAKE_COMMAND} --install ${QAIO_BUILD_DIR} --prefix ${prefix})
  set(files include/qaio/qaio.h include/qaio/version.h
      ${LIBDIR}/libqaio.so.0 ${LIBDIR}/cmake/qaio/qaioConfig.cmake ${LIBDIR}/pkgconfig/qaio.pc)
  if(QML)
    list(APPEND files include/qaio/qmlfuture.h ${LIBDIR}/libqaio_qml.so.0
         ${QMLDIR}/Qaio/qmldir ${QMLDIR}/Qaio/qaio_qml.qmltypes ${QMLDIR}/Qaio/libqaio_qmlplugin.so)
  endif()
  foreach(file ${files})
    if(NOT EXISTS ${prefix}/${file})
      message(FATAL_ERROR "install did not put ${file} under ${prefix}")
    endif()
  endforeach()
  message("installed into ${prefix}")
elseif(STEP STREQUAL "cmake-core")
  build_and_run(consumer consumer ${prefix})
  expect_output("consumer: qaio [0-9.]+, 3 callbacks ran in order")
elseif(STEP STREQUAL "cmake-readme")
  build_and_run(consumer readme_example ${prefix})
  expect_output("\"hello, Qt\" \"hello, asyncio\"")
elseif(STEP STREQUAL "cmake-quick")
  build_and_run(quick_consumer quick_consumer ${prefix})
  expect_output("square\\(7\\) = 49" "quick_consumer: slept"
                "background task finished cleanup: yes" "quick_consumer: exit 0")
elseif(STEP STREQUAL "pkgconfig")
  set(ENV{PKG_CONFIG_PATH} ${prefix}/${LIBDIR}/pkgconfig)
  run(pkg-config --cflags --libs qaio)
  string(STRIP "${last_output}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  run(pkg-config --modversion qaio)
  message("pkg-config: qaio ${last_output}")
  file(MAKE_DIRECTORY ${WORK_DIR}/pkgconfig)
  run(g++ -std=c++20 ${SOURCE_DIR}/consumer/main.cpp -o ${WORK_DIR}/pkgconfig/consumer ${flags})
  run(${CMAKE_COMMAND} -E env LD_LIBRARY_PATH=${prefix}/${LIBDIR} ${WORK_DIR}/pkgconfig/consumer)
  expect_output("consumer: qaio [0-9.]+, 3 callbacks ran in order")
elseif(STEP STREQUAL "deb")
  set(packages ${WORK_DIR}/packages)
  file(REMOVE_RECURSE ${packages} ${root})
  run(cpack -G DEB -B ${packages} --config ${QAIO_BUILD_DIR}/CPackConfig.cmake)
  file(GLOB debs ${packages}/*.deb)
  # Each package, a file it must hold, and a package it must depend on.
  foreach(spec "libqaio0|/usr/${LIBDIR}/libqaio.so.0|libqt6network6"
               "libqaio-dev|/usr/include/qaio/version.h|libqaio0"
               "qml6-module-qaio|/usr/${QMLDIR}/Qaio/qmldir|libqt6qml6")
    string(REPLACE "|" ";" spec "${spec}")
    list(GET spec 0 name)
    list(GET spec 1 file)
    list(GET spec 2 dependency)
    file(GLOB deb ${packages}/${name}_*.deb)
    if(NOT deb)
      message(FATAL_ERROR "cpack did not make ${name}: ${debs}")
    endif()
    run(dpkg-deb --field ${deb} Package Version Depends)
    message("${last_output}")
    if(NOT last_output MATCHES "Depends: [^\n]*${dependency}")
      message(FATAL_ERROR "${name} does not depend on ${dependency}")
    endif()
    run(dpkg-deb --contents ${deb})
    foreach(f ${file} /usr/share/doc/${name}/copyright)
      if(NOT last_output MATCHES " \\.${f}[ \n]")
        message(FATAL_ERROR "${name} lacks ${f}:\n${last_output}")
      endif()
    endforeach()
    run(dpkg-deb -x ${deb} ${root})
  endforeach()
elseif(STEP STREQUAL "deb-core")
  build_and_run(consumer consumer ${root}/usr)
  expect_output("consumer: qaio [0-9.]+, 3 callbacks ran in order")
elseif(STEP STREQUAL "deb-quick")
  build_and_run(quick_consumer quick_consumer ${root}/usr)
  expect_output("square\\(7\\) = 49" "quick_consumer: slept"
                "background task finished cleanup: yes" "quick_consumer: exit 0")
else()
  message(FATAL_ERROR "unknown STEP '${STEP}'")
endif()
