# Checks that every C++ snippet in the documentation is quoted from code that is compiled.
#
#   cmake -DROOT=<repository> -P cmake/CheckDocSnippets.cmake
#
# Rule: every fenced block tagged ```cpp or ```c++ in README.md and docs/**/*.md must be a
# verbatim quote of one file under examples/ or tests/ (*.cpp, *.hpp, recursive): its non-blank
# lines, with leading and trailing whitespace stripped, appear as a contiguous run of that file's
# non-blank stripped lines. Code that is only shown but never compiled rots; this keeps the docs
# honest. An API synopsis that is not code belongs in a ```text block.
#
# Pure CMake on purpose: the check must run on a fresh machine that may lack python.
#
# CMake lists are split on ';' and treat '[' ']' and '\' specially, all of which C++ is full of.
# So every text is read whole with file(READ) and those four characters are swapped for control
# characters before anything becomes a list; comparisons happen on the encoded text, and only
# messages decode it back.

cmake_minimum_required(VERSION 3.25)

if(NOT ROOT)
  message(FATAL_ERROR "syncline: CheckDocSnippets.cmake needs -DROOT=<repository top folder>")
endif()
get_filename_component(ROOT "${ROOT}" ABSOLUTE)

string(ASCII 1 _semicolon)
string(ASCII 2 _open_bracket)
string(ASCII 3 _close_bracket)
string(ASCII 4 _backslash)
string(ASCII 5 _file_separator)

# Swaps the characters that CMake's list handling would interpret for inert control characters.
function(_snippets_encode in out)
  set(text "${${in}}")
  string(REPLACE "\\" "${_backslash}" text "${text}")
  string(REPLACE ";" "${_semicolon}" text "${text}")
  string(REPLACE "[" "${_open_bracket}" text "${text}")
  string(REPLACE "]" "${_close_bracket}" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

function(_snippets_decode in out)
  set(text "${${in}}")
  string(REPLACE "${_backslash}" "\\" text "${text}")
  string(REPLACE "${_semicolon}" ";" text "${text}")
  string(REPLACE "${_open_bracket}" "[" text "${text}")
  string(REPLACE "${_close_bracket}" "]" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# "\n" + the non-blank lines of the text, each stripped, each followed by "\n". A snippet is a
# quote of a file exactly when its normal form is a substring of the file's normal form: the
# leading and trailing "\n" anchor the match on whole lines.
function(_snippets_normal_form in out)
  set(text "\n${${in}}\n")
  string(REGEX REPLACE "[ \t\r]*\n[ \t\r\n]*" "\n" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# --- the compiled code that may be quoted: one haystack, files separated by a line that no
# snippet can contain, so a match never spans two files.
file(GLOB_RECURSE sources LIST_DIRECTORIES false
  "${ROOT}/examples/*.cpp" "${ROOT}/examples/*.hpp"
  "${ROOT}/tests/*.cpp" "${ROOT}/tests/*.hpp")
list(LENGTH sources source_count)
if(source_count EQUAL 0)
  message(FATAL_ERROR "syncline: no *.cpp or *.hpp under ${ROOT}/examples or ${ROOT}/tests; "
    "is ROOT the repository's top folder?")
endif()
set(haystack "\n")
foreach(source IN LISTS sources)
  file(READ "${source}" content)
  _snippets_encode(content content)
  _snippets_normal_form(content content)
  string(APPEND haystack "${_file_separator}${content}")
endforeach()

# --- the documentation.
file(GLOB_RECURSE pages LIST_DIRECTORIES false "${ROOT}/docs/*.md")
if(EXISTS "${ROOT}/README.md")
  list(PREPEND pages "${ROOT}/README.md")
endif()

set(block_count 0)
set(failures "")
set(failure_count 0)

foreach(page IN LISTS pages)
  file(RELATIVE_PATH page_name "${ROOT}" "${page}")
  file(READ "${page}" content)
  _snippets_encode(content content)
  # One list element per line; empty elements (blank lines) are kept by foreach(IN LISTS).
  string(REPLACE "\n" ";" lines "${content}")

  set(line_number 0)
  set(fence "")          # the opening fence while inside any fenced block
  set(in_cpp FALSE)
  foreach(line IN LISTS lines)
    math(EXPR line_number "${line_number} + 1")
    string(STRIP "${line}" stripped)
    if(fence STREQUAL "")
      # An opening fence: ``` or ~~~ (three or more), then an info string whose first word is
      # the language.
      if(stripped MATCHES "^(```+|~~~+)[ \t]*([^ \t`]*)")
        set(fence "${CMAKE_MATCH_1}")
        string(TOLOWER "${CMAKE_MATCH_2}" language)
        if(language STREQUAL "cpp" OR language STREQUAL "c++")
          set(in_cpp TRUE)
          set(block_start ${line_number})
          set(block_lines "")
          set(block_line_numbers "")
          math(EXPR block_count "${block_count} + 1")
        endif()
      endif()
      continue()
    endif()

    # Inside a block: it closes on a fence of the same character, at least as long, alone.
    string(SUBSTRING "${fence}" 0 1 fence_char)
    string(LENGTH "${fence}" fence_length)
    if(stripped MATCHES "^(```+|~~~+)$")
      string(SUBSTRING "${stripped}" 0 1 closing_char)
      string(LENGTH "${stripped}" closing_length)
      if(closing_char STREQUAL fence_char AND NOT closing_length LESS fence_length)
        set(fence "")
        if(in_cpp)
          set(in_cpp FALSE)
          # Check the block: the longest quoted prefix tells which line first went wrong.
          list(LENGTH block_lines n)
          if(n EQUAL 0)
            list(APPEND failures "${page_name}:${block_start}: empty C++ block")
            math(EXPR failure_count "${failure_count} + 1")
          else()
            set(needle "\n")
            set(index 0)
            foreach(block_line IN LISTS block_lines)
              string(APPEND needle "${block_line}\n")
              string(FIND "${haystack}" "${needle}" found)
              if(found EQUAL -1)
                list(GET block_line_numbers ${index} bad_line)
                _snippets_decode(block_line shown)
                if(index EQUAL 0)
                  set(why "not found in any file under examples/ or tests/")
                else()
                  set(why "the lines before it are quoted, but this one does not follow them in any file")
                endif()
                # The message is a list element: keep it free of semicolons and brackets.
                _snippets_encode(shown shown_safe)
                list(APPEND failures
                  "${page_name}:${bad_line}: (block at line ${block_start}) ${why}: ${shown_safe}")
                math(EXPR failure_count "${failure_count} + 1")
                break()
              endif()
              math(EXPR index "${index} + 1")
            endforeach()
          endif()
        endif()
        continue()
      endif()
    endif()

    if(in_cpp AND NOT stripped STREQUAL "")
      list(APPEND block_lines "${stripped}")
      list(APPEND block_line_numbers ${line_number})
    endif()
  endforeach()

  if(NOT fence STREQUAL "" AND in_cpp)
    list(APPEND failures "${page_name}:${block_start}: C++ block is never closed")
    math(EXPR failure_count "${failure_count} + 1")
  endif()
endforeach()

list(LENGTH pages page_count)
list(LENGTH sources source_count)
message(STATUS "syncline: checked ${block_count} C++ blocks in ${page_count} pages "
  "against ${source_count} files under examples/ and tests/")

if(block_count EQUAL 0)
  message(FATAL_ERROR "syncline: found no ```cpp block at all in README.md or docs/: "
    "the check would pass vacuously (wrong ROOT, or the fence detection is broken)")
endif()

if(failure_count GREATER 0)
  set(report "")
  foreach(failure IN LISTS failures)
    _snippets_decode(failure failure)
    string(APPEND report "  ${failure}\n")
  endforeach()
  message(FATAL_ERROR
    "syncline: ${failure_count} of ${block_count} C++ blocks in the docs are not quoted from "
    "compiled code.\n${report}"
    "Quote the block verbatim from a file under examples/ or tests/ (move the code into "
    "examples/snippets/ if it exists only for the docs), or tag an API synopsis ```text.")
endif()
