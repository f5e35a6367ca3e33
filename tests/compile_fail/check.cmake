# Runs one compile-fail test: cmake -DCOMPILER=<c++> -DFLAGS=<flags joined by |> -DSOURCE=<file.cpp>
#   -P check.cmake
# The test passes when the compile fails with exactly ONE line containing `error:` (one mistake,
# one error: a second error would be a follow-on the user has to see through), that line matches
# the `// expect: <regex>` on the source's line 1, the first line of the report (after the
# "In file included from" chain) names the rule (a syncline::[<layer>::]diagnostic:: template),
# and, when line 2 is `// names: <regex>`, the whole output matches it (workflow, block and type
# names).
# PASS_REGULAR_EXPRESSION alone could not tell one error from fifty.
cmake_minimum_required(VERSION 3.25)

foreach(var COMPILER FLAGS SOURCE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check.cmake: -D${var}=... is required")
  endif()
endforeach()

file(STRINGS ${SOURCE} head LIMIT_COUNT 2)
list(GET head 0 first_line)
if(NOT first_line MATCHES "^// expect: (.+)$")
  message(FATAL_ERROR "${SOURCE}: line 1 must be `// expect: <regex>`")
endif()
set(expect "${CMAKE_MATCH_1}")
set(names "")
list(LENGTH head head_lines)
if(head_lines GREATER 1)
  list(GET head 1 second_line)
  if(second_line MATCHES "^// names: (.+)$")
    set(names "${CMAKE_MATCH_1}")
  endif()
endif()

# ASCII quotes and English text whatever the user's locale, so the regexes can be written once.
set(ENV{LC_ALL} C)
string(REPLACE "|" ";" flags "${FLAGS}")
execute_process(COMMAND ${COMPILER} ${flags} -fdiagnostics-color=never ${SOURCE}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)

if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but it must fail with: ${expect}")
endif()

# Walk the output line by line with string(FIND): a CMake list would not split at a semicolon
# inside square brackets, and g++ prints "[with T = ...]".
set(rest "${out}")
set(errors "")
set(count 0)
set(first "")
while(NOT rest STREQUAL "")
  string(FIND "${rest}" "\n" nl)
  if(nl EQUAL -1)
    set(line "${rest}")
    set(rest "")
  else()
    string(SUBSTRING "${rest}" 0 ${nl} line)
    math(EXPR next "${nl} + 1")
    string(SUBSTRING "${rest}" ${next} -1 rest)
  endif()
  if(first STREQUAL "" AND NOT line MATCHES "^In file included from " AND
     NOT line MATCHES "^ +from ")
    set(first "${line}")
  endif()
  if(line MATCHES "error:")
    math(EXPR count "${count} + 1")
    string(APPEND errors "${line}\n")
  endif()
endwhile()

if(NOT count EQUAL 1)
  message(FATAL_ERROR "${SOURCE}: expected exactly one `error:` line, got ${count}:\n${out}")
endif()
if(NOT errors MATCHES "${expect}")
  message(FATAL_ERROR "${SOURCE}: the error line does not match `${expect}` (line 1 is matched "
                      "against the error line alone; workflow, block and type names go on line 2 "
                      "as `// names: <regex>`):\n${errors}")
endif()
if(NOT first MATCHES "syncline::([a-z_]+::)?diagnostic::")
  message(FATAL_ERROR "${SOURCE}: the first line of the report does not name a "
                      "syncline::[<layer>::]diagnostic rule:\n${first}")
endif()
if(NOT names STREQUAL "" AND NOT out MATCHES "${names}")
  message(FATAL_ERROR "${SOURCE}: the output does not name `${names}`:\n${out}")
endif()
message(STATUS "${SOURCE}: one error, as expected: ${errors}")
