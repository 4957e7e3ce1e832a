//! The server's settings: a configuration file (`qaward.toml`, or the file `--config` or
//! `QAWARD_CONFIG` names), each setting overridable by its environment variable. The rules of
//! the award are not here: they live in the rule-set file.
//!
//! ```toml
//! [server]
//! bind = "127.0.0.1"
//! port = 8080
//! secure_cookies = true                  # behind HTTPS: Secure cookies and HSTS
//! public_url = "https://zlj.example.gov.cn"
//! trusted_proxy_header = "X-Forwarded-For"   # only behind a proxy that sets it
//! metrics_token = "…"                    # /metrics from other machines
//!
//! [storage]
//! data = "/var/lib/qaward"
//! database_url = "postgres://qaward@localhost/qaward"   # PostgreSQL instead of SQLite
//! files = "/var/lib/qaward/files"
//! max_file_mb = 50
//! max_total_mb = 500
//!
//! [mail]
//! smtp_url = "smtps://user:pass@smtp.example.gov.cn"
//! from = "清远市质量强市工作领导小组办公室 <zlj@example.gov.cn>"
//!
//! [audit]
//! anchor_file = "/var/lib/qaward-anchor/audit-anchor.jsonl"
//! anchor_key = "/etc/qaward/anchor.key"
//! anchor_minutes = 10
//! ```

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every setting: its key in the file, its environment variable, what it is.
pub const KEYS: &[(&str, &str, &str)] = &[
    ("server.bind", "QAWARD_BIND", "address to bind (127.0.0.1)"),
    ("server.port", "QAWARD_PORT", "port (8080)"),
    (
        "server.secure_cookies",
        "QAWARD_SECURE_COOKIES",
        "served behind HTTPS: Secure cookies and HSTS (false)",
    ),
    (
        "server.public_url",
        "QAWARD_PUBLIC_URL",
        "the address the public reaches the site at",
    ),
    (
        "server.trusted_proxy_header",
        "QAWARD_TRUSTED_PROXY_HEADER",
        "header a trusted reverse proxy writes the client address in (off)",
    ),
    (
        "server.metrics_token",
        "QAWARD_METRICS_TOKEN",
        "bearer token that opens /metrics to other machines (none)",
    ),
    (
        "storage.data",
        "QAWARD_DATA",
        "data directory of the SQLite database (qaward-data)",
    ),
    (
        "storage.database_url",
        "DATABASE_URL",
        "postgres://… to use PostgreSQL",
    ),
    (
        "storage.files",
        "QAWARD_FILES",
        "the file store (DATA/files)",
    ),
    (
        "storage.max_file_mb",
        "QAWARD_MAX_FILE_MB",
        "largest upload in MB (50)",
    ),
    (
        "storage.max_total_mb",
        "QAWARD_MAX_TOTAL_MB",
        "largest evidence of one application in MB (500)",
    ),
    (
        "mail.smtp_url",
        "QAWARD_SMTP_URL",
        "SMTP server for mail (none: mail waits in the outbox)",
    ),
    ("mail.from", "QAWARD_MAIL_FROM", "sender of mail"),
    (
        "audit.anchor_file",
        "QAWARD_ANCHOR_FILE",
        "append-only file the audit chain's head is anchored in (none)",
    ),
    (
        "audit.anchor_key",
        "QAWARD_ANCHOR_KEY",
        "file holding the anchor signing key (64 hex digits), kept apart from the database",
    ),
    (
        "audit.anchor_minutes",
        "QAWARD_ANCHOR_MINUTES",
        "minutes between anchors while serving (10)",
    ),
];

/// Settings read from the file, by key; the environment is read when a setting is asked.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    file: BTreeMap<String, String>,
    /// The file read, if any.
    pub source: Option<PathBuf>,
}

impl Settings {
    /// Read `path`, or `qaward.toml` in the working directory when it exists; no file is no
    /// settings. An unknown key or a value of the wrong kind is an error naming it.
    pub fn load(path: Option<&Path>) -> Result<Settings> {
        let (path, must) = match path {
            Some(p) => (p.to_owned(), true),
            None => (PathBuf::from("qaward.toml"), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if !must && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Settings::default());
            }
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let mut s = Settings::parse(&text).with_context(|| format!("{}", path.display()))?;
        s.source = Some(path);
        Ok(s)
    }

    /// Settings from the text of a configuration file.
    pub fn parse(text: &str) -> Result<Settings> {
        let table: toml::Table = toml::from_str(text).context("配置文件格式有误 / not TOML")?;
        let mut file = BTreeMap::new();
        for (section, v) in &table {
            let Some(t) = v.as_table() else {
                bail!("“{section}”应为一节（[{section}]）/ [{section}] should be a section");
            };
            for (k, v) in t {
                let key = format!("{section}.{k}");
                if !KEYS.iter().any(|(name, ..)| *name == key) {
                    bail!("未知的设置项 {key} / unknown setting {key}");
                }
                let value = match v {
                    toml::Value::String(s) => s.clone(),
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    _ => bail!(
                        "设置项 {key} 应为文字、整数或 true/false / {key} should be text, a number or a boolean"
                    ),
                };
                file.insert(key, value);
            }
        }
        Ok(Settings { file, source: None })
    }

    /// The setting `key`: its environment variable when set and not empty, else the file's.
    pub fn get(&self, key: &str) -> Option<String> {
        let env = KEYS.iter().find(|(k, ..)| *k == key).map(|(_, e, _)| *e);
        env.and_then(|e| std::env::var(e).ok())
            .filter(|v| !v.trim().is_empty())
            .or_else(|| self.file.get(key).cloned())
            .filter(|v| !v.trim().is_empty())
    }

    /// A number setting; an unreadable one is an error naming it.
    pub fn number(&self, key: &str) -> Result<Option<u64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v.trim().parse().map(Some).map_err(|_| {
                anyhow::anyhow!("设置项 {key} 应为整数，现为“{v}” / {key} should be a whole number")
            }),
        }
    }

    /// A true/false setting (`true`, `1`, `yes` are true).
    pub fn flag(&self, key: &str) -> bool {
        self.get(key).is_some_and(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "true" | "1" | "yes" | "on"
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_read_and_an_unknown_key_is_named() {
        let s = Settings::parse(
            "[server]\nport = 9090\nsecure_cookies = true\n[storage]\nfiles = \"/srv/files\"\n",
        )
        .unwrap_or_default();
        assert_eq!(s.file.get("server.port").map(String::as_str), Some("9090"));
        assert_eq!(
            s.file.get("storage.files").map(String::as_str),
            Some("/srv/files")
        );
        let e = Settings::parse("[server]\nprot = 1\n")
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("server.prot")));
        let e = Settings::parse("[storage]\nfiles = [1]\n")
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("storage.files")));
    }
}
