//! The results: one row per metric, runtime and mailbox, one cell per
//! framework; written as a markdown table and as CSV.

use std::fmt::Write as _;

use crate::model::{Framework, Mailbox, Metric, Runtime, Unit};

/// One framework's figure in a row.
#[derive(Clone, Debug)]
pub(crate) enum Cell {
    /// The median over the runs.
    Median(f64),
    /// The framework cannot express this combination; says why.
    NotApplicable(&'static str),
    /// Left out with `--frameworks`.
    NotRun,
    /// A run failed; says how.
    Failed(String),
}

impl Cell {
    fn median(&self) -> Option<f64> {
        match self {
            Cell::Median(value) => Some(*value),
            _ => None,
        }
    }
}

/// One line of the table.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub(crate) metric: Metric,
    pub(crate) runtime: Runtime,
    pub(crate) mailbox: Mailbox,
    /// In the order of [`Framework::ALL`].
    pub(crate) cells: Vec<Cell>,
}

impl Row {
    pub(crate) fn cell(&self, fw: Framework) -> &Cell {
        let index = Framework::ALL.iter().position(|f| *f == fw);
        &self.cells[index.expect("every framework has a column")]
    }

    /// The framework's median divided by the tokio baseline's, in the row's
    /// own unit.
    pub(crate) fn ratio(&self, fw: Framework) -> Option<f64> {
        let baseline = self.cell(Framework::Tokio).median()?;
        Some(self.cell(fw).median()? / baseline)
    }

    /// The peers that beat typact on this row, or `None` if typact has no
    /// figure.
    fn beaten_by(&self) -> Option<Vec<Framework>> {
        let ours = self.cell(Framework::Typact).median()?;
        let higher = self.metric.unit.higher_is_better();
        Some(
            Framework::ALL
                .into_iter()
                .filter(|fw| !matches!(fw, Framework::Tokio | Framework::Typact))
                .filter(|fw| {
                    self.cell(*fw)
                        .median()
                        .is_some_and(|theirs| if higher { theirs > ours } else { theirs < ours })
                })
                .collect(),
        )
    }
}

/// A value in the row's unit, to three significant figures.
pub(crate) fn format_value(value: f64, unit: Unit) -> String {
    match unit {
        Unit::MsgPerSec | Unit::ActorsPerSec | Unit::MeetingsPerSec => {
            if value >= 1e6 {
                format!("{} M", three_figures(value / 1e6))
            } else if value >= 1e3 {
                format!("{} k", three_figures(value / 1e3))
            } else {
                three_figures(value)
            }
        }
        Unit::Micros => format!("{} µs", three_figures(value)),
        Unit::Millis => format!("{} ms", three_figures(value)),
        Unit::Bytes => format!("{} B", value.round()),
    }
}

fn three_figures(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else if value >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// What the run was, for the top of `latest.md`.
#[derive(Debug)]
pub(crate) struct RunInfo {
    pub(crate) quick: bool,
    pub(crate) runs: usize,
    pub(crate) date: String,
    pub(crate) commit: Option<String>,
    pub(crate) seconds: f64,
}

/// The markdown table of every row, with a note on how to read it.
pub(crate) fn markdown_table(rows: &[Row]) -> String {
    let mut out = String::new();
    out.push_str("| Benchmark | Runtime | Mailbox | Better |");
    for fw in Framework::ALL {
        let note = if fw == Framework::Actix { " ¹" } else { "" };
        let _ = write!(out, " {fw}{note} |");
    }
    out.push_str(" typact leads? |\n|---|---|---|---|");
    for _ in Framework::ALL {
        out.push_str("---:|");
    }
    out.push_str("---|\n");
    for row in rows {
        let better = if row.metric.unit.higher_is_better() {
            "higher"
        } else {
            "lower"
        };
        let _ = write!(
            out,
            "| {} | {} | {} | {better} |",
            row.metric.title,
            row.runtime.name(),
            row.mailbox.name()
        );
        for fw in Framework::ALL {
            let text = match (row.cell(fw), row.ratio(fw)) {
                (Cell::Median(value), _) if fw == Framework::Tokio => {
                    format_value(*value, row.metric.unit)
                }
                (Cell::Median(value), Some(ratio)) => {
                    format!("{} ({ratio:.2}×)", format_value(*value, row.metric.unit))
                }
                (Cell::Median(value), None) => format_value(*value, row.metric.unit),
                (Cell::NotApplicable(_), _) => "n/a".to_owned(),
                (Cell::NotRun, _) => "–".to_owned(),
                (Cell::Failed(_), _) => "failed".to_owned(),
            };
            let text = if fw == Framework::Typact {
                format!("**{text}**")
            } else {
                text
            };
            let _ = write!(out, " {text} |");
        }
        let leads = match row.beaten_by() {
            None => "–".to_owned(),
            Some(by) if by.is_empty() => "yes".to_owned(),
            Some(by) => {
                let names: Vec<_> = by.iter().map(|fw| fw.name()).collect();
                format!("no: {}", names.join(", "))
            }
        };
        let _ = writeln!(out, " {leads} |");
    }
    out
}

/// Every reason a cell is n/a or failed, once each.
fn notes(rows: &[Row]) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    for row in rows {
        for fw in Framework::ALL {
            let note = match row.cell(fw) {
                Cell::NotApplicable(why) => format!("n/a: {why}."),
                Cell::Failed(how) => format!(
                    "failed: {fw}, {} {} {}: {how}",
                    row.metric.key,
                    row.runtime.name(),
                    row.mailbox.name()
                ),
                Cell::Median(_) | Cell::NotRun => continue,
            };
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
    }
    notes
}

/// The whole `latest.md`.
pub(crate) fn markdown(rows: &[Row], info: &RunInfo) -> String {
    let mut out = String::new();
    let mode = if info.quick {
        "quick (small sizes)"
    } else {
        "full (standard sizes)"
    };
    let _ = writeln!(out, "# typact-bench results\n");
    let _ = writeln!(
        out,
        "Run of {}{}: {mode}, median of {} run(s) per cell, {:.0} s in all.\n",
        info.date,
        info.commit
            .as_deref()
            .map(|c| format!(" at commit {c}"))
            .unwrap_or_default(),
        info.runs,
        info.seconds,
    );
    out.push_str(
        "Each cell: the median, then in parentheses the ratio framework / tokio \
         of that median to the raw tokio baseline's on the same row, measured \
         in the same run. The `Better` column says which way is good: on \
         `higher` rows (rates) a ratio above 1 beats raw tokio; on `lower` rows \
         (times and bytes) a ratio below 1 does. `typact leads?` compares \
         typact with the other frameworks, not with the baseline. Mailboxes: \
         `bounded` holds 1024 messages, `bounded_64` 64 (the messaging rows \
         only), `unbounded` has no bound.\n\n",
    );
    out.push_str(&markdown_table(rows));
    out.push_str(
        "\n¹ actix runs on its own runtime, actix-rt, not on the tokio runtime \
         of the row: on `current_thread` rows its single-threaded `System`; on \
         `multi_thread` rows the `System`'s thread plus one more `Arbiter` \
         thread, its actors placed alternately on the two.\n",
    );
    let notes = notes(rows);
    if !notes.is_empty() {
        out.push('\n');
    }
    for note in notes {
        let _ = writeln!(out, "- {note}");
    }
    out
}

/// The CSV: `benchmark,runtime,mailbox,framework,median,unit,ratio_vs_tokio`,
/// with `n/a` (or `failed`) where a framework has no figure.
pub(crate) fn csv(rows: &[Row]) -> String {
    let mut out = String::from("benchmark,runtime,mailbox,framework,median,unit,ratio_vs_tokio\n");
    for row in rows {
        for fw in Framework::ALL {
            let (median, ratio) = match row.cell(fw) {
                Cell::Median(value) => (
                    format!("{value:.6}"),
                    row.ratio(fw)
                        .map_or_else(|| "n/a".to_owned(), |r| format!("{r:.4}")),
                ),
                Cell::NotApplicable(_) => ("n/a".to_owned(), "n/a".to_owned()),
                Cell::NotRun => ("not run".to_owned(), "n/a".to_owned()),
                Cell::Failed(_) => ("failed".to_owned(), "n/a".to_owned()),
            };
            let _ = writeln!(
                out,
                "{},{},{},{},{median},{},{ratio}",
                row.metric.key,
                row.runtime.name(),
                row.mailbox.name(),
                fw.name(),
                row.metric.unit.name()
            );
        }
    }
    out
}
