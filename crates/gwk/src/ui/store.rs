//! The runs the console lists, read from `$GWK_HOME/runs` through
//! gwk-run's functions. A store may hold thousands of runs: each record is
//! parsed once and kept; a finished run's row is reused as it is, so a page
//! costs one directory read, not a parse of every record.

use gwk_run::rundir::{RunDir, RunRecord, run_ids};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

/// One row of the Runs page.
#[derive(Clone, Debug)]
pub struct RunRow {
    pub id: String,
    pub file: String,
    /// The record's status; `running` with no live gwk is `interrupted`.
    pub status: String,
    pub started: String,
    pub duration_secs: Option<f64>,
    /// The run it resumed, if any.
    pub resumed_from: Option<String>,
    /// The pushed ref, when `gwk trigger` started it.
    pub triggered_by: Option<String>,
}

pub struct RunIndex {
    home: PathBuf,
    cache: Mutex<HashMap<String, RunRow>>,
}

/// The status shown for a record: a record still `running` whose gwk is
/// gone was interrupted (killed, machine restarted).
pub fn shown_status(dir: &RunDir, record: &RunRecord) -> String {
    match record.status {
        gwk_run::RunStatus::Running if dir.live_owner().is_none() => "interrupted".into(),
        s => s.as_str().into(),
    }
}

impl RunIndex {
    pub fn new(home: PathBuf) -> RunIndex {
        RunIndex {
            home,
            cache: Mutex::new(HashMap::new()),
        }
    }

    fn row(&self, id: &str) -> Option<RunRow> {
        {
            // A finished run's record no longer changes (a resume is a new
            // run; `gwk runs rm` removes the directory, and run_ids with
            // it): its row is reused without even a `stat`.
            let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(row) = cache.get(id)
                && row.status != "running"
            {
                return Some(row.clone());
            }
        }
        let dir = RunDir::open(&self.home, id)?;
        let record = dir.read_record().ok()?;
        let row = RunRow {
            status: shown_status(&dir, &record),
            id: record.id,
            file: record.file,
            started: record.started,
            duration_secs: record.duration_secs,
            resumed_from: record.resumed_from,
            triggered_by: record.triggered_by,
        };
        self.cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.to_string(), row.clone());
        Some(row)
    }

    /// The runs that pass the filters, newest first: `(page's rows, total)`.
    pub fn page(&self, filter: &Filter, page: usize, per_page: usize) -> (Vec<RunRow>, usize) {
        let ids = run_ids(&self.home);
        // Forget runs removed since (gwk runs rm, gwk gc).
        {
            let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            if cache.len() > ids.len() {
                let keep: std::collections::HashSet<&String> = ids.iter().collect();
                cache.retain(|k, _| keep.contains(k));
            }
        }
        let mut total = 0;
        let mut rows = Vec::new();
        let skip = page * per_page;
        for id in &ids {
            let Some(row) = self.row(id) else { continue };
            if !filter.accepts(&row) {
                continue;
            }
            if total >= skip && rows.len() < per_page {
                rows.push(row);
            }
            total += 1;
        }
        (rows, total)
    }

    /// Every workflow file that has runs, sorted (for the filter's list).
    pub fn files(&self) -> Vec<String> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        let mut files: Vec<String> = cache.values().map(|r| r.file.clone()).collect();
        files.sort();
        files.dedup();
        files
    }
}

#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub file: String,
    pub status: String,
}

impl Filter {
    fn accepts(&self, row: &RunRow) -> bool {
        (self.file.is_empty() || row.file == self.file)
            && (self.status.is_empty() || row.status == self.status)
    }
}
