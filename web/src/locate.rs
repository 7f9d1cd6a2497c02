//! Where in the text a problem is: turns sim-core's dotted problem paths
//! (`stations.consult.service`, `variants.digital.stations.cashier`,
//! `workflow.online_registration.booked_rates[2]`) into a line and column, so the page can
//! mark the line in the editor. Lists of tables are entered by their items' `id`, as the paths
//! name them. A path that leaves the file (a default the file does not write) stops at the
//! deepest part that is there.

use toml_edit::{Array, Document, Item, Table, TableLike, Value};

/// A located problem position: 1-based line and column.
pub type Position = (usize, usize);

/// A place in the parsed document: a table (the root, or one `[[list]]` entry), an item under a
/// key, or a value inside an inline array.
#[derive(Clone, Copy)]
enum Node<'a> {
    Table(&'a Table),
    Item(&'a Item),
    Value(&'a Value),
}

/// A node and the byte offset where it is written, if known.
type Step<'a> = (Node<'a>, Option<usize>);

impl<'a> Node<'a> {
    fn table_like(self) -> Option<&'a dyn TableLike> {
        match self {
            Node::Table(t) => Some(t),
            Node::Item(i) => i.as_table_like(),
            Node::Value(v) => v.as_inline_table().map(|t| t as &dyn TableLike),
        }
    }

    fn array(self) -> Option<&'a Array> {
        match self {
            Node::Item(i) => i.as_array(),
            Node::Value(v) => v.as_array(),
            Node::Table(_) => None,
        }
    }

    /// The child under `key`, located at its key.
    fn child(self, key: &str) -> Option<Step<'a>> {
        let (k, item) = self.table_like()?.get_key_value(key)?;
        Some((Node::Item(item), k.span().map(|s| s.start)))
    }

    /// The list entry whose `id` is `id`, located at its `id` key.
    fn by_id(self, id: &str) -> Option<Step<'a>> {
        let id_at = |t: &dyn TableLike| -> Option<Option<usize>> {
            let (k, v) = t.get_key_value("id")?;
            (v.as_str() == Some(id)).then(|| k.span().map(|s| s.start))
        };
        if let Node::Item(Item::ArrayOfTables(a)) = self {
            return a
                .iter()
                .find_map(|t| id_at(t).map(|at| (Node::Table(t), at)));
        }
        self.array()?.iter().find_map(|v| {
            let at = id_at(v.as_inline_table()?)?;
            Some((Node::Value(v), at.or_else(|| v.span().map(|s| s.start))))
        })
    }

    /// The `index`-th entry of a list.
    fn index(self, index: usize) -> Option<Step<'a>> {
        if let Node::Item(Item::ArrayOfTables(a)) = self {
            let t = a.get(index)?;
            return Some((Node::Table(t), t.span().map(|s| s.start)));
        }
        let v = self.array()?.get(index)?;
        Some((Node::Value(v), v.span().map(|s| s.start)))
    }
}

/// Finds the line and column `at` refers to in `source`; `None` if nothing of it is written
/// (or the text does not parse).
pub fn locate(source: &str, at: &str) -> Option<Position> {
    let doc = Document::parse(source).ok()?;
    let mut node = Node::Table(doc.as_table());
    let mut best: Option<usize> = None;
    for segment in at.split('.') {
        let (name, index) = split_index(segment);
        let Some((next, start)) = node.child(name).or_else(|| node.by_id(name)) else {
            break;
        };
        best = start.or(best);
        node = next;
        if let Some(i) = index {
            let Some((next, start)) = node.index(i) else {
                break;
            };
            best = start.or(best);
            node = next;
        }
    }
    best.map(|offset| sim_core::error::line_column(source, offset))
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
servers = 2
service = { dist = "exponential", mean = "5min" }

[workflow.online_registration]
booked_rates = [
  { from = "08:00", to = "09:00", rate = "3/h" },
  { from = "09:00", to = "10:00", rate = "2/h" },
]

[[variants]]
id = "digital"
stations = [{ id = "consult", servers = 3 }]
"#;

    #[test]
    fn paths_name_lines() {
        assert_eq!(locate(TEXT, "run.seed"), Some((2, 1)));
        assert_eq!(locate(TEXT, "stations.consult"), Some((9, 1)));
        assert_eq!(locate(TEXT, "stations.consult.service"), Some((11, 1)));
        assert_eq!(
            locate(TEXT, "workflow.online_registration.booked_rates[1]"),
            Some((16, 3))
        );
        assert_eq!(
            locate(TEXT, "variants.digital.stations.consult"),
            Some((21, 15))
        );
    }

    #[test]
    fn missing_parts_stop_at_the_deepest_written_part() {
        // `patience` is not written: the station's line is the best answer.
        assert_eq!(locate(TEXT, "stations.consult.patience"), Some((9, 1)));
        assert_eq!(locate(TEXT, "classes.adult"), None);
        assert_eq!(locate("not = [toml", "run"), None);
    }
}
