// A GraphQL executable-document parser (operations, fragments, variables, arguments, aliases,
// directives; the October 2021 spec's lexical grammar). The emulator answers a small schema, but
// it reads any well-formed document so that what it refuses, it refuses by name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace syncline::testing::detail {

struct gql_location {
  int line = 1;
  int column = 1;
};

struct gql_value {
  enum class kind { null, integer, floating, string, boolean, enumeration, list, object, variable };
  kind k = kind::null;
  std::string text;  // literal text, string contents, enum or variable name, "true"/"false"
  std::vector<gql_value> items;
  std::vector<std::pair<std::string, gql_value>> fields;
  gql_location loc;
};

struct gql_argument {
  std::string name;
  gql_value value;
  gql_location loc;
};

struct gql_directive {
  std::string name;
  std::vector<gql_argument> args;
  gql_location loc;
};

struct gql_selection {
  enum class kind { field, fragment_spread, inline_fragment };
  kind k = kind::field;
  std::string alias;
  std::string name;  // field name, or the spread fragment's name
  std::vector<gql_argument> args;
  std::vector<gql_directive> directives;
  std::vector<gql_selection> selections;
  std::string type_condition;  // inline fragments
  gql_location loc;

  const std::string& response_key() const { return alias.empty() ? name : alias; }
  const gql_argument* arg(std::string_view n) const {
    for (const auto& a : args)
      if (a.name == n) return &a;
    return nullptr;
  }
};

struct gql_variable_definition {
  std::string name;
  std::string type;  // as written, without spaces: "OrderCreateOrderInput!", "[String!]"
  std::optional<gql_value> default_value;
  gql_location loc;
};

struct gql_operation {
  std::string type = "query";  // query | mutation | subscription
  std::string name;
  std::vector<gql_variable_definition> variables;
  std::vector<gql_directive> directives;
  std::vector<gql_selection> selections;
  gql_location loc;
};

struct gql_fragment {
  std::string name;
  std::string type_condition;
  std::vector<gql_selection> selections;
  gql_location loc;
};

struct gql_document {
  std::vector<gql_operation> operations;
  std::vector<gql_fragment> fragments;
};

struct gql_parse_error {
  std::string message;
  gql_location loc;
};

class gql_parser {
 public:
  static constexpr int max_depth = 48;  // nesting beyond this is refused, not recursed into

  explicit gql_parser(std::string_view src) : src_(src) { advance(); }

  std::variant<gql_document, gql_parse_error> parse() {
    gql_document doc;
    if (tok_.kind == tk::end) return fail("the query is empty");
    while (tok_.kind != tk::end && !error_) {
      if (is_punct("{")) {
        gql_operation op;
        op.loc = tok_.loc;
        op.selections = selection_set(0);
        doc.operations.push_back(std::move(op));
      } else if (tok_.kind == tk::name &&
                 (tok_.text == "query" || tok_.text == "mutation" || tok_.text == "subscription")) {
        doc.operations.push_back(operation());
      } else if (tok_.kind == tk::name && tok_.text == "fragment") {
        doc.fragments.push_back(fragment());
      } else {
        unexpected("an operation (query, mutation, {) or a fragment");
      }
    }
    if (error_) return *error_;
    return doc;
  }

 private:
  enum class tk { end, punct, name, integer, floating, string, invalid };
  struct token {
    tk kind = tk::end;
    std::string text;
    gql_location loc;
  };

  std::string_view src_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::size_t line_start_ = 0;
  token tok_;
  std::optional<gql_parse_error> error_;

  static std::string kind_name(const token& t) {
    switch (t.kind) {
      case tk::end: return "end of input";
      case tk::name: return "IDENTIFIER";
      case tk::integer: return "INT";
      case tk::floating: return "FLOAT";
      case tk::string: return "STRING";
      case tk::invalid: return "UNKNOWN_CHAR";
      case tk::punct: break;
    }
    static const std::pair<std::string_view, std::string_view> names[] = {
        {"{", "LCURLY"},   {"}", "RCURLY"},   {"(", "LPAREN"},   {")", "RPAREN"},
        {"[", "LBRACKET"}, {"]", "RBRACKET"}, {":", "COLON"},    {"!", "BANG"},
        {"$", "VAR_SIGN"}, {"=", "EQUALS"},   {"@", "DIR_SIGN"}, {"...", "ELLIPSIS"},
        {"|", "PIPE"},     {"&", "AMP"}};
    for (auto& [p, n] : names)
      if (p == t.text) return std::string(n);
    return "PUNCTUATOR";
  }

  std::variant<gql_document, gql_parse_error> fail(std::string msg) {
    return gql_parse_error{std::move(msg), tok_.loc};
  }
  void unexpected(std::string_view expected) {
    if (error_) return;
    std::string shown = tok_.kind == tk::end ? "end of input" : "\"" + tok_.text + "\"";
    error_ =
        gql_parse_error{"Parse error on " + shown + " (" + kind_name(tok_) + ") at [" +
                            std::to_string(tok_.loc.line) + ", " + std::to_string(tok_.loc.column) +
                            "]: expected " + std::string(expected),
                        tok_.loc};
    tok_.kind = tk::end;  // stop every loop
  }

  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0';
  }
  void newline() {
    ++line_;
    line_start_ = pos_;
  }

  void skip_ignored() {
    while (pos_ < src_.size()) {
      char c = src_[pos_];
      if (c == '\n') {
        ++pos_;
        newline();
      } else if (c == '\r') {
        ++pos_;
        if (peek() == '\n') ++pos_;
        newline();
      } else if (c == ' ' || c == '\t' || c == ',' || c == '\xEF' /* BOM start */) {
        if (c == '\xEF') {
          if (peek(1) == '\xBB' && peek(2) == '\xBF')
            pos_ += 3;
          else
            return;
        } else {
          ++pos_;
        }
      } else if (c == '#') {
        while (pos_ < src_.size() && src_[pos_] != '\n' && src_[pos_] != '\r') ++pos_;
      } else {
        return;
      }
    }
  }

  static bool name_start(char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
  static bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }

  void advance() {
    if (error_) return;
    skip_ignored();
    tok_ = token{};
    tok_.loc = {line_, static_cast<int>(pos_ - line_start_) + 1};
    if (pos_ >= src_.size()) return;
    char c = src_[pos_];
    if (c == '.') {
      if (peek(1) == '.' && peek(2) == '.') {
        pos_ += 3;
        tok_.kind = tk::punct;
        tok_.text = "...";
        return;
      }
    }
    if (std::string_view("!$&()[]{}:=@|").find(c) != std::string_view::npos && c != '\0') {
      ++pos_;
      tok_.kind = tk::punct;
      tok_.text = std::string(1, c);
      return;
    }
    if (name_start(c)) {
      std::size_t s = pos_;
      while (pos_ < src_.size() && name_char(src_[pos_])) ++pos_;
      tok_.kind = tk::name;
      tok_.text = std::string(src_.substr(s, pos_ - s));
      return;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    if (c == '"') return string();
    tok_.kind = tk::invalid;
    tok_.text = std::string(1, c);
    ++pos_;
  }

  void number() {
    std::size_t s = pos_;
    if (peek() == '-') ++pos_;
    auto digits = [&] {
      std::size_t d = pos_;
      while (pos_ < src_.size() && src_[pos_] >= '0' && src_[pos_] <= '9') ++pos_;
      return pos_ - d;
    };
    if (digits() == 0) return bad_number(s);
    bool is_float = false;
    if (peek() == '.') {
      ++pos_;
      is_float = true;
      if (digits() == 0) return bad_number(s);
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      is_float = true;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (digits() == 0) return bad_number(s);
    }
    if (name_start(peek()) || peek() == '.') return bad_number(s);
    tok_.kind = is_float ? tk::floating : tk::integer;
    tok_.text = std::string(src_.substr(s, pos_ - s));
  }
  void bad_number(std::size_t s) {
    while (pos_ < src_.size() && (name_char(src_[pos_]) || src_[pos_] == '.')) ++pos_;
    tok_.kind = tk::invalid;
    tok_.text = std::string(src_.substr(s, pos_ - s));
  }

  void string() {
    if (peek(1) == '"' && peek(2) == '"') return block_string();
    ++pos_;
    std::string out;
    while (true) {
      if (pos_ >= src_.size() || src_[pos_] == '\n' || src_[pos_] == '\r') {
        tok_.kind = tk::invalid;
        tok_.text = "unterminated string";
        return;
      }
      char c = src_[pos_++];
      if (c == '"') break;
      if (c != '\\') {
        out += c;
        continue;
      }
      char e = peek();
      ++pos_;
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned cp = 0;
          for (int i = 0; i < 4; ++i) {
            char h = peek();
            ++pos_;
            cp <<= 4;
            if (h >= '0' && h <= '9')
              cp |= static_cast<unsigned>(h - '0');
            else if (h >= 'a' && h <= 'f')
              cp |= static_cast<unsigned>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
              cp |= static_cast<unsigned>(h - 'A' + 10);
            else {
              tok_.kind = tk::invalid;
              tok_.text = "bad \\u escape";
              return;
            }
          }
          append_utf8(out, cp);
          break;
        }
        default:
          tok_.kind = tk::invalid;
          tok_.text = std::string("bad escape \\") + e;
          return;
      }
    }
    tok_.kind = tk::string;
    tok_.text = std::move(out);
  }
  void block_string() {
    pos_ += 3;
    std::string raw;
    while (true) {
      if (pos_ >= src_.size()) {
        tok_.kind = tk::invalid;
        tok_.text = "unterminated block string";
        return;
      }
      if (src_.substr(pos_, 3) == "\"\"\"") {
        pos_ += 3;
        break;
      }
      if (src_.substr(pos_, 4) == "\\\"\"\"") {
        raw += "\"\"\"";
        pos_ += 4;
        continue;
      }
      char c = src_[pos_++];
      if (c == '\n') newline();
      raw += c;
    }
    // Trim the common indentation and blank first/last lines, as the spec's BlockStringValue does.
    std::vector<std::string> lines;
    std::size_t s = 0;
    while (true) {
      auto nl = raw.find('\n', s);
      lines.push_back(raw.substr(s, nl - s));
      if (nl == std::string::npos) break;
      s = nl + 1;
    }
    std::size_t common = std::string::npos;
    for (std::size_t i = 1; i < lines.size(); ++i) {
      auto ind = lines[i].find_first_not_of(" \t");
      if (ind != std::string::npos) common = std::min(common, ind);
    }
    if (common != std::string::npos)
      for (std::size_t i = 1; i < lines.size(); ++i)
        lines[i].erase(0, std::min(common, lines[i].size()));
    auto blank = [](const std::string& l) {
      return l.find_first_not_of(" \t\r") == std::string::npos;
    };
    while (!lines.empty() && blank(lines.front())) lines.erase(lines.begin());
    while (!lines.empty() && blank(lines.back())) lines.pop_back();
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) out += (i ? "\n" : "") + lines[i];
    tok_.kind = tk::string;
    tok_.text = std::move(out);
  }
  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool is_punct(std::string_view p) const { return tok_.kind == tk::punct && tok_.text == p; }
  bool expect_punct(std::string_view p) {
    if (!is_punct(p)) {
      unexpected("\"" + std::string(p) + "\"");
      return false;
    }
    advance();
    return true;
  }
  std::string expect_name(std::string_view what) {
    if (tok_.kind != tk::name) {
      unexpected(what);
      return {};
    }
    std::string n = tok_.text;
    advance();
    return n;
  }

  gql_operation operation() {
    gql_operation op;
    op.loc = tok_.loc;
    op.type = tok_.text;
    advance();
    if (tok_.kind == tk::name) op.name = expect_name("an operation name");
    if (is_punct("(")) {
      advance();
      while (!is_punct(")") && !error_) {
        gql_variable_definition v;
        v.loc = tok_.loc;
        if (!expect_punct("$")) break;
        v.name = expect_name("a variable name");
        if (!expect_punct(":")) break;
        v.type = type_ref(0);
        if (is_punct("=")) {
          advance();
          v.default_value = value(true, 0);
        }
        op.variables.push_back(std::move(v));
      }
      expect_punct(")");
    }
    op.directives = directives(0);
    op.selections = selection_set(0);
    return op;
  }

  std::string type_ref(int depth) {
    std::string t;
    if (depth > max_depth) {
      unexpected("a shallower type");
      return t;
    }
    if (is_punct("[")) {
      advance();
      t = "[" + type_ref(depth + 1);
      expect_punct("]");
      t += "]";
    } else {
      t = expect_name("a type name");
    }
    if (is_punct("!")) {
      advance();
      t += "!";
    }
    return t;
  }

  gql_fragment fragment() {
    gql_fragment f;
    f.loc = tok_.loc;
    advance();
    f.name = expect_name("a fragment name");
    if (f.name == "on") unexpected("a fragment name other than 'on'");
    if (tok_.kind != tk::name || tok_.text != "on")
      unexpected("\"on\" and a type condition");
    else
      advance();
    f.type_condition = expect_name("a type name");
    directives(0);
    f.selections = selection_set(0);
    return f;
  }

  std::vector<gql_directive> directives(int depth) {
    std::vector<gql_directive> out;
    while (is_punct("@") && !error_) {
      gql_directive d;
      d.loc = tok_.loc;
      advance();
      d.name = expect_name("a directive name");
      if (is_punct("(")) d.args = arguments(depth);
      out.push_back(std::move(d));
    }
    return out;
  }

  std::vector<gql_argument> arguments(int depth) {
    std::vector<gql_argument> out;
    advance();  // (
    while (!is_punct(")") && !error_) {
      gql_argument a;
      a.loc = tok_.loc;
      a.name = expect_name("an argument name");
      if (!expect_punct(":")) break;
      a.value = value(false, depth + 1);
      out.push_back(std::move(a));
    }
    if (out.empty() && !error_) unexpected("an argument");
    expect_punct(")");
    return out;
  }

  std::vector<gql_selection> selection_set(int depth) {
    std::vector<gql_selection> out;
    if (depth > max_depth) {
      unexpected("a shallower selection (nesting is limited)");
      return out;
    }
    if (!expect_punct("{")) return out;
    while (!is_punct("}") && !error_) {
      if (tok_.kind == tk::end) {
        unexpected("\"}\"");
        break;
      }
      out.push_back(selection(depth));
    }
    if (out.empty() && !error_) unexpected("a field");
    expect_punct("}");
    return out;
  }

  gql_selection selection(int depth) {
    gql_selection s;
    s.loc = tok_.loc;
    if (is_punct("...")) {
      advance();
      if (tok_.kind == tk::name && tok_.text != "on") {
        s.k = gql_selection::kind::fragment_spread;
        s.name = expect_name("a fragment name");
        s.directives = directives(depth);
        return s;
      }
      s.k = gql_selection::kind::inline_fragment;
      if (tok_.kind == tk::name && tok_.text == "on") {
        advance();
        s.type_condition = expect_name("a type name");
      }
      s.directives = directives(depth);
      s.selections = selection_set(depth + 1);
      return s;
    }
    std::string first = expect_name("a field name");
    if (is_punct(":")) {
      advance();
      s.alias = std::move(first);
      s.name = expect_name("a field name after the alias");
    } else {
      s.name = std::move(first);
    }
    if (is_punct("(")) s.args = arguments(depth);
    s.directives = directives(depth);
    if (is_punct("{")) s.selections = selection_set(depth + 1);
    return s;
  }

  gql_value value(bool is_const, int depth) {
    gql_value v;
    v.loc = tok_.loc;
    if (depth > max_depth) {
      unexpected("a shallower value");
      return v;
    }
    switch (tok_.kind) {
      case tk::integer:
        v.k = gql_value::kind::integer;
        v.text = tok_.text;
        advance();
        return v;
      case tk::floating:
        v.k = gql_value::kind::floating;
        v.text = tok_.text;
        advance();
        return v;
      case tk::string:
        v.k = gql_value::kind::string;
        v.text = tok_.text;
        advance();
        return v;
      case tk::name:
        if (tok_.text == "true" || tok_.text == "false")
          v.k = gql_value::kind::boolean;
        else if (tok_.text == "null")
          v.k = gql_value::kind::null;
        else
          v.k = gql_value::kind::enumeration;
        v.text = tok_.text;
        advance();
        return v;
      case tk::punct:
        if (is_punct("$") && !is_const) {
          advance();
          v.k = gql_value::kind::variable;
          v.text = expect_name("a variable name");
          return v;
        }
        if (is_punct("[")) {
          advance();
          v.k = gql_value::kind::list;
          while (!is_punct("]") && !error_) {
            if (tok_.kind == tk::end) {
              unexpected("\"]\"");
              break;
            }
            v.items.push_back(value(is_const, depth + 1));
          }
          expect_punct("]");
          return v;
        }
        if (is_punct("{")) {
          advance();
          v.k = gql_value::kind::object;
          while (!is_punct("}") && !error_) {
            std::string n = expect_name("an input field name");
            if (!expect_punct(":")) break;
            v.fields.emplace_back(std::move(n), value(is_const, depth + 1));
          }
          expect_punct("}");
          return v;
        }
        break;
      default: break;
    }
    unexpected(is_const ? "a constant value" : "a value");
    return v;
  }
};

inline std::variant<gql_document, gql_parse_error> parse_graphql(std::string_view source) {
  return gql_parser(source).parse();
}

}  // namespace syncline::testing::detail
