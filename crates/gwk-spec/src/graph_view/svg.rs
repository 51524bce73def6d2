//! `gwk graph --format svg`: a standalone SVG drawn by gwk itself (no
//! Graphviz needed), left to right by stage. Each job is a
//! `<g class="job">` box with its name, action and machine; GPU jobs are
//! amber with a thick border. Edges are curves labelled with the io they
//! carry; dashed when `needs` does not declare them, red when they close a
//! cycle.

use super::{GraphView, layout};
use std::fmt::Write;

const FONT: f64 = 13.0;
/// The advance of one character of the monospace font at `FONT`.
const CHAR_W: f64 = 7.9;
const LABEL_FONT: f64 = 11.0;
const LABEL_CHAR_W: f64 = 6.7;
const LINE_H: f64 = 17.0;
const PAD: f64 = 12.0;
const MARGIN: f64 = 24.0;
const ROW_GAP: f64 = 28.0;
const MIN_COL_GAP: f64 = 70.0;

/// Text for XML character data and attribute values.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

struct Boxed {
    lines: Vec<String>,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

fn width(s: &str, char_w: f64) -> f64 {
    s.chars().count() as f64 * char_w
}

/// A cubic curve's path and its midpoint, (P0 + 3·P1 + 3·P2 + P3) / 8.
fn curve(x1: f64, y1: f64, c1: (f64, f64), c2: (f64, f64), x2: f64, y2: f64) -> (String, f64, f64) {
    let d = format!(
        "M {x1:.1} {y1:.1} C {:.1} {:.1}, {:.1} {:.1}, {x2:.1} {y2:.1}",
        c1.0, c1.1, c2.0, c2.1
    );
    let mx = (x1 + 3.0 * c1.0 + 3.0 * c2.0 + x2) / 8.0;
    let my = (y1 + 3.0 * c1.1 + 3.0 * c2.1 + y2) / 8.0;
    (d, mx, my)
}

pub fn svg(view: &GraphView) -> String {
    let lay = layout(view);
    let mut boxes: Vec<Boxed> = view
        .nodes
        .iter()
        .map(|n| {
            let lines: Vec<String> = [
                n.name.clone(),
                n.action.clone().unwrap_or_default(),
                n.machine_label(),
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
            let w = lines.iter().map(|l| width(l, CHAR_W)).fold(96.0, f64::max) + 2.0 * PAD;
            let h = lines.len() as f64 * LINE_H + 2.0 * PAD - 4.0;
            Boxed {
                lines,
                x: 0.0,
                y: 0.0,
                w,
                h,
            }
        })
        .collect();

    // Columns: as wide as their widest job, with room for the labels of
    // the edges that leave them.
    let mut x = MARGIN;
    let mut heights = Vec::new();
    for layer in &lay.layers {
        let col_w = layer.iter().map(|&i| boxes[i].w).fold(0.0, f64::max);
        for &i in layer {
            boxes[i].x = x + (col_w - boxes[i].w) / 2.0;
        }
        let label_w = view
            .edges
            .iter()
            .filter(|e| layer.iter().any(|&i| view.nodes[i].name == e.from))
            .map(|e| width(&e.label(), LABEL_CHAR_W) + 24.0)
            .fold(0.0, f64::max);
        x += col_w + MIN_COL_GAP.max(label_w);
        let h: f64 = layer.iter().map(|&i| boxes[i].h).sum::<f64>()
            + ROW_GAP * layer.len().saturating_sub(1) as f64;
        heights.push(h);
    }
    let total_h = heights.iter().copied().fold(0.0, f64::max);
    for (l, layer) in lay.layers.iter().enumerate() {
        let mut y = MARGIN + (total_h - heights[l]) / 2.0;
        for &i in layer {
            boxes[i].y = y;
            y += boxes[i].h + ROW_GAP;
        }
    }
    let has_back = !lay.back_edges.is_empty();
    let width_total = (x - MIN_COL_GAP + MARGIN).max(2.0 * MARGIN);
    let height_total = total_h + 2.0 * MARGIN + if has_back { 90.0 } else { 0.0 };

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" font-family=\"ui-monospace, SFMono-Regular, Menlo, Consolas, monospace\">",
        w = width_total,
        h = height_total
    );
    out.push_str("  <title>workflow graph</title>\n");
    out.push_str("  <defs>\n");
    for (id, color) in [("arrow", "#475569"), ("arrow-back", "#dc2626")] {
        let _ = writeln!(
            out,
            "    <marker id=\"{id}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"{color}\"/></marker>"
        );
    }
    out.push_str("  </defs>\n");
    out.push_str("  <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");

    let index = |name: &str| view.nodes.iter().position(|n| n.name == name);
    let mut labels = String::new();
    for (k, e) in view.edges.iter().enumerate() {
        let (Some(f), Some(t)) = (index(&e.from), index(&e.to)) else {
            continue;
        };
        let (a, b) = (&boxes[f], &boxes[t]);
        let back = lay.back_edges.contains(&k);
        let (x1, y1) = (a.x + a.w, a.y + a.h / 2.0);
        let (x2, y2) = (b.x, b.y + b.h / 2.0);
        let (stroke, marker) = if back {
            ("#dc2626", "arrow-back")
        } else {
            ("#475569", "arrow")
        };
        let dash = if e.declared {
            ""
        } else {
            " stroke-dasharray=\"6 4\""
        };
        let (lf, lt) = (lay.position[f].0, lay.position[t].0);
        // The path, and the point its label sits on.
        let (d, mx, my) = if back || x2 <= x1 {
            // Against the flow: loop below the drawing.
            let low = total_h + MARGIN + 60.0;
            let (c1, c2) = ((x1 + 60.0, low), (x2 - 60.0, low));
            curve(x1, y1, c1, c2, x2, y2)
        } else if lt > lf + 1 {
            // Over (or under) the layers in between, not through their jobs.
            let between = &lay.layers[lf + 1..lt];
            let top = between
                .iter()
                .flatten()
                .map(|&i| boxes[i].y)
                .fold(f64::INFINITY, f64::min);
            let bottom = between
                .iter()
                .flatten()
                .map(|&i| boxes[i].y + boxes[i].h)
                .fold(0.0, f64::max);
            let mid = (y1 + y2) / 2.0;
            let yr = if mid - top <= bottom - mid {
                top - 14.0
            } else {
                bottom + 14.0
            };
            let (xa, xb) = (x1 + 40.0, x2 - 40.0);
            let d = format!(
                "M {x1:.1} {y1:.1} C {:.1} {y1:.1}, {:.1} {yr:.1}, {xa:.1} {yr:.1} L {xb:.1} {yr:.1} C {:.1} {yr:.1}, {:.1} {y2:.1}, {x2:.1} {y2:.1}",
                x1 + 25.0,
                x1 + 15.0,
                x2 - 15.0,
                x2 - 25.0
            );
            (d, (xa + xb) / 2.0, yr)
        } else {
            let dx = (x2 - x1) / 2.0;
            curve(x1, y1, (x1 + dx, y1), (x2 - dx, y2), x2, y2)
        };
        let _ = writeln!(
            out,
            "  <path class=\"edge\" data-from=\"{}\" data-to=\"{}\" d=\"{d}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1.5\"{dash} marker-end=\"url(#{marker})\"/>",
            xml(&e.from),
            xml(&e.to),
        );
        let label = e.label();
        if !label.is_empty() {
            let lw = width(&label, LABEL_CHAR_W) + 8.0;
            let _ = writeln!(
                labels,
                "  <g class=\"edge-label\"><rect x=\"{:.1}\" y=\"{:.1}\" width=\"{lw:.1}\" height=\"16\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.9\"/><text x=\"{mx:.1}\" y=\"{:.1}\" font-size=\"{LABEL_FONT}\" text-anchor=\"middle\" fill=\"#334155\">{}</text></g>",
                mx - lw / 2.0,
                my - 8.0,
                my + 4.0,
                xml(&label)
            );
        }
    }
    out.push_str(&labels);
    for (i, (n, b)) in view.nodes.iter().zip(&boxes).enumerate() {
        let (fill, stroke, sw) = if n.gpu {
            ("#fde68a", "#b45309", 2.5)
        } else {
            ("#f1f5f9", "#64748b", 1.2)
        };
        let class = if n.gpu { "job gpu" } else { "job" };
        let _ = writeln!(
            out,
            "  <g class=\"{class}\" id=\"job-{i}\" data-job=\"{}\">",
            xml(&n.name)
        );
        let _ = writeln!(out, "    <title>{}</title>", xml(&b.lines.join("\n")));
        let _ = writeln!(
            out,
            "    <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"8\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{sw}\"/>",
            b.x, b.y, b.w, b.h
        );
        for (k, line) in b.lines.iter().enumerate() {
            let y = b.y + PAD + FONT - 2.0 + k as f64 * LINE_H;
            let (weight, color) = if k == 0 {
                (" font-weight=\"bold\"", "#0f172a")
            } else {
                ("", "#334155")
            };
            let _ = writeln!(
                out,
                "    <text x=\"{:.1}\" y=\"{y:.1}\" font-size=\"{FONT}\"{weight} fill=\"{color}\">{}</text>",
                b.x + PAD,
                xml(line)
            );
        }
        out.push_str("  </g>\n");
    }
    out.push_str("</svg>\n");
    out
}
