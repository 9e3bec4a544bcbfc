//! The API page's own tables, read from its text (as kept in `openapi/page/`), and their
//! comparison with the reference rendered from the spec: [`Row`] and [`Table`], what both
//! sides are made of; [`tables`] reads the page's; [`verdict`] compares (with [`compare`]) and
//! judges the differences against the deviations the spec lists (with [`judge`]).
//!
//! On the page every cell is a paragraph of its own: a table is its title (`Table 4 Response
//! body parameters`), the column names, then the cells row by row, a description running on
//! for as many paragraphs as it has. A row starts with a parameter name followed by `Yes`/`No`
//! (tables with a Mandatory column) or by a type (tables without).

use std::collections::BTreeSet;

use serde_json::Value;

/// One row of a parameter table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub parameter: String,
    /// `Yes`/`No`; `None` in response tables, which have no Mandatory column.
    pub mandatory: Option<String>,
    pub ty: String,
    /// The description's paragraphs; bullet items start with `• `.
    pub description: Vec<String>,
}

/// A numbered table, as the page numbers them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub number: usize,
    pub title: String,
    /// The status code a response body table belongs to.
    pub status: Option<String>,
    pub rows: Vec<Row>,
    /// Notes from the spec (`x-discrepancies`, `x-aliases`) shown under the table.
    pub notes: Vec<String>,
}

/// Where the page's text for an operation is kept, relative to the workspace root.
pub fn page_file(operation_id: &str) -> String {
    format!("openapi/page/{operation_id}.txt")
}

const COLUMNS: [&str; 4] = ["Parameter", "Mandatory", "Type", "Description"];

fn ends_table(p: &str) -> bool {
    table_title(p).is_some()
        || p.starts_with("Status code: ")
        || matches!(
            p,
            "Request Parameters"
                | "Response Parameters"
                | "Example Request"
                | "Example Response"
                | "Status Code"
                | "Error Code"
        )
}

fn is_name(p: &str) -> bool {
    !p.is_empty()
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn is_type(p: &str) -> bool {
    matches!(
        p,
        "String"
            | "Boolean"
            | "Integer"
            | "Long"
            | "Number"
            | "Float"
            | "Double"
            | "Object"
            | "Any"
    ) || p.starts_with("Array of ")
        || (p.ends_with(" object") && p.split(' ').count() == 2)
}

/// Reads every numbered table of the page's text.
pub fn tables(text: &str) -> Vec<Table> {
    let paragraphs: Vec<String> = text
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < paragraphs.len() {
        let Some((number, title)) = table_title(&paragraphs[i]) else {
            i += 1;
            continue;
        };
        i += 1;
        let mut columns = Vec::new();
        while i < paragraphs.len()
            && COLUMNS.contains(&paragraphs[i].as_str())
            && !columns.contains(&paragraphs[i])
        {
            columns.push(paragraphs[i].clone());
            i += 1;
        }
        let mandatory = columns.iter().any(|c| c == "Mandatory");
        let start = i;
        while i < paragraphs.len() && !ends_table(&paragraphs[i]) {
            i += 1;
        }
        let cells = &paragraphs[start..i];
        let starts_row = |k: usize| {
            is_name(&cells[k])
                && cells.get(k + 1).is_some_and(|next| {
                    if mandatory {
                        next == "Yes" || next == "No"
                    } else {
                        is_type(next)
                    }
                })
        };
        let mut rows = Vec::new();
        let mut k = 0;
        while k < cells.len() {
            if !starts_row(k) {
                k += 1;
                continue;
            }
            let parameter = cells[k].clone();
            let (mandatory_cell, ty, mut d) = if mandatory {
                (
                    Some(cells[k + 1].clone()),
                    cells.get(k + 2).cloned().unwrap_or_default(),
                    k + 3,
                )
            } else {
                (None, cells[k + 1].clone(), k + 2)
            };
            let mut description = Vec::new();
            while d < cells.len() && !starts_row(d) {
                description.push(cells[d].clone());
                d += 1;
            }
            rows.push(Row {
                parameter,
                mandatory: mandatory_cell,
                ty,
                description,
            });
            k = d;
        }
        out.push(Table {
            number,
            title,
            status: None,
            rows,
            notes: Vec::new(),
        });
    }
    out
}

fn table_title(p: &str) -> Option<(usize, String)> {
    let rest = p.strip_prefix("Table ")?;
    let (n, title) = rest.split_once(' ')?;
    Some((n.parse().ok()?, title.trim().to_string()))
}

/// One way in which the rendered reference differs from the page.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    pub table: usize,
    pub parameter: String,
    /// `row` (a row only one side has), `Mandatory`, `Type` or `Description`.
    pub column: String,
    pub page: String,
    pub spec: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Table {} `{}` {}: page has {:?}, spec renders {:?}",
            self.table, self.parameter, self.column, self.page, self.spec
        )
    }
}

/// A description as compared: paragraphs joined, bullets dropped, whitespace collapsed.
pub fn normalize(paragraphs: &[String]) -> String {
    paragraphs
        .iter()
        .map(|p| p.trim_start_matches('•').trim())
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Compares tables by number and title, and rows by parameter name.
pub fn compare(page: &[Table], spec: &[Table]) -> Vec<Difference> {
    let mut out = Vec::new();
    let numbers: BTreeSet<usize> = page.iter().chain(spec).map(|t| t.number).collect();
    for n in numbers {
        let p = page.iter().find(|t| t.number == n);
        let s = spec.iter().find(|t| t.number == n);
        let diff = |column: &str, parameter: &str, page: String, spec: String| Difference {
            table: n,
            parameter: parameter.to_string(),
            column: column.to_string(),
            page,
            spec,
        };
        let (p, s) = match (p, s) {
            (Some(p), Some(s)) => (p, s),
            (p, s) => {
                let title = |t: Option<&Table>| {
                    t.map(|t| t.title.clone())
                        .unwrap_or_else(|| "(none)".into())
                };
                out.push(diff("table", "", title(p), title(s)));
                continue;
            }
        };
        if p.title != s.title {
            out.push(diff("title", "", p.title.clone(), s.title.clone()));
        }
        let names: Vec<&String> = {
            let mut v: Vec<&String> = p.rows.iter().map(|r| &r.parameter).collect();
            v.extend(
                s.rows
                    .iter()
                    .map(|r| &r.parameter)
                    .filter(|n| !p.rows.iter().any(|r| &r.parameter == *n)),
            );
            v
        };
        for name in names {
            let pr = p.rows.iter().find(|r| &r.parameter == name);
            let sr = s.rows.iter().find(|r| &r.parameter == name);
            match (pr, sr) {
                (Some(pr), Some(sr)) => {
                    if pr.mandatory != sr.mandatory {
                        out.push(diff(
                            "Mandatory",
                            name,
                            pr.mandatory.clone().unwrap_or_default(),
                            sr.mandatory.clone().unwrap_or_default(),
                        ));
                    }
                    if pr.ty != sr.ty {
                        out.push(diff("Type", name, pr.ty.clone(), sr.ty.clone()));
                    }
                    let (pd, sd) = (normalize(&pr.description), normalize(&sr.description));
                    if pd != sd {
                        out.push(diff("Description", name, pd, sd));
                    }
                }
                (Some(_), None) => out.push(diff("row", name, "present".into(), "absent".into())),
                (None, Some(_)) => out.push(diff("row", name, "absent".into(), "present".into())),
                (None, None) => {}
            }
        }
    }
    out
}

/// A deviation from the page that the spec lists (`x-page-deviations`), with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deviation {
    pub operation: String,
    pub table: usize,
    pub parameter: String,
    pub column: String,
    pub reason: String,
}

/// The spec's `x-page-deviations` of `operation`.
pub fn deviations(op: &Value) -> Vec<Deviation> {
    let operation = op
        .get("operationId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    op.get("x-page-deviations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|d| Deviation {
            operation: operation.clone(),
            table: d.get("table").and_then(Value::as_u64).unwrap_or_default() as usize,
            parameter: d
                .get("parameter")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            column: d
                .get("column")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            reason: d
                .get("reason")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .trim()
                .to_string(),
        })
        .collect()
}

/// What a comparison leaves unexplained: differences the spec does not list, and listed
/// deviations that no longer occur (or have no reason).
#[derive(Debug, Default)]
pub struct Verdict {
    /// Every difference, listed or not.
    pub differences: Vec<Difference>,
    pub unlisted: Vec<Difference>,
    pub stale: Vec<Deviation>,
}

impl Verdict {
    pub fn is_clean(&self) -> bool {
        self.unlisted.is_empty() && self.stale.is_empty()
    }
}

/// The page check, start to end: the page's tables read from `page_text`, compared with the
/// `rendered` ones, and the differences judged against the `listed` deviations. `cargo xtask
/// docs` and the tests both ask this.
pub fn verdict(page_text: &str, rendered: &[Table], listed: &[Deviation]) -> Verdict {
    judge(&compare(&tables(page_text), rendered), listed)
}

/// Checks the differences against the listed deviations.
pub fn judge(differences: &[Difference], listed: &[Deviation]) -> Verdict {
    let matches = |d: &Difference, l: &Deviation| {
        d.table == l.table && d.parameter == l.parameter && d.column == l.column
    };
    Verdict {
        differences: differences.to_vec(),
        unlisted: differences
            .iter()
            .filter(|d| !listed.iter().any(|l| matches(d, l)))
            .cloned()
            .collect(),
        stale: listed
            .iter()
            .filter(|l| l.reason.is_empty() || !differences.iter().any(|d| matches(d, l)))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "Table 1 URI parameters\n\nParameter\n\nMandatory\n\nType\n\nDescription\n\nproject_id\n\nYes\n\nString\n\nProject ID.\n\nSee Obtaining it.\n\ninstance_id\n\nYes\n\nString\n\nInstance ID.\n\nResponse Parameters\n\nTable 2 Thing\n\nParameter\n\nType\n\nDescription\n\nname\n\nString\n\nName.\n\n  • Minimum length: 2 characters\n\nparts\n\nArray of Part objects\n\nParts.\n\nExample Request\n";

    #[test]
    fn tables_are_read_cell_by_cell() {
        let t = tables(PAGE);
        assert_eq!(t.len(), 2);
        assert_eq!((t[0].number, t[0].title.as_str()), (1, "URI parameters"));
        assert_eq!(
            t[0].rows[0].description,
            ["Project ID.", "See Obtaining it."]
        );
        assert_eq!(t[0].rows[1].mandatory.as_deref(), Some("Yes"));
        assert_eq!(t[1].rows.len(), 2);
        assert_eq!(
            t[1].rows[0].description,
            ["Name.", "• Minimum length: 2 characters"]
        );
        assert_eq!(t[1].rows[1].ty, "Array of Part objects");
    }

    #[test]
    fn differences_and_deviations() {
        let page = tables(PAGE);
        let mut spec = page.clone();
        spec[0].rows[1].mandatory = Some("No".into());
        spec[1].rows[0]
            .description
            .push("• Maximum length: 9 characters".into());
        spec[1].rows.push(Row {
            parameter: "extra".into(),
            mandatory: None,
            ty: "Any".into(),
            description: vec![],
        });
        let d = compare(&page, &spec);
        let keys: Vec<(usize, &str, &str)> = d
            .iter()
            .map(|d| (d.table, d.parameter.as_str(), d.column.as_str()))
            .collect();
        assert_eq!(
            keys,
            [
                (1, "instance_id", "Mandatory"),
                (2, "name", "Description"),
                (2, "extra", "row")
            ]
        );
        let listed = vec![
            Deviation {
                operation: "op".into(),
                table: 1,
                parameter: "instance_id".into(),
                column: "Mandatory".into(),
                reason: "why".into(),
            },
            Deviation {
                operation: "op".into(),
                table: 9,
                parameter: "gone".into(),
                column: "row".into(),
                reason: "old".into(),
            },
        ];
        let v = judge(&d, &listed);
        assert_eq!(v.unlisted.len(), 2);
        assert_eq!(v.stale.len(), 1);
        assert_eq!(v.stale[0].parameter, "gone");
    }
}
