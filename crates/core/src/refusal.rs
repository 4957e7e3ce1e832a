//! A decision of the core that says no, with the article of the measures it rests on.

use crate::citation::chinese_numeral;
use std::fmt;
use std::sync::Arc;

/// The name of the measures a refusal rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Its Chinese title, e.g. 清远市政府质量奖管理办法.
    pub name: String,
    /// Its English title.
    pub name_en: String,
}

/// "No", with the reason in both languages and the article it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// A stable machine code, e.g. `rules_not_in_force`.
    pub code: &'static str,
    /// The article (第N条) of the measures the refusal rests on, if a rule decided it.
    pub article: Option<u32>,
    /// The measures it rests on (shared: every refusal under one rule set names the same).
    pub document: Arc<Document>,
    /// The reason in Chinese.
    pub zh: String,
    /// The reason in English.
    pub en: String,
    /// The clause (第（N）项) of the article, where the article has clauses.
    pub clause: Option<u32>,
    /// The form field the refusal is about, where it is about one: the page shows the
    /// message beside it.
    pub field: Option<String>,
}

impl Refusal {
    /// A refusal resting on `article` of `document`.
    pub fn new(
        code: &'static str,
        article: Option<u32>,
        (document, document_en): (&str, &str),
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            code,
            article,
            document: Arc::new(Document {
                name: document.to_owned(),
                name_en: document_en.to_owned(),
            }),
            zh: zh.into(),
            en: en.into(),
            clause: None,
            field: None,
        }
    }

    /// The same refusal, about form field `field`.
    pub fn at(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The same refusal, resting on clause `clause` (第（N）项) of its article.
    pub fn clause(mut self, clause: Option<u32>) -> Self {
        self.clause = clause;
        self
    }

    /// "依据《清远市政府质量奖管理办法》第三十五条" (with "第（一）项" when a clause decided
    /// it), or nothing when no article decided it.
    pub fn citation_zh(&self) -> Option<String> {
        self.article.map(|a| {
            let clause = self
                .clause
                .map(|c| format!("第（{}）项", chinese_numeral(c)))
                .unwrap_or_default();
            format!(
                "依据《{}》第{}条{clause}",
                self.document.name,
                chinese_numeral(a)
            )
        })
    }

    /// "Article 35 of the …" (with "(1)" for a clause), or nothing.
    pub fn citation_en(&self) -> Option<String> {
        self.article.map(|a| {
            let clause = self.clause.map(|c| format!("({c})")).unwrap_or_default();
            format!("Article {a}{clause} of the {}", self.document.name_en)
        })
    }

    /// The whole message as shown to a Chinese reader: citation first, then the reason.
    pub fn message_zh(&self) -> String {
        match self.citation_zh() {
            Some(c) => format!("{c}，{}", self.zh),
            None => self.zh.clone(),
        }
    }

    /// The whole message in English.
    pub fn message_en(&self) -> String {
        match self.citation_en() {
            Some(c) => format!("{} ({c}).", self.en.trim_end_matches('.')),
            None => self.en.clone(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message_zh())
    }
}

impl std::error::Error for Refusal {}

/// Input that does not parse: the form field at fault and what is wrong, in both languages.
/// It is said beside the field, and nothing already saved is touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The form field.
    pub field: String,
    /// Message in Chinese, naming the field.
    pub zh: String,
    /// Message in English.
    pub en: String,
}

impl Invalid {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Invalid {
            field: field.into(),
            zh: zh.into(),
            en: en.into(),
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.zh)
    }
}

impl std::error::Error for Invalid {}
