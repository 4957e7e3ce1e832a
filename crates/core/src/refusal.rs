//! A decision of the core that says no, with the article of the measures it rests on.

use crate::citation::chinese_numeral;
use std::fmt;

/// "No", with the reason in both languages and the article it rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// A stable machine code, e.g. `rules_not_in_force`.
    pub code: &'static str,
    /// The article (第N条) of the measures the refusal rests on, if a rule decided it.
    pub article: Option<u32>,
    /// The measures' short name, e.g. 清远市政府质量奖管理办法.
    pub document: String,
    /// The English name of the measures.
    pub document_en: String,
    /// The reason in Chinese.
    pub zh: String,
    /// The reason in English.
    pub en: String,
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
            document: document.to_owned(),
            document_en: document_en.to_owned(),
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// "依据《清远市政府质量奖管理办法》第三十五条", or nothing when no article decided it.
    pub fn citation_zh(&self) -> Option<String> {
        self.article
            .map(|a| format!("依据《{}》第{}条", self.document, chinese_numeral(a)))
    }

    /// "Article 35 of the …", or nothing.
    pub fn citation_en(&self) -> Option<String> {
        self.article
            .map(|a| format!("Article {a} of the {}", self.document_en))
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
