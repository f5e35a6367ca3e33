// to_dot(integration) and to_mermaid(integration): an integration drawn from its own types —
// the app, each workflow's trigger, blocks (with the arms of branch, route and for_each) and
// destination, with the type that flows along each edge. The docs show these pictures; since
// they come from the code, they cannot drift from it.
#pragma once

#include <syncline/core/integration.hpp>
#include <syncline/core/parts.hpp>

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace syncline {
namespace detail {

// An edge waiting for the part that comes next: where it starts and what it is labelled.
struct open_edge {
  std::size_t from;
  std::string_view label;
};

// Walks one workflow's parts in order, calling node(i) for each part and edge(from, to, label)
// for each connection; arms of composite blocks are walked where they stand. An arm that ends in
// a destination ends there: nothing after the composite block is joined to it.
template <class Node, class Edge>
class part_walker {
 public:
  part_walker(std::span<const part_info> parts, Node node, Edge edge)
      : parts_(parts), node_(std::move(node)), edge_(std::move(edge)) {}

  void walk() { walk_list(no_parent, {}, {}); }

 private:
  // Parts whose parent and arm are the given ones, in order.
  std::vector<std::size_t> children(std::size_t parent, std::string_view arm) const {
    std::vector<std::size_t> r;
    for (std::size_t i = 0; i != parts_.size(); ++i)
      if (parts_[i].parent == parent && parts_[i].arm == arm) r.push_back(i);
    return r;
  }

  std::vector<open_edge> walk_list(std::size_t parent, std::string_view arm,
                                   std::vector<open_edge> open) {
    for (std::size_t i : children(parent, arm)) {
      node_(i);
      for (const auto& e : open) edge_(e.from, i, e.label);
      open.clear();
      const part_info& p = parts_[i];
      if (p.arms.empty()) {
        open.push_back({i, p.output});
        continue;
      }
      std::string_view arms = p.arms;
      while (!arms.empty()) {
        auto comma = arms.find(',');
        std::string_view name = arms.substr(0, comma);
        arms.remove_prefix(comma == std::string_view::npos ? arms.size() : comma + 1);
        for (const auto& e : walk_list(i, name, {{i, name}}))
          if (parts_[e.from].role != part_role::destination) open.push_back(e);
      }
      // Arms that all end in destinations while the block itself produces a value are side
      // branches (also): the chain goes on from the block.
      if (open.empty() && !p.output.empty()) open.push_back({i, p.output});
    }
    return open;
  }

  std::span<const part_info> parts_;
  Node node_;
  Edge edge_;
};

template <class Node, class Edge>
void walk_parts(std::span<const part_info> parts, Node node, Edge edge) {
  part_walker<Node, Edge>(parts, std::move(node), std::move(edge)).walk();
}

inline std::string dot_quoted(std::string_view s) {
  std::string r = "\"";
  for (char c : s) {
    if (c == '\n') {
      r += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') r += '\\';
    r += c;
  }
  r += '"';
  return r;
}

// Mermaid labels are quoted; quotes and angle brackets are written as entity codes.
inline std::string mermaid_quoted(std::string_view s) {
  std::string r = "\"";
  for (char c : s) {
    switch (c) {
      case '"': r += "#quot;"; break;
      case '<': r += "#lt;"; break;
      case '>': r += "#gt;"; break;
      default: r += c;
    }
  }
  r += '"';
  return r;
}

// "map: to_contact", "block: lookup_spend (async)".
inline std::string part_label(const part_info& p, std::string_view line_break) {
  std::string r(p.kind);
  r += line_break;
  r += p.name;
  if (p.how == effect::async)
    r += " (async)";
  else if (p.how == effect::fallible)
    r += " (may fail)";
  return r;
}

// Parts drawn as a decision: filters and composite blocks that choose among their arms (an
// also block chooses nothing: its arm is a side branch, drawn as a plain box).
inline bool is_decision(const part_info& p) {
  return p.kind == "filter" || (!p.arms.empty() && p.kind != "also");
}

inline std::string app_id(std::string_view app) { return "app_" + std::string(app); }

// One workflow as the renderers see it: its name and its parts. The renderers are ordinary
// functions over these, so an integration of many workflows compiles them once, not once per
// workflow.
struct workflow_view {
  std::string_view name;
  std::span<const part_info> parts;
};

template <class Integration>
struct views_of;
template <fixed_string Name, class App, class... W>
struct views_of<integration_definition<Name, App, W...>> {
  static constexpr std::array<workflow_view, sizeof...(W)> value{
      workflow_view{W::name, std::span<const part_info>(W::parts())}...};
};

inline void remember_app(std::vector<std::string>& apps, std::string_view app) {
  for (const auto& a : apps)
    if (a == app) return;
  apps.emplace_back(app);
}

inline std::string render_dot(std::string_view integration, std::string_view app,
                              std::span<const workflow_view> workflows) {
  std::string out = "digraph " + dot_quoted(integration) + " {\n";
  out += "  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n";
  out += "  edge [fontname=\"Helvetica\", fontsize=9];\n";
  out +=
      "  label=" +
      dot_quoted("integration " + std::string(integration) + " (app: " + std::string(app) + ")") +
      ";\n";
  std::vector<std::string> apps;
  std::string app_edges;
  for (const workflow_view& wf : workflows) {
    const std::string wf_name(wf.name);
    auto id = [&](std::size_t i) { return dot_quoted(wf_name + "/" + std::to_string(i)); };
    out += "  subgraph " + dot_quoted("cluster_" + wf_name) + " {\n";
    out += "    label=" + dot_quoted("workflow " + wf_name) + ";\n";
    walk_parts(
        wf.parts,
        [&](std::size_t i) {
          const part_info& p = wf.parts[i];
          const char* shape = p.role == part_role::trigger       ? "oval"
                              : p.role == part_role::destination ? "cylinder"
                              : is_decision(p)                   ? "diamond"
                                                                 : "box";
          out += "    " + id(i) + " [label=" + dot_quoted(part_label(p, "\n")) +
                 ", shape=" + shape + "];\n";
          if (!p.app.empty()) {
            remember_app(apps, p.app);
            app_edges +=
                "  " +
                (p.role == part_role::trigger ? dot_quoted(app_id(p.app)) + " -> " + id(i)
                                              : id(i) + " -> " + dot_quoted(app_id(p.app))) +
                " [style=dashed, arrowhead=none];\n";
          }
        },
        [&](std::size_t from, std::size_t to, std::string_view label) {
          out += "    " + id(from) + " -> " + id(to) + " [label=" + dot_quoted(label) + "];\n";
        });
    out += "  }\n";
  }
  for (const auto& a : apps)
    out += "  " + dot_quoted(app_id(a)) + " [label=" + dot_quoted(a) + ", shape=box3d];\n";
  out += app_edges;
  out += "}\n";
  return out;
}

inline std::string render_mermaid(std::string_view integration, std::string_view app,
                                  std::span<const workflow_view> workflows) {
  std::string out = "flowchart LR\n";
  std::vector<std::string> apps;
  std::string app_edges;
  out += "  subgraph integration_" + std::string(integration) + "[" +
         mermaid_quoted("integration " + std::string(integration) + " (app: " + std::string(app) +
                        ")") +
         "]\n";
  for (const workflow_view& wf : workflows) {
    const std::string wf_name(wf.name);
    // Workflow names are identifiers and unique, so these ids cannot collide.
    auto id = [&](std::size_t i) { return wf_name + "__" + std::to_string(i); };
    out += "    subgraph workflow_" + wf_name + "[" + mermaid_quoted("workflow " + wf_name) + "]\n";
    walk_parts(
        wf.parts,
        [&](std::size_t i) {
          const part_info& p = wf.parts[i];
          std::string label = mermaid_quoted(part_label(p, ": "));
          std::string node = p.role == part_role::trigger       ? "([" + label + "])"
                             : p.role == part_role::destination ? "[(" + label + ")]"
                             : is_decision(p)                   ? "{" + label + "}"
                                                                : "[" + label + "]";
          out += "      " + id(i) + node + "\n";
          if (!p.app.empty()) {
            remember_app(apps, p.app);
            app_edges += "  " +
                         (p.role == part_role::trigger ? app_id(p.app) + " -.- " + id(i)
                                                       : id(i) + " -.- " + app_id(p.app)) +
                         "\n";
          }
        },
        [&](std::size_t from, std::size_t to, std::string_view label) {
          out += "      " + id(from) + " -->|" + mermaid_quoted(label) + "| " + id(to) + "\n";
        });
    out += "    end\n";
  }
  out += "  end\n";
  for (const auto& a : apps) out += "  " + app_id(a) + "[[" + mermaid_quoted(a) + "]]\n";
  out += app_edges;
  return out;
}

}  // namespace detail

// Graphviz DOT: one cluster per workflow, apps as 3-D boxes joined by dashed edges to the parts
// that talk to them.
template <class Integration>
std::string to_dot(const Integration&) {
  return detail::render_dot(Integration::name, Integration::app_type::name,
                            detail::views_of<Integration>::value);
}

// Mermaid flowchart: the same picture, for Markdown pages that render Mermaid.
template <class Integration>
std::string to_mermaid(const Integration&) {
  return detail::render_mermaid(Integration::name, Integration::app_type::name,
                                detail::views_of<Integration>::value);
}

}  // namespace syncline
