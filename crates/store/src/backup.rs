//! Online, consistent backups: SQLite's `VACUUM INTO` (a snapshot while writers go on), and
//! `pg_dump` for PostgreSQL (one repeatable-read snapshot).

use crate::{Backend, Error, Result, Store};
use sqlx::Row;
use std::path::Path;

/// The tables a backup holds, for comparisons.
pub const TABLES: &[&str] = &[
    "programmes",
    "counties",
    "departments",
    "criteria_sets",
    "rule_sets",
    "organisations",
    "users",
    "role_grants",
    "security_settings",
    "award_sessions",
    "stage_windows",
    "stage_history",
    "applications",
    "county_reviews",
    "eligibility_reviews",
    "attachments",
    "notifications",
    "outbox",
    "opinion_requests",
    "opinion_items",
    "experts",
    "expert_employment",
    "expert_training",
    "expert_ties",
    "expert_sanctions",
    "expert_ratings",
    "conflict_declarations",
    "review_declarations",
    "review_teams",
    "review_team_members",
    "assignment_runs",
    "review_assignments",
    "scorebooks",
    "scores",
    "score_versions",
    "consensus_books",
    "consensus_scores",
    "onsite_lists",
    "onsite_list_entries",
    "onsite_plans",
    "onsite_visits",
    "onsite_releases",
    "evaluations",
    "practices",
    "proposals",
    "proposal_entries",
    "leadership_meetings",
    "meeting_members",
    "meeting_recusals",
    "meeting_votes",
    "meeting_results",
    "public_notices",
    "objections",
    "objection_files",
    "government_approvals",
    "winners",
    "commendations",
    "certificates",
    "prize_payments",
    "budget_lines",
    "announcements",
    "conduct_ratings",
    "complaints",
    "complaint_steps",
    "complaint_files",
    "annual_reports",
    "annual_report_files",
    "report_reminders",
    "title_cases",
    "title_case_files",
    "winner_managers",
    "review_recusals",
    "audit_log",
    "audit_head",
    "revocation_cases",
    "award_bans",
    "revocation_case_files",
    "jobs",
];

impl Store {
    /// Write a consistent copy of the database to `file`.
    pub async fn backup(&self, file: &Path) -> Result<()> {
        if file.exists() {
            return Err(Error::Other(format!("{} already exists", file.display())));
        }
        match self.backend() {
            Backend::Sqlite => {
                sqlx::query("VACUUM INTO $1")
                    .bind(file.display().to_string())
                    .execute(self.pool())
                    .await?;
                Ok(())
            }
            Backend::Postgres => {
                let out = tokio::process::Command::new("pg_dump")
                    .arg("--format=custom")
                    .arg("--no-owner")
                    .arg("--file")
                    .arg(file)
                    .arg(self.url())
                    .output()
                    .await
                    .map_err(|e| Error::Other(format!("pg_dump: {e}")))?;
                if !out.status.success() {
                    return Err(Error::Other(format!(
                        "pg_dump: {}",
                        String::from_utf8_lossy(&out.stderr)
                    )));
                }
                Ok(())
            }
        }
    }

    /// Restore a backup made by [`Store::backup`] into this (empty) database.
    /// SQLite backups are database files: restore one by placing it as `qaward.db` in a data
    /// directory (see `qaward restore`).
    pub async fn restore_postgres(&self, file: &Path) -> Result<()> {
        let out = tokio::process::Command::new("pg_restore")
            .arg("--no-owner")
            .arg("--exit-on-error")
            .arg("--dbname")
            .arg(self.url())
            .arg(file)
            .output()
            .await
            .map_err(|e| Error::Other(format!("pg_restore: {e}")))?;
        if !out.status.success() {
            return Err(Error::Other(format!(
                "pg_restore: {}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        Ok(())
    }

    /// Row counts per table, to compare a database with its backup.
    pub async fn table_counts(&self) -> Result<Vec<(String, i64)>> {
        let mut v = Vec::new();
        for t in TABLES {
            let n: i64 = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {t}")))
                .fetch_one(self.pool())
                .await?
                .get(0);
            v.push(((*t).to_owned(), n));
        }
        Ok(v)
    }
}
