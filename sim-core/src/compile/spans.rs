//! Where in the scenario text a problem is: turns the dotted paths problems are reported at
//! (`stations.consult.service`, `pathways.main.steps.lab.branches`,
//! `workflow.online_registration.booked_rates[2]`) into a line, a column and a byte range,
//! from the spans the TOML parser records for every key and value.
//!
//! The checks work on the parsed file, which has no spans, so problems are made without a
//! place ([`Problem::new`]) and [`place`] fills them in afterwards, where the text is known.
//! The text is parsed again only then: a scenario that is fine pays nothing for this.
//!
//! A path is read segment by segment: a key of a table (`service`), an entry of a list of
//! tables named by its `id` (`consult` in `stations.consult`), or either followed by an index
//! (`servers[1]`). A path that leaves the text (a default the file does not write, such as
//! `stations.consult.patience`) is placed at the deepest part of it that is written, so a
//! problem is placed whenever its table exists.
//!
//! A variant's problems are reported at the paths of the merged scenario (see `variant`), so
//! a key that came from the variant's overlay is looked up in the variant's own table inside
//! `[[variants]]`; everything else (including every key the overlay does not give) is where
//! the base scenario writes it.

use crate::error::{Place, Problem};
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

/// The lists of tables a variant overlays item by item, merging by `id` (see `variant`).
const OVERLAID_LISTS: [&str; 4] = ["stations", "resources", "arrivals", "classes"];

/// Places every problem of `problems` that has no place yet in `source`, the text the
/// scenario was parsed from. `variant` is the variant the problems were found in (`None` for
/// the base scenario). Problems whose path is not written at all, and every problem when the
/// text does not parse, keep `place: None`.
pub fn place(source: &str, variant: Option<&str>, problems: &mut [Problem]) {
    if problems.iter().all(|p| p.place.is_some()) {
        return;
    }
    let Ok(doc) = DeTable::parse(source) else {
        return;
    };
    let root = doc.get_ref();
    // The first variant with this id, as `model::Scenario` uses the first of duplicates.
    let overlay = variant.and_then(|id| {
        let list = root.get("variants")?.get_ref().as_array()?;
        let (item, _, _) = by_id(list, id)?;
        item.get_ref().as_table()
    });
    for p in problems.iter_mut().filter(|p| p.place.is_none()) {
        let at: Vec<&str> = p.at.split('.').collect();
        let span = overlay
            .and_then(|o| in_overlay(o, &at))
            .or_else(|| resolve(root, &at));
        p.place = span.map(|s| Place::of(source, s));
    }
}

/// The bytes of `at` in the variant table `overlay`, when the key `at` ends in (or passes
/// through) is one the variant gives: `stations.ID.KEY…`, `arrivals.ID.KEY…`,
/// `classes.ID.KEY…` (the overlay of item ID has KEY) or `workflow.KEY…` (the variant's
/// `workflow` has KEY; it replaces the base's KEY whole).
fn in_overlay(overlay: &DeTable, at: &[&str]) -> Option<Range<usize>> {
    let (table, key) = match at {
        [list, id, key, ..] if OVERLAID_LISTS.contains(list) => {
            let (item, _, _) = by_id(overlay.get(*list)?.get_ref().as_array()?, id)?;
            (item.get_ref().as_table()?, *key)
        }
        ["workflow", key, ..] => (overlay.get("workflow")?.get_ref().as_table()?, *key),
        _ => return None,
    };
    if table.get(split_index(key).0).is_none() && table.get(key).is_none() {
        return None;
    }
    resolve(overlay, at)
}

/// The bytes of `at` under `table`, or of the deepest part of it that is written; `None`
/// when not even its first segment is.
fn resolve(table: &DeTable, at: &[&str]) -> Option<Range<usize>> {
    let mut node: Option<&DeValue> = None;
    let mut current_table = Some(table);
    let mut best = None;
    let mut i = 0;
    while i < at.len() {
        let segment = at[i];
        let next = if let Some(t) = current_table {
            key_of(t, segment)
        } else if let Some(DeValue::Array(list)) = node {
            id_in(list, &at[i..])
        } else {
            None
        };
        let Some((value, span, used)) = next else {
            break;
        };
        best = Some(span);
        node = Some(value.get_ref());
        current_table = value.get_ref().as_table();
        i += used;
    }
    best
}

/// The value under the key `segment` of `table` (`servers`, or `servers[1]` for an entry of
/// that list), the bytes to point at, and how many segments that used (one).
fn key_of<'a, 'i>(
    table: &'a DeTable<'i>,
    segment: &str,
) -> Option<(&'a Spanned<DeValue<'i>>, Range<usize>, usize)> {
    // A key written with brackets in it (quoted) is taken as it is before the index reading.
    if let Some((k, v)) = table.get_key_value(segment) {
        return Some((v, entry(k.span(), v.span()), 1));
    }
    let (name, index) = split_index(segment);
    let (k, v) = table.get_key_value(name)?;
    let Some(index) = index else {
        return Some((v, entry(k.span(), v.span()), 1));
    };
    // A list entry that is not written (an index past the end) falls back to the list.
    match v.get_ref().as_array().and_then(|a| a.get(index)) {
        Some(item) => Some((item, item_span(item), 1)),
        None => Some((v, entry(k.span(), v.span()), 1)),
    }
}

/// The entry of the list of tables `list` whose `id` is named by the first segments of `at`
/// (an id may itself contain dots, so the longest run of segments that names an entry wins).
fn id_in<'a, 'i>(
    list: &'a DeArray<'i>,
    at: &[&str],
) -> Option<(&'a Spanned<DeValue<'i>>, Range<usize>, usize)> {
    (1..=at.len()).rev().find_map(|n| {
        let (item, span, _) = by_id(list, &at[..n].join("."))?;
        Some((item, span, n))
    })
}

/// The entry of the list of tables `list` whose `id` is `id`, the bytes to point at, and the
/// id entry's bytes.
fn by_id<'a, 'i>(
    list: &'a DeArray<'i>,
    id: &str,
) -> Option<(&'a Spanned<DeValue<'i>>, Range<usize>, Range<usize>)> {
    list.iter().find_map(|item| {
        let (k, v) = item.get_ref().as_table()?.get_key_value("id")?;
        if v.get_ref().as_str() != Some(id) {
            return None;
        }
        let id_entry = entry(k.span(), v.span());
        Some((item, item_or_id(item.span(), &id_entry), id_entry))
    })
}

/// An entry of a list: an inline table or value is its own bytes; a `[[list]]` table, whose
/// span is only its header, is pointed at by its `id` line when it has one (the line that
/// says which entry it is) — see [`item_or_id`].
fn item_span(item: &Spanned<DeValue>) -> Range<usize> {
    let id = item
        .get_ref()
        .as_table()
        .and_then(|t| t.get_key_value("id"))
        .map(|(k, v)| entry(k.span(), v.span()));
    match id {
        Some(id) => item_or_id(item.span(), &id),
        None => item.span(),
    }
}

/// An inline table's span contains its `id` entry; a `[[list]]` table's span (the header)
/// does not, and then the `id` entry is the better place.
fn item_or_id(item: Range<usize>, id: &Range<usize>) -> Range<usize> {
    if item.contains(&id.start) {
        item
    } else {
        id.clone()
    }
}

/// The bytes of a `key = value` entry: from the key to the end of the value. For a table
/// written as a `[header]`, the value's span is the header and the key lies inside it.
fn entry(key: Range<usize>, value: Range<usize>) -> Range<usize> {
    key.start.min(value.start)..key.end.max(value.end)
}

/// `booked_rates[2]` → (`booked_rates`, Some(2)).
fn split_index(segment: &str) -> (&str, Option<usize>) {
    if let Some(open) = segment.find('[')
        && let Some(i) = segment[open + 1..]
            .strip_suffix(']')
            .and_then(|s| s.parse().ok())
    {
        return (&segment[..open], Some(i));
    }
    (segment, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"[run]
seed = 1

[[stations]]
id = "desk"
servers = 1

[[stations]]
id = "consult"
servers = [{ from = "08:00", to = "12:00", count = 2 }, { from = "12:00", to = "16:00", count = 1 }]
service = { dist = "exponential", mean = "5min" }

[[pathways]]
id = "main"
steps = [
  { id = "lab", station = "desk", branches = [{ to = "exit", p = 1.0 }] },
  { id = "ward.b", delay = { dist = "deterministic", value = "1min" }, next = "exit" },
]

[workflow.online_registration]
booked_rates = [
  { from = "08:00", to = "09:00", rate = "3/h" },
  { from = "09:00", to = "10:00", rate = "2/h" },
]

[[variants]]
id = "digital"
stations = [{ id = "consult", servers = 3 }]
workflow = { online_registration = { booked_rates = [{ from = "08:00", to = "10:00", rate = "1/h" }] } }

[[variants]]
id = "plain"
levers = []
"#;

    /// The (line, column) `at` is placed at, and the text the place covers.
    fn at(variant: Option<&str>, at: &str) -> Option<(usize, usize, &'static str)> {
        let mut p = [Problem::new(at.into(), "m".into())];
        place(TEXT, variant, &mut p);
        p[0].place
            .clone()
            .map(|pl| (pl.line, pl.column, &TEXT[pl.span]))
    }

    #[test]
    fn base_keys_are_placed_at_their_entry() {
        assert_eq!(at(None, "run.seed"), Some((2, 1, "seed = 1")));
        assert_eq!(at(None, "run"), Some((1, 1, "[run]")));
        let (line, column, text) = at(None, "stations.consult.service").unwrap();
        assert_eq!((line, column), (11, 1));
        assert!(
            text.starts_with("service = {") && text.ends_with('}'),
            "{text}"
        );
        let (line, column, text) = at(None, "workflow.online_registration").unwrap();
        assert_eq!(
            (line, column, text),
            (20, 1, "[workflow.online_registration]")
        );
    }

    #[test]
    fn lists_of_tables_are_entered_by_id() {
        // A `[[stations]]` entry is placed at its `id` line.
        assert_eq!(
            at(None, "stations.consult"),
            Some((9, 1, "id = \"consult\""))
        );
        // Inline tables in an inline list: the whole `{ … }`.
        let (line, column, text) = at(None, "pathways.main.steps.lab").unwrap();
        assert_eq!((line, column), (16, 3));
        assert!(
            text.starts_with("{ id = \"lab\"") && text.ends_with("}] }"),
            "{text}"
        );
        let (line, column, text) = at(None, "pathways.main.steps.lab.branches").unwrap();
        assert_eq!((line, column), (16, 35));
        assert!(text.starts_with("branches = ["), "{text}");
        // An id with a dot in it.
        assert_eq!(
            at(None, "pathways.main.steps.ward.b.delay").map(|p| (p.0, p.1)),
            Some((17, 20))
        );
    }

    #[test]
    fn indices_pick_list_entries() {
        let (line, column, text) = at(None, "stations.consult.servers[1]").unwrap();
        assert_eq!((line, column), (10, 57));
        assert_eq!(text, "{ from = \"12:00\", to = \"16:00\", count = 1 }");
        assert_eq!(
            at(None, "workflow.online_registration.booked_rates[1]").map(|p| (p.0, p.1)),
            Some((23, 3))
        );
        // Past the end: the list.
        assert_eq!(
            at(None, "stations.consult.servers[7]").map(|p| (p.0, p.1)),
            Some((10, 1))
        );
    }

    #[test]
    fn unwritten_parts_fall_back_to_the_nearest_written_table() {
        // `patience` is not written: the station is.
        assert_eq!(
            at(None, "stations.consult.patience"),
            at(None, "stations.consult")
        );
        assert_eq!(at(None, "run.max_arrivals"), Some((1, 1, "[run]")));
        assert_eq!(
            at(None, "pathways.main.steps.nowhere.next").map(|p| (p.0, p.1)),
            Some((15, 1))
        );
        // Nothing of it is written.
        assert_eq!(at(None, "classes.adult"), None);
        assert_eq!(at(None, "classes"), None);
        let mut p = [Problem::new("run".into(), "m".into())];
        place("not = [toml", None, &mut p);
        assert_eq!(p[0].place, None);
    }

    #[test]
    fn a_variants_overlay_keys_are_placed_in_the_variant() {
        // `servers` of consult comes from the digital variant's overlay.
        let (line, column, text) = at(Some("digital"), "stations.consult.servers").unwrap();
        assert_eq!((line, column, text), (28, 31, "servers = 3"));
        // `service` does not: it is the base's.
        assert_eq!(
            at(Some("digital"), "stations.consult.service"),
            at(None, "stations.consult.service")
        );
        // The variant replaces `online_registration` whole, so its parts are the variant's,
        // written or not.
        assert_eq!(
            at(
                Some("digital"),
                "workflow.online_registration.booked_rates[0]"
            )
            .map(|p| p.0),
            Some(29)
        );
        assert_eq!(
            at(Some("digital"), "workflow.online_registration.no_show").map(|p| p.0),
            Some(29)
        );
        // A variant without overlays: the base.
        assert_eq!(
            at(Some("plain"), "stations.consult.servers"),
            at(None, "stations.consult.servers")
        );
        // Paths into the variant list itself.
        assert_eq!(
            at(Some("plain"), "variants.plain.levers"),
            Some((33, 1, "levers = []"))
        );
        assert_eq!(at(Some("plain"), "variants.plain").map(|p| p.0), Some(32));
    }

    #[test]
    fn a_placed_problem_keeps_its_place() {
        let mut p = [Problem::new("run.seed".into(), "m".into())];
        p[0].place = Some(Place::of(TEXT, 0..5));
        place(TEXT, None, &mut p);
        assert_eq!(p[0].place.as_ref().map(|p| p.line), Some(1));
    }
}
