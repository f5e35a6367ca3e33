# A TU that only declares workflows includes no Asio and no Beast (issue 11: <= 3 s). Run as
#   cmake -DCOMPILER=<c++> -DFLAGS=<flags joined by |> -DINCLUDE_DIR=<include/> -DTU=<out.cpp>
#     -P declare_only.cmake
# It includes every header of core/ and blocks/ (core/money.hpp too) and fails when the
# compiler's -H list names boost/asio or boost/beast, with the chain that pulled it in.
cmake_minimum_required(VERSION 3.25)

file(GLOB headers RELATIVE ${INCLUDE_DIR} ${INCLUDE_DIR}/syncline/core/*.hpp
     ${INCLUDE_DIR}/syncline/blocks/*.hpp)
set(text "")
foreach(h IN LISTS headers)
  string(APPEND text "#include <${h}>\n")
endforeach()
file(WRITE ${TU} "${text}")

set(ENV{LC_ALL} C)
string(REPLACE "|" ";" flags "${FLAGS}")
execute_process(COMMAND ${COMPILER} ${flags} -H ${TU} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the core and blocks headers do not compile together:\n${out}")
endif()
string(REGEX MATCH "[^\n]*boost/(asio|beast)[^\n]*" heavy "${out}")
if(heavy)
  message(FATAL_ERROR "a declare-only TU includes Asio or Beast (${heavy}); the -H list:\n${out}")
endif()
list(LENGTH headers count)
message(STATUS "${count} headers of core/ and blocks/: no Asio, no Beast")
