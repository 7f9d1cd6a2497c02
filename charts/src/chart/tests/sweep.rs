//! The sweep charts (lines and heatmap) on a small hand-made tidy table, and the warm-up chart
//! on a synthetic series.

use super::*;
use crate::chart::sweep::{BAR_STEPS, OUTLINE_W, sig3};
use crate::chart::warmup::{MEAN_W, SMOOTH_W};
use crate::{MAX_LINES, SweepInput, WarmupInput};
use sim_core::stats::Estimate;
use sim_core::sweep::Row;

const SERVERS: &str = "stations.consult.servers";
const ADOPTION: &str = "workflow.adoption.adult";
const FIXED: &str = "run.max_arrivals";
const TIME: &str = "time_in_system_min.mean";
const SHARE: &str = "targets.within_2h.share";

/// A sweep's table, owned.
struct Table {
    parameters: Vec<String>,
    points: Vec<Vec<String>>,
    rows: Vec<Row>,
}

impl Table {
    fn input(&self) -> SweepInput<'_> {
        SweepInput {
            scenario: "future hospital",
            replications: 10,
            parameters: &self.parameters,
            points: &self.points,
            rows: &self.rows,
        }
    }
}

fn row(point: usize, variant: &str, metric: &str, mean: f64, half_width: f64) -> Row {
    Row {
        point,
        variant: variant.into(),
        metric: metric.into(),
        estimate: Estimate {
            mean,
            sd: half_width,
            half_width,
        },
        n: 10,
    }
}

/// The share within two hours at `servers` and `adoption` in variant number `v`.
fn share(servers: f64, adoption: f64, v: usize) -> f64 {
    0.55 + 0.1 * (servers - 10.0) + 0.2 * adoption - 0.05 * v as f64
}

/// Consult servers 10–12 by adoption 0.3 and 0.6 (the first varies slowest), a parameter
/// fixed at 500, `variants` at every point, two metrics.
fn table(variants: &[&str]) -> Table {
    let mut points = Vec::new();
    for s in ["10", "11", "12"] {
        for a in ["0.3", "0.6"] {
            points.push(vec![s.to_string(), a.to_string(), "500".to_string()]);
        }
    }
    let mut rows = Vec::new();
    for (p, values) in points.iter().enumerate() {
        let s: f64 = values[0].parse().unwrap();
        let a: f64 = values[1].parse().unwrap();
        for (v, name) in variants.iter().enumerate() {
            let time = 260.0 - 12.0 * s + 30.0 * a + 6.0 * v as f64;
            rows.push(row(p, name, TIME, time, 4.0 + s / 10.0));
            rows.push(row(p, name, SHARE, share(s, a, v), 0.03));
        }
    }
    Table {
        parameters: [SERVERS, ADOPTION, FIXED].map(String::from).to_vec(),
        points,
        rows,
    }
}

/// Translucent polygons (bands) filled with `colour`.
fn count_bands(doc: &roxmltree::Document<'_>, colour: RGBColor) -> usize {
    doc.descendants()
        .filter(|n| {
            n.has_tag_name("polygon")
                && n.attribute("fill") == Some(hex(colour).as_str())
                && n.attribute("opacity") != Some("1")
        })
        .count()
}

#[test]
fn sweep_lines_per_variant_and_adoption_with_bands_and_target() {
    let t = table(&["paper", "digital"]);
    let chart = Chart::sweep(&t.input(), TIME, Some(125.0)).unwrap();
    assert_eq!(chart.kind(), ChartKind::Sweep);
    assert_eq!(chart.file_stem(), "sweep_time_in_system_min_mean");
    let svg = chart.svg().unwrap();
    let texts = check_frame(
        &svg,
        "time_in_system_min.mean across the sweep",
        &[SERVERS, "time_in_system_min.mean (min)"],
        &[
            "paper, adult=0.3",
            "paper, adult=0.6",
            "digital, adult=0.3",
            "digital, adult=0.6",
            "95% confidence interval (band in the line's colour)",
            "target (125)",
            "target",
        ],
    );
    // Ticks at the swept values; the fixed parameter in a footnote.
    for tick in ["10", "11", "12"] {
        assert!(has_text(&texts, tick), "{tick}: {texts:?}");
    }
    assert!(
        has_text(&texts, "Fixed at every point: run.max_arrivals = 500."),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|s| s.starts_with("future hospital: mean and 95%"))
    );
    let doc = parse(&svg);
    for i in 0..4 {
        let c = variant_colour(i);
        // The line and its legend swatch; one band; a marker at each of the three points.
        assert_eq!(count_lines(&doc, c, "3"), 1 + 1, "line {i}");
        assert_eq!(count_bands(&doc, c), 1, "line {i}");
        assert_eq!(count_filled(&doc, "circle", c), 3, "line {i}");
    }
    assert_eq!(count_lines(&doc, variant_colour(4), "3"), 0);
    assert!(!svg.contains("NaN") && !svg.contains("inf"));
}

#[test]
fn sweep_breaks_the_band_where_the_interval_is_infinite() {
    let mut t = table(&["paper"]);
    // One replication counted at servers = 11 (both adoption levels).
    for r in t.rows.iter_mut().filter(|r| r.point == 2 || r.point == 3) {
        r.estimate.half_width = f64::INFINITY;
    }
    let svg = Chart::sweep(&t.input(), SHARE, None)
        .unwrap()
        .svg()
        .unwrap();
    let texts = check_frame(
        &svg,
        "targets.within_2h.share across the sweep",
        &[SERVERS, SHARE],
        &["adult=0.3", "adult=0.6"],
    );
    assert!(
        !has_text(&texts, "target"),
        "no target line without a target"
    );
    assert!(
        texts
            .iter()
            .any(|s| s.starts_with("No interval where fewer than two")),
        "{texts:?}"
    );
    let doc = parse(&svg);
    // Servers 10 and 12 keep their intervals, as whiskers: no band joins them across 11.
    for i in 0..2 {
        assert_eq!(count_bands(&doc, variant_colour(i)), 0, "line {i}");
        assert_eq!(count_lines(&doc, variant_colour(i), "3"), 1 + 1, "line {i}");
    }
    assert!(!svg.contains("NaN") && !svg.contains("inf"));
}

#[test]
fn a_parameter_that_is_not_numeric_is_a_categorical_axis_in_sweep_order() {
    let parameters = vec!["stations.consult.service.dist".to_string()];
    let dists = ["lognormal", "gamma", "exponential"];
    let points: Vec<Vec<String>> = dists.iter().map(|d| vec![d.to_string()]).collect();
    let rows: Vec<Row> = (0..3)
        .map(|p| row(p, "", TIME, 90.0 + 5.0 * p as f64, 3.0))
        .collect();
    let input = SweepInput {
        scenario: "clinic",
        replications: 1,
        parameters: &parameters,
        points: &points,
        rows: &rows,
    };
    let svg = Chart::sweep(&input, TIME, None).unwrap().svg().unwrap();
    let texts = check_frame(
        &svg,
        "time_in_system_min.mean across the sweep",
        &["stations.consult.service.dist"],
        &["base scenario"],
    );
    let order: Vec<&String> = texts
        .iter()
        .filter(|s| dists.contains(&s.as_str()))
        .collect();
    assert_eq!(order, dists, "{texts:?}");
    assert!(texts.iter().any(|s| s.contains("1 replication per point")));
    let doc = parse(&svg);
    assert_eq!(count_bands(&doc, variant_colour(0)), 1);
    assert_eq!(count_filled(&doc, "circle", variant_colour(0)), 3);
}

/// Target outlines: closed ink paths at the outline's width (the legend's swatch, a line,
/// is not counted).
fn count_outlines(doc: &roxmltree::Document<'_>) -> usize {
    doc.descendants()
        .filter(|n| {
            n.has_tag_name("polyline")
                && n.attribute("stroke") == Some(hex(style::INK).as_str())
                && n.attribute("stroke-width") == Some(OUTLINE_W.to_string().as_str())
                && n.attribute("points").unwrap().split_whitespace().count() == 6
        })
        .count()
}

/// Filled rectangles at full opacity (the background, the cells and the colour bar's steps).
fn count_opaque_rects(doc: &roxmltree::Document<'_>) -> usize {
    doc.descendants()
        .filter(|n| {
            n.has_tag_name("rect")
                && n.attribute("fill").is_some_and(|f| f != "none")
                && n.attribute("opacity") == Some("1")
        })
        .count()
}

#[test]
fn sweep_heatmap_has_a_labelled_cell_per_point_and_outlines_the_cells_clearing_the_target() {
    let t = table(&["paper", "digital"]);
    let chart = Chart::sweep_heatmap(&t.input(), SHARE, "paper", Some(0.7)).unwrap();
    assert_eq!(chart.kind(), ChartKind::SweepHeatmap);
    assert_eq!(
        chart.file_stem(),
        "sweep_heatmap_targets_within_2h_share_paper"
    );
    let svg = chart.svg().unwrap();
    let texts = check_frame(
        &svg,
        "targets.within_2h.share across the sweep — paper",
        &[SERVERS, ADOPTION, "mean"],
        &["outlined: the whole 95% confidence interval is at or above the target (0.7)"],
    );
    for tick in ["10", "11", "12", "0.3", "0.6"] {
        assert!(has_text(&texts, tick), "{tick}: {texts:?}");
    }
    let doc = parse(&svg);
    let mut clearing = 0;
    for s in [10.0, 11.0, 12.0] {
        for a in [0.3, 0.6] {
            let mean = share(s, a, 0);
            assert!(has_text(&texts, &sig3(mean)), "{}: {texts:?}", sig3(mean));
            if mean - 0.03 >= 0.7 {
                clearing += 1;
            }
        }
    }
    assert_eq!(
        clearing, 3,
        "the table has cells on both sides of the target"
    );
    assert_eq!(count_outlines(&doc), clearing);
    // The background, six cells and the colour bar.
    assert_eq!(count_opaque_rects(&doc), 1 + 6 + BAR_STEPS);
    // Without a target, no outline and no legend entry for it.
    let plain = Chart::sweep_heatmap(&t.input(), SHARE, "digital", None)
        .unwrap()
        .svg()
        .unwrap();
    let doc = parse(&plain);
    assert_eq!(count_outlines(&doc), 0);
    assert!(!super::texts(&doc).iter().any(|s| s.starts_with("outlined")));
}

/// Doctors 150–250 in steps of 10 by adoption 0.1–0.9 (55 points), base scenario only, the
/// point at 200 doctors and adoption 0.5 missing.
fn grid() -> Table {
    let doctors = "stations.doctor.servers[0].count";
    let mut points = Vec::new();
    let mut rows = Vec::new();
    for d in (150..=250).step_by(10) {
        for a in [0.1, 0.3, 0.5, 0.7, 0.9] {
            let p = points.len();
            points.push(vec![d.to_string(), a.to_string()]);
            if d == 200 && a == 0.5 {
                continue;
            }
            let wait = 400.0 * (-(f64::from(d) - 140.0) / 40.0).exp() + 60.0 * a;
            rows.push(row(p, "", "wait_min.mean", wait, 0.05 * wait));
        }
    }
    Table {
        parameters: vec![doctors.to_string(), ADOPTION.to_string()],
        points,
        rows,
    }
}

#[test]
fn sweep_heatmap_marks_a_missing_point() {
    let g = grid();
    let chart = Chart::sweep_heatmap(&g.input(), "wait_min.mean", "", Some(60.0)).unwrap();
    let svg = chart.svg().unwrap();
    let texts = check_frame(
        &svg,
        "wait_min.mean across the sweep",
        &["stations.doctor.servers[0].count", "mean (min)"],
        &["outlined: the whole 95% confidence interval is at or above the target (60)"],
    );
    assert_eq!(texts.iter().filter(|s| *s == "—").count(), 1, "{texts:?}");
    assert!(texts.iter().any(|s| s.starts_with("Grey cells with “—”")));
    let doc = parse(&svg);
    let clearing = g
        .rows
        .iter()
        .filter(|r| r.estimate.mean - r.estimate.half_width >= 60.0)
        .count();
    assert!(clearing > 0 && clearing < 54);
    assert_eq!(count_outlines(&doc), clearing);
    assert_eq!(count_opaque_rects(&doc), 1 + 55 + BAR_STEPS);
}

#[test]
fn sweep_heatmap_of_the_base_scenario_has_no_variant_in_its_stem() {
    let t = table(&[""]);
    let chart = Chart::sweep_heatmap(&t.input(), TIME, "", None).unwrap();
    assert_eq!(chart.file_stem(), "sweep_heatmap_time_in_system_min_mean");
    assert_eq!(chart.title(), "time_in_system_min.mean across the sweep");
    let texts = check_frame(
        &chart.svg().unwrap(),
        "time_in_system_min.mean across the sweep",
        &[SERVERS, ADOPTION, "mean (min)"],
        &[],
    );
    assert!(
        texts.iter().any(|s| s.contains("(base scenario)")),
        "{texts:?}"
    );
}

#[test]
fn sweep_charts_refuse_what_they_cannot_draw() {
    let t = table(&["paper", "digital"]);
    let input = t.input();
    assert!(matches!(
        Chart::sweep(&input, "no_such_metric", None),
        Err(ChartError::NoData { chart: "sweep", .. })
    ));
    assert!(matches!(
        Chart::sweep_heatmap(&input, "no_such_metric", "paper", None),
        Err(ChartError::NoData { .. })
    ));
    assert!(matches!(
        Chart::sweep_heatmap(&input, SHARE, "no_such_variant", None),
        Err(ChartError::NoData { .. })
    ));
    // One varying parameter: lines are fine, a heatmap is not.
    let mut one = table(&["paper"]);
    one.rows.retain(|r| one.points[r.point][1] == "0.3");
    assert!(Chart::sweep(&one.input(), SHARE, None).is_ok());
    let e = Chart::sweep_heatmap(&one.input(), SHARE, "paper", None).unwrap_err();
    assert_eq!(
        e,
        ChartError::VaryingParameters {
            chart: "sweep heatmap",
            needs: "exactly two",
            varying: vec![SERVERS.to_string()],
        }
    );
    assert!(
        e.to_string()
            .contains("varies 1 (stations.consult.servers)"),
        "{e}"
    );
    // Three varying parameters.
    let mut three = table(&["paper"]);
    for (p, values) in three.points.iter_mut().enumerate() {
        values[2] = (500 + 100 * (p % 3)).to_string();
    }
    assert!(matches!(
        Chart::sweep_heatmap(&three.input(), SHARE, "paper", None),
        Err(ChartError::VaryingParameters { ref varying, .. }) if varying.len() == 3
    ));
    // Seven variants at two adoption levels: fourteen lines.
    let names: Vec<String> = (0..7).map(|i| format!("v{i}")).collect();
    let many = table(&names.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        Chart::sweep(&many.input(), SHARE, None).unwrap_err(),
        ChartError::TooManyLines {
            chart: "sweep",
            lines: 14,
            max: MAX_LINES,
        }
    );
    // Six variants (twelve lines) are drawn; the four past the palette dashed.
    let six = table(&names[..6].iter().map(String::as_str).collect::<Vec<_>>());
    let svg = Chart::sweep(&six.input(), SHARE, None)
        .unwrap()
        .svg()
        .unwrap();
    check_frame(
        &svg,
        "targets.within_2h.share across the sweep",
        &[],
        &["v0, adult=0.3", "v5, adult=0.6"],
    );
    // A row for a point the table does not have, or a point short of values: errors.
    let mut bad = table(&["paper"]);
    bad.rows[0].point = 99;
    assert!(matches!(
        Chart::sweep(&bad.input(), TIME, None),
        Err(ChartError::NoData { .. })
    ));
    let mut short = table(&["paper"]);
    short.points[0].pop();
    assert!(matches!(
        Chart::sweep_heatmap(&short.input(), TIME, "paper", None),
        Err(ChartError::NoData { .. })
    ));
    let no_parameters = SweepInput {
        parameters: &[],
        points: &[],
        ..input
    };
    assert!(Chart::sweep(&no_parameters, TIME, None).is_err());
}

#[test]
fn three_significant_digits() {
    assert_eq!(sig3(0.85342), "0.853");
    assert_eq!(sig3(12.345), "12.3");
    assert_eq!(sig3(123.45), "123");
    assert_eq!(sig3(1234.5), "1230");
    assert_eq!(sig3(999.7), "1000");
    assert_eq!(sig3(-0.0456), "-0.0456");
    assert_eq!(sig3(0.0), "0");
}

/// A queue that builds up from empty and settles near 12, with some ripple; Welch's moving
/// average of it with half-window `w`.
fn warmup_series(n: usize, w: usize) -> (Vec<f64>, Vec<f64>) {
    let means: Vec<f64> = (0..n)
        .map(|k| {
            let k = k as f64;
            12.0 * (1.0 - (-k / 8.0).exp()) + 1.5 * (k * 1.7).sin()
        })
        .collect();
    let smoothed = (0..n)
        .map(|k| {
            let h = w.min(k).min(n - 1 - k);
            means[k - h..=k + h].iter().sum::<f64>() / (2 * h + 1) as f64
        })
        .collect();
    (means, smoothed)
}

fn warmup_input<'a>(means: &'a [f64], smoothed: &'a [f64]) -> WarmupInput<'a> {
    WarmupInput {
        scenario: "clinic",
        replications: 10,
        measure: "patients waiting (all stations)",
        start_min: 8.0 * 60.0,
        interval_min: 5.0,
        means,
        smoothed,
        window: 5,
        truncation: Some(25),
    }
}

#[test]
fn warmup_draws_the_mean_its_moving_average_and_where_the_warm_up_ends() {
    let (means, smoothed) = warmup_series(100, 5);
    let chart = Chart::warmup(&warmup_input(&means, &smoothed)).unwrap();
    assert_eq!(chart.kind(), ChartKind::Warmup);
    assert_eq!(chart.file_stem(), "warmup");
    let svg = chart.svg().unwrap();
    let texts = check_frame(
        &svg,
        "Warm-up (Welch's method)",
        &["time of day (HH:MM)", "patients waiting (all stations)"],
        &[
            "mean of 10 replications",
            "Welch moving average (w = 5)",
            "end of the warm-up (MSER-5)",
            // Bin 25 of 5 minutes from 08:00.
            "warm-up ends 10:05 (MSER-5)",
        ],
    );
    assert!(has_text(&texts, "09:00"), "{texts:?}");
    let doc = parse(&svg);
    let (mean_w, smooth_w) = (MEAN_W.to_string(), SMOOTH_W.to_string());
    assert_eq!(count_lines(&doc, style::SKY_BLUE, &mean_w), 1);
    assert_eq!(
        count_lines(&doc, BLUE, &smooth_w),
        1 + 1,
        "and the legend's"
    );
    // The averaged line has a point per bin.
    let points = doc
        .descendants()
        .filter(|n| {
            n.has_tag_name("polyline")
                && n.attribute("stroke") == Some(&hex(style::SKY_BLUE))
                && n.attribute("stroke-width") == Some(&mean_w)
        })
        .map(|n| n.attribute("points").unwrap().split_whitespace().count())
        .sum::<usize>();
    assert_eq!(points, 100);
    assert!(!svg.contains("NaN"));

    // No truncation found: no line, and a note says so.
    let none = WarmupInput {
        truncation: None,
        ..warmup_input(&means, &smoothed)
    };
    let svg = Chart::warmup(&none).unwrap().svg().unwrap();
    let texts = super::texts(&parse(&svg));
    assert!(!texts.iter().any(|s| s.starts_with("warm-up ends")));
    assert!(
        texts.iter().any(|s| s.starts_with("MSER-5 found no end")),
        "{texts:?}"
    );
}

#[test]
fn warmup_refuses_inconsistent_input() {
    let (means, smoothed) = warmup_series(40, 3);
    for bad in [
        WarmupInput {
            smoothed: &smoothed[1..],
            ..warmup_input(&means, &smoothed)
        },
        WarmupInput {
            truncation: Some(40),
            ..warmup_input(&means, &smoothed)
        },
        WarmupInput {
            interval_min: 0.0,
            ..warmup_input(&means, &smoothed)
        },
        WarmupInput {
            means: &means[..1],
            smoothed: &smoothed[..1],
            ..warmup_input(&means, &smoothed)
        },
    ] {
        assert!(matches!(
            Chart::warmup(&bad),
            Err(ChartError::NoData {
                chart: "warm-up",
                ..
            })
        ));
    }
}

/// Every chart of this file as PNG, of the announced size; written to the directory in
/// `CAREPATH_CHARTS_PNG_DIR`, if set, to look at.
#[cfg(all(feature = "png", not(target_arch = "wasm32")))]
#[test]
fn sweep_and_warmup_charts_render_to_png() {
    let t = table(&["paper", "digital"]);
    let (means, smoothed) = warmup_series(100, 5);
    let names: Vec<String> = (0..6).map(|i| format!("v{i}")).collect();
    let six = table(&names.iter().map(String::as_str).collect::<Vec<_>>());
    let mut gap = table(&["paper"]);
    for r in gap.rows.iter_mut().filter(|r| r.point == 2 || r.point == 3) {
        r.estimate.half_width = f64::INFINITY;
    }
    let mut charts = vec![
        Chart::sweep(&t.input(), TIME, Some(125.0)).unwrap(),
        Chart::sweep(&t.input(), SHARE, Some(0.8)).unwrap(),
        Chart::sweep_heatmap(&t.input(), SHARE, "paper", Some(0.7)).unwrap(),
        Chart::warmup(&warmup_input(&means, &smoothed)).unwrap(),
    ];
    // Twelve lines; a band broken by missing intervals (stems made distinct for the files).
    let mut twelve = Chart::sweep(&six.input(), SHARE, None).unwrap();
    twelve.stem = "sweep_twelve_lines".into();
    let mut broken = Chart::sweep(&gap.input(), TIME, None).unwrap();
    broken.stem = "sweep_broken_band".into();
    let g = grid();
    let parameters = vec!["stations.consult.service.dist".to_string()];
    let points: Vec<Vec<String>> = ["lognormal", "gamma", "exponential"]
        .iter()
        .map(|d| vec![d.to_string()])
        .collect();
    let rows: Vec<Row> = (0..3)
        .flat_map(|p| {
            [
                row(p, "paper", TIME, 90.0 + 5.0 * p as f64, 3.0),
                row(p, "digital", TIME, 80.0 + 7.0 * p as f64, 4.0),
            ]
        })
        .collect();
    let categories = SweepInput {
        scenario: "clinic",
        replications: 5,
        parameters: &parameters,
        points: &points,
        rows: &rows,
    };
    let mut categorical = Chart::sweep(&categories, TIME, None).unwrap();
    categorical.stem = "sweep_categorical".into();
    charts.extend([
        categorical,
        twelve,
        broken,
        Chart::sweep_heatmap(&g.input(), "wait_min.mean", "", Some(60.0)).unwrap(),
        Chart::sweep(&g.input(), "wait_min.mean", Some(60.0)).unwrap(),
    ]);
    let out = std::env::var_os("CAREPATH_CHARTS_PNG_DIR").map(std::path::PathBuf::from);
    for chart in &charts {
        let bytes = chart.png().unwrap();
        let reader = png::Decoder::new(std::io::Cursor::new(&bytes))
            .read_info()
            .unwrap();
        let info = reader.info();
        assert_eq!((info.width, info.height), chart.size());
        if let Some(dir) = &out {
            std::fs::write(dir.join(format!("{}.png", chart.file_stem())), &bytes).unwrap();
        }
    }
}
