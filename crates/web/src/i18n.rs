//! Languages. Chinese is the source text of every message; `i18n/en.toml` maps each Chinese
//! message to its English translation. A test checks every message used has a translation.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// 简体中文 (default).
    Zh,
    /// English.
    En,
}

impl Lang {
    /// From the cookie value.
    pub fn parse(s: &str) -> Lang {
        if s == "en" { Lang::En } else { Lang::Zh }
    }
    /// The `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// The English translations, keyed by the Chinese text.
pub fn english() -> &'static HashMap<String, String> {
    static EN: OnceLock<HashMap<String, String>> = OnceLock::new();
    EN.get_or_init(|| toml::from_str(include_str!("../i18n/en.toml")).unwrap_or_default())
}

/// The text in `lang`: Chinese as written, or its English translation (Chinese if missing).
pub fn tr(lang: Lang, zh: &str) -> String {
    match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => english().get(zh).cloned().unwrap_or_else(|| zh.to_owned()),
    }
}
