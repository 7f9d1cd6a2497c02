//! The model's own picture: each pathway as a layered diagram drawn from the compiled model,
//! as SVG (`carepath diagram`, `carepath report`).
//!
//! Boxes are the steps (a station visit, or a delay in a dashed box), from the arrival
//! streams at the top to the exit at the bottom; arrows are the routes, labelled with their
//! probabilities (per class where the classes differ); a route back to an earlier step (a
//! loop) is a dashed arrow on the right. Steps where the digital workflow differs from paper
//! (a workflow role: registration, payment, results, pharmacy, …) carry a blue tag naming the
//! lever.
//!
//! The layout is a small layered one, deterministic: the routes found to lead back to a step
//! already on the way from the entry (depth-first, in route order) are the loops; every other
//! step goes one layer below the lowest step routing to it (longest path); a layer's steps
//! are in the order the depth-first search reached them.

use crate::chart::escape;
use crate::font::text_width;
use sim_core::Model;
use sim_core::model::{EXIT, StepKind};
use std::collections::BTreeMap;
use std::fmt::Write as _;

const WIDTH: i32 = 1000;
const BOX_W: i32 = 210;
const BOX_H: i32 = 50;
const ROW_GAP: i32 = 64;
const COL_GAP: i32 = 36;
const TITLE: f64 = 22.0;
const TEXT: f64 = 15.0;
const SMALL: f64 = 12.5;
const INK: &str = "#202020";
const MUTED: &str = "#555555";
const BLUE: &str = "#0072B2";

/// Per class (index), the probability of a route.
type PerClass = Vec<(usize, f64)>;

/// A node of one pathway's diagram.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Entry(Vec<String>),
    Step(u32),
    Exit,
}

/// The lever a workflow role stands for.
fn lever(role: sim_core::scenario::Role) -> &'static str {
    use sim_core::scenario::Role::*;
    match role {
        Registration => "digital: online registration, face scan",
        Identity => "digital: face scan",
        Prepayment => "digital: credit (pay later)",
        Payment => "digital: pay by phone or face",
        ReportCollection => "digital: results online",
        Revisit => "digital: remote review",
        Pharmacy => "digital: home delivery",
    }
}

/// Width of `s` in an SVG `font-size` of `size` px. (`text_width` takes an `ab_glyph` pixel
/// scale, the font's ascent-to-descent height, which for DejaVu Sans is 1.164 em.)
fn tw(s: &str, size: f64) -> i32 {
    text_width(s, size * 1.164)
}

/// A probability as written on an arrow.
fn prob(p: f64) -> String {
    let s = format!("{p:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// Cuts `s` to fit `width` pixels at `size`.
fn fit(s: &str, size: f64, width: i32) -> String {
    if tw(s, size) <= width {
        return s.to_string();
    }
    let mut out: String = s.to_string();
    while !out.is_empty() && tw(&format!("{out}…"), size) > width {
        out.pop();
    }
    format!("{out}…")
}

/// One pathway laid out: nodes with their layer and position in it, and the edges.
struct Layout {
    title: String,
    nodes: Vec<Node>,
    /// (layer, index in layer) of each node.
    place: Vec<(usize, usize)>,
    layers: Vec<Vec<usize>>,
    /// (from, to, label, loop).
    edges: Vec<(usize, usize, String, bool)>,
}

fn layout(model: &Model, pathway: usize) -> Layout {
    let steps = model.steps();
    let classes = model.classes();
    let p = &model.pathways()[pathway];
    let entries: Vec<String> = model
        .streams()
        .iter()
        .filter(|s| {
            steps
                .get(s.start_step as usize)
                .is_some_and(|st| st.pathway as usize == pathway)
        })
        .map(|s| s.id.clone())
        .collect();
    let mut nodes = vec![Node::Entry(entries), Node::Exit];
    let mut index: BTreeMap<u32, usize> = BTreeMap::new();
    let mut node_of = |nodes: &mut Vec<Node>, target: u32| -> usize {
        if target == EXIT {
            return 1;
        }
        *index.entry(target).or_insert_with(|| {
            nodes.push(Node::Step(target));
            nodes.len() - 1
        })
    };
    let start = node_of(&mut nodes, p.start);
    // Routes per step: target → per class probability.
    let mut edges_raw: Vec<(usize, usize, PerClass)> = vec![(0, start, Vec::new())];
    let mut k = 2;
    while k < nodes.len() {
        let Node::Step(s) = nodes[k] else {
            unreachable!()
        };
        let step = &steps[s as usize];
        let mut targets: Vec<(usize, PerClass)> = Vec::new();
        for (c, &table) in step.routes.iter().enumerate() {
            let t = &model.routes()[table as usize];
            let mut prev = 0.0;
            for (&target, &cum) in t.targets.iter().zip(&t.cumulative) {
                let pr = cum - prev;
                prev = cum;
                if pr <= 0.0 {
                    continue;
                }
                let n = node_of(&mut nodes, target);
                match targets.iter_mut().find(|(m, _)| *m == n) {
                    Some((_, v)) => v.push((c, pr)),
                    None => targets.push((n, vec![(c, pr)])),
                }
            }
        }
        for (n, v) in targets {
            edges_raw.push((k, n, v));
        }
        k += 1;
    }
    // Loops: depth-first from the entry, an edge to a node on the current path.
    let n = nodes.len();
    let succ: Vec<Vec<usize>> = (0..n)
        .map(|u| edges_raw.iter().filter(|e| e.0 == u).map(|e| e.1).collect())
        .collect();
    let mut state = vec![0u8; n]; // 0 new, 1 on path, 2 done
    let mut order = Vec::new();
    let mut back = std::collections::BTreeSet::new();
    fn dfs(
        u: usize,
        succ: &[Vec<usize>],
        state: &mut [u8],
        order: &mut Vec<usize>,
        back: &mut std::collections::BTreeSet<(usize, usize)>,
    ) {
        state[u] = 1;
        order.push(u);
        for &v in &succ[u] {
            match state[v] {
                0 => dfs(v, succ, state, order, back),
                1 => {
                    back.insert((u, v));
                }
                _ => {}
            }
        }
        state[u] = 2;
    }
    dfs(0, &succ, &mut state, &mut order, &mut back);
    // Longest path over the forward edges, in depth-first finishing order reversed
    // (a topological order of the forward graph).
    let mut layer = vec![0usize; n];
    let mut changed = true;
    let mut rounds = 0;
    while changed && rounds <= n {
        changed = false;
        rounds += 1;
        for e in &edges_raw {
            if back.contains(&(e.0, e.1)) || e.1 == 1 {
                continue;
            }
            if layer[e.1] < layer[e.0] + 1 {
                layer[e.1] = layer[e.0] + 1;
                changed = true;
            }
        }
    }
    let last = (2..n).map(|i| layer[i]).max().unwrap_or(0);
    layer[1] = last + 1;
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); last + 2];
    for &u in order.iter().chain(std::iter::once(&1)) {
        if !layers[layer[u]].contains(&u) {
            layers[layer[u]].push(u);
        }
    }
    let mut place = vec![(0, 0); n];
    for (l, row) in layers.iter().enumerate() {
        for (i, &u) in row.iter().enumerate() {
            place[u] = (l, i);
        }
    }
    let all = classes.len();
    let edges = edges_raw
        .into_iter()
        .map(|(u, v, per)| {
            let same = per.len() == all && per.iter().all(|(_, q)| (q - per[0].1).abs() < 1e-12);
            let label = if per.is_empty() || (same && (per[0].1 - 1.0).abs() < 1e-12) {
                String::new()
            } else if same {
                prob(per[0].1)
            } else {
                // Classes grouped by probability; the largest group (at least half the
                // classes) as the bare number, the others named.
                let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
                let mut every: Vec<(usize, f64)> = per.clone();
                for c in 0..all {
                    if !per.iter().any(|(k, _)| *k == c) {
                        every.push((c, 0.0));
                    }
                }
                for (c, q) in &every {
                    let key = prob(*q);
                    match groups.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, v)) => v.push(classes[*c].id.as_str()),
                        None => groups.push((key, vec![classes[*c].id.as_str()])),
                    }
                }
                let main = groups
                    .iter()
                    .enumerate()
                    .max_by_key(|(i, g)| (g.1.len(), usize::MAX - i))
                    .filter(|(_, g)| 2 * g.1.len() >= all)
                    .map(|(i, _)| i);
                groups
                    .iter()
                    .enumerate()
                    .map(|(i, (q, cs))| {
                        if Some(i) == main {
                            q.clone()
                        } else {
                            format!("{} {q}", cs.join(", "))
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" · ")
            };
            (u, v, label, back.contains(&(u, v)))
        })
        .collect();
    Layout {
        title: format!("pathway {}", p.id),
        nodes,
        place,
        layers,
        edges,
    }
}

/// The diagram of `model`'s pathways as a standalone SVG document.
pub fn pathway_diagram(model: &Model) -> String {
    let layouts: Vec<Layout> = (0..model.pathways().len())
        .map(|p| layout(model, p))
        .collect();
    let mut body = String::new();
    let mut y0 = 70;
    let steps = model.steps();
    let stations = model.stations();
    for l in &layouts {
        let _ = writeln!(
            body,
            "<text x=\"24\" y=\"{}\" font-size=\"{}\" fill=\"{MUTED}\">{}</text>",
            y0 + 4,
            TEXT,
            escape(&l.title)
        );
        y0 += 24;
        let widest = l.layers.iter().map(Vec::len).max().unwrap_or(1) as i32;
        let span = widest * BOX_W + (widest - 1) * COL_GAP;
        let left = ((WIDTH - span) / 2).max(150);
        let centre = |u: usize| -> (i32, i32) {
            let (layer, i) = l.place[u];
            let row = l.layers[layer].len() as i32;
            let row_span = row * BOX_W + (row - 1) * COL_GAP;
            let x = left + (span - row_span) / 2 + i as i32 * (BOX_W + COL_GAP) + BOX_W / 2;
            let y = y0 + layer as i32 * (BOX_H + ROW_GAP) + BOX_H / 2;
            (x, y)
        };
        // Edges first, under the boxes.
        for (u, v, label, is_loop) in &l.edges {
            let (x1, y1) = centre(*u);
            let (x2, y2) = centre(*v);
            if *is_loop {
                let (ax, ay) = (x1 + BOX_W / 2, y1);
                let (bx, by) = (x2 + BOX_W / 2, y2);
                let bulge = ax.max(bx) + 60 + (y1 - y2).abs() / 8;
                let _ = writeln!(
                    body,
                    "<path d=\"M{ax},{ay} C{bulge},{ay} {bulge},{by} {},{by}\" fill=\"none\" stroke=\"{INK}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\" marker-end=\"url(#arrow)\"/>",
                    bx + 4
                );
                if !label.is_empty() {
                    let _ = writeln!(
                        body,
                        "<text x=\"{}\" y=\"{}\" font-size=\"{SMALL}\" fill=\"{INK}\">{} (loop)</text>",
                        bulge - 20,
                        (ay + by) / 2,
                        escape(label)
                    );
                }
                continue;
            }
            let skips = l.place[*v].0 > l.place[*u].0 + 1;
            if skips {
                // Past the layers between: around them on the left, so it crosses no box.
                let (ax, bx) = (x1 - BOX_W / 2, x2 - BOX_W / 2 - 4);
                let bulge = ax.min(bx) - 50 - (y2 - y1).abs() / 10;
                let _ = writeln!(
                    body,
                    "<path d=\"M{ax},{y1} C{bulge},{y1} {bulge},{y2} {bx},{y2}\" fill=\"none\" stroke=\"{INK}\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>"
                );
                if !label.is_empty() {
                    let w = tw(label, SMALL) + 8;
                    let (mx, my) = (bulge + 12, (y1 + y2) / 2);
                    let _ = writeln!(
                        body,
                        "<rect x=\"{}\" y=\"{}\" width=\"{w}\" height=\"18\" fill=\"white\"/><text x=\"{mx}\" y=\"{}\" font-size=\"{SMALL}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
                        mx - w / 2,
                        my - 12,
                        my + 2,
                        escape(label)
                    );
                }
                continue;
            }
            let (sy, ey) = (y1 + BOX_H / 2, y2 - BOX_H / 2 - 4);
            let _ = writeln!(
                body,
                "<line x1=\"{x1}\" y1=\"{sy}\" x2=\"{x2}\" y2=\"{ey}\" stroke=\"{INK}\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>"
            );
            if !label.is_empty() {
                let (mx, my) = ((x1 + x2) / 2, (sy + ey) / 2);
                let w = tw(label, SMALL) + 8;
                let _ = writeln!(
                    body,
                    "<rect x=\"{}\" y=\"{}\" width=\"{w}\" height=\"18\" fill=\"white\"/><text x=\"{mx}\" y=\"{}\" font-size=\"{SMALL}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
                    mx - w / 2,
                    my - 12,
                    my + 2,
                    escape(label)
                );
            }
        }
        for (u, node) in l.nodes.iter().enumerate() {
            let (x, y) = centre(u);
            let (bx, by) = (x - BOX_W / 2, y - BOX_H / 2);
            match node {
                Node::Entry(streams) => {
                    let _ = writeln!(
                        body,
                        "<rect x=\"{bx}\" y=\"{by}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"25\" fill=\"#E8F1F8\" stroke=\"{BLUE}\"/><text x=\"{x}\" y=\"{}\" font-size=\"{TEXT}\" text-anchor=\"middle\" fill=\"{INK}\">arrivals</text><text x=\"{x}\" y=\"{}\" font-size=\"{SMALL}\" text-anchor=\"middle\" fill=\"{MUTED}\">{}</text>",
                        y - 3,
                        y + 15,
                        escape(&fit(&streams.join(", "), SMALL, BOX_W - 16))
                    );
                }
                Node::Exit => {
                    let _ = writeln!(
                        body,
                        "<rect x=\"{bx}\" y=\"{by}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"25\" fill=\"#EEEEEE\" stroke=\"{INK}\"/><text x=\"{x}\" y=\"{}\" font-size=\"{TEXT}\" text-anchor=\"middle\" fill=\"{INK}\">leave</text>",
                        y + 5
                    );
                }
                Node::Step(s) => {
                    let step = &steps[*s as usize];
                    let (fill, dash, what) = match &step.kind {
                        StepKind::Visit { station, .. } => (
                            "#FFF6E0",
                            "",
                            format!("at {}", stations[*station as usize].name),
                        ),
                        StepKind::Delay { .. } => (
                            "#F4F4F4",
                            " stroke-dasharray=\"5 3\"",
                            "delay (no server)".to_string(),
                        ),
                    };
                    let _ = writeln!(
                        body,
                        "<rect x=\"{bx}\" y=\"{by}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"4\" fill=\"{fill}\" stroke=\"{INK}\"{dash}/><text x=\"{x}\" y=\"{}\" font-size=\"{TEXT}\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"{INK}\">{}</text><text x=\"{x}\" y=\"{}\" font-size=\"{SMALL}\" text-anchor=\"middle\" fill=\"{MUTED}\">{}</text>",
                        y - 4,
                        escape(&fit(&step.id, TEXT, BOX_W - 12)),
                        y + 14,
                        escape(&fit(&what, SMALL, BOX_W - 12))
                    );
                    if let Some(role) = step.role {
                        let tag = lever(role);
                        let w = tw(tag, SMALL) + 10;
                        let _ = writeln!(
                            body,
                            "<rect x=\"{}\" y=\"{}\" width=\"{w}\" height=\"17\" rx=\"8\" fill=\"{BLUE}\"/><text x=\"{x}\" y=\"{}\" font-size=\"{SMALL}\" text-anchor=\"middle\" fill=\"white\">{}</text>",
                            x - w / 2,
                            by + BOX_H - 4,
                            by + BOX_H + 8,
                            escape(tag)
                        );
                    }
                }
            }
        }
        y0 += l.layers.len() as i32 * (BOX_H + ROW_GAP) + 20;
    }
    let height = y0 + 40;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" font-family=\"DejaVu Sans, Verdana, sans-serif\">\n<title>{}</title>\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{INK}\"/></marker></defs>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"24\" y=\"40\" font-size=\"{TITLE}\" fill=\"{INK}\">{}</text>\n",
        escape(&format!("Pathways of {}", model.name())),
        escape(&format!("Pathways of {}", model.name()))
    );
    svg.push_str(&body);
    let _ = writeln!(
        svg,
        "<text x=\"24\" y=\"{}\" font-size=\"{SMALL}\" fill=\"{MUTED}\">Arrows: where patients go next, with the probability (by class where classes differ); dashed: a loop back.</text>\n<text x=\"24\" y=\"{}\" font-size=\"{SMALL}\" fill=\"{MUTED}\">Blue tags: the steps where the digital workflow differs from paper.</text>\n</svg>",
        height - 30,
        height - 12
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(text: &str) -> Model {
        sim_core::Scenario::parse(text)
            .unwrap()
            .model(None)
            .unwrap()
    }

    #[test]
    fn the_outpatient_clinic_has_its_steps_routes_and_loop() {
        let m = model(include_str!("../../scenarios/outpatient-clinic.toml"));
        let svg = pathway_diagram(&m);
        let doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
        let texts: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("text"))
            .filter_map(|n| n.text())
            .collect();
        for step in m.steps() {
            assert!(texts.contains(&step.id.as_str()), "{} not drawn", step.id);
        }
        assert!(texts.contains(&"arrivals") && texts.contains(&"leave"));
        // One box per step plus the arrivals and the exit.
        let boxes = doc
            .descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("height") == Some("50"))
            .count();
        assert_eq!(boxes, m.steps().len() + 2);
        // Deterministic.
        assert_eq!(svg, pathway_diagram(&m));
    }

    #[test]
    fn the_flagship_marks_its_digital_steps() {
        let m = model(include_str!("../../scenarios/future-hospital.toml"));
        let svg = pathway_diagram(&m);
        assert!(svg.contains("digital: "), "no digital tag");
        assert!(roxmltree::Document::parse(&svg).is_ok());
    }
}
