// A small GraphQL executor over a table-driven schema: static validation with the error shapes
// Shopify's GraphQL (graphql-ruby) returns, variable and argument coercion against input types,
// fragments, aliases, @include/@skip, Shopify's query cost (requested before, actual after), and
// execution that builds the response in selection order. It is deliberately not a general engine:
// no interfaces, unions or introspection — what it cannot answer it refuses by name.
#pragma once

#include <syncline_emulator/graphql_document.hpp>
#include <syncline_emulator/timestamps.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline::testing::detail {

// A type as written: "Order", "Order!", "[String!]", "[LineItem!]!".
struct gql_type_ref {
  std::string name;
  bool non_null = false;
  bool list = false;
  bool item_non_null = false;

  static gql_type_ref parse(std::string_view s) {
    gql_type_ref t;
    if (!s.empty() && s.back() == '!') {
      t.non_null = true;
      s.remove_suffix(1);
    }
    if (s.size() >= 2 && s.front() == '[' && s.back() == ']') {
      t.list = true;
      s = s.substr(1, s.size() - 2);
      if (!s.empty() && s.back() == '!') {
        t.item_non_null = true;
        s.remove_suffix(1);
      }
    }
    t.name = std::string(s);
    return t;
  }
  std::string str() const {
    std::string s = name + (list && item_non_null ? "!" : "");
    if (list) s = "[" + s + "]";
    return s + (non_null ? "!" : "");
  }
};

struct gql_input_field {
  std::string name;
  std::string type;
};

struct gql_input_type {
  std::vector<gql_input_field> fields;
  bool open = false;  // accepts fields it does not list (parts of Shopify's schema not modelled)
  const gql_input_field* find(std::string_view n) const {
    for (const auto& f : fields)
      if (f.name == n) return &f;
    return nullptr;
  }
};

// What a resolver returns: the value (a leaf's final JSON, or the parent of the sub-selection),
// or a field error with its message and extensions.
struct gql_resolved {
  boost::json::value value;
  std::string error;
  boost::json::object error_extensions;
  static gql_resolved fail(std::string message, boost::json::object ext = {}) {
    return {nullptr, std::move(message), std::move(ext)};
  }
};

template <class Ctx>
struct gql_field {
  std::string type;
  std::vector<gql_input_field> args;
  // Empty: the parent object's member of the field's name.
  std::function<gql_resolved(Ctx&, const boost::json::value& parent,
                             const boost::json::object& args)>
      resolve;
  std::string since_version;  // the field exists from this API version on
};

template <class Ctx>
struct gql_object_type {
  // Shopify's cost: an object 1, a connection 2 plus `first`/`last` times its children, edges
  // and page info 0, a mutation field 10.
  int cost = 1;
  bool connection = false;
  std::map<std::string, gql_field<Ctx>, std::less<>> fields;
};

template <class Ctx>
struct gql_schema {
  std::string query_type = "QueryRoot";
  std::string mutation_type = "Mutation";
  std::map<std::string, gql_object_type<Ctx>, std::less<>> objects;
  std::map<std::string, gql_input_type, std::less<>> inputs;
  std::map<std::string, std::vector<std::string>, std::less<>> enums;
  std::set<std::string, std::less<>> scalars{"String",      "Int",
                                             "Float",       "Boolean",
                                             "ID",          "DateTime",
                                             "Decimal",     "Money",
                                             "URL",         "UnsignedInt64",
                                             "JSON",        "CurrencyCode",
                                             "CountryCode", "FormattedString"};
  static constexpr int mutation_cost = 10;

  bool is_leaf(std::string_view n) const { return scalars.count(n) || enums.count(n); }
};

inline boost::json::object gql_location_json(const gql_location& l) {
  return {{"line", l.line}, {"column", l.column}};
}

template <class Ctx>
class gql_executor {
 public:
  gql_executor(const gql_schema<Ctx>& schema, const gql_document& doc)
      : schema_(schema), doc_(doc) {}

  // Picks the operation, validates it against the schema and coerces the variables. Returns the
  // errors to answer with (data is then absent); empty when the request may run.
  boost::json::array prepare(std::string_view operation_name, const boost::json::object& variables,
                             std::string_view api_version) {
    api_version_ = std::string(api_version);
    errors_.clear();
    op_ = pick_operation(operation_name);
    if (!op_) return std::move(errors_);
    if (op_->type == "subscription") {
      add_error("Schema is not configured for subscriptions", op_->loc, {}, "unsupportedOperation");
      return std::move(errors_);
    }
    op_path_ = op_->type + (op_->name.empty() ? "" : " " + op_->name);
    const std::string& root = is_mutation() ? schema_.mutation_type : schema_.query_type;
    std::set<std::string> used_vars, used_fragments;
    validate_selections(op_->selections, root, {op_path_}, used_vars, used_fragments, 0);
    for (const auto& d : op_->variables) {
      if (!used_vars.count(d.name))
        add_error("Variable $" + d.name + " is declared by " + describe_op() + " but not used",
                  d.loc, {op_path_}, "variableNotUsed", {{"variableName", d.name}});
      const auto t = gql_type_ref::parse(d.type);
      if (!schema_.is_leaf(t.name) && !schema_.inputs.count(t.name))
        add_error(t.name + " isn't a defined input type (on $" + d.name + ")", d.loc, {op_path_},
                  "variableRequiresValidType", {{"typeName", t.name}, {"variableName", d.name}});
    }
    for (const auto& f : doc_.fragments)
      if (!used_fragments.count(f.name))
        add_error("Fragment " + f.name + " was defined, but not used", f.loc,
                  {"fragment " + f.name}, "useAndDefineFragment", {{"fragmentName", f.name}});
    if (!errors_.empty()) return std::move(errors_);
    coerce_variables(variables);
    if (!errors_.empty()) return std::move(errors_);
    requested_cost_ = is_mutation() ? cost_of_mutation() : cost_of(op_->selections, root);
    return {};
  }

  bool is_mutation() const { return op_ && op_->type == "mutation"; }
  double requested_cost() const { return requested_cost_; }
  double actual_cost() const { return actual_cost_; }

  // Runs the prepared operation: {"data": ..., "errors": [...]?}.
  boost::json::object execute(Ctx& ctx) {
    errors_.clear();
    actual_cost_ = 0;
    const std::string& root = is_mutation() ? schema_.mutation_type : schema_.query_type;
    boost::json::value root_value = boost::json::object{};
    boost::json::object data =
        execute_selections(ctx, op_->selections, root, root_value, {op_path_});
    if (is_mutation()) actual_cost_ = mutation_fields_run_ * gql_schema<Ctx>::mutation_cost;
    boost::json::object out;
    if (!errors_.empty()) out["errors"] = std::move(errors_);
    out["data"] = std::move(data);
    return out;
  }

 private:
  const gql_schema<Ctx>& schema_;
  const gql_document& doc_;
  const gql_operation* op_ = nullptr;
  std::string op_path_;
  std::string api_version_;
  boost::json::array errors_;
  boost::json::object variables_;
  double requested_cost_ = 0;
  double actual_cost_ = 0;
  int mutation_fields_run_ = 0;

  std::string describe_op() const {
    return op_->name.empty() ? "anonymous " + op_->type : op_->type + " '" + op_->name + "'";
  }

  void add_error(std::string message, const gql_location& loc, boost::json::array path,
                 std::string_view code, boost::json::object ext = {}) {
    boost::json::object e{{"message", std::move(message)},
                          {"locations", boost::json::array{gql_location_json(loc)}}};
    if (!path.empty()) e["path"] = std::move(path);
    if (!code.empty()) ext.emplace("code", code);
    // graphql-ruby puts the code first
    boost::json::object ordered;
    if (auto* c = ext.if_contains("code")) ordered["code"] = *c;
    for (auto& [k, v] : ext)
      if (k != "code") ordered[k] = v;
    e["extensions"] = std::move(ordered);
    errors_.push_back(std::move(e));
  }

  const gql_operation* pick_operation(std::string_view name) {
    if (doc_.operations.empty()) {
      errors_.push_back(boost::json::object{{"message", "No operations in this document"}});
      return nullptr;
    }
    if (name.empty()) {
      if (doc_.operations.size() > 1) {
        errors_.push_back(boost::json::object{
            {"message", "An operation name is required when the document has several operations"}});
        return nullptr;
      }
      return &doc_.operations.front();
    }
    for (const auto& op : doc_.operations)
      if (op.name == name) return &op;
    errors_.push_back(
        boost::json::object{{"message", "No operation named \"" + std::string(name) + "\""}});
    return nullptr;
  }

  const gql_fragment* fragment(std::string_view name) const {
    for (const auto& f : doc_.fragments)
      if (f.name == name) return &f;
    return nullptr;
  }

  const gql_field<Ctx>* field_of(std::string_view type, std::string_view name) const {
    auto t = schema_.objects.find(type);
    if (t == schema_.objects.end()) return nullptr;
    auto f = t->second.fields.find(name);
    if (f == t->second.fields.end()) return nullptr;
    if (!f->second.since_version.empty() && api_version_ != "unstable" &&
        api_version_ < f->second.since_version)
      return nullptr;
    return &f->second;
  }

  static std::string value_text(const gql_value& v) {
    switch (v.k) {
      case gql_value::kind::null: return "null";
      case gql_value::kind::string: return boost::json::serialize(boost::json::value(v.text));
      case gql_value::kind::variable: return "$" + v.text;
      case gql_value::kind::list: {
        std::string s = "[";
        for (std::size_t i = 0; i < v.items.size(); ++i)
          s += (i ? ", " : "") + value_text(v.items[i]);
        return s + "]";
      }
      case gql_value::kind::object: {
        std::string s = "{";
        for (std::size_t i = 0; i < v.fields.size(); ++i)
          s += (i ? ", " : "") + v.fields[i].first + ": " + value_text(v.fields[i].second);
        return s + "}";
      }
      default: return v.text;
    }
  }

  // ---- static validation ------------------------------------------------------------------

  void collect_variables(const gql_value& v, std::set<std::string>& used, const gql_location& at) {
    if (v.k == gql_value::kind::variable) {
      used.insert(v.text);
      bool declared = false;
      for (const auto& d : op_->variables) declared = declared || d.name == v.text;
      if (!declared)
        add_error("Variable $" + v.text + " is used by " + describe_op() + " but not declared", at,
                  {op_path_}, "variableNotDefined", {{"variableName", v.text}});
    }
    for (const auto& i : v.items) collect_variables(i, used, at);
    for (const auto& [k, f] : v.fields) collect_variables(f, used, at);
  }

  void validate_directives(const std::vector<gql_directive>& ds, const boost::json::array& path,
                           std::set<std::string>& used_vars) {
    for (const auto& d : ds) {
      if (d.name != "include" && d.name != "skip") {
        add_error("Directive @" + d.name + " is not defined", d.loc, path, "undefinedDirective",
                  {{"directiveName", d.name}});
        continue;
      }
      const gql_argument* cond = nullptr;
      for (const auto& a : d.args)
        if (a.name == "if") cond = &a;
      if (!cond || d.args.size() != 1)
        add_error("Directive @" + d.name + " needs exactly one argument: if: Boolean!", d.loc, path,
                  "missingRequiredArguments");
      else
        collect_variables(cond->value, used_vars, cond->loc);
    }
  }

  void validate_selections(const std::vector<gql_selection>& sels, const std::string& type,
                           const boost::json::array& path, std::set<std::string>& used_vars,
                           std::set<std::string>& used_fragments, int depth) {
    if (depth > gql_parser::max_depth) return;
    for (const auto& s : sels) {
      validate_directives(s.directives, path, used_vars);
      if (s.k == gql_selection::kind::fragment_spread) {
        const auto* f = fragment(s.name);
        if (!f) {
          add_error("Fragment " + s.name + " was used, but not defined", s.loc, path,
                    "useAndDefineFragment", {{"fragmentName", s.name}});
          continue;
        }
        if (used_fragments.count(s.name) && depth > 0 &&
            std::count(path.begin(), path.end(), boost::json::value("... " + s.name))) {
          add_error("Fragment " + s.name + " contains an infinite loop", s.loc, path,
                    "infiniteLoop");
          continue;
        }
        used_fragments.insert(s.name);
        if (!check_condition(f->type_condition, type, f->loc, path)) continue;
        auto p = path;
        p.push_back(boost::json::value("... " + s.name));
        validate_selections(f->selections, type, p, used_vars, used_fragments, depth + 1);
        continue;
      }
      if (s.k == gql_selection::kind::inline_fragment) {
        if (!s.type_condition.empty() && !check_condition(s.type_condition, type, s.loc, path))
          continue;
        auto p = path;
        p.push_back(
            boost::json::value("... on " + (s.type_condition.empty() ? type : s.type_condition)));
        validate_selections(s.selections, type, p, used_vars, used_fragments, depth + 1);
        continue;
      }
      auto p = path;
      p.push_back(boost::json::value(s.response_key()));
      if (s.name == "__typename") {
        if (!s.selections.empty())
          add_error(
              "Selections can't be made on scalars (field '__typename' returns String but has "
              "selections)",
              s.loc, p, "selectionMismatch");
        continue;
      }
      if (s.name == "__schema" || s.name == "__type") {
        add_error(
            "Introspection (" + s.name + ") is not supported by the syncline Shopify emulator",
            s.loc, p, "undefinedField", {{"typeName", type}, {"fieldName", s.name}});
        continue;
      }
      const auto* f = field_of(type, s.name);
      if (!f) {
        add_error("Field '" + s.name + "' doesn't exist on type '" + type + "'", s.loc, p,
                  "undefinedField", {{"typeName", type}, {"fieldName", s.name}});
        // Its variables still count as used: one mistake, one error.
        for (const auto& a : s.args) collect_variables(a.value, used_vars, a.loc);
        continue;
      }
      validate_arguments(s, *f, p, used_vars);
      const auto rt = gql_type_ref::parse(f->type);
      if (schema_.is_leaf(rt.name)) {
        if (!s.selections.empty()) {
          std::string names;
          for (const auto& c : s.selections) names += (names.empty() ? "" : ", ") + c.name;
          add_error("Selections can't be made on scalars (field '" + s.name + "' returns " +
                        rt.name + " but has selections [" + names + "])",
                    s.loc, p, "selectionMismatch",
                    {{"nodeName", "field '" + s.name + "'"}, {"typeName", rt.name}});
        }
      } else if (s.selections.empty()) {
        add_error("Field must have selections (field '" + s.name + "' returns " + rt.name +
                      " but has no selections. Did you mean '" + s.name + " { ... }'?)",
                  s.loc, p, "selectionMismatch",
                  {{"nodeName", "field '" + s.name + "'"}, {"typeName", rt.name}});
      } else {
        validate_selections(s.selections, rt.name, p, used_vars, used_fragments, depth + 1);
      }
    }
  }

  bool check_condition(const std::string& cond, const std::string& type, const gql_location& loc,
                       const boost::json::array& path) {
    if (!schema_.objects.count(cond)) {
      add_error("No such type " + cond + ", so it can't be a fragment condition", loc, path,
                "undefinedType", {{"typeName", cond}});
      return false;
    }
    if (cond != type) {
      add_error("Fragment on " + cond + " can't be spread inside " + type, loc, path,
                "cannotSpreadFragment");
      return false;
    }
    return true;
  }

  void validate_arguments(const gql_selection& s, const gql_field<Ctx>& f,
                          const boost::json::array& path, std::set<std::string>& used_vars) {
    std::vector<std::string> missing;
    for (const auto& decl : f.args) {
      if (gql_type_ref::parse(decl.type).non_null && !s.arg(decl.name))
        missing.push_back(decl.name);
    }
    for (const auto& a : s.args) {
      collect_variables(a.value, used_vars, a.loc);
      const gql_input_field* decl = nullptr;
      for (const auto& d : f.args)
        if (d.name == a.name) decl = &d;
      if (!decl) {
        add_error("Field '" + s.name + "' doesn't accept argument '" + a.name + "'", a.loc, path,
                  "argumentNotAccepted",
                  {{"name", s.name}, {"typeName", "Field"}, {"argumentName", a.name}});
        continue;
      }
      if (contains_variable(a.value)) continue;  // checked when the variables are coerced
      std::string problem;
      if (!check_input(literal_json(a.value), gql_type_ref::parse(decl->type), problem, "")) {
        add_error("Argument '" + a.name + "' on Field '" + s.name + "' has an invalid value (" +
                      value_text(a.value) + "). Expected type '" + decl->type + "'." +
                      (problem.empty() ? "" : " " + problem),
                  a.loc, path, "argumentLiteralsIncompatible",
                  {{"typeName", "Field"}, {"argumentName", a.name}});
      }
    }
    if (!missing.empty()) {
      std::string names;
      for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
      add_error("Field '" + s.name + "' is missing required arguments: " + names, s.loc, path,
                "missingRequiredArguments",
                {{"className", "Field"}, {"name", s.name}, {"arguments", names}});
    }
  }

  static bool contains_variable(const gql_value& v) {
    if (v.k == gql_value::kind::variable) return true;
    for (const auto& i : v.items)
      if (contains_variable(i)) return true;
    for (const auto& [k, f] : v.fields)
      if (contains_variable(f)) return true;
    return false;
  }

  // A literal as JSON (enums become strings; variables are substituted when known).
  boost::json::value literal_json(const gql_value& v) const {
    switch (v.k) {
      case gql_value::kind::null: return nullptr;
      case gql_value::kind::boolean: return v.text == "true";
      case gql_value::kind::string:
      case gql_value::kind::enumeration: return boost::json::value(v.text);
      case gql_value::kind::integer: {
        std::int64_t n = 0;
        auto [p, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), n);
        if (ec != std::errc{}) return boost::json::value(v.text);  // out of range: fails Int
        return n;
      }
      case gql_value::kind::floating: return std::stod(v.text);
      case gql_value::kind::variable: {
        auto* x = variables_.if_contains(v.text);
        return x ? *x : boost::json::value(nullptr);
      }
      case gql_value::kind::list: {
        boost::json::array a;
        for (const auto& i : v.items) a.push_back(literal_json(i));
        return a;
      }
      case gql_value::kind::object: {
        boost::json::object o;
        for (const auto& [k, f] : v.fields) o[k] = literal_json(f);
        return o;
      }
    }
    return nullptr;
  }

  // Input coercion rules of the spec, for the scalars, enums and input objects of the schema.
  // On failure `problem` says what is wrong at `at` (a dotted path inside the value).
  bool check_input(const boost::json::value& v, const gql_type_ref& t, std::string& problem,
                   const std::string& at, boost::json::array* problems = nullptr,
                   boost::json::array path = {}) const {
    auto fail = [&](std::string why) {
      problem = (at.empty() ? "" : "at " + at + ": ") + why;
      if (problems) problems->push_back(boost::json::object{{"path", path}, {"explanation", why}});
      return false;
    };
    if (v.is_null()) return t.non_null ? fail("Expected value to not be null") : true;
    if (t.list) {
      gql_type_ref item{t.name, t.item_non_null, false, false};
      if (!v.is_array()) return check_input(v, item, problem, at, problems, path);  // a single item
      for (std::size_t i = 0; i < v.get_array().size(); ++i) {
        auto p = path;
        p.push_back(i);
        if (!check_input(v.get_array()[i], item, problem,
                         at + (at.empty() ? "" : ".") + std::to_string(i), problems, p))
          return false;
      }
      return true;
    }
    const std::string& n = t.name;
    auto coerce_fail = [&] {
      return fail("Could not coerce value " + boost::json::serialize(v) + " to " + n);
    };
    if (n == "JSON") return true;
    if (n == "String" || n == "URL" || n == "FormattedString")
      return v.is_string() ? true : coerce_fail();
    if (n == "ID") return v.is_string() || v.is_int64() || v.is_uint64() ? true : coerce_fail();
    if (n == "Int") {
      if (!v.is_int64() && !v.is_uint64()) return coerce_fail();
      if (v.is_uint64() || v.get_int64() > std::numeric_limits<std::int32_t>::max() ||
          v.get_int64() < std::numeric_limits<std::int32_t>::min())
        return coerce_fail();
      return true;
    }
    if (n == "Float") return v.is_number() ? true : coerce_fail();
    if (n == "Boolean") return v.is_bool() ? true : coerce_fail();
    if (n == "Decimal" || n == "Money") {
      if (v.is_number()) return true;
      if (!v.is_string()) return coerce_fail();
      std::string_view s = v.get_string();
      if (s.starts_with('-')) s.remove_prefix(1);
      bool dot = false, digit = false;
      for (char c : s) {
        if (c == '.' && !dot)
          dot = true;
        else if (c >= '0' && c <= '9')
          digit = true;
        else
          return coerce_fail();
      }
      return digit ? true : coerce_fail();
    }
    if (n == "UnsignedInt64") {
      if (v.is_uint64() || (v.is_int64() && v.get_int64() >= 0)) return true;
      if (!v.is_string() || v.get_string().empty()) return coerce_fail();
      for (char c : v.get_string())
        if (c < '0' || c > '9') return coerce_fail();
      return true;
    }
    if (n == "DateTime") {
      return v.is_string() && parse_timestamp(std::string_view(v.get_string())) ? true
                                                                                : coerce_fail();
    }
    if (n == "CurrencyCode" || n == "CountryCode") {
      if (!v.is_string()) return coerce_fail();
      std::string_view s = v.get_string();
      const std::size_t len = n == "CurrencyCode" ? 3 : 2;
      bool ok = s.size() == len &&
                std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
      return ok ? true
                : fail("Expected \"" + std::string(s) + "\" to be one of the " + n + " values");
    }
    if (auto e = schema_.enums.find(n); e != schema_.enums.end()) {
      if (!v.is_string()) return coerce_fail();
      if (std::find(e->second.begin(), e->second.end(), v.get_string()) == e->second.end()) {
        std::string all;
        for (const auto& x : e->second) all += (all.empty() ? "" : ", ") + x;
        return fail("Expected \"" + std::string(v.get_string()) + "\" to be one of: " + all);
      }
      return true;
    }
    if (auto it = schema_.inputs.find(n); it != schema_.inputs.end()) {
      if (!v.is_object())
        return fail("Expected " + boost::json::serialize(v) + " to be a key-value object");
      const auto& def = it->second;
      for (const auto& [k, fv] : v.get_object()) {
        const auto* f = def.find(k);
        auto p = path;
        p.push_back(boost::json::value(k));
        if (!f) {
          if (def.open) continue;
          problem = "Field is not defined on " + n;
          if (problems)
            problems->push_back(boost::json::object{{"path", p}, {"explanation", problem}});
          problem =
              (at.empty() ? std::string(k) : at + "." + std::string(k)) + " (" + problem + ")";
          return false;
        }
        if (!check_input(fv, gql_type_ref::parse(f->type), problem,
                         at.empty() ? std::string(k) : at + "." + std::string(k), problems, p))
          return false;
      }
      for (const auto& f : def.fields)
        if (gql_type_ref::parse(f.type).non_null && !v.get_object().contains(f.name)) {
          auto p = path;
          p.push_back(boost::json::value(f.name));
          std::string why = "Expected value to not be null";
          if (problems) problems->push_back(boost::json::object{{"path", p}, {"explanation", why}});
          problem = (at.empty() ? f.name : at + "." + f.name) + " (" + why + ")";
          return false;
        }
      return true;
    }
    return fail("the emulator does not know the type " + n);
  }

  void coerce_variables(const boost::json::object& given) {
    variables_.clear();
    for (const auto& d : op_->variables) {
      const auto t = gql_type_ref::parse(d.type);
      boost::json::value v = nullptr;
      if (auto* x = given.if_contains(d.name))
        v = *x;
      else if (d.default_value)
        v = literal_json(*d.default_value);
      std::string problem;
      boost::json::array problems;
      if (!check_input(v, t, problem, "", &problems)) {
        // graphql-ruby's wording: "... was provided invalid value for a.0.b (explanation)".
        std::string detail;
        if (!problems.empty()) {
          const auto& first = problems.front().as_object();
          // Appended piece by piece: g++ 12 at -O3 reports a false -Wrestrict on
          // `"literal" + std::string` (GCC bug 105651), and Release builds treat it as an error.
          std::string dotted;
          for (const auto& step : first.at("path").as_array()) {
            if (!dotted.empty()) dotted += '.';
            if (step.is_string())
              dotted.append(step.get_string().data(), step.get_string().size());
            else
              dotted += boost::json::serialize(step);
          }
          if (!dotted.empty()) detail.append(" for ").append(dotted);
          const auto& why = first.at("explanation").as_string();
          detail.append(" (").append(why.data(), why.size()).append(")");
        }
        errors_.push_back(boost::json::object{
            {"message",
             "Variable $" + d.name + " of type " + d.type + " was provided invalid value" + detail},
            {"locations", boost::json::array{gql_location_json(d.loc)}},
            {"extensions", boost::json::object{{"value", v}, {"problems", std::move(problems)}}}});
        continue;
      }
      variables_[d.name] = std::move(v);
    }
  }

  // ---- cost -------------------------------------------------------------------------------

  bool included(const std::vector<gql_directive>& ds) const {
    for (const auto& d : ds) {
      const gql_argument* cond = d.args.empty() ? nullptr : &d.args.front();
      const bool flag =
          cond && literal_json(cond->value).is_bool() && literal_json(cond->value).get_bool();
      if (d.name == "include" && !flag) return false;
      if (d.name == "skip" && flag) return false;
    }
    return true;
  }

  // The fields a selection set asks for, fragments expanded, grouped by response key (first
  // occurrence order): the spec's CollectFields.
  void collect_fields(const std::vector<gql_selection>& sels,
                      std::vector<std::pair<std::string, std::vector<const gql_selection*>>>& out,
                      int depth = 0) const {
    if (depth > gql_parser::max_depth) return;
    for (const auto& s : sels) {
      if (!included(s.directives)) continue;
      if (s.k == gql_selection::kind::field) {
        auto it = std::find_if(out.begin(), out.end(),
                               [&](auto& p) { return p.first == s.response_key(); });
        if (it == out.end())
          out.push_back({s.response_key(), {&s}});
        else
          it->second.push_back(&s);
      } else if (s.k == gql_selection::kind::inline_fragment) {
        collect_fields(s.selections, out, depth + 1);
      } else if (const auto* f = fragment(s.name)) {
        collect_fields(f->selections, out, depth + 1);
      }
    }
  }

  static std::vector<gql_selection> merged_children(
      const std::vector<const gql_selection*>& group) {
    std::vector<gql_selection> all;
    for (const auto* s : group) all.insert(all.end(), s->selections.begin(), s->selections.end());
    return all;
  }

  boost::json::object args_of(const gql_selection& s, const gql_field<Ctx>& f) const {
    boost::json::object a;
    for (const auto& decl : f.args)
      if (const auto* given = s.arg(decl.name)) a[decl.name] = literal_json(given->value);
    return a;
  }

  double cost_of_mutation() const {
    std::vector<std::pair<std::string, std::vector<const gql_selection*>>> fields;
    collect_fields(op_->selections, fields);
    double n = 0;
    for (auto& [k, g] : fields)
      if (g.front()->name != "__typename") n += gql_schema<Ctx>::mutation_cost;
    return n;
  }

  double cost_of(const std::vector<gql_selection>& sels, const std::string& type) const {
    std::vector<std::pair<std::string, std::vector<const gql_selection*>>> fields;
    collect_fields(sels, fields);
    double total = 0;
    for (auto& [key, group] : fields) {
      const auto* f = field_of(type, group.front()->name);
      if (!f) continue;
      const auto rt = gql_type_ref::parse(f->type);
      auto obj = schema_.objects.find(rt.name);
      if (obj == schema_.objects.end()) continue;  // leaf
      const double children = cost_of(merged_children(group), rt.name);
      if (obj->second.connection) {
        const auto a = args_of(*group.front(), *f);
        double size = 0;
        for (auto k : {"first", "last"})
          if (auto* n = a.if_contains(k); n && n->is_int64())
            size = std::max(size, static_cast<double>(n->get_int64()));
        total += obj->second.cost + size * children;
      } else {
        total += obj->second.cost + children;
      }
    }
    return total;
  }

  // ---- execution --------------------------------------------------------------------------

  boost::json::object execute_selections(Ctx& ctx, const std::vector<gql_selection>& sels,
                                         const std::string& type, const boost::json::value& parent,
                                         const boost::json::array& path) {
    std::vector<std::pair<std::string, std::vector<const gql_selection*>>> fields;
    collect_fields(sels, fields);
    boost::json::object out;
    for (auto& [key, group] : fields) {
      const gql_selection& s = *group.front();
      auto p = path;
      p.push_back(boost::json::value(key));
      if (s.name == "__typename") {
        out[key] = type;
        continue;
      }
      const auto* f = field_of(type, s.name);
      if (!f) continue;  // validation rejected this already
      const auto args = args_of(s, *f);
      gql_resolved r;
      if (f->resolve) {
        r = f->resolve(ctx, parent, args);
      } else if (parent.is_object()) {
        const auto* m = parent.get_object().if_contains(s.name);
        r.value = m ? *m : boost::json::value(nullptr);
      }
      if (type == schema_.mutation_type) ++mutation_fields_run_;
      if (!r.error.empty()) {
        boost::json::object e{{"message", r.error},
                              {"locations", boost::json::array{gql_location_json(s.loc)}},
                              {"path", p}};
        if (!r.error_extensions.empty()) e["extensions"] = r.error_extensions;
        errors_.push_back(std::move(e));
        out[key] = nullptr;
        continue;
      }
      out[key] = complete(ctx, gql_type_ref::parse(f->type), merged_children(group), r.value, p);
    }
    return out;
  }

  boost::json::value complete(Ctx& ctx, const gql_type_ref& t,
                              const std::vector<gql_selection>& children,
                              const boost::json::value& v, const boost::json::array& path) {
    if (v.is_null()) return nullptr;
    if (t.list && v.is_array()) {
      boost::json::array a;
      gql_type_ref item{t.name, t.item_non_null, false, false};
      std::size_t i = 0;
      for (const auto& x : v.get_array()) {
        auto p = path;
        p.push_back(i++);
        a.push_back(complete(ctx, item, children, x, p));
      }
      return a;
    }
    auto obj = schema_.objects.find(t.name);
    if (obj == schema_.objects.end()) return v;  // a leaf: the resolver's JSON is the answer
    actual_cost_ += obj->second.cost;            // a mutation's cost is set flat after execution
    return execute_selections(ctx, children, t.name, v, path);
  }
};

}  // namespace syncline::testing::detail
