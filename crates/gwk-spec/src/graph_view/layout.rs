//! Layers and order for drawing the graph: each job in the layer of its
//! stage (a cycle's closing edges are set aside first, so a broken file
//! still draws), and jobs within a layer ordered to cut crossings (the
//! barycenter heuristic, a few sweeps down and up).

use super::GraphView;
use std::collections::HashMap;

/// Where each job goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Node indices by layer, in drawing order.
    pub layers: Vec<Vec<usize>>,
    /// For each node, its layer and position in it.
    pub position: Vec<(usize, usize)>,
    /// Edge indices that close a cycle (drawn against the flow).
    pub back_edges: Vec<usize>,
}

/// Lays out `view`.
pub fn layout(view: &GraphView) -> Layout {
    let n = view.nodes.len();
    let index: HashMap<&str, usize> = view
        .nodes
        .iter()
        .enumerate()
        .rev()
        .map(|(i, node)| (node.name.as_str(), i))
        .collect();
    let edges: Vec<(usize, usize)> = view
        .edges
        .iter()
        .map(|e| (index[e.from.as_str()], index[e.to.as_str()]))
        .collect();
    let back_edges = back_edges(n, &edges);
    let forward: Vec<(usize, usize)> = edges
        .iter()
        .enumerate()
        .filter(|(i, _)| !back_edges.contains(i))
        .map(|(_, &e)| e)
        .collect();

    // Longest path from a root; with no cycle left this is the stage.
    let mut layer = vec![0usize; n];
    for _ in 0..n {
        let mut changed = false;
        for &(from, to) in &forward {
            if from != to && layer[to] < layer[from] + 1 {
                layer[to] = layer[from] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let count = layer.iter().map(|&l| l + 1).max().unwrap_or(0);
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (i, &l) in layer.iter().enumerate() {
        layers[l].push(i);
    }

    let mut position = vec![(0, 0); n];
    let place = |layers: &Vec<Vec<usize>>, position: &mut Vec<(usize, usize)>| {
        for (l, nodes) in layers.iter().enumerate() {
            for (p, &node) in nodes.iter().enumerate() {
                position[node] = (l, p);
            }
        }
    };
    place(&layers, &mut position);
    for sweep in 0..4 {
        let down = sweep % 2 == 0;
        let order: Vec<usize> = if down {
            (1..count).collect()
        } else {
            (0..count.saturating_sub(1)).rev().collect()
        };
        for l in order {
            let mut keyed: Vec<(f64, usize, usize)> = layers[l]
                .iter()
                .enumerate()
                .map(|(p, &node)| {
                    let neighbours: Vec<usize> = forward
                        .iter()
                        .filter_map(|&(from, to)| {
                            if down && to == node && from != to {
                                Some(position[from].1)
                            } else if !down && from == node && from != to {
                                Some(position[to].1)
                            } else {
                                None
                            }
                        })
                        .collect();
                    let key = if neighbours.is_empty() {
                        p as f64
                    } else {
                        neighbours.iter().sum::<usize>() as f64 / neighbours.len() as f64
                    };
                    (key, p, node)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            layers[l] = keyed.into_iter().map(|(_, _, node)| node).collect();
            place(&layers, &mut position);
        }
    }
    Layout {
        layers,
        position,
        back_edges,
    }
}

/// The edges a depth-first walk in file order finds going back to a job
/// still on its path: removing them leaves a DAG.
fn back_edges(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut out_edges: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for (i, &(from, to)) in edges.iter().enumerate() {
        out_edges[from].push((to, i));
    }
    // 0 = unseen, 1 = on the path, 2 = done.
    let mut state = vec![0u8; n];
    let mut back = Vec::new();
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&(to, edge)) = out_edges[node].get(*next) {
                *next += 1;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        stack.push((to, 0));
                    }
                    1 => back.push(edge),
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
    back.sort();
    back
}
