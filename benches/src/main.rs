//! typact-bench: typact side by side with raw tokio channels, kameo, ractor,
//! actix and xtra, on Savina's actor benchmarks plus fan-in, ask latency,
//! spawning, memory per idle actor and a million idle actors.
//!
//! ```text
//! cargo run --release -p typact-bench                 # everything, standard sizes, 5 runs
//! cargo run --release -p typact-bench -- --quick      # small sizes, 1 run
//! cargo run --release -p typact-bench -- --only counting,ask_latency --runs 3
//! ```
//!
//! It prints a markdown table and writes `results/latest.md`,
//! `results/latest.csv` and `results/ratios.svg` beside this crate's
//! `Cargo.toml` (or into `--out DIR`). See the README for what each benchmark
//! does and how to read the ratios.

mod bench;
mod harness;
mod memory;
mod model;
mod report;
mod svg;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::model::{Bench, Framework, Mailbox, Runtime, Sizes};
use crate::report::{Cell, Row, RunInfo};

/// What the command line asked for.
#[derive(Debug)]
struct Options {
    quick: bool,
    runs: usize,
    only: Vec<Bench>,
    frameworks: Vec<Framework>,
    out: PathBuf,
}

const USAGE: &str = "\
usage: typact-bench [--quick] [--runs N] [--only BENCH,...] [--frameworks FW,...] [--out DIR]

  --quick        small sizes and one run (under two minutes)
  --runs N       runs per cell, the median is kept (default 5, or 1 with --quick)
  --only LIST    comma-separated benchmarks: ping_pong, counting, fan_in,
                 thread_ring, fork_join_throughput, fork_join_create, big,
                 chameneos, ask_latency, spawn, million_idle, pool
  --frameworks LIST
                 comma-separated frameworks to run: tokio, typact, kameo,
                 ractor, actix, xtra (default: all; without tokio, no ratios)
  --out DIR      where to write latest.md, latest.csv and ratios.svg
                 (default: benches/results)";

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        quick: false,
        runs: 0,
        only: Bench::ALL.to_vec(),
        frameworks: Framework::ALL.to_vec(),
        out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("results"),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--runs" => {
                options.runs = value()?
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("--runs needs a positive number")?;
            }
            "--only" => {
                options.only = value()?
                    .split(',')
                    .map(|name| Bench::parse(name).ok_or(format!("no benchmark named {name}")))
                    .collect::<Result<_, _>>()?;
            }
            "--frameworks" => {
                options.frameworks = value()?
                    .split(',')
                    .map(|name| Framework::parse(name).ok_or(format!("no framework named {name}")))
                    .collect::<Result<_, _>>()?;
            }
            "--out" => options.out = PathBuf::from(value()?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if options.runs == 0 {
        options.runs = if options.quick { 1 } else { 5 };
    }
    Ok(options)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        return child(&args[1..]);
    }
    let options = match parse_options(&args) {
        Ok(options) => options,
        Err(error) => {
            if !error.is_empty() {
                eprintln!("typact-bench: {error}\n");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let rows = measure_all(&options);
    let info = RunInfo {
        quick: options.quick,
        runs: options.runs,
        date: today(),
        commit: commit(),
        seconds: started.elapsed().as_secs_f64(),
    };
    println!("{}", report::markdown_table(&rows));
    match write_results(&rows, &info, &options.out) {
        Ok(()) => {
            eprintln!(
                "wrote latest.md, latest.csv and ratios.svg to {} ({:.0} s)",
                options.out.display(),
                info.seconds
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("typact-bench: cannot write the results: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `--child BENCH FRAMEWORK RUNTIME MAILBOX N`: one spawn or million-idle
/// measurement, in a process of its own (see `bench::spawn` and
/// `bench::million_idle`).
fn child(args: &[String]) -> ExitCode {
    let parsed = match args {
        [bench, fw, rt, mb, n] => Bench::parse(bench)
            .filter(|b| matches!(b, Bench::Spawn | Bench::MillionIdle))
            .zip(Framework::parse(fw))
            .zip(Runtime::parse(rt))
            .zip(Mailbox::parse(mb))
            .zip(n.parse::<usize>().ok()),
        _ => None,
    };
    let Some(((((bench, fw), rt), mb), n)) = parsed else {
        eprintln!("typact-bench: --child needs spawn|million_idle FRAMEWORK RUNTIME MAILBOX N");
        return ExitCode::from(2);
    };
    // On success the child prints its result and exits from inside.
    let outcome = if bench == Bench::Spawn {
        bench::spawn::child(fw, rt, mb, n)
    } else {
        bench::million_idle::child(fw, rt, mb, n)
    };
    let error = match outcome {
        Ok(()) => "the measurement ended without a result".to_owned(),
        Err(error) => error,
    };
    eprintln!("{error}");
    ExitCode::FAILURE
}

/// Runs every selected benchmark on both runtimes and both mailbox kinds.
/// Within a row, the runs of the frameworks alternate (all frameworks once,
/// then all again), so that a slow spell of the machine hits them alike.
fn measure_all(options: &Options) -> Vec<Row> {
    let sizes = if options.quick {
        Sizes::QUICK
    } else {
        Sizes::FULL
    };
    let mut rows = Vec::new();
    for &bench in &options.only {
        for rt in Runtime::ALL {
            for &mb in bench.mailboxes() {
                let started = Instant::now();
                let mut samples: Vec<Result<Vec<Vec<f64>>, Cell>> = Framework::ALL
                    .iter()
                    .map(|fw| match fw.unsupported(bench, mb) {
                        Some(why) => Err(Cell::NotApplicable(why)),
                        None if !options.frameworks.contains(fw) => Err(Cell::NotRun),
                        None => Ok(Vec::new()),
                    })
                    .collect();
                for _ in 0..options.runs {
                    for (fw, sample) in Framework::ALL.iter().zip(&mut samples) {
                        let Ok(runs) = sample else { continue };
                        match bench::run(bench, *fw, rt, mb, &sizes) {
                            Ok(figures) => runs.push(figures),
                            Err(error) => *sample = Err(Cell::Failed(error)),
                        }
                    }
                }
                let new_rows: Vec<Row> = bench
                    .metrics()
                    .iter()
                    .enumerate()
                    .map(|(i, metric)| Row {
                        metric: *metric,
                        runtime: rt,
                        mailbox: mb,
                        cells: samples
                            .iter()
                            .map(|sample| match sample {
                                Ok(runs) => Cell::Median(median(runs.iter().map(|r| r[i]))),
                                Err(cell) => cell.clone(),
                            })
                            .collect(),
                    })
                    .collect();
                for row in &new_rows {
                    eprintln!("{}", progress_line(row, started.elapsed().as_secs_f64()));
                }
                rows.extend(new_rows);
            }
        }
    }
    rows
}

/// The median; the mean of the middle two for an even count.
fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

/// One line on stderr per finished row, to follow a long run.
fn progress_line(row: &Row, seconds: f64) -> String {
    let mut line = format!(
        "{:<28} {:<14} {:<9}",
        row.metric.key,
        row.runtime.name(),
        row.mailbox.name()
    );
    for fw in Framework::ALL {
        let figure = match (row.cell(fw), row.ratio(fw)) {
            (Cell::Median(_), Some(ratio)) => format!("{ratio:.2}"),
            (Cell::Median(_), None) => "?".to_owned(),
            (Cell::NotApplicable(_), _) => "n/a".to_owned(),
            (Cell::NotRun, _) => "-".to_owned(),
            (Cell::Failed(_), _) => "FAILED".to_owned(),
        };
        line.push_str(&format!(" {fw}={figure}"));
    }
    line.push_str(&format!("  ({seconds:.1} s)"));
    line
}

fn write_results(rows: &[Row], info: &RunInfo, out: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    std::fs::write(out.join("latest.md"), report::markdown(rows, info))?;
    std::fs::write(out.join("latest.csv"), report::csv(rows))?;
    let title = format!(
        "typact-bench: ratio to raw tokio ({}, {})",
        if info.quick { "quick" } else { "full" },
        info.date
    );
    std::fs::write(out.join("ratios.svg"), svg::chart(rows, &title))?;
    Ok(())
}

/// Today's date in UTC, as YYYY-MM-DD.
fn today() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Howard Hinnant's days-to-civil conversion.
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The short hash of the checked-out commit, if git can tell.
fn commit() -> Option<String> {
    let output = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    let hash = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !hash.is_empty()).then_some(hash)
}
