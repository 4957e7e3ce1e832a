//! Loading and checking policy files: the shared error type, positions in the
//! source text, and the single entry point behind `qaward rules check`.
//!
//! A policy file is either a rule set (see [`crate::rules`]) or a criteria
//! framework (see [`crate::criteria`]). Both are TOML; every problem found in
//! them is reported as `file:line:column: message`.

use std::fmt;
use std::ops::Range;
use std::path::Path;

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::criteria::Criteria;
use crate::rules::RuleSet;

/// One problem found in a policy file, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file name as given by the caller (for example `rules/qingyuan-2020.toml`).
    pub file: String,
    /// 1-based line number; 0 when the problem concerns the whole file (for example it cannot be read).
    pub line: usize,
    /// 1-based column, counted in characters; 0 when `line` is 0.
    pub col: usize,
    /// What is wrong, naming the key concerned.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.col, self.message
            )
        }
    }
}

/// A policy file that does not load. Holds one or more [`Problem`]s; its
/// `Display` prints one line per problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RulesError {
    /// The problems, in the order they were found (never empty).
    pub problems: Vec<Problem>,
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl RulesError {
    /// An error about the whole file (no position).
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        RulesError {
            problems: vec![Problem {
                file: file.to_string(),
                line: 0,
                col: 0,
                message: message.into(),
            }],
        }
    }
}

/// A successfully checked policy file.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum RuleFile {
    /// A rule set: the numbers and conditions of one version of the measures.
    RuleSet(RuleSet),
    /// A criteria framework: categories, items, points and scoring bands.
    Criteria(Criteria),
}

impl RuleFile {
    /// The `meta.id` of the file.
    pub fn id(&self) -> &str {
        match self {
            RuleFile::RuleSet(r) => &r.meta.id,
            RuleFile::Criteria(c) => &c.meta.id,
        }
    }

    /// The file as JSON (see [`RuleSet::to_json`] and [`Criteria::to_json`]).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            RuleFile::RuleSet(r) => r.to_json(),
            RuleFile::Criteria(c) => c.to_json(),
        }
    }
}

/// Reads a policy file and checks it completely.
///
/// The kind is decided by content: a file with a top-level `categories` array
/// is a criteria framework, anything else is checked as a rule set.
pub fn check_file(path: &Path) -> Result<RuleFile, RulesError> {
    let name = path.display().to_string();
    let text = read(path)?;
    check_text(&text, &name)
}

/// Checks the text of a policy file; `file_name` is used in messages.
/// See [`check_file`].
pub fn check_text(text: &str, file_name: &str) -> Result<RuleFile, RulesError> {
    let source = Source::parse(text, file_name)?;
    if source.root.get_ref().contains_key("categories") {
        Criteria::from_source(&source).map(RuleFile::Criteria)
    } else {
        RuleSet::from_source(&source).map(RuleFile::RuleSet)
    }
}

/// Reads a file as UTF-8 text, reporting failures as a [`RulesError`].
pub(crate) fn read(path: &Path) -> Result<String, RulesError> {
    let name = path.display().to_string();
    std::fs::read_to_string(path)
        .map_err(|e| RulesError::file(&name, format!("cannot read file: {e}")))
}

/// One step of a key path: a table key or an array index.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// A parsed TOML document with the positions of every key and value.
pub(crate) struct Source<'a> {
    file: &'a str,
    text: &'a str,
    root: Spanned<DeTable<'a>>,
}

impl<'a> Source<'a> {
    /// Parses the TOML syntax; fails on the first syntax error.
    pub(crate) fn parse(text: &'a str, file: &'a str) -> Result<Self, RulesError> {
        match DeTable::parse(text) {
            Ok(root) => Ok(Source { file, text, root }),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let message = format!("TOML syntax error: {}", one_line(e.message()));
                Err(RulesError {
                    problems: vec![problem_at(file, text, span.start, message)],
                })
            }
        }
    }

    /// Deserializes the whole document into `T`, turning the first error into
    /// a positioned problem that names the key concerned.
    pub(crate) fn deserialize<T: DeserializeOwned>(&self) -> Result<T, RulesError> {
        let de = toml::de::Deserializer::from(self.root.clone());
        T::deserialize(de).map_err(|e| {
            let span = e.span();
            let start = span.as_ref().map_or(0, |s| s.start);
            let message = self.explain(e.message(), span);
            RulesError {
                problems: vec![problem_at(self.file, self.text, start, message)],
            }
        })
    }

    /// A problem positioned at the key (or array element) named by `path`;
    /// falls back to the nearest existing parent, then to the start of the file.
    pub(crate) fn problem(&self, path: &[Seg<'_>], message: impl Into<String>) -> Problem {
        let offset = (0..=path.len())
            .rev()
            .find_map(|n| self.span_of(&path[..n]))
            .map_or(0, |s| s.start);
        problem_at(self.file, self.text, offset, message.into())
    }

    /// The span of the key (for a table entry) or element (for an array index)
    /// named by `path`. The empty path is the start of the file.
    fn span_of(&self, path: &[Seg<'_>]) -> Option<Range<usize>> {
        let Some((last, parents)) = path.split_last() else {
            return Some(0..0);
        };
        let mut table: &DeTable<'a> = self.root.get_ref();
        let mut value: Option<&Spanned<DeValue<'a>>> = None;
        for seg in parents {
            let next = match (seg, value) {
                (Seg::Key(k), None) => table.get(*k),
                (Seg::Key(k), Some(v)) => v.get_ref().as_table().and_then(|t| t.get(*k)),
                (Seg::Index(i), Some(v)) => v.get_ref().as_array().and_then(|a| a.get(*i)),
                (Seg::Index(_), None) => None,
            }?;
            value = Some(next);
            if let Some(t) = next.get_ref().as_table() {
                table = t;
            }
        }
        match last {
            Seg::Key(k) => {
                let t = match value {
                    None => table,
                    Some(v) => v.get_ref().as_table()?,
                };
                t.get_key_value(*k).map(|(key, _)| key.span())
            }
            Seg::Index(i) => value?.get_ref().as_array()?.get(*i).map(|v| v.span()),
        }
    }

    /// The dotted path of the innermost key or array element whose key or
    /// value contains `offset`, and whether its value is a table.
    fn path_at(&self, offset: usize) -> (String, bool) {
        let mut steps = Vec::new();
        let is_table = find_in_table(self.root.get_ref(), offset, &mut steps).unwrap_or(true);
        steps.reverse();
        let mut path = String::new();
        for step in steps {
            if !path.is_empty() && !step.starts_with('[') {
                path.push('.');
            }
            path.push_str(&step);
        }
        (path, is_table)
    }

    /// Rewrites a serde message into the vocabulary of the file (keys, tables)
    /// and names where it applies.
    fn explain(&self, message: &str, span: Option<Range<usize>>) -> String {
        let message = one_line(message);
        let (path, is_table) = match span {
            Some(s) => self.path_at(s.start),
            None => (String::new(), true),
        };
        let table_of = |p: &str| -> String {
            if p.is_empty() {
                "at the top level".to_string()
            } else {
                format!("in [{p}]")
            }
        };
        if let Some(rest) = message.strip_prefix("unknown field ") {
            let (name, expected) = split_expected(rest);
            let parent = parent_path(&path, name.trim_matches('`'));
            return match expected {
                Some(exp) => format!("unknown key {name} {}; expected {exp}", table_of(&parent)),
                None => format!("unknown key {name} {}", table_of(&parent)),
            };
        }
        if let Some(rest) = message.strip_prefix("missing field ") {
            let table = if is_table {
                path.clone()
            } else {
                parent_of(&path)
            };
            return format!("missing key {rest} {}", table_of(&table));
        }
        if path.is_empty() {
            message
        } else {
            format!("`{path}`: {message}")
        }
    }
}

/// Searches `table` for the node at `offset`, pushing the path steps innermost
/// first; returns whether the node found is a table.
fn find_in_table(table: &DeTable<'_>, offset: usize, steps: &mut Vec<String>) -> Option<bool> {
    for (key, value) in table.iter() {
        if let Some(found) = find_in_value(value, offset, steps, contains(&key.span(), offset)) {
            steps.push(key.get_ref().to_string());
            return Some(found);
        }
    }
    None
}

fn find_in_value(
    value: &Spanned<DeValue<'_>>,
    offset: usize,
    steps: &mut Vec<String>,
    key_hit: bool,
) -> Option<bool> {
    let inner = match value.get_ref() {
        DeValue::Table(t) => find_in_table(t, offset, steps),
        DeValue::Array(a) => a.iter().enumerate().find_map(|(i, v)| {
            let found = find_in_value(v, offset, steps, false)?;
            steps.push(format!("[{i}]"));
            Some(found)
        }),
        _ => None,
    };
    if inner.is_some() {
        return inner;
    }
    (key_hit || contains(&value.span(), offset)).then(|| value.get_ref().is_table())
}

fn contains(span: &Range<usize>, offset: usize) -> bool {
    span.start <= offset && (offset < span.end || span.is_empty() && offset == span.start)
}

/// The path without its last segment.
fn parent_of(path: &str) -> String {
    match path.rfind(['.', '[']) {
        Some(i) => path[..i].to_string(),
        None => String::new(),
    }
}

/// The table holding the key `name`: `path` itself unless `path` already ends with that key.
fn parent_path(path: &str, name: &str) -> String {
    if path == name || path.ends_with(&format!(".{name}")) {
        parent_of(path)
    } else {
        path.to_string()
    }
}

/// Splits "`foo`, expected one of `a`, `b`" into ("`foo`", Some("one of `a`, `b`")).
fn split_expected(rest: &str) -> (&str, Option<&str>) {
    match rest.split_once(", expected ") {
        Some((name, exp)) => (name, Some(exp)),
        None => match rest.split_once(", there are no fields") {
            Some((name, _)) => (name, Some("no keys here")),
            None => (rest, None),
        },
    }
}

fn one_line(message: &str) -> String {
    message
        .trim()
        .split('\n')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A problem at a byte offset of `text`, converted to a 1-based line and
/// character column.
fn problem_at(file: &str, text: &str, offset: usize, message: String) -> Problem {
    let (line, col) = line_col(text, offset);
    Problem {
        file: file.to_string(),
        line,
        col,
        message,
    }
}

/// The 1-based line and character column of byte `offset` in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let text = "a = 1\n名称 = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        let b = text.find('=').unwrap();
        assert_eq!(line_col(text, b), (1, 3));
        let second = text.rfind('=').unwrap();
        assert_eq!(line_col(text, second), (2, 4));
        assert_eq!(line_col(text, 10_000).0, 3);
    }

    #[test]
    fn syntax_error_has_position() {
        let err = check_text("[meta]\nid = \n", "x.toml").unwrap_err();
        assert_eq!(err.problems.len(), 1);
        assert_eq!(err.problems[0].line, 2);
        assert!(err.to_string().starts_with("x.toml:2:"), "{err}");
    }

    #[test]
    fn display_one_line_per_problem() {
        let err = RulesError {
            problems: vec![
                Problem {
                    file: "a.toml".into(),
                    line: 3,
                    col: 1,
                    message: "one".into(),
                },
                Problem {
                    file: "a.toml".into(),
                    line: 0,
                    col: 0,
                    message: "two".into(),
                },
            ],
        };
        assert_eq!(err.to_string(), "a.toml:3:1: one\na.toml: two");
    }
}
