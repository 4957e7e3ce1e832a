//! Citations of the articles (条) of a rule set's source document, in Chinese
//! and English, for the UI and the audit log.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A reference to one article (and possibly further articles) of a document,
/// e.g. 《清远市政府质量奖管理办法》第三十五条.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Citation {
    /// The main article number (第N条).
    pub article: u32,
    /// Further articles that say the same, cited after the main one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<u32>,
    /// The document's Chinese title, without book-title marks, e.g. 清远市政府质量奖管理办法.
    pub document: String,
    /// The document's English title, e.g. Qingyuan City Government Quality Award Management Measures.
    pub document_en: String,
}

impl Citation {
    /// A citation of one article of a document, given its Chinese and English titles.
    pub fn new(document: impl Into<String>, document_en: impl Into<String>, article: u32) -> Self {
        Citation {
            article,
            also: Vec::new(),
            document: document.into(),
            document_en: document_en.into(),
        }
    }

    /// Adds further articles to cite after the main one.
    pub fn with_also(mut self, also: impl IntoIterator<Item = u32>) -> Self {
        self.also.extend(also);
        self
    }

    /// All cited articles, the main one first.
    pub fn articles(&self) -> impl Iterator<Item = u32> + '_ {
        std::iter::once(self.article).chain(self.also.iter().copied())
    }

    /// The main article in Chinese, e.g. `第三十五条`.
    pub fn article_zh(&self) -> String {
        article_zh(self.article)
    }

    /// The full Chinese citation, e.g. `依据《清远市政府质量奖管理办法》第三十五条`
    /// or `依据《…》第三十二条、第三十三条`.
    pub fn zh(&self) -> String {
        let articles: Vec<String> = self.articles().map(article_zh).collect();
        format!("依据《{}》{}", self.document, articles.join("、"))
    }

    /// The full English citation, e.g. `Article 35 of the Qingyuan City Government
    /// Quality Award Management Measures` or `Articles 32 and 33 of the …`.
    pub fn en(&self) -> String {
        let numbers: Vec<String> = self.articles().map(|n| n.to_string()).collect();
        let articles = match numbers.as_slice() {
            [one] => format!("Article {one}"),
            [init @ .., last] => format!("Articles {} and {last}", init.join(", ")),
            [] => unreachable!("a citation always has a main article"),
        };
        format!("{articles} of the {}", self.document_en)
    }
}

impl fmt::Display for Citation {
    /// The Chinese citation (see [`Citation::zh`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.zh())
    }
}

/// `第N条` with N in Chinese numerals.
pub fn article_zh(article: u32) -> String {
    format!("第{}条", chinese_numeral(article))
}

const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/// A number in Chinese numerals as used for article numbers: 一, 十, 十一,
/// 二十, 三十五, 一百, 一百零二, 一百一十, 一千零五.
///
/// Covers 0..=9999; larger numbers are written in Arabic digits.
pub fn chinese_numeral(n: u32) -> String {
    if n == 0 {
        return "零".to_string();
    }
    if n > 9999 {
        return n.to_string();
    }
    let places = [(1000, '千'), (100, '百'), (10, '十'), (1, ' ')];
    let mut out = String::new();
    let mut pending_zero = false;
    for (unit, name) in places {
        let digit = (n / unit % 10) as usize;
        if digit == 0 {
            if !out.is_empty() {
                pending_zero = true;
            }
            continue;
        }
        if pending_zero {
            out.push('零');
            pending_zero = false;
        }
        let leading_ten = unit == 10 && digit == 1 && out.is_empty();
        if !leading_ten {
            out.push(DIGITS[digit]);
        }
        if unit > 1 {
            out.push(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals() {
        let cases = [
            (1, "一"),
            (9, "九"),
            (10, "十"),
            (11, "十一"),
            (20, "二十"),
            (35, "三十五"),
            (99, "九十九"),
            (100, "一百"),
            (102, "一百零二"),
            (110, "一百一十"),
            (111, "一百一十一"),
            (200, "二百"),
            (999, "九百九十九"),
            (1000, "一千"),
            (1005, "一千零五"),
            (1010, "一千零一十"),
            (1100, "一千一百"),
            (0, "零"),
        ];
        for (n, zh) in cases {
            assert_eq!(chinese_numeral(n), zh, "{n}");
        }
        assert_eq!(chinese_numeral(10_000), "10000");
    }

    #[test]
    fn citation_text() {
        let c = Citation::new(
            "清远市政府质量奖管理办法",
            "Qingyuan City Government Quality Award Management Measures",
            35,
        );
        assert_eq!(c.article_zh(), "第三十五条");
        assert_eq!(c.zh(), "依据《清远市政府质量奖管理办法》第三十五条");
        assert_eq!(c.to_string(), c.zh());
        assert_eq!(
            c.en(),
            "Article 35 of the Qingyuan City Government Quality Award Management Measures"
        );
        let c = c.with_also([33]);
        assert_eq!(
            c.zh(),
            "依据《清远市政府质量奖管理办法》第三十五条、第三十三条"
        );
        assert_eq!(
            c.en(),
            "Articles 35 and 33 of the Qingyuan City Government Quality Award Management Measures"
        );
        let three = Citation::new("办法", "Measures", 1).with_also([2, 3]);
        assert_eq!(three.en(), "Articles 1, 2 and 3 of the Measures");
    }
}
