//! QAward storage: one schema on SQLite (embedded default) and PostgreSQL (scale-out), through
//! sqlx's Any driver. Every state change runs in a [`Tx`] that writes its audit entry in the same
//! transaction; the audit log is append-only and hash-chained.

pub mod accounts;
pub mod application;
pub mod assignment;
pub mod attachments;
pub mod audit;
pub mod award;
pub mod backup;
pub mod cache;
pub mod command;
pub mod conduct;
pub mod county;
pub mod decision;
pub mod eligibility;
pub mod experts;
pub mod jobs;
pub mod notify;
pub mod objection;
pub mod onsite;
pub mod ops;
pub mod post_award;
pub mod programme;
pub mod recusal;
pub mod revocation;
pub mod rulesets;
pub mod scoring;
pub mod session;
pub mod todo;

use qaward_core::refusal::Refusal;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Row};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub use audit::{NewEntry, Who};

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, one file in the data directory.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Backend {
    /// Name as printed.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// The thing asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A rule of the measures says no.
    #[error("{0}")]
    Refused(Refusal),
    /// Input that does not pass: the field and the message in both languages.
    #[error("{field}: {zh}")]
    Invalid {
        /// The form field at fault.
        field: String,
        /// Message in Chinese.
        zh: String,
        /// Message in English.
        en: String,
    },
    /// The person may not do this (decided by `qaward_core::authz` on facts read inside the
    /// command's transaction).
    #[error("{}", .0.en)]
    Forbidden(qaward_core::authz::Denied),
    /// Anything else, with a message for the log.
    #[error("{0}")]
    Other(String),
}

impl From<qaward_core::refusal::Invalid> for Error {
    fn from(i: qaward_core::refusal::Invalid) -> Self {
        Error::Invalid {
            field: i.field,
            zh: i.zh,
            en: i.en,
        }
    }
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Self {
        Error::Refused(r)
    }
}

impl Error {
    /// An invalid field.
    pub fn invalid(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            zh: zh.into(),
            en: en.into(),
        }
    }
}

/// Result of the store.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    url: String,
    caches: std::sync::Arc<cache::Caches>,
    /// Writing a fictional history at the dates it would have happened (the demo builder):
    /// entries keep their dates even when they come before the head's.
    backdating: bool,
}

/// The migrations of each backend, applied in this order.
#[rustfmt::skip]
const SQLITE_MIGRATIONS: &[(&str, &str)] = &[
    ("0001_foundation", include_str!("../migrations/sqlite/0001_foundation.sql")),
    ("0002_applications", include_str!("../migrations/sqlite/0002_applications.sql")),
    ("0003_notifications", include_str!("../migrations/sqlite/0003_notifications.sql")),
    ("0004_opinions", include_str!("../migrations/sqlite/0004_opinions.sql")),
    ("0005_attachments", include_str!("../migrations/sqlite/0005_attachments.sql")),
    ("0006_review", include_str!("../migrations/sqlite/0006_review.sql")),
    ("0007_onsite", include_str!("../migrations/sqlite/0007_onsite.sql")),
    ("0008_decision", include_str!("../migrations/sqlite/0008_decision.sql")),
    ("0009_award", include_str!("../migrations/sqlite/0009_award.sql")),
    ("0010_indexes", include_str!("../migrations/sqlite/0010_indexes.sql")),
    ("0011_post_award", include_str!("../migrations/sqlite/0011_post_award.sql")),
    ("0012_revocation", include_str!("../migrations/sqlite/0012_revocation.sql")),
    ("0013_conduct", include_str!("../migrations/sqlite/0013_conduct.sql")),
    ("0014_recusal", include_str!("../migrations/sqlite/0014_recusal.sql")),
    ("0016_jobs", include_str!("../migrations/sqlite/0016_jobs.sql")),
    ("0017_list_cache", include_str!("../migrations/sqlite/0017_list_cache.sql")),
    ("0018_list_index", include_str!("../migrations/sqlite/0018_list_index.sql")),
    ("0019_login_throttle", include_str!("../migrations/sqlite/0019_login_throttle.sql")),
];
#[rustfmt::skip]
const POSTGRES_MIGRATIONS: &[(&str, &str)] = &[
    ("0001_foundation", include_str!("../migrations/postgres/0001_foundation.sql")),
    ("0002_applications", include_str!("../migrations/postgres/0002_applications.sql")),
    ("0003_notifications", include_str!("../migrations/postgres/0003_notifications.sql")),
    ("0004_opinions", include_str!("../migrations/postgres/0004_opinions.sql")),
    ("0005_attachments", include_str!("../migrations/postgres/0005_attachments.sql")),
    ("0006_review", include_str!("../migrations/postgres/0006_review.sql")),
    ("0007_onsite", include_str!("../migrations/postgres/0007_onsite.sql")),
    ("0008_decision", include_str!("../migrations/postgres/0008_decision.sql")),
    ("0009_award", include_str!("../migrations/postgres/0009_award.sql")),
    ("0010_indexes", include_str!("../migrations/postgres/0010_indexes.sql")),
    ("0011_post_award", include_str!("../migrations/postgres/0011_post_award.sql")),
    ("0012_revocation", include_str!("../migrations/postgres/0012_revocation.sql")),
    ("0013_conduct", include_str!("../migrations/postgres/0013_conduct.sql")),
    ("0014_recusal", include_str!("../migrations/postgres/0014_recusal.sql")),
    ("0016_jobs", include_str!("../migrations/postgres/0016_jobs.sql")),
    ("0017_list_cache", include_str!("../migrations/postgres/0017_list_cache.sql")),
    ("0018_list_index", include_str!("../migrations/postgres/0018_list_index.sql")),
    ("0019_login_throttle", include_str!("../migrations/postgres/0019_login_throttle.sql")),
];

impl Store {
    /// Open the SQLite database in `dir` (created when missing).
    pub async fn open_dir(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Other(format!("{}: {e}", dir.display())))?;
        let file = dir.join("qaward.db");
        Store::connect(&format!("sqlite://{}?mode=rwc", file.display())).await
    }

    /// Connect to `url`: `postgres://…` or `sqlite://…`.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        let mut opts = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        opts = match backend {
            Backend::Sqlite => opts.max_connections(8).after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::raw_sql(
                        "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 15000;",
                    )
                    .execute(&mut *conn)
                    .await?;
                    Ok(())
                })
            }),
            Backend::Postgres => opts.max_connections(16),
        };
        let pool = opts.connect(url).await?;
        if backend == Backend::Sqlite {
            sqlx::query("PRAGMA journal_mode = WAL")
                .fetch_all(&pool)
                .await?;
        }
        Ok(Store {
            pool,
            backend,
            url: url.to_owned(),
            caches: Default::default(),
            backdating: false,
        })
    }

    /// This store, for writing a fictional history at the dates it would have happened (the
    /// demo builder replays years of an award out of order): its audit entries keep the dates
    /// they are given. Everywhere else an entry is never dated before the one it follows.
    pub fn replaying_history(&self) -> Store {
        Store {
            backdating: true,
            ..self.clone()
        }
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL it was opened with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The pool, for reads.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Apply the migrations not yet applied; returns their names.
    pub async fn migrate(&self) -> Result<Vec<String>> {
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )
        .execute(&self.pool)
        .await?;
        let done: Vec<String> = sqlx::query("SELECT name FROM schema_migrations")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect();
        let list = match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS,
            Backend::Postgres => POSTGRES_MIGRATIONS,
        };
        let mut applied = Vec::new();
        for (name, sql) in list {
            if done.iter().any(|d| d == name) {
                continue;
            }
            let mut tx = self.pool.begin().await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(*sql))
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)")
                .bind(*name)
                .bind(jiff::Timestamp::now().as_microsecond())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            applied.push((*name).to_owned());
        }
        self.fill_list_columns().await?;
        Ok(applied)
    }

    /// Start a writing transaction at `now`. It takes the write lock at once (and on
    /// PostgreSQL the audit head's row lock), so writers are ordered and the audit chain
    /// stays a chain. Use it through [`Store::command`].
    pub async fn write(&self, now: jiff::Timestamp) -> Result<Tx> {
        let mut tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        let now_us = now.as_microsecond();
        // The head's time only moves forward: an entry is never dated before the one it
        // follows, even when the writer that took the lock later read the clock earlier.
        let head = sqlx::query(if self.backdating {
            "UPDATE audit_head SET touched_at = $1, writes = writes + 1 WHERE id = 1 RETURNING writes, seq, hash, touched_at"
        } else {
            "UPDATE audit_head SET touched_at = CASE WHEN touched_at > $1 THEN touched_at ELSE $1 END, writes = writes + 1 WHERE id = 1 RETURNING writes, seq, hash, touched_at"
        })
        .bind(now_us)
        .fetch_one(&mut *tx)
        .await?;
        Ok(Tx {
            tx,
            now: now_us,
            writes: head.get("writes"),
            head: audit::Head {
                seq: head.get("seq"),
                hash: head.get("hash"),
                at: head.get("touched_at"),
                moved: false,
            },
            refusal_recorded: false,
            backdating: self.backdating,
            caches: self.caches.clone(),
        })
    }

    /// The names of the tables and their columns, sorted: to compare the two schemas.
    pub async fn schema(&self) -> Result<Vec<(String, Vec<String>)>> {
        let tables: Vec<String> = match self.backend {
            Backend::Sqlite => sqlx::query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            )
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect(),
            Backend::Postgres => sqlx::query(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name",
            )
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect(),
        };
        let mut out = Vec::new();
        for t in tables {
            let mut cols: Vec<String> = match self.backend {
                Backend::Sqlite => sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT name FROM pragma_table_info('{}')",
                    t.replace('\'', "")
                )))
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| r.get::<String, _>(0))
                .collect(),
                Backend::Postgres => sqlx::query(
                    "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
                )
                .bind(&t)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| r.get::<String, _>(0))
                .collect(),
            };
            cols.sort();
            out.push((t, cols));
        }
        Ok(out)
    }

    /// Close the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A writing transaction. Commit it, or drop it to roll back.
pub struct Tx {
    tx: sqlx::Transaction<'static, Any>,
    now: i64,
    /// The database's write count with this transaction.
    writes: i64,
    /// The audit chain's head, as it stands in this transaction.
    head: audit::Head,
    /// A refusal was recorded: the command commits it.
    refusal_recorded: bool,
    /// See [`Store::replaying_history`].
    backdating: bool,
    caches: std::sync::Arc<cache::Caches>,
}

impl Tx {
    /// The transaction's instant, in microseconds.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// The connection, for statements.
    pub fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// Append `entry` to the audit chain; returns its seq.
    pub async fn audit(&mut self, entry: NewEntry) -> Result<i64> {
        audit::append(self, entry).await
    }

    /// Commit.
    pub async fn commit(mut self) -> Result<()> {
        audit::store_head(&mut self).await?;
        self.tx.commit().await?;
        self.caches.written(self.writes);
        Ok(())
    }
}

/// `($1, …, $cols), ($cols+1, …), …` for `rows` rows: the values of a statement that writes
/// many rows at once (placeholders numbered as both backends read them).
pub(crate) fn values_clause(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let ps: Vec<String> = (1..=cols).map(|c| format!("${}", r * cols + c)).collect();
            format!("({})", ps.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Read an optional i64 column.
pub(crate) fn opt_i64(r: &AnyRow, c: &str) -> Option<i64> {
    r.try_get::<Option<i64>, _>(c).ok().flatten()
}

/// Read an optional text column.
pub(crate) fn opt_str(r: &AnyRow, c: &str) -> Option<String> {
    r.try_get::<Option<String>, _>(c).ok().flatten()
}

/// The Shanghai calendar day of a stored instant (µs).
pub(crate) fn today(us: i64) -> jiff::civil::Date {
    jiff::Timestamp::from_microsecond(us)
        .unwrap_or_default()
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date()
}

/// Parse a stored `YYYY-MM-DD`.
pub(crate) fn parse_date(s: Option<String>) -> Option<jiff::civil::Date> {
    s.and_then(|s| jiff::civil::Date::from_str(&s).ok())
}
