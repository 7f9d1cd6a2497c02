//! Data files (issue 15): empirical distributions read from a CSV file beside the scenario,
//! with the unit stated, and paths that leave the scenario's folder refused.

use crate::support::run_carepath;
use std::path::Path;

/// A one-desk scenario whose service is `service` (an inline TOML table).
fn scenario(service: &str) -> String {
    format!(
        "[scenario]\nname = \"data\"\n\n[run]\nclose = \"12:00\"\nreplications = 3\nseed = 7\n\n\
         [[stations]]\nid = \"consult\"\nservers = 3\nservice = {service}\n\n\
         [[arrivals]]\nid = \"walk_ins\"\nkind = \"poisson\"\nrate = \"20/h\"\npathway = \"visit\"\n\n\
         [[pathways]]\nid = \"visit\"\nsteps = [{{ id = \"see\", station = \"consult\", next = \"exit\" }}]\n"
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

const OBSERVED: &str = "# consultation times observed in May\nconsult (min),triage (s)\n4.5,30\n12,45\n7.25,\n9.5,50\n3,\n";

/// The model built from a file equals the model built from the same values written inline:
/// the results are byte-identical, discrete and continuous.
#[test]
fn a_data_file_gives_the_results_of_the_same_values_inline() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "data/observed.csv", OBSERVED);
    let inline_values = r#"values = ["4.5min", "12min", "7.25min", "9.5min", "3min"]"#;
    for extra in ["", ", continuous = true"] {
        let from_file = write(
            tmp.path(),
            "file.toml",
            &scenario(&format!(
                r#"{{ dist = "empirical", file = "data/observed.csv", column = "consult"{extra} }}"#
            )),
        );
        let inline = write(
            tmp.path(),
            "inline.toml",
            &scenario(&format!(
                r#"{{ dist = "empirical", {inline_values}{extra} }}"#
            )),
        );
        let mut outs = Vec::new();
        for (path, out) in [(from_file, "out_file"), (inline, "out_inline")] {
            let out = tmp.path().join(out);
            run_carepath(["run", &path, "--quiet", "--out", out.to_str().unwrap()])
                .expect_no_panic()
                .expect_code(0);
            outs.push(out);
        }
        for f in ["stations.csv", "queue_length.csv"] {
            assert_eq!(
                std::fs::read(outs[0].join(f)).unwrap(),
                std::fs::read(outs[1].join(f)).unwrap(),
                "{f} ({extra})"
            );
        }
    }
}

#[test]
fn data_file_problems_are_located_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let inside = tmp.path().join("clinic");
    write(&inside, "observed.csv", OBSERVED);
    write(&inside, "bare.csv", "consult\n4.5\n6\n");
    write(tmp.path(), "outside.csv", OBSERVED);
    let cases = [
        (
            r#"file = "../outside.csv", column = "consult""#,
            "leaves the scenario's folder",
        ),
        (r#"file = "/etc/hostname""#, "absolute path"),
        (r#"file = "missing.csv""#, "cannot read"),
        (r#"file = "observed.csv""#, "name one with `column`"),
        (
            r#"file = "observed.csv", column = "wait""#,
            "there is no column \"wait\"",
        ),
        (r#"file = "bare.csv""#, "line 2: \"4.5\" has no unit"),
        (
            r#"file = "observed.csv", column = "triage", unit = "min""#,
            "says \"s\"",
        ),
        (
            r#"file = "observed.csv", column = "consult", weights = [1]"#,
            "`weights` does not apply with `file`",
        ),
    ];
    for (keys, want) in cases {
        let path = write(
            &inside,
            "s.toml",
            &scenario(&format!(r#"{{ dist = "empirical", {keys} }}"#)),
        );
        let o = run_carepath(["validate", &path]);
        o.expect_no_panic().expect_code(2);
        assert!(
            o.stderr.contains(want)
                && o.stderr
                    .contains("s.toml:12:1: error: stations.consult.service"),
            "{keys}: {}",
            o.stderr
        );
        assert_eq!(o.stderr.lines().count(), 1, "one problem: {}", o.stderr);
    }
    // The header's unit, or a unit given beside the file, makes the bare file usable.
    let path = write(
        &inside,
        "s.toml",
        &scenario(r#"{ dist = "empirical", file = "bare.csv", unit = "min" }"#),
    );
    run_carepath(["validate", &path])
        .expect_no_panic()
        .expect_code(0);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_out_of_the_folder_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let inside = tmp.path().join("clinic");
    write(tmp.path(), "secret.csv", OBSERVED);
    std::fs::create_dir_all(&inside).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("secret.csv"), inside.join("link.csv")).unwrap();
    let path = write(
        &inside,
        "s.toml",
        &scenario(r#"{ dist = "empirical", file = "link.csv", column = "consult" }"#),
    );
    let o = run_carepath(["validate", &path]);
    o.expect_no_panic().expect_code(2);
    assert!(o.stderr.contains("symbolic link"), "{}", o.stderr);
}

/// `carepath fit` on the shipped synthetic data: the ranking, the snippets, and with --out
/// fit.json and both charts; the best snippet pasted into a scenario validates.
#[test]
fn fit_ranks_writes_and_its_snippet_is_a_valid_scenario_value() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("fit");
    let o = run_carepath([
        "fit",
        "scenarios/data/consultations.csv",
        "--column",
        "consult",
        "--bootstrap",
        "49",
        "--out",
        out.to_str().unwrap(),
    ]);
    o.expect_no_panic().expect_code(0);
    assert!(
        o.stdout.contains("Best fits, as a scenario writes them:"),
        "{}",
        o.stdout
    );
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "fit.json",
            "fit_density.png",
            "fit_density.svg",
            "fit_qq.png",
            "fit_qq.svg"
        ]
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("fit.json")).unwrap()).unwrap();
    let fits = json["fits"].as_array().unwrap();
    assert_eq!(json["observations"], 240);
    let aics: Vec<f64> = fits.iter().map(|f| f["aic"].as_f64().unwrap()).collect();
    assert!(aics.windows(2).all(|w| w[0] <= w[1]), "{aics:?}");
    for f in fits {
        let p = f["ks_p"].as_f64().unwrap();
        assert!(p > 0.0 && p <= 1.0);
        let path = write(tmp.path(), "s.toml", &scenario(f["toml"].as_str().unwrap()));
        run_carepath(["validate", &path])
            .expect_no_panic()
            .expect_code(0);
    }
}

#[test]
fn fit_input_problems_are_input_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let bare = write(tmp.path(), "bare.csv", "consult\n4.5\n6\n7\n3\n9\n12\n");
    let two = write(tmp.path(), "two.csv", OBSERVED);
    let few = write(tmp.path(), "few.csv", "consult (min)\n4\n5\n");
    let cases: [(&[&str], &str); 6] = [
        (&["fit", &bare], "line 2: \"4.5\" has no unit"),
        (&["fit", &two], "name one with `column`"),
        (
            &["fit", &two, "--column", "wait"],
            "there is no column \"wait\"",
        ),
        (&["fit", &few], "2 observations are too few"),
        (&["fit", "no-such.csv"], "cannot read"),
        (&["fit", &bare, "--unit", "fortnights"], "unknown unit"),
    ];
    for (args, want) in cases {
        let o = run_carepath(args);
        o.expect_no_panic().expect_code(2);
        assert!(o.stderr.contains(want), "{args:?}: {}", o.stderr);
    }
    let o = run_carepath(["fit", &bare, "--unit", "min", "--bootstrap", "0"]);
    o.expect_no_panic().expect_code(0);
    assert!(o.stdout.contains("No p-values"), "{}", o.stdout);
}
