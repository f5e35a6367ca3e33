// What the json_* compile-fail tests and their twins share: the described records whose JSON keys
// the tests rename. Each test keeps only its key_names specialisation, the line that breaks (or,
// in its _ok twin, keeps) one rule. Not a test itself: the CMake glob takes *.cpp only.
#pragma once

#include <syncline/json/decode.hpp>
#include <syncline/json/key_names.hpp>

#include <boost/describe.hpp>

#include <string>

// Two members, so that a rename can collide (json_duplicate_key).
struct line {
  std::string title;
  std::string name;
};
BOOST_DESCRIBE_STRUCT(line, (), (title, name))

// One member, so that a rename can name one it does not have (json_rename_unknown_member).
struct address {
  bool is_default;
};
BOOST_DESCRIBE_STRUCT(address, (), (is_default))
