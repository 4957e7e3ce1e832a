//! Rendering the application form from its data description (`qaward_core::application`):
//! every section becomes blocks of inputs that one template draws, editable or read-only.

use crate::i18n::Lang;
use qaward_core::application::{Context, FieldError, Kind, Layout, Section, Values};

/// An option of a select.
#[derive(Debug, Clone)]
pub struct Opt {
    /// Value.
    pub value: String,
    /// Label.
    pub label: String,
    /// Chosen.
    pub selected: bool,
}

/// One input.
#[derive(Debug, Clone)]
pub struct InputView {
    /// Form name and element id.
    pub key: String,
    /// Label.
    pub label: String,
    /// text, date, number, textarea, select, checkbox, email, tel.
    pub html: &'static str,
    /// Value as typed.
    pub value: String,
    /// Options of a select.
    pub options: Vec<Opt>,
    /// Error beside the field.
    pub error: String,
    /// Required for completeness.
    pub required: bool,
    /// Length limit (0: none).
    pub maxlength: usize,
    /// Number step.
    pub step: &'static str,
    /// Ticked (checkbox).
    pub checked: bool,
}

/// A row of a table block.
#[derive(Debug, Clone)]
pub struct RowView {
    /// Row label.
    pub label: String,
    /// Cells.
    pub cells: Vec<InputView>,
}

/// A criteria item of the self-evaluation.
#[derive(Debug, Clone)]
pub struct SelfItemView {
    /// Item id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Points.
    pub points: u32,
    /// The report, then the percentage.
    pub inputs: Vec<InputView>,
    /// Score shown.
    pub score: String,
}

/// A block of a section.
#[derive(Debug, Clone, Default)]
pub struct Block {
    /// fields, table, self.
    pub kind: &'static str,
    /// Inputs (fields).
    pub inputs: Vec<InputView>,
    /// Column headers (table).
    pub headers: Vec<String>,
    /// Rows (table).
    pub rows: Vec<RowView>,
    /// Items (self).
    pub items: Vec<SelfItemView>,
}

/// What every input of a section draws on.
struct Src<'a> {
    v: &'a Values,
    errs: &'a [FieldError],
    lang: Lang,
    cx: &'a Context,
}

fn input(key: &str, label: &str, kind: Kind, required: bool, src: &Src<'_>) -> InputView {
    let (v, errs, lang, cx) = (src.v, src.errs, src.lang, src.cx);
    let value = v.get(key).cloned().unwrap_or_default();
    let error = errs
        .iter()
        .find(|e| e.key == key)
        .map(|e| {
            if lang == Lang::Zh {
                e.zh.clone()
            } else {
                e.en.clone()
            }
        })
        .unwrap_or_default();
    let (html, step, maxlength) = match kind {
        Kind::Text(m) => ("text", "", m),
        Kind::Long(m) => (
            "textarea",
            "",
            if m == 0 && key.starts_with("overview") {
                cx.overview_max
            } else {
                m
            },
        ),
        Kind::Date => ("date", "", 0),
        Kind::Count | Kind::Year => ("number", "1", 0),
        Kind::Wan => ("number", "0.01", 0),
        Kind::Percent => (
            "number",
            if key.starts_with("self.") { "5" } else { "0.1" },
            0,
        ),
        Kind::Choice(_) => ("select", "", 0),
        Kind::Tick => ("checkbox", "", 0),
        Kind::Phone => ("tel", "", 20),
        Kind::Email => ("email", "", 100),
    };
    let options = match kind {
        Kind::Choice(opts) => opts
            .iter()
            .map(|(c, zh, en)| Opt {
                value: (*c).into(),
                label: (if lang == Lang::Zh { *zh } else { *en }).into(),
                selected: value == *c,
            })
            .collect(),
        _ => Vec::new(),
    };
    InputView {
        key: key.to_owned(),
        label: label.to_owned(),
        html,
        checked: value == "1",
        value,
        options,
        error,
        required,
        maxlength,
        step,
    }
}

/// The blocks of section `s`.
pub fn blocks(
    s: &Section,
    v: &Values,
    errs: &[FieldError],
    cx: &Context,
    lang: Lang,
    declarations: &[(&'static str, String, String)],
) -> Vec<Block> {
    let zh = lang == Lang::Zh;
    let src = Src { v, errs, lang, cx };
    let l = |f: &qaward_core::application::Field| if zh { f.zh } else { f.en };
    let mut out = Vec::new();
    let fields_block = |fs: &[qaward_core::application::Field]| Block {
        kind: "fields",
        inputs: fs
            .iter()
            .map(|f| {
                input(
                    &format!("{}.{}", s.key, f.key),
                    l(f),
                    f.kind,
                    f.required,
                    &src,
                )
            })
            .collect(),
        ..Block::default()
    };
    match s.layout {
        Layout::Fields(fs) => out.push(fields_block(fs)),
        Layout::Years(per, after) => {
            let mut headers = vec![String::new()];
            headers.extend(
                cx.years
                    .iter()
                    .map(|y| if zh { format!("{y}年") } else { y.to_string() }),
            );
            let rows = per
                .iter()
                .map(|f| RowView {
                    label: l(f).to_owned(),
                    cells: cx
                        .years
                        .iter()
                        .map(|y| {
                            input(
                                &format!("{}.{y}.{}", s.key, f.key),
                                &format!("{y} {}", l(f)),
                                f.kind,
                                f.required,
                                &src,
                            )
                        })
                        .collect(),
                })
                .collect();
            out.push(Block {
                kind: "table",
                headers,
                rows,
                ..Block::default()
            });
            if !after.is_empty() {
                out.push(fields_block(after));
            }
        }
        Layout::Rows {
            max, cols, after, ..
        } => {
            let mut headers = vec!["#".to_owned()];
            headers.extend(cols.iter().map(|c| l(c).to_owned()));
            let rows = (1..=max)
                .map(|r| RowView {
                    label: r.to_string(),
                    cells: cols
                        .iter()
                        .map(|c| {
                            input(
                                &format!("{}.{r}.{}", s.key, c.key),
                                &format!("{} {r}", l(c)),
                                c.kind,
                                false,
                                &src,
                            )
                        })
                        .collect(),
                })
                .collect();
            out.push(Block {
                kind: "table",
                headers,
                rows,
                ..Block::default()
            });
            if !after.is_empty() {
                out.push(fields_block(after));
            }
        }
        Layout::SelfEvaluation => {
            let (_, per) = qaward_core::application::self_score(v, cx);
            let items = cx
                .items
                .iter()
                .zip(per)
                .map(|((id, name, points), (_, tenths))| {
                    let mut percent = input(
                        &format!("self.{id}.percent"),
                        if zh {
                            "自评得分百分比"
                        } else {
                            "Self-assessed %"
                        },
                        Kind::Percent,
                        true,
                        &src,
                    );
                    percent.html = "select";
                    percent.options = (0..=100)
                        .step_by(usize::try_from(cx.step.max(1)).unwrap_or(5))
                        .map(|p| Opt {
                            value: p.to_string(),
                            label: format!("{p}%"),
                            selected: percent.value == p.to_string(),
                        })
                        .collect();
                    SelfItemView {
                        id: id.clone(),
                        name: name.clone(),
                        points: *points,
                        inputs: vec![
                            input(
                                &format!("self.{id}.text"),
                                if zh { "自评报告" } else { "Report" },
                                Kind::Long(0),
                                true,
                                &src,
                            ),
                            percent,
                        ],
                        score: tenths
                            .map(|t| format!("{}.{}", t / 10, t % 10))
                            .unwrap_or_else(|| "—".into()),
                    }
                })
                .collect();
            out.push(Block {
                kind: "self",
                items,
                ..Block::default()
            });
        }
        Layout::Declarations => {
            let inputs = declarations
                .iter()
                .map(|(code, dzh, den)| {
                    input(
                        &format!("declare.{code}"),
                        if zh { dzh } else { den },
                        Kind::Tick,
                        true,
                        &src,
                    )
                })
                .collect();
            out.push(Block {
                kind: "fields",
                inputs,
                ..Block::default()
            });
        }
    }
    out
}
