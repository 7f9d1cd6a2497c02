//! `carepath animate SCENARIO -o day.html`: one self-contained HTML file that plays
//! replication 0 of the scenario (or of each variant, stacked on one clock) as an animation,
//! patients as dots queueing and moving between the stations. It loads nothing from anywhere:
//! the page's `animate.js` and the day's data (the event log of every patient) are inline, so
//! it opens offline from a `file://` URL and can be mailed.
//!
//! The data are built by the web crate's own code (`web/src/animation.rs`, compiled into the
//! CLI with `#[path]`, so the CLI does not depend on that crate or on wasm-bindgen): the same
//! models give the same JSON here as on the page.

use crate::InputError;
use anyhow::{Context, Result};
use std::fmt::Write as _;
use std::path::PathBuf;

// The page's settling of the warm-up (`settle_warm_up`, `models_of`) is not used here: the
// CLI settles with `warmup::settle`, on all cores, as `carepath run` does.
#[allow(dead_code)]
#[path = "../../web/src/animation.rs"]
mod animation;

/// The page's animation module, inlined into the file.
const ANIMATE_JS: &str = include_str!("../../web/www/animate.js");

/// Arguments of `carepath animate`.
#[derive(clap::Args, Debug)]
pub(crate) struct AnimateArgs {
    /// Scenario file (TOML).
    scenario: PathBuf,
    /// Variants to animate, stacked on one clock, in order (default: all declared; the base
    /// scenario when none are).
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    variants: Vec<String>,
    /// The HTML file to write.
    #[arg(short, long, value_name = "FILE.html")]
    out: PathBuf,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    reps: crate::ReplicationOptions,
    #[command(flatten)]
    sets: crate::SetOptions,
}

/// Runs replication 0 of each model with the event log on and writes the animation.
pub(crate) fn run(args: AnimateArgs) -> Result<()> {
    let text = crate::read(&args.scenario)?;
    let scenario = crate::parse_scenario_set(&args.scenario, &text, &args.sets)?;
    let base = crate::build_variant(&args.scenario, &scenario, None)?;
    let declared = base.variant_ids();
    for v in &args.variants {
        if !declared.contains(v) {
            return Err(InputError(format!(
                "--variants: {} declares no variant `{v}` ({})",
                args.scenario.display(),
                if declared.is_empty() {
                    "it declares none".to_string()
                } else {
                    format!("it declares {}", declared.join(", "))
                }
            ))
            .into());
        }
    }
    let ids: Vec<String> = if args.variants.is_empty() {
        declared.to_vec()
    } else {
        args.variants.clone()
    };
    let names: Vec<Option<&str>> = if ids.is_empty() {
        vec![None]
    } else {
        ids.iter().map(|v| Some(v.as_str())).collect()
    };
    let overrides = crate::overrides(&args.reps, None)?;
    let scenario = crate::warmup::settle(
        &args.scenario,
        &scenario,
        &names,
        &overrides,
        args.reps.threads,
        args.quiet,
    )?;
    let models = names
        .iter()
        .map(|&v| crate::build_with(&args.scenario, &scenario, v, &overrides))
        .collect::<Result<Vec<_>>>()?;
    let refs: Vec<&sim_core::Model> = models.iter().collect();
    crate::print_warnings(&refs, args.quiet);
    let day = animation::animation(&models).map_err(InputError)?;
    let summary: Vec<String> = day
        .variants
        .iter()
        .map(|d| {
            format!(
                "{}: {} patients, {} events",
                d.label,
                d.patients,
                d.time.len()
            )
        })
        .collect();
    let html = page(&day.scenario, &animation::to_json(Ok(day.clone())));
    crate::output::write_atomic(&args.out, html.as_bytes())
        .with_context(|| format!("writing {}", args.out.display()))?;
    if !args.quiet {
        crate::out(&format!(
            "wrote {} (replication 0; {})\n",
            args.out.display(),
            summary.join("; ")
        ))?;
    }
    Ok(())
}

/// The HTML file: `animate.js` and the data inline, nothing fetched.
fn page(name: &str, json: &str) -> String {
    let esc = crate::output::xml_escape;
    // `<` occurs in JSON only inside strings, where `\u003c` means the same; so no `</script>`
    // or `<!--` can end the data block early.
    let data = json.replace('<', "\\u003c");
    let mut h = String::with_capacity(json.len() + ANIMATE_JS.len() + 2048);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta name=\"generator\" content=\"carepath {version}\">\n\
<title>Animated day: {title}</title>\n<link rel=\"icon\" href=\"data:,\">\n\
<style>\nbody {{ font-family: system-ui, -apple-system, \"Segoe UI\", sans-serif; margin: 1rem 2rem; color: #1f2328; }}\n\
h1 {{ font-size: 1.4rem; margin: 0 0 .3rem; }}\np.about {{ margin: 0 0 1rem; color: #555; }}\n</style>\n</head>\n<body>\n\
<h1>Animated day: {title}</h1>\n\
<p class=\"about\">Replication 0 of the scenario, every patient as a dot: the same patients as in <code>carepath run</code> with the same seed. \
Written by carepath {version}; it needs no network.</p>\n\
<div id=\"animation\"></div>\n\
<script type=\"application/json\" id=\"carepath-animation\">{data}</script>\n\
<script type=\"module\">\n{js}\n\
mountAnimation(document.getElementById('animation'), JSON.parse(document.getElementById('carepath-animation').textContent));\n\
</script>\n</body>\n</html>\n",
        version = env!("CARGO_PKG_VERSION"),
        title = esc(name),
        js = ANIMATE_JS,
    );
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_cannot_close_its_script_block() {
        let h = page("a <b> & c", r#"{"scenario":"</script><!--"}"#);
        assert!(h.contains("Animated day: a &lt;b&gt; &amp; c"));
        assert!(h.contains(r#"{"scenario":"\u003c/script>\u003c!--"}"#));
        assert_eq!(h.matches("</script>").count(), 2);
    }
}
