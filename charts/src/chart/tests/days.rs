//! The waiting-and-overtime-by-day chart, on `scenarios/clinic-week.toml` (a week with a closed
//! Sunday; three replications to keep it quick), its end-of-day variants, a fortnight, and runs
//! that have no results by day.

use super::*;
use crate::style::OTHER_GREY;

const WEEK: &str = include_str!("../../../../scenarios/clinic-week.toml");

/// clinic-week's `variant` with three replications, `edit` applied to the text first.
fn week(variant: &str, edit: impl Fn(&str) -> String) -> Run {
    let text = WEEK.replace("replications = 20 ", "replications = 3 ");
    assert_ne!(text, WEEK, "the replication count is where it was");
    study(Model::from_toml_variant(&edit(&text), Some(variant)).unwrap())
}

/// The same over two weeks.
fn fortnight(text: &str) -> String {
    let two = text.replace("days = 7 ", "days = 14 ");
    assert_ne!(two, text, "the calendar's days are where they were");
    two
}

/// The chart as a reader sees it: every text in drawing order, then the bars and shaded
/// days (full-opacity rectangles of each variant's colour, translucent grey ones).
fn reading(svg: &str, variants: usize) -> String {
    let doc = parse(svg);
    let mut out = texts(&doc)
        .into_iter()
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    for v in 0..variants {
        out += &format!(
            "\n[rectangles of variant {v}'s colour: {}]",
            count_filled(&doc, "rect", variant_colour(v))
        );
    }
    out += &format!(
        "\n[shaded grey rectangles: {}]\n",
        count_shaded(&doc, OTHER_GREY)
    );
    out
}

fn input(r: &Run) -> VariantInput<'_> {
    VariantInput::new(
        r.model.variant(),
        &r.model,
        &r.findings.summary,
        &r.findings.breakdown,
    )
    .with_series(&r.findings.series)
}

#[test]
fn a_week_has_both_bars_for_each_open_day_and_labels_the_closed_sunday() {
    let r = week("overtime", str::to_string);
    let chart = Chart::by_day(&[input(&r)]).unwrap();
    assert_eq!(chart.kind(), ChartKind::ByDay);
    assert_eq!(chart.file_stem(), "by_day");
    let svg = chart.svg().unwrap();
    let t = check_frame(
        &svg,
        "Waiting and overtime by day",
        &["patient-hours", "staff-hours", "day of the run"],
        &["overtime", "clinic closed"],
    );
    for (day, date) in [("Mon", "2 Mar"), ("Sat", "7 Mar"), ("Sun", "8 Mar")] {
        assert!(
            has_text(&t, day) && has_text(&t, date),
            "{day} {date}: {t:?}"
        );
    }
    // "closed" in both panels; Sunday shaded in both, plus the legend's swatch.
    assert_eq!(t.iter().filter(|s| *s == "closed").count(), 2, "{t:?}");
    let doc = parse(&svg);
    assert_eq!(count_shaded(&doc, OTHER_GREY), 2 + 1);
    // Six open days in each panel, and the legend's swatch.
    assert_eq!(count_filled(&doc, "rect", variant_colour(0)), 6 * 2 + 1);
    // The day's waiting written above its bar (whole patient-hours: Monday's is over 100).
    let monday = &r.findings.summary.by_day[0];
    assert!(monday.waiting() > 100.0);
    assert!(
        has_text(&t, &format!("{:.0}", monday.waiting())),
        "{} in {t:?}",
        monday.waiting()
    );
    assert!(has_text(
        &t,
        &format!("{:.1}", monday.closings.overtime() / 60.0)
    ));
    insta::assert_snapshot!("by_day_week", reading(&svg, 1));
}

#[test]
fn variants_stand_side_by_side_and_their_end_of_day_rules_are_explained() {
    let runs: Vec<Run> = [
        "overtime",
        "send_home",
        "carry_over",
        "monday_extra_doctors",
    ]
    .iter()
    .map(|v| week(v, str::to_string))
    .collect();
    let inputs: Vec<VariantInput<'_>> = runs.iter().map(input).collect();
    let svg = Chart::by_day(&inputs).unwrap().svg().unwrap();
    let t = check_frame(
        &svg,
        "Waiting and overtime by day",
        &["patient-hours", "staff-hours"],
        &[
            "overtime",
            "send_home",
            "carry_over",
            "monday_extra_doctors",
            "clinic closed",
        ],
    );
    let notes = t.join(" ");
    assert!(
        notes.contains("send_home: patients still waiting"),
        "{notes}"
    );
    assert!(
        notes.contains("carry_over: patients still waiting"),
        "{notes}"
    );
    let doc = parse(&svg);
    for v in 0..4 {
        // Each variant's bar in each open day's group of both panels (a variant that works
        // no overtime has bars of no height there), and its legend swatch.
        assert_eq!(
            count_filled(&doc, "rect", variant_colour(v)),
            6 * 2 + 1,
            "{v}"
        );
    }
    insta::assert_snapshot!("by_day_variants", reading(&svg, 4));
}

#[test]
fn without_overtime_the_second_panel_is_left_out_and_a_note_says_why() {
    let r = week("send_home", str::to_string);
    let svg = Chart::by_day(&[input(&r)]).unwrap().svg().unwrap();
    let t = check_frame(
        &svg,
        "Waiting and overtime by day",
        &["patient-hours", "day of the run"],
        &["send_home"],
    );
    assert!(!has_text(&t, "staff-hours"), "{t:?}");
    let notes = t.join(" ");
    assert!(notes.contains("sent home unseen"), "{notes}");
    assert!(notes.contains("nobody works overtime"), "{notes}");
    assert!(!notes.contains("Overtime ="), "{notes}");
    assert_eq!(t.iter().filter(|s| *s == "closed").count(), 1, "{t:?}");
}

#[test]
fn a_fortnight_names_every_day_without_overlap() {
    let r = week("overtime", fortnight);
    assert_eq!(r.findings.summary.by_day.len(), 14);
    let svg = Chart::by_day(&[input(&r)]).unwrap().svg().unwrap();
    let doc = parse(&svg);
    let t = texts(&doc);
    for date in ["2 Mar", "9 Mar", "15 Mar"] {
        assert!(has_text(&t, date), "{date}: {t:?}");
    }
    assert_eq!(t.iter().filter(|s| *s == "Mon").count(), 2, "{t:?}");
    // Day labels side by side leave room between them.
    let mut labels: Vec<(f64, f64)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text") && n.text().is_some_and(|s| s.trim().ends_with(" Mar")))
        .map(|n| {
            let x: f64 = n.attribute("x").unwrap().parse().unwrap();
            let w = crate::font::text_width(n.text().unwrap().trim(), style::VALUE);
            (x, f64::from(w))
        })
        .collect();
    labels.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(labels.len(), 14);
    for w in labels.windows(2) {
        let ((x0, w0), (x1, w1)) = (w[0], w[1]);
        assert!(x1 - w1 / 2.0 > x0 + w0 / 2.0, "{labels:?}");
    }
    // Two closed Sundays, shaded in both panels.
    assert_eq!(count_shaded(&doc, OTHER_GREY), 2 * 2 + 1);
}

#[test]
fn several_days_without_a_calendar_are_numbered() {
    // More doctors: every station has one staffing level all along.
    let r = run("more_doctors", |t| {
        t.replace("close = \"11:00\"", "run_length = \"2880min\"")
    });
    let days = r.findings.summary.by_day.len();
    assert!(days >= 2, "{days} days");
    let svg = Chart::by_day(&[input(&r)]).unwrap().svg().unwrap();
    let t = texts(&parse(&svg));
    for d in 1..=days {
        assert!(has_text(&t, &d.to_string()), "day {d}: {t:?}");
    }
    assert!(!has_text(&t, "clinic closed") && !has_text(&t, "closed"));
    // Constant staffing: nobody works past a last shift, so no overtime panel, and a note
    // says why.
    assert!(!has_text(&t, "staff-hours"), "{t:?}");
    assert!(
        t.join(" ")
            .contains("works past its last shift in this run"),
        "{t:?}"
    );
    let (charts, _) = standard_charts(&[input(&r)]).unwrap();
    assert_eq!(charts.last().unwrap().file_stem(), "by_day");
}

#[test]
fn one_day_or_no_hourly_results_have_no_by_day_chart() {
    let runs = runs();
    let one = inputs(&runs);
    assert!(runs[0].findings.summary.by_day.is_empty());
    assert!(matches!(
        Chart::by_day(&one),
        Err(ChartError::NoData {
            chart: "by day",
            ..
        })
    ));
    let (charts, _) = standard_charts(&one).unwrap();
    assert!(charts.iter().all(|c| c.kind() != ChartKind::ByDay));
    // Sampling off: nothing waited is measured by hour, so a calendar run lists no days
    // (they would read as zero waiting), and there is no chart.
    let off = week("overtime", |t| {
        t.replace("sample_interval = \"15min\"", "sample_interval = \"0min\"")
    });
    assert!(off.findings.summary.by_day.is_empty());
    assert!(off.findings.summary.by_hour.is_empty());
    assert!(matches!(
        Chart::by_day(&[input(&off)]),
        Err(ChartError::NoData { .. })
    ));
    let (charts, _) = standard_charts(&[input(&off)]).unwrap();
    assert!(charts.iter().all(|c| c.kind() != ChartKind::ByDay));
}

#[cfg(all(feature = "png", not(target_arch = "wasm32")))]
#[test]
fn the_week_renders_to_png_at_its_size() {
    let r = week("overtime", str::to_string);
    let (charts, _) = standard_charts(&[input(&r)]).unwrap();
    let chart = charts
        .iter()
        .find(|c| c.kind() == ChartKind::ByDay)
        .unwrap();
    let bytes = chart.png().unwrap();
    let reader = png::Decoder::new(std::io::Cursor::new(&bytes))
        .read_info()
        .unwrap();
    assert_eq!((reader.info().width, reader.info().height), chart.size());
}
