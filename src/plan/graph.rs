//! The dependency graph behind a plan (petgraph): context files, instructions,
//! the commands inside each RUN, the paths they produce, and the runtime entry,
//! joined by `reads`, `writes`, `contains` and `needed-at-runtime` edges. The
//! runtime closure is what the entry needs. `dfsplit graph` prints it.
//!
//! Placement pragmas (`# dfsplit: runtime|build|keep`) are the user's: the
//! instruction they place carries the placement, the pragma's line and
//! `core/pragma-placement`, a `runtime` or `keep` one gets a
//! `forced-runtime` edge to the entry, and the closure is computed as the
//! planner computes it with them (a `build` step's products are needed at
//! run time only when the runtime needs them anyway).

use super::closure::runtime_closure;
use super::entry::Entry;
use super::pragma::{self, Force, Forced};
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
        /// Where the user's placement pragma puts it, if one does.
        #[serde(skip_serializing_if = "Option::is_none")]
        forced: Option<UserPlacement>,
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

/// A placement the user forced with a pragma above the instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserPlacement {
    /// `runtime`, `build` or `keep`.
    pub placement: String,
    /// Always `user`: the placement is the user's decision, not the analysis's.
    pub by: String,
    /// The pragma's line.
    pub pragma_line: usize,
    /// The rule that carries it out.
    pub rule: String,
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
    /// The user's pragma puts the instruction in the runtime stage
    /// (`# dfsplit: runtime` or `keep`).
    ForcedRuntime,
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
        Node::Instruction {
            line,
            text,
            forced: None,
        } => format!("L{line}: {text}"),
        Node::Instruction {
            line,
            text,
            forced: Some(f),
        } => format!(
            "L{line}: {text}\n[{}: the user's pragma, line {}]",
            f.placement, f.pragma_line
        ),
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
                Node::Instruction {
                    forced: Some(_), ..
                } => "box, style=bold, color=blue",
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
                Edge::ForcedRuntime => "forced-runtime",
            };
            let style = match e.weight() {
                Edge::NeededAtRuntime => ", color=red",
                Edge::ForcedRuntime => ", color=blue, style=bold",
                _ => "",
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
    // The user's placements, as the planner reads them; one it refuses makes
    // the closure unknown (the plan leaves the file unchanged), with its reason.
    let (forced, refused): (Vec<Forced>, Option<String>) = match pragma::placements(df) {
        Ok(f) => (f, None),
        Err(gate) => (Vec::new(), Some(format!("{} [{}]", gate.text(), gate.rule))),
    };
    let mut forced_nodes: Vec<NodeIndex> = Vec::new();
    for info in &infos {
        let Some(inst) = df.instruction_at(info.item) else {
            continue;
        };
        let placed = forced.iter().find(|f| f.item == info.item);
        let node = g.add_node(Node::Instruction {
            line: inst.start_line,
            text: super::types::first_line(df, inst),
            forced: placed.map(|f| UserPlacement {
                placement: match f.force {
                    Force::Runtime => "runtime",
                    Force::Build => "build",
                    Force::Keep => "keep",
                }
                .into(),
                by: "user".into(),
                pragma_line: f.pragma.at.line,
                rule: super::rule_ids::core::PRAGMA_PLACEMENT.into(),
            }),
        });
        if placed.is_some_and(|f| matches!(f.force, Force::Runtime | Force::Keep)) {
            forced_nodes.push(node);
        }
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
    let mut closure_unknown = refused.or(closure_unknown);
    if let Some(entry) = entry {
        let en = g.add_node(Node::Entry {
            command: entry.describe(),
        });
        for n in &forced_nodes {
            g.add_edge(*n, en, Edge::ForcedRuntime);
        }
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
                &pragma::build_only(&forced),
            )
            .and_then(|mut c| {
                pragma::apply(df, &infos, &forced, &mut c, &entry.workdir)?;
                Ok(c)
            })
        }) {
            Some(Ok(_)) if closure_unknown.is_some() => {}
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
    use super::{Edge, Node, UserPlacement, dependency_graph};
    use crate::rules::Rules;
    use petgraph::visit::EdgeRef;

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

    /// Placement pragmas are the user's: the graph shows the placement on
    /// the instruction with the pragma's line and rule, joins a `runtime` or
    /// `keep` one to the entry, and says why when the planner refuses one.
    #[test]
    fn graph_shows_the_users_forced_placements() {
        let df = crate::syntax::parse(
            "FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n\
             # the app shells out to git\n# dfsplit: runtime\nRUN apt-get update && apt-get install -y --no-install-recommends git && rm -rf /var/lib/apt/lists/*\n\
             # dfsplit: build\nEXPOSE 9229\n# dfsplit: keep\nCMD [\"node\", \"server.js\"]\n",
        );
        let rules = Rules::embedded().expect("rules");
        let g = dependency_graph(&df, None, &rules).expect("graph");
        let forced: Vec<(usize, UserPlacement)> = g
            .graph
            .node_weights()
            .filter_map(|n| match n {
                Node::Instruction {
                    line,
                    forced: Some(f),
                    ..
                } => Some((*line, f.clone())),
                _ => None,
            })
            .collect();
        let placed = |placement: &str, pragma_line: usize| UserPlacement {
            placement: placement.into(),
            by: "user".into(),
            pragma_line,
            rule: "core/pragma-placement".into(),
        };
        assert_eq!(
            forced,
            [
                (8, placed("runtime", 7)),
                (10, placed("build", 9)),
                (12, placed("keep", 11))
            ]
        );
        // Only the runtime and keep ones are tied to the entry.
        let mut tied: Vec<usize> = g
            .graph
            .edge_references()
            .filter(|e| *e.weight() == Edge::ForcedRuntime)
            .filter_map(|e| match &g.graph[e.source()] {
                Node::Instruction { line, .. } => Some(*line),
                _ => None,
            })
            .collect();
        tied.sort();
        assert_eq!(tied, [8, 12]);
        // Both outputs say so.
        let json = g.to_json().to_string();
        assert!(
            json.contains(r#""forced":{"by":"user","placement":"runtime","pragma_line":7,"rule":"core/pragma-placement"}"#),
            "{json}"
        );
        assert!(json.contains(r#""kind":"forced-runtime""#), "{json}");
        let dot = g.to_dot();
        assert!(
            dot.contains("[runtime: the user's pragma, line 7]")
                && dot.contains("label=\"forced-runtime\""),
            "{dot}"
        );
        // Without pragmas nothing is marked.
        let plain = crate::syntax::parse(
            "FROM node:20\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"server.js\"]\n",
        );
        let g = dependency_graph(&plain, None, &rules).expect("graph");
        assert!(g.graph.node_weights().all(|n| !matches!(
            n,
            Node::Instruction {
                forced: Some(_),
                ..
            }
        )));
        // A pragma the planner refuses: the closure is unknown, with its reason.
        let typo = crate::syntax::parse(
            "FROM node:20\nWORKDIR /app\nCOPY . .\n# dfsplit: runtme\nRUN true\nCMD [\"node\", \"server.js\"]\n",
        );
        let g = dependency_graph(&typo, None, &rules).expect("graph");
        let why = g.closure_unknown.expect("unknown");
        assert!(
            why.contains("`# dfsplit: runtme` is not a pragma dfsplit knows")
                && why.ends_with("[core/pragma-placement]"),
            "{why}"
        );
    }
}
