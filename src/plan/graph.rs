//! The dependency graph behind a plan (petgraph): context files, instructions,
//! the commands inside each RUN, the paths they produce, and the runtime entry,
//! joined by `reads`, `writes`, `contains` and `needed-at-runtime` edges. The
//! runtime closure is what the entry needs. `dfsplit graph` prints it.

use super::closure::runtime_closure;
use super::entry::Entry;
use super::steps::{CmdKind, StepKind, classify_stage, copy_word};
use crate::model::{Context, Model, ModelError, join_path};
use crate::rules::Rules;
use crate::syntax::{Body, Dockerfile, process_word};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// What a node stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Node {
    /// A file or glob of the build context.
    ContextFile {
        /// The path as written in the COPY (or read by a rule).
        path: String,
    },
    /// An instruction of the input.
    Instruction {
        /// 1-based line.
        line: usize,
        /// The first line of its text.
        text: String,
    },
    /// A command inside a RUN.
    Command {
        /// Its text.
        text: String,
        /// What it is for.
        role: String,
        /// The rule that says so.
        rule: String,
    },
    /// An absolute path a step produces.
    Path {
        /// The path.
        path: String,
    },
    /// The runtime entry (CMD/ENTRYPOINT).
    Entry {
        /// The start command.
        command: String,
    },
}

/// What an edge means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Edge {
    /// The target reads the source (context file → instruction or command).
    Reads,
    /// The source writes the target path.
    Writes,
    /// A RUN contains the command.
    Contains,
    /// The entry needs the source path at run time.
    NeededAtRuntime,
}

/// The graph of one Dockerfile.
#[derive(Debug, Clone)]
pub struct DepGraph {
    /// Nodes and edges.
    pub graph: DiGraph<Node, Edge>,
    /// Why the runtime closure is unknown, when it is.
    pub closure_unknown: Option<String>,
}

fn label(n: &Node) -> String {
    match n {
        Node::ContextFile { path } => format!("context: {path}"),
        Node::Instruction { line, text } => format!("L{line}: {text}"),
        Node::Command { text, role, .. } => format!("{text}\n({role})"),
        Node::Path { path } => path.clone(),
        Node::Entry { command } => format!("entry: {command}"),
    }
}

impl DepGraph {
    /// Graphviz DOT.
    pub fn to_dot(&self) -> String {
        let mut s = String::from(
            "digraph dfsplit {\n  rankdir=LR;\n  node [fontname=\"monospace\", fontsize=10];\n",
        );
        for i in self.graph.node_indices() {
            let n = &self.graph[i];
            let shape = match n {
                Node::ContextFile { .. } => "note",
                Node::Instruction { .. } => "box",
                Node::Command { .. } => "box, style=rounded",
                Node::Path { .. } => "folder",
                Node::Entry { .. } => "doubleoctagon",
            };
            let text = serde_json::to_string(&label(n)).unwrap_or_default();
            let _ = writeln!(s, "  n{} [shape={shape}, label={text}];", i.index());
        }
        for e in self.graph.edge_references() {
            let name = match e.weight() {
                Edge::Reads => "reads",
                Edge::Writes => "writes",
                Edge::Contains => "contains",
                Edge::NeededAtRuntime => "needed-at-runtime",
            };
            let style = if *e.weight() == Edge::NeededAtRuntime {
                ", color=red"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "  n{} -> n{} [label=\"{name}\"{style}];",
                e.source().index(),
                e.target().index()
            );
        }
        s.push_str("}\n");
        s
    }

    /// Nodes and edges as JSON-ready data.
    pub fn to_json(&self) -> serde_json::Value {
        let nodes: Vec<serde_json::Value> = self
            .graph
            .node_indices()
            .map(|i| {
                let mut v = serde_json::to_value(&self.graph[i]).unwrap_or_default();
                v["id"] = serde_json::json!(i.index());
                v
            })
            .collect();
        let edges: Vec<serde_json::Value> = self
            .graph
            .edge_references()
            .map(|e| serde_json::json!({ "from": e.source().index(), "to": e.target().index(), "kind": e.weight() }))
            .collect();
        serde_json::json!({ "nodes": nodes, "edges": edges, "closure_unknown": self.closure_unknown })
    }
}

/// Builds the graph of the file's final stage.
pub fn dependency_graph(
    df: &Dockerfile,
    ctx: Option<&Context>,
    rules: &Rules,
) -> Result<DepGraph, ModelError> {
    let model = Model::build(df)?;
    let stage = model.final_stage();
    let mut g: DiGraph<Node, Edge> = DiGraph::new();
    let mut paths: BTreeMap<String, NodeIndex> = BTreeMap::new();
    let mut files: BTreeMap<String, NodeIndex> = BTreeMap::new();
    let infos = classify_stage(df, stage, rules, ctx);
    for info in &infos {
        let Some(inst) = df.instruction_at(info.item) else {
            continue;
        };
        let node = g.add_node(Node::Instruction {
            line: inst.start_line,
            text: super::types::first_line(df, inst),
        });
        match (&info.kind, &inst.body) {
            (StepKind::CopyContext { .. }, Body::Copy { paths: args, .. }) => {
                if let Some((dest, sources)) = args.split_last() {
                    for s in sources {
                        let name = process_word(&s.value, df.escape);
                        let f = *files
                            .entry(name.clone())
                            .or_insert_with(|| g.add_node(Node::ContextFile { path: name }));
                        g.add_edge(f, node, Edge::Reads);
                    }
                    let dest = join_path(&info.workdir, &copy_word(df, info, &dest.value));
                    let p = *paths
                        .entry(dest.clone())
                        .or_insert_with(|| g.add_node(Node::Path { path: dest }));
                    g.add_edge(node, p, Edge::Writes);
                }
            }
            (StepKind::Run(cmds), _) => {
                for c in cmds {
                    let role = match &c.kind {
                        CmdKind::Profile { role, .. } => role.as_str().to_string(),
                        other => format!("{other:?}").to_lowercase(),
                    };
                    let cn = g.add_node(Node::Command {
                        text: c.text.clone(),
                        role,
                        rule: c.rule.clone(),
                    });
                    g.add_edge(node, cn, Edge::Contains);
                    if let Some(m) = c.program.as_deref().and_then(|p| {
                        let args: Vec<String> = c
                            .args
                            .iter()
                            .map(|a| a.clone().unwrap_or_default())
                            .collect();
                        rules.classify_command(p, &args)
                    }) {
                        for r in m.reads() {
                            let f = *files
                                .entry(r.clone())
                                .or_insert_with(|| g.add_node(Node::ContextFile { path: r }));
                            g.add_edge(f, cn, Edge::Reads);
                        }
                    }
                    for p in &c.produces {
                        let pn = *paths
                            .entry(p.clone())
                            .or_insert_with(|| g.add_node(Node::Path { path: p.clone() }));
                        g.add_edge(cn, pn, Edge::Writes);
                    }
                }
            }
            _ => {}
        }
    }
    let (entry, closure_unknown) = match Entry::find(df, &infos) {
        Ok(e) => (Some(e), None),
        Err(why) => (None, Some(why)),
    };
    let mut closure_unknown = closure_unknown;
    if let Some(entry) = entry {
        let en = g.add_node(Node::Entry {
            command: entry.describe(),
        });
        let profile = rules
            .profile_for_image(&stage.base.resolved)
            .map(|p| p.id.clone());
        match profile.map(|p| {
            runtime_closure(
                &p,
                df,
                &infos,
                &entry,
                ctx,
                rules,
                &stage.base.resolved,
                &[],
            )
        }) {
            Some(Ok(c)) => {
                for copy in &c.copies {
                    let pn = *paths.entry(copy.from.clone()).or_insert_with(|| {
                        g.add_node(Node::Path {
                            path: copy.from.clone(),
                        })
                    });
                    g.add_edge(pn, en, Edge::NeededAtRuntime);
                }
            }
            Some(Err(gate)) => closure_unknown = Some(format!("{} [{}]", gate.text(), gate.rule)),
            None => closure_unknown = Some("no language profile applies".into()),
        }
    }
    Ok(DepGraph {
        graph: g,
        closure_unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::{Node, dependency_graph};
    use crate::rules::Rules;

    /// `graph` sees the same classification as `rewrite`: a smoke test of
    /// the built program is harmless (`core/runs-build-output`), not unknown.
    #[test]
    fn graph_marks_a_run_of_the_built_program_as_plan_does() {
        let df = crate::syntax::parse(
            "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /usr/local/bin/app . && app --version\nCMD [\"app\"]\n",
        );
        let rules = Rules::embedded().expect("rules");
        let g = dependency_graph(&df, None, &rules).expect("graph");
        let check = g
            .graph
            .node_weights()
            .find_map(|n| match n {
                Node::Command { text, role, rule } if text == "app --version" => {
                    Some((role.clone(), rule.clone()))
                }
                _ => None,
            })
            .expect("the smoke test is a command node");
        assert_eq!(check, ("harmless".into(), "core/runs-build-output".into()));
        assert_eq!(g.closure_unknown, None);
    }
}
