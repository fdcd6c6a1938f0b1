//! The chart of the ratios, as SVG text written by hand: two panels (rates,
//! where higher is better; times and bytes, where lower is better), one group
//! of bars per row of the table, one bar per framework, on a log scale
//! centred on the raw tokio baseline (ratio 1).

use std::fmt::Write as _;

use crate::model::Framework;
use crate::report::Row;

const WIDTH: f64 = 1000.0;
const LABEL_WIDTH: f64 = 340.0;
const PLOT_LEFT: f64 = LABEL_WIDTH + 10.0;
const PLOT_RIGHT: f64 = WIDTH - 40.0;
const BAR: f64 = 5.0;
const GROUP_GAP: f64 = 8.0;
const PANEL_HEAD: f64 = 56.0;

/// The frameworks drawn (every one but the baseline) and their colours.
const SERIES: [(Framework, &str); 5] = [
    (Framework::Typact, "#d62728"),
    (Framework::Kameo, "#1f77b4"),
    (Framework::Ractor, "#2ca02c"),
    (Framework::Actix, "#9467bd"),
    (Framework::Xtra, "#ff7f0e"),
];

/// The chart of every row's ratios.
pub(crate) fn chart(rows: &[Row], title: &str) -> String {
    let rates: Vec<&Row> = rows
        .iter()
        .filter(|r| r.metric.unit.higher_is_better())
        .collect();
    let costs: Vec<&Row> = rows
        .iter()
        .filter(|r| !r.metric.unit.higher_is_better())
        .collect();
    let group = SERIES.len() as f64 * BAR + GROUP_GAP;
    let height = 70.0
        + [&rates, &costs]
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| PANEL_HEAD + p.len() as f64 * group + 30.0)
            .sum::<f64>();

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="11">"##
    );
    let _ = writeln!(
        svg,
        r##"<rect width="100%" height="100%" fill="white"/><text x="10" y="22" font-size="15" font-weight="bold">{}</text>"##,
        escape(title)
    );
    // The legend.
    for (i, (fw, colour)) in SERIES.iter().enumerate() {
        let x = 10.0 + i as f64 * 110.0;
        let _ = writeln!(
            svg,
            r##"<rect x="{x}" y="34" width="12" height="12" fill="{colour}"/><text x="{}" y="44">{fw}</text>"##,
            x + 16.0
        );
    }
    let _ = writeln!(
        svg,
        r##"<text x="{}" y="44" fill="#555">ratio = framework / raw tokio, same run; no bar = n/a or failed</text>"##,
        10.0 + SERIES.len() as f64 * 110.0
    );

    let mut top = 70.0;
    for (rows, heading) in [
        (
            &rates,
            "Rates: higher is better (right of 1 = faster than raw tokio)",
        ),
        (
            &costs,
            "Times and bytes: lower is better (left of 1 = cheaper than raw tokio)",
        ),
    ] {
        if !rows.is_empty() {
            top = panel(&mut svg, rows, heading, top);
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// Draws one panel from `top`; returns where the next may start.
fn panel(svg: &mut String, rows: &[&Row], heading: &str, top: f64) -> f64 {
    let ratios = rows
        .iter()
        .flat_map(|row| SERIES.iter().filter_map(|(fw, _)| row.ratio(*fw)))
        .filter(|r| *r > 0.0 && r.is_finite());
    // Whole powers of two either side of 1, so the grid lines are round.
    let (mut low, mut high) = (-1i32, 1i32);
    for ratio in ratios {
        let exponent = ratio.log2();
        low = low.min(exponent.floor() as i32);
        high = high.max(exponent.ceil() as i32);
    }
    let x = |ratio: f64| {
        let t = (ratio.log2() - f64::from(low)) / f64::from(high - low);
        PLOT_LEFT + t.clamp(0.0, 1.0) * (PLOT_RIGHT - PLOT_LEFT)
    };
    let group = SERIES.len() as f64 * BAR + GROUP_GAP;
    let plot_top = top + PANEL_HEAD - 14.0;
    let bottom = plot_top + rows.len() as f64 * group;

    let _ = writeln!(
        svg,
        r##"<text x="10" y="{}" font-size="13" font-weight="bold">{}</text>"##,
        top + 18.0,
        escape(heading)
    );
    // Grid: one line per power of two, labelled at the top.
    for exponent in low..=high {
        let ratio = 2f64.powi(exponent);
        let gx = x(ratio);
        let (stroke, width) = if exponent == 0 {
            ("#000", 1.5)
        } else {
            ("#ddd", 1.0)
        };
        let label = if exponent >= 0 {
            format!("{ratio}×")
        } else {
            format!("1/{}×", 2f64.powi(-exponent))
        };
        let _ = writeln!(
            svg,
            r##"<line x1="{gx:.1}" y1="{plot_top:.1}" x2="{gx:.1}" y2="{bottom:.1}" stroke="{stroke}" stroke-width="{width}"/><text x="{gx:.1}" y="{:.1}" text-anchor="middle" fill="#555">{label}</text>"##,
            plot_top - 4.0
        );
    }
    for (i, row) in rows.iter().enumerate() {
        let y0 = plot_top + i as f64 * group + GROUP_GAP / 2.0;
        // A faint rule where a new metric starts, to tell the runtime and
        // mailbox variants of one metric from the next.
        if i > 0 && rows[i - 1].metric.key != row.metric.key {
            let ry = plot_top + i as f64 * group;
            let _ = writeln!(
                svg,
                r##"<line x1="10" y1="{ry:.1}" x2="{PLOT_RIGHT}" y2="{ry:.1}" stroke="#bbb" stroke-width="0.5" stroke-dasharray="3,3"/>"##
            );
        }
        let label = format!(
            "{} · {} · {}",
            row.metric.title,
            row.runtime.name(),
            row.mailbox.name()
        );
        let _ = writeln!(
            svg,
            r##"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            LABEL_WIDTH,
            y0 + SERIES.len() as f64 * BAR / 2.0 + 4.0,
            escape(&label)
        );
        for (j, (fw, colour)) in SERIES.iter().enumerate() {
            let Some(ratio) = row.ratio(*fw).filter(|r| *r > 0.0 && r.is_finite()) else {
                continue;
            };
            let y = y0 + j as f64 * BAR;
            let (from, to) = (x(1.0), x(ratio));
            let _ = writeln!(
                svg,
                r##"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{}" fill="{colour}"><title>{fw}: {ratio:.3}×</title></rect>"##,
                from.min(to),
                (to - from).abs().max(0.5),
                BAR - 0.5
            );
            if *fw == Framework::Typact {
                let _ = writeln!(
                    svg,
                    r##"<text x="{:.1}" y="{:.1}" font-size="9" fill="{colour}" text-anchor="{}">{ratio:.2}</text>"##,
                    if to >= from { to + 3.0 } else { to - 3.0 },
                    y + BAR,
                    if to >= from { "start" } else { "end" }
                );
            }
        }
    }
    bottom + 30.0
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
