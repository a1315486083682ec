//! A small SVG writer for the ratio chart: groups of bars per workload, one
//! bar per peer, cyclegc ÷ peer on a log scale, bars growing from 1×.

use std::fmt::Write;

use crate::impls::Impl;
use crate::runner::Results;
use crate::workload::Workload;

const COLORS: [&str; 8] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f",
];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The chart of `cyclegc ÷ peer` for every workload with at least one
/// ratio. `live_scan_untouched` is left out: the candidate-root collectors
/// do no work there, and their ratios of thousands would flatten the rest.
pub fn ratio_chart(r: &Results, title: &str) -> String {
    let peers: Vec<Impl> = r.impls.iter().copied().filter(|&i| i != Impl::Cyclegc).collect();
    let groups: Vec<(&str, Vec<Option<f64>>)> = r
        .workloads
        .iter()
        .filter(|&&w| w != Workload::LiveScanUntouched)
        .map(|&w| (w.name(), peers.iter().map(|&p| r.ratio(w, p)).collect::<Vec<_>>()))
        .filter(|(_, ratios)| ratios.iter().any(Option::is_some))
        .collect();
    chart(
        title,
        &peers.iter().map(|p| p.name()).collect::<Vec<_>>(),
        &groups,
    )
}

/// `series` names the bars of every group; `groups` gives, per group, one
/// optional ratio per series.
pub fn chart(title: &str, series: &[&str], groups: &[(&str, Vec<Option<f64>>)]) -> String {
    let values = groups
        .iter()
        .flat_map(|(_, v)| v.iter().flatten())
        .copied()
        .filter(|v| *v > 0.0);
    let (mut lo, mut hi) = (0.1f64, 10.0f64);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let (lo_exp, hi_exp) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);

    let bar_w = 12.0;
    let group_w = series.len().max(1) as f64 * bar_w + 24.0;
    let (left, right, top, bottom) = (70.0, 170.0, 50.0, 110.0);
    let plot_h = 60.0 * (hi_exp - lo_exp).max(1) as f64;
    let width = left + group_w * groups.len().max(1) as f64 + right;
    let height = top + plot_h + bottom;
    let y = |v: f64| {
        let f = (v.log10() - lo_exp as f64) / (hi_exp - lo_exp).max(1) as f64;
        top + plot_h * (1.0 - f.clamp(0.0, 1.0))
    };

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="24" font-size="15" font-weight="bold">{}</text>"#,
        escape(title)
    );
    for e in lo_exp..=hi_exp {
        let v = 10f64.powi(e);
        let yy = y(v);
        let (stroke, dash) = if e == 0 {
            ("#333", "")
        } else {
            ("#ccc", r#" stroke-dasharray="3,3""#)
        };
        let _ = writeln!(
            s,
            r#"<line x1="{left}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="{stroke}"{dash}/>"#,
            width - right
        );
        let label = if e >= 0 {
            format!("{}×", 10u64.pow(e as u32))
        } else {
            format!("{v:.*}×", (-e) as usize)
        };
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{label}</text>"#,
            left - 6.0,
            yy + 4.0
        );
    }
    let base = y(1.0);
    for (g, (name, ratios)) in groups.iter().enumerate() {
        let x0 = left + g as f64 * group_w + 12.0;
        for (k, ratio) in ratios.iter().enumerate() {
            let Some(v) = ratio.filter(|v| *v > 0.0) else {
                continue;
            };
            let x = x0 + k as f64 * bar_w;
            let (y1, y2) = (base.min(y(v)), base.max(y(v)));
            let _ = writeln!(
                s,
                r#"<rect x="{x:.1}" y="{y1:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}: {} {v:.3}×</title></rect>"#,
                bar_w - 2.0,
                (y2 - y1).max(1.0),
                COLORS[k % COLORS.len()],
                escape(name),
                escape(series[k])
            );
        }
        let cx = x0 + series.len() as f64 * bar_w / 2.0;
        let ly = top + plot_h + 14.0;
        let _ = writeln!(
            s,
            r#"<text x="{cx:.1}" y="{ly:.1}" text-anchor="end" transform="rotate(-35 {cx:.1} {ly:.1})">{}</text>"#,
            escape(name)
        );
    }
    let lx = width - right + 16.0;
    for (k, name) in series.iter().enumerate() {
        let ly = top + k as f64 * 18.0;
        let _ = writeln!(
            s,
            r#"<rect x="{lx:.1}" y="{ly:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            COLORS[k % COLORS.len()],
            lx + 18.0,
            ly + 10.5,
            escape(name)
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="{:.1}" fill="grey">below 1×: cyclegc faster (or smaller) than that peer</text>"#,
        height - 12.0
    );
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_is_well_formed_and_escapes_text() {
        let svg = chart(
            "a <b> & c",
            &["gc", "rust-cc"],
            &[
                ("ring", vec![Some(0.5), None]),
                ("dense", vec![Some(2.0), Some(0.004)]),
            ],
        );
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("a &lt;b&gt; &amp; c"));
        assert_eq!(svg.matches("<title>").count(), 3);
        // The scale reaches down to the smallest ratio.
        assert!(svg.contains(">0.001×<"));
    }
}
