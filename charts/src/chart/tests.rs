//! Structural tests of the SVG output: titles, axis descriptions, legend entries and the number
//! of bars, markers and series, read from the parsed SVG. Nothing here depends on how glyphs
//! are rasterised; PNG tests only check that a valid image of the announced size comes out.

use crate::style::{self, BLUE, SERVICE_GREY, variant_colour};
use crate::{Chart, ChartError, ChartKind, VariantInput, comparison_inputs, standard_charts};
use plotters::style::RGBColor;
use sim_core::Model;
use sim_core::compare::{VariantRun, compare};
use sim_core::study::Findings;
use sim_core::summary::Accumulator;
use sim_core::summary::QueueSeries;

/// Three stations (one with a name that needs escaping and a staffing schedule), two variants.
const SCENARIO: &str = r#"
[scenario]
name = "chart test clinic"
[run]
open = "08:00"
close = "11:00"
replications = 4
seed = 11
[[stations]]
id = "desk"
name = "Front desk"
servers = 1
service = { dist = "exponential", mean = "2min" }
[[stations]]
id = "doctor"
name = "Doctors"
servers = [{ from = "08:00", to = "09:30", count = 2 }, { from = "09:30", to = "11:00", count = 3 }]
service = { dist = "exponential", mean = "6min" }
[[stations]]
id = "pay"
name = "Pay & <collect>"
servers = 1
service = { dist = "exponential", mean = "1min" }
[[arrivals]]
id = "walk_in"
kind = "poisson"
rate = "25/h"
pathway = "visit"
[[pathways]]
id = "visit"
steps = [
  { id = "desk", station = "desk", next = "doctor" },
  { id = "doctor", station = "doctor", next = "results" },
  { id = "results", delay = { dist = "uniform", min = "5min", max = "15min" }, next = "pay" },
  { id = "pay", station = "pay", next = "exit" },
]
[[variants]]
id = "today"
[[variants]]
id = "more_doctors"
stations = [{ id = "doctor", servers = 4 }]
"#;

struct Run {
    model: Model,
    results: Accumulator,
    findings: Findings,
}

/// Runs every replication of `model` through the study API.
fn study(model: Model) -> Run {
    let mut study = sim_core::Study::new(&model);
    study.run().unwrap();
    let findings = study.findings();
    let results = study.into_accumulator();
    Run {
        model,
        results,
        findings,
    }
}

/// The chart test clinic's `variant`, with `edit` applied to the scenario text first.
fn run(variant: &str, edit: impl Fn(&str) -> String) -> Run {
    study(Model::from_toml_variant(&edit(SCENARIO), Some(variant)).unwrap())
}

fn runs() -> Vec<Run> {
    vec![
        run("today", str::to_string),
        run("more_doctors", str::to_string),
    ]
}

fn inputs(runs: &[Run]) -> Vec<VariantInput<'_>> {
    runs.iter()
        .map(|r| {
            VariantInput::new(
                r.model.variant(),
                &r.model,
                &r.findings.summary,
                &r.findings.breakdown,
            )
            .with_series(&r.findings.series)
        })
        .collect()
}

/// The parsed SVG.
fn parse(svg: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("invalid SVG: {e}\n{svg}"))
}

/// Every `<text>` content.
fn texts(doc: &roxmltree::Document<'_>) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// Number of elements `tag` filled with `colour` at full opacity.
fn count_filled(doc: &roxmltree::Document<'_>, tag: &str, colour: RGBColor) -> usize {
    doc.descendants()
        .filter(|n| {
            n.has_tag_name(tag)
                && n.attribute("fill") == Some(hex(colour).as_str())
                && n.attribute("opacity") == Some("1")
        })
        .count()
}

fn has_text(texts: &[String], s: &str) -> bool {
    texts.iter().any(|t| t == s)
}

fn check_frame(svg: &str, title: &str, axis: &[&str], legend: &[&str]) -> Vec<String> {
    let doc = parse(svg);
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let svg_title = root
        .children()
        .find(|n| n.has_tag_name("title"))
        .and_then(|n| n.text());
    assert_eq!(svg_title, Some(title));
    let t = texts(&doc);
    assert!(has_text(&t, title), "title {title:?} missing in {t:?}");
    for a in axis.iter().chain(legend) {
        assert!(has_text(&t, a), "{a:?} missing in {t:?}");
    }
    // Every text is in the embedded font's family and at a readable size (≥ 12 px in SVG).
    for n in doc.descendants().filter(|n| n.has_tag_name("text")) {
        assert_eq!(n.attribute("font-family"), Some(crate::font::FAMILY));
        let size: f64 = n.attribute("font-size").unwrap().parse().unwrap();
        assert!(size >= 12.0, "{size} px: {:?}", n.text());
    }
    t
}

#[test]
fn time_breakdown_has_one_stacked_bar_per_variant() {
    let runs = runs();
    let chart = Chart::time_breakdown(&inputs(&runs)).unwrap();
    assert_eq!(chart.kind(), ChartKind::TimeBreakdown);
    assert_eq!(chart.file_stem(), "time_breakdown");
    let svg = chart.svg().unwrap();
    let t = check_frame(
        &svg,
        "Where the time goes",
        &["minutes per completed patient (mean)", "variant"],
        &[
            "Queueing at Front desk",
            "Queueing at Doctors",
            "Queueing at Pay & <collect>",
            "In service (all stations)",
            "In delays (results, walking)",
        ],
    );
    assert!(has_text(&t, "today") && has_text(&t, "more_doctors"));
    let doc = parse(&svg);
    // Service and delay segments: one per variant plus the legend swatch.
    assert_eq!(count_filled(&doc, "rect", SERVICE_GREY), 2 + 1);
    assert_eq!(count_filled(&doc, "rect", style::DELAY_GREY), 2 + 1);
    // Totals written at the bar ends.
    for r in &runs {
        let total = crate::layout::minutes_label(r.findings.breakdown.time_in_system_min);
        assert!(has_text(&t, &total), "{total} missing in {t:?}");
    }
}

/// Polylines stroked in `colour` with `width`.
fn count_lines(doc: &roxmltree::Document<'_>, colour: RGBColor, width: &str) -> usize {
    doc.descendants()
        .filter(|n| {
            n.has_tag_name("polyline")
                && n.attribute("stroke") == Some(hex(colour).as_str())
                && n.attribute("stroke-width") == Some(width)
        })
        .count()
}

#[test]
fn time_in_system_draws_a_cdf_per_variant_with_p50_and_p90() {
    let runs = runs();
    let svg = Chart::time_in_system(&inputs(&runs))
        .unwrap()
        .svg()
        .unwrap();
    let t = check_frame(
        &svg,
        "Time in system",
        &["time in system (minutes)", "share of patients (%)"],
        &[
            "today",
            "more_doctors",
            "median (p50)",
            "90th percentile (p90)",
        ],
    );
    assert!(has_text(&t, "0%") && has_text(&t, "50%") && has_text(&t, "100%"));
    assert!(!t.iter().any(|s| s.contains("cannot be drawn")), "{t:?}");
    let doc = parse(&svg);
    for v in 0..2 {
        let c = variant_colour(v);
        // One CDF line per variant plus its legend line.
        assert_eq!(count_lines(&doc, c, "3"), 1 + 1, "variant {v}");
        // p50 (circle) and p90 (triangle) on each line.
        assert_eq!(count_filled(&doc, "circle", c), 1, "variant {v}");
        assert_eq!(count_filled(&doc, "polygon", c), 1, "variant {v}");
    }
    // The CDF line has many points (the grid of 101 probabilities, less coinciding pixels).
    let points = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some(&hex(BLUE)))
        .map(|n| n.attribute("points").unwrap().split_whitespace().count())
        .max()
        .unwrap();
    assert!(points >= 20, "{points}");
    // Mean with its confidence interval and the percentiles in the footnotes.
    let tis = &runs[0].findings.summary.time_in_system_min;
    let note = format!("today: p50 {:.0} min", tis.p50);
    assert!(t.iter().any(|s| s.starts_with(&note)), "{note} in {t:?}");
    assert!(t.iter().any(|s| s.contains("95% CI")), "{t:?}");
}

#[test]
fn queue_length_has_a_panel_per_station_with_band_mean_and_staffing() {
    let runs = runs();
    let input = inputs(&runs)[0];
    let chart = Chart::queue_length(&input, "today").unwrap();
    assert_eq!(chart.file_stem(), "queue_length_today");
    let svg = chart.svg().unwrap();
    let t = check_frame(
        &svg,
        "Queue length over the day — today",
        &["patients waiting", "time of day (HH:MM)"],
        &[
            "mean across replications",
            "5th–95th percentile of replications (90% band)",
            "staffing change (servers on duty from then)",
        ],
    );
    for name in ["Front desk", "Doctors", "Pay & <collect>"] {
        assert!(has_text(&t, name), "{name} missing");
    }
    let doc = parse(&svg);
    // One band (translucent polygon) and one mean line per station.
    let bands = doc
        .descendants()
        .filter(|n| n.has_tag_name("polygon") && n.attribute("fill") == Some(&hex(style::SKY_BLUE)))
        .count();
    assert_eq!(bands, 3);
    let means = doc
        .descendants()
        .filter(|n| {
            n.has_tag_name("polyline")
                && n.attribute("stroke") == Some(&hex(BLUE))
                && n.attribute("stroke-width") == Some("3")
        })
        .count();
    assert_eq!(means, 3 + 1, "three means and the legend line");
    // Clock-time ticks and the doctors' staffing: 2 on duty at opening, 3 from 09:30.
    assert!(has_text(&t, "09:00") && has_text(&t, "10:00"));
    assert!(has_text(&t, "2 on duty") && has_text(&t, "3 on duty"));
    assert_eq!(t.iter().filter(|s| *s == "1 on duty").count(), 2);
}

#[test]
fn utilisation_by_interval_has_a_panel_per_station_with_band_mean_85_line_and_staffing() {
    let runs = runs();
    let input = inputs(&runs)[0];
    let chart = Chart::utilisation_by_interval(&input, "today").unwrap();
    assert_eq!(chart.kind(), ChartKind::UtilisationByInterval);
    assert_eq!(chart.file_stem(), "utilisation_by_interval_today");
    let svg = chart.svg().unwrap();
    let t = check_frame(
        &svg,
        "Utilisation over the day — today",
        &["utilisation (%)", "time of day (HH:MM)"],
        &[
            "mean across replications",
            "5th–95th percentile of replications (90% band)",
            "85% line (above it, queues grow quickly)",
            "staffing change (servers on duty from then)",
        ],
    );
    for name in ["Front desk", "Doctors", "Pay & <collect>"] {
        assert!(has_text(&t, name), "{name} missing");
    }
    let doc = parse(&svg);
    let bands = doc
        .descendants()
        .filter(|n| n.has_tag_name("polygon") && n.attribute("fill") == Some(&hex(style::SKY_BLUE)))
        .count();
    assert_eq!(bands, 3);
    assert_eq!(
        count_lines(&doc, BLUE, "3"),
        3 + 1,
        "three means and the legend line"
    );
    assert!(has_text(&t, "09:00") && has_text(&t, "100%"));
    assert_eq!(t.iter().filter(|s| *s == "85%").count(), 3);
    assert!(has_text(&t, "2 on duty") && has_text(&t, "3 on duty"));
    assert_eq!(
        Chart::utilisation_by_interval(&input, "")
            .unwrap()
            .file_stem(),
        "utilisation_by_interval"
    );
}

#[test]
fn utilisation_by_interval_breaks_the_line_where_nobody_is_on_duty() {
    let runs = runs();
    let mut series = runs[0].findings.series.clone();
    let band = series.utilisation.get_mut("desk").unwrap();
    let n = band.mean.len();
    assert!(n >= 5);
    for v in [&mut band.mean, &mut band.p05, &mut band.p95] {
        v[n / 2] = f64::NAN;
    }
    let r = &runs[0];
    let input = VariantInput::new(
        "today",
        &r.model,
        &r.findings.summary,
        &r.findings.breakdown,
    )
    .with_series(&series);
    let svg = Chart::utilisation_by_interval(&input, "")
        .unwrap()
        .svg()
        .unwrap();
    let doc = parse(&svg);
    assert!(!svg.contains("NaN"));
    // The front desk's line and band come in two pieces.
    assert_eq!(count_lines(&doc, BLUE, "3"), 4 + 1);
}

#[test]
fn utilisation_and_waits_have_a_bar_per_station_and_variant() {
    let runs = runs();
    let inputs = inputs(&runs);
    let util = Chart::utilisation(&inputs).unwrap().svg().unwrap();
    let t = check_frame(
        &util,
        "Utilisation per station",
        &["utilisation (%)", "station"],
        &[
            "today",
            "more_doctors",
            "95% confidence interval",
            "85% line (above it, queues grow quickly)",
        ],
    );
    assert!(has_text(&t, "85%"));
    let waits = Chart::waits(&inputs).unwrap().svg().unwrap();
    check_frame(
        &waits,
        "Waiting time per station",
        &["mean wait (minutes)", "station"],
        &["today", "more_doctors", "95% confidence interval"],
    );
    for svg in [&util, &waits] {
        let doc = parse(svg);
        for v in 0..2 {
            // Three stations' bars plus the legend swatch.
            assert_eq!(count_filled(&doc, "rect", variant_colour(v)), 3 + 1);
        }
        let t = texts(&doc);
        assert!(has_text(&t, "Front desk") && has_text(&t, "Pay & <collect>"));
    }
}

/// The teaching scenario of shared doctors, two of its variants, 5 replications.
fn shared_runs() -> Vec<Run> {
    let text = include_str!("../../../scenarios/teaching-shared-doctor.toml")
        .replace("replications = 50 ", "replications = 5 ");
    ["own_doctors", "shared_doctors"]
        .iter()
        .map(|v| study(Model::from_toml_variant(&text, Some(v)).unwrap()))
        .collect()
}

#[test]
fn resource_utilisation_has_a_bar_per_resource_and_variant() {
    let shared = shared_runs();
    let inputs = inputs(&shared);
    let chart = Chart::resource_utilisation(&inputs).unwrap();
    assert_eq!(chart.kind(), ChartKind::ResourceUtilisation);
    let svg = chart.svg().unwrap();
    let t = check_frame(
        &svg,
        "Utilisation per shared resource",
        &["utilisation (%)", "resource"],
        &["own_doctors", "shared_doctors", "95% confidence interval"],
    );
    let doc = parse(&svg);
    for v in 0..2 {
        // Three resources' bars (doctors, two room pools) plus the legend swatch.
        assert_eq!(count_filled(&doc, "rect", variant_colour(v)), 3 + 1);
    }
    assert!(has_text(&t, "85%"));
    // In the standard set only when the scenario has resources.
    let (set, _) = standard_charts(&inputs).unwrap();
    assert!(
        set.iter()
            .any(|c| c.kind() == ChartKind::ResourceUtilisation)
    );
    let plain = runs();
    let plain_inputs = self::inputs(&plain);
    let (set, _) = standard_charts(&plain_inputs).unwrap();
    assert!(
        !set.iter()
            .any(|c| c.kind() == ChartKind::ResourceUtilisation)
    );
    assert!(matches!(
        Chart::resource_utilisation(&plain_inputs),
        Err(ChartError::NoData { .. })
    ));
}

#[test]
fn standard_set_and_comparison_inputs() {
    let runs = runs();
    let models: Vec<Model> = runs.iter().map(|r| r.model.clone()).collect();
    let v: Vec<VariantRun<'_>> = runs
        .iter()
        .map(|r| VariantRun {
            model: &r.model,
            run: &r.results,
            findings: &r.findings,
            independent: None,
        })
        .collect();
    let comparison = compare(&v);
    let series: Vec<QueueSeries> = runs.iter().map(|r| r.findings.series.clone()).collect();
    let inputs = comparison_inputs(&comparison, &models, Some(&series)).unwrap();
    let (charts, skipped) = standard_charts(&inputs).unwrap();
    assert!(skipped.is_empty());
    let stems: Vec<&str> = charts.iter().map(|c| c.file_stem()).collect();
    assert_eq!(
        stems,
        [
            "time_breakdown",
            "time_in_system",
            "queue_length_today",
            "queue_length_more_doctors",
            "utilisation",
            "utilisation_by_interval_today",
            "utilisation_by_interval_more_doctors",
            "waits"
        ]
    );
    // Rendering is deterministic.
    for c in &charts {
        assert_eq!(c.svg().unwrap(), c.svg().unwrap());
    }
    assert_eq!(
        comparison_inputs(&comparison, &models[..1], None).unwrap_err(),
        ChartError::MissingModel("more_doctors".into())
    );
}

#[test]
fn missing_data_is_an_error_not_a_panic() {
    assert_eq!(Chart::waits(&[]).unwrap_err(), ChartError::NoVariants);
    let off = run("today", |t| {
        t.replace("[run]\n", "[run]\nsample_interval = \"0min\"\n")
    });
    let input = VariantInput::new(
        "today",
        &off.model,
        &off.findings.summary,
        &off.findings.breakdown,
    )
    .with_series(&off.findings.series);
    assert!(matches!(
        Chart::queue_length(&input, ""),
        Err(ChartError::NoData { .. })
    ));
    assert!(matches!(
        Chart::utilisation_by_interval(&input, ""),
        Err(ChartError::NoData { .. })
    ));
    let (charts, skipped) = standard_charts(&[input]).unwrap();
    assert_eq!(charts.len(), 4);
    assert_eq!(skipped.len(), 2);
    let without = VariantInput::new(
        "today",
        &off.model,
        &off.findings.summary,
        &off.findings.breakdown,
    );
    assert!(matches!(
        Chart::queue_length(&without, ""),
        Err(ChartError::NoData { .. })
    ));
}

#[test]
fn one_replication_draws_no_intervals_and_says_so() {
    let one = run("today", |t| {
        t.replace("replications = 4", "replications = 1")
    });
    let input = VariantInput::new(
        "today",
        &one.model,
        &one.findings.summary,
        &one.findings.breakdown,
    )
    .with_series(&one.findings.series);
    let svg = Chart::waits(&[input]).unwrap().svg().unwrap();
    let t = texts(&parse(&svg));
    assert!(
        has_text(&t, "No confidence interval with a single replication."),
        "{t:?}"
    );
}

#[cfg(all(feature = "png", not(target_arch = "wasm32")))]
#[test]
fn png_is_a_valid_image_of_the_chart_size() {
    let runs = runs();
    let (charts, _) = standard_charts(&inputs(&runs)).unwrap();
    for chart in &charts {
        let bytes = chart.png().unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(&bytes));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!(
            (info.width, info.height),
            chart.size(),
            "{}",
            chart.file_stem()
        );
    }
}

/// A 60-character station name, a station nobody visits, and a front desk whose only shift ends
/// at 10:30 while patients still arrive until 11:00 (so it works overtime).
const LONG_NAMES: &str = r#"
[scenario]
name = "long names"
[run]
open = "08:00"
close = "11:00"
replications = 4
seed = 11
[[stations]]
id = "desk"
name = "Front desk"
servers = [{ from = "08:00", to = "10:30", count = 1 }]
service = { dist = "exponential", mean = "2.2min" }
[[stations]]
id = "radiology"
name = "Radiology and nuclear medicine reporting and collection desk"
servers = 3
service = { dist = "exponential", mean = "6min" }
[[stations]]
id = "kiosk"
name = "Self-service payment kiosks"
servers = 2
service = { dist = "exponential", mean = "1min" }
[[arrivals]]
id = "walk_in"
kind = "poisson"
rate = "25/h"
pathway = "visit"
[[pathways]]
id = "visit"
steps = [
  { id = "desk", station = "desk", next = "radiology" },
  { id = "radiology", station = "radiology", next = "exit" },
]
"#;

const LONG_NAME: &str = "Radiology and nuclear medicine reporting and collection desk";

fn long_run() -> Run {
    let model = Model::from_toml(LONG_NAMES).unwrap();
    study(model)
}

fn long_input(r: &Run) -> VariantInput<'_> {
    VariantInput::new("base", &r.model, &r.findings.summary, &r.findings.breakdown)
        .with_series(&r.findings.series)
}

/// Shaded rectangles (translucent fill) of `colour`.
fn count_shaded(doc: &roxmltree::Document<'_>, colour: RGBColor) -> usize {
    doc.descendants()
        .filter(|n| {
            n.has_tag_name("rect")
                && n.attribute("fill") == Some(hex(colour).as_str())
                && n.attribute("opacity") != Some("1")
        })
        .count()
}

#[test]
fn utilisation_by_interval_shades_and_labels_overtime_after_the_last_shift() {
    let r = long_run();
    let svg = Chart::utilisation_by_interval(&long_input(&r), "")
        .unwrap()
        .svg()
        .unwrap();
    let doc = parse(&svg);
    let t = texts(&doc);
    assert!(has_text(&t, "overtime (after the last shift)"), "{t:?}");
    assert!(
        t.iter().any(|s| s.starts_with("Overtime (shaded):")),
        "{t:?}"
    );
    // The front desk's panel (its shift ends at 10:30) and the legend swatch; the radiology
    // desk is staffed around the clock and has no overtime region.
    assert_eq!(count_shaded(&doc, super::queue::OVERTIME_GREY), 1 + 1);
    assert!(has_text(&t, "overtime"), "the region's own label: {t:?}");

    // Constant staffing everywhere: no overtime region, no legend entry, no note.
    let runs = runs();
    let svg = Chart::utilisation_by_interval(&inputs(&runs)[1], "")
        .unwrap()
        .svg()
        .unwrap();
    let doc = parse(&svg);
    assert_eq!(count_shaded(&doc, super::queue::OVERTIME_GREY), 0);
    assert!(!texts(&doc).iter().any(|s| s.contains("overtime")));
}

#[test]
fn a_station_nobody_visits_says_so_instead_of_an_empty_axis() {
    let r = long_run();
    assert_eq!(r.findings.summary.stations["kiosk"].visits.mean, 0.0);
    for chart in [
        Chart::queue_length(&long_input(&r), "").unwrap(),
        Chart::utilisation_by_interval(&long_input(&r), "").unwrap(),
    ] {
        let svg = chart.svg().unwrap();
        let doc = parse(&svg);
        let t = texts(&doc);
        assert!(has_text(&t, "Self-service payment kiosks"), "{t:?}");
        assert_eq!(
            t.iter()
                .filter(|s| *s == "not used in this variant")
                .count(),
            1,
            "{}: {t:?}",
            chart.file_stem()
        );
        // Bands only for the two stations in use.
        let bands = doc
            .descendants()
            .filter(|n| {
                n.has_tag_name("polygon") && n.attribute("fill") == Some(&hex(style::SKY_BLUE))
            })
            .count();
        assert_eq!(bands, 2, "{}", chart.file_stem());
        // The kiosk is the bottom panel of the left column: the x-axis description moves up to
        // the lowest panel that has an axis, so each column still carries it once.
        assert_eq!(
            t.iter().filter(|s| *s == "time of day (HH:MM)").count(),
            2,
            "{}: {t:?}",
            chart.file_stem()
        );
    }
}

/// The texts of `svg` that are pieces of `name`, joined in order with `sep`.
fn pieces_of(t: &[String], name: &str, sep: &str) -> String {
    t.iter()
        .filter(|s| !s.is_empty() && name.contains(s.as_str()) && s.len() > 3)
        .cloned()
        .collect::<Vec<_>>()
        .join(sep)
}

#[test]
fn a_60_character_station_name_is_shown_whole() {
    assert_eq!(LONG_NAME.chars().count(), 60);
    let r = long_run();
    let input = long_input(&r);
    for chart in [
        Chart::utilisation(&[input]).unwrap(),
        Chart::waits(&[input]).unwrap(),
        Chart::utilisation_by_interval(&input, "").unwrap(),
        Chart::queue_length(&input, "").unwrap(),
    ] {
        let svg = chart.svg().unwrap();
        let t = texts(&parse(&svg));
        assert!(
            !t.iter().any(|s| s.contains('…')),
            "{}: {t:?}",
            chart.file_stem()
        );
        assert_eq!(
            pieces_of(&t, LONG_NAME, " "),
            LONG_NAME,
            "{}: {t:?}",
            chart.file_stem()
        );
    }
}

#[test]
fn many_long_station_names_are_numbered_with_a_key_not_cut() {
    let r = long_run();
    let names: Vec<String> = (0..12).map(|i| format!("{LONG_NAME} {i:02}")).collect();
    // Twelve stations like radiology, each with its long name.
    let mut text = String::from(
        "[scenario]\nname = \"long names\"\n[run]\nclose = \"11:00\"\nreplications = 1\n",
    );
    for (i, name) in names.iter().enumerate() {
        text += &format!(
            "[[stations]]\nid = \"s{i}\"\nname = \"{name}\"\nservers = 3\nservice = {{ dist = \"exponential\", mean = \"6min\" }}\n"
        );
    }
    text += "[[arrivals]]\nid = \"walk_in\"\nkind = \"poisson\"\nrate = \"25/h\"\npathway = \"visit\"\n";
    text += "[[pathways]]\nid = \"visit\"\nsteps = [{ id = \"x\", station = \"s0\", next = \"exit\" }]\n";
    let model = Model::from_toml(&text).unwrap();
    let mut summary = r.findings.summary.clone();
    let station = summary.stations["radiology"].clone();
    summary.stations = model
        .stations()
        .iter()
        .map(|s| (s.id.clone(), station.clone()))
        .collect();
    let input = VariantInput::new("base", &model, &summary, &r.findings.breakdown);
    let svg = Chart::utilisation(&[input]).unwrap().svg().unwrap();
    let t = texts(&parse(&svg));
    assert!(!t.iter().any(|s| s.contains('…')), "{t:?}");
    for i in 1..=12 {
        assert!(has_text(&t, &i.to_string()), "group number {i}: {t:?}");
    }
    // The key, wrapped over several footnote lines, names every station in full.
    let key = t
        .iter()
        .skip_while(|s| !s.starts_with("Stations: 1 = "))
        .take_while(|s| !s.starts_with("Utilisation ="))
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    for (i, name) in names.iter().enumerate() {
        assert!(
            key.contains(&format!("{} = {name}", i + 1)),
            "{name}: {key}"
        );
    }
}

mod days;
mod sweep;
