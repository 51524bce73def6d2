//! `textDocument/foldingRange`: the model's folds, on the lines of the
//! text now.

use crate::convert;
use crate::snapshot::Snapshot;
use gwk_spec::query;
use tower_lsp_server::ls_types::{FoldingRange, FoldingRangeParams};

pub fn run(snap: &Snapshot, _: FoldingRangeParams) -> Option<Vec<FoldingRange>> {
    let model = &snap.good.as_ref()?.analysis;
    let moved = snap.moved();
    Some(
        query::folding_ranges(model)
            .iter()
            .filter_map(|f| convert::folding_range(f, &model.line_index, &moved))
            .collect(),
    )
}
