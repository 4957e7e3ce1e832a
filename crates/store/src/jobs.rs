//! Background jobs of the office: the material review reports (Art. 15) of a whole session
//! typeset on the server into one ZIP file. Starting, finishing and interrupting a job are
//! state changes, each written with its audit entry in one transaction; the running counts in
//! between are progress only and are written without one.

use crate::{Error, NewEntry, Result, Store, Who, opt_i64, opt_str};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// The kind of job that typesets a session's material review reports.
pub const REVIEW_REPORTS: &str = "review_reports";

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    /// Typesetting.
    Running,
    /// Finished; the ZIP file is ready (some reports may have failed).
    Done,
    /// Stopped by an error; no ZIP file.
    Failed,
    /// The server stopped while it ran; the office may start again.
    Interrupted,
}

impl JobStatus {
    /// Code as stored.
    pub fn code(self) -> &'static str {
        match self {
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
            JobStatus::Interrupted => "interrupted",
        }
    }

    /// From the stored code.
    pub fn from_code(s: &str) -> JobStatus {
        match s {
            "running" => JobStatus::Running,
            "done" => JobStatus::Done,
            "interrupted" => JobStatus::Interrupted,
            _ => JobStatus::Failed,
        }
    }

    /// Chinese name.
    pub fn name_zh(self) -> &'static str {
        match self {
            JobStatus::Running => "生成中",
            JobStatus::Done => "已完成",
            JobStatus::Failed => "失败",
            JobStatus::Interrupted => "已中断",
        }
    }

    /// Whether the job has ended.
    pub fn ended(self) -> bool {
        self != JobStatus::Running
    }
}

/// A report that could not be typeset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobFailure {
    /// Application.
    pub application_id: i64,
    /// Its organisation.
    pub organisation: String,
    /// What went wrong.
    pub error: String,
}

/// A job.
#[derive(Debug, Clone)]
pub struct Job {
    /// Id.
    pub id: i64,
    /// Kind, e.g. [`REVIEW_REPORTS`].
    pub kind: String,
    /// Programme.
    pub programme_id: i64,
    /// Session.
    pub session_id: i64,
    /// Status.
    pub status: JobStatus,
    /// Documents to make.
    pub total: i64,
    /// Documents made.
    pub done: i64,
    /// Documents that failed.
    pub failed: i64,
    /// Those that failed, with why.
    pub failures: Vec<JobFailure>,
    /// Started by (account).
    pub started_by: Option<i64>,
    /// Started by (name as recorded).
    pub started_by_name: String,
    /// Started (µs).
    pub started_at: i64,
    /// Last progress (µs).
    pub updated_at: i64,
    /// Ended (µs).
    pub finished_at: Option<i64>,
    /// The ZIP file in the file store.
    pub result_sha256: Option<String>,
    /// Its size in bytes.
    pub result_size: Option<i64>,
    /// Why it failed or was interrupted.
    pub note: String,
}

impl Job {
    /// Documents handled so far (made or failed).
    pub fn handled(&self) -> i64 {
        self.done + self.failed
    }

    /// Percentage handled, 0–100.
    pub fn percent(&self) -> i64 {
        if self.total <= 0 {
            100
        } else {
            (self.handled() * 100 / self.total).clamp(0, 100)
        }
    }
}

/// What a finished job produced.
#[derive(Debug, Clone)]
pub struct JobResult {
    /// SHA-256 of the ZIP file in the file store.
    pub sha256: String,
    /// Its size in bytes.
    pub size: i64,
}

fn job_from(r: &sqlx::any::AnyRow) -> Job {
    let failures: String = r.get("failures");
    Job {
        id: r.get("id"),
        kind: r.get("kind"),
        programme_id: r.get("programme_id"),
        session_id: r.get("session_id"),
        status: JobStatus::from_code(&r.get::<String, _>("status")),
        total: r.get("total"),
        done: r.get("done"),
        failed: r.get("failed"),
        failures: serde_json::from_str(&failures).unwrap_or_default(),
        started_by: opt_i64(r, "started_by"),
        started_by_name: r.get("started_by_name"),
        started_at: r.get("started_at"),
        updated_at: r.get("updated_at"),
        finished_at: opt_i64(r, "finished_at"),
        result_sha256: opt_str(r, "result_sha256"),
        result_size: opt_i64(r, "result_size"),
        note: r.get("note"),
    }
}

const COLUMNS: &str = "id, kind, programme_id, session_id, status, total, done, failed, failures, started_by, started_by_name, started_at, updated_at, finished_at, result_sha256, result_size, note";

impl Store {
    /// The applications of session `session_id` whose material review report is complete
    /// (the review team's consensus submitted, Art. 15), in id order.
    pub async fn report_job_applications(&self, session_id: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query(
            "SELECT a.id FROM applications a JOIN consensus_books b ON b.application_id = a.id AND b.phase = 'material' WHERE a.session_id = $1 AND b.submitted_at IS NOT NULL ORDER BY a.id",
        )
        .bind(session_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
    }

    /// Start a job typesetting the material review reports of session `session_id` (Art. 15):
    /// refused while one of the session's jobs is running, or when no report is complete.
    /// Returns the job and the applications to typeset.
    pub async fn start_report_job(
        &self,
        who: &Who,
        session_id: i64,
        now: jiff::Timestamp,
    ) -> Result<(i64, Vec<i64>)> {
        let d = self.session_detail(session_id).await?;
        let apps = self.report_job_applications(session_id).await?;
        if apps.is_empty() {
            return Err(Error::invalid(
                "job",
                "本届还没有已完成的资料评审报告（评审组合议提交后方可生成）。",
                "No material review report of this session is complete yet (the team's consensus must be submitted first).",
            ));
        }
        let mut tx = self.write(now).await?;
        let running: i64 = sqlx::query(
            "SELECT COUNT(*) FROM jobs WHERE session_id = $1 AND kind = $2 AND status = 'running'",
        )
        .bind(session_id)
        .bind(REVIEW_REPORTS)
        .fetch_one(tx.conn())
        .await?
        .get(0);
        if running > 0 {
            return Err(Error::invalid(
                "job",
                "本届已有一个正在生成的评审报告任务，请等待其完成。",
                "A report job of this session is already running; wait for it to finish.",
            ));
        }
        let at = tx.now();
        let id: i64 = sqlx::query("INSERT INTO jobs (kind, programme_id, session_id, status, total, started_by, started_by_name, started_at, updated_at) VALUES ($1, $2, $3, 'running', $4, $5, $6, $7, $7) RETURNING id")
            .bind(REVIEW_REPORTS)
            .bind(d.session.programme_id)
            .bind(session_id)
            .bind(apps.len() as i64)
            .bind(who.user_id)
            .bind(&who.name)
            .bind(at)
            .fetch_one(tx.conn())
            .await?
            .get(0);
        tx.audit(
            NewEntry::award(who, "job.reports.start", "job", id)
                .programme(d.session.programme_id)
                .article(Some(15), &d.rules.meta.name)
                .summary(format!(
                    "开始批量生成{}的资料评审报告，共 {} 份",
                    d.session.title,
                    apps.len()
                ))
                .detail(serde_json::json!({"session": session_id, "total": apps.len()}))
                .state(JobStatus::Running.code()),
        )
        .await?;
        tx.commit().await?;
        Ok((id, apps))
    }

    /// Record a running job's progress (no audit entry: nothing changes state).
    pub async fn report_job_progress(
        &self,
        id: i64,
        done: i64,
        failures: &[JobFailure],
        now: jiff::Timestamp,
    ) -> Result<()> {
        sqlx::query("UPDATE jobs SET done = $1, failed = $2, failures = $3, updated_at = $4 WHERE id = $5 AND status = 'running'")
            .bind(done)
            .bind(failures.len() as i64)
            .bind(serde_json::to_string(failures).unwrap_or_else(|_| "[]".into()))
            .bind(now.as_microsecond())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// End a running job: done with its ZIP file, or failed with `note`; audited as the
    /// system's act. A job that is no longer running is left as it is.
    pub async fn finish_report_job(
        &self,
        id: i64,
        done: i64,
        failures: &[JobFailure],
        result: std::result::Result<JobResult, String>,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let job = self.report_job(id).await?;
        let d = self.session_detail(job.session_id).await?;
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let (status, sha, size, note) = match &result {
            Ok(r) => (
                JobStatus::Done,
                Some(r.sha256.clone()),
                Some(r.size),
                String::new(),
            ),
            Err(e) => (JobStatus::Failed, None, None, e.clone()),
        };
        let n = sqlx::query("UPDATE jobs SET status = $1, done = $2, failed = $3, failures = $4, updated_at = $5, finished_at = $5, result_sha256 = $6, result_size = $7, note = $8 WHERE id = $9 AND status = 'running'")
            .bind(status.code())
            .bind(done)
            .bind(failures.len() as i64)
            .bind(serde_json::to_string(failures).unwrap_or_else(|_| "[]".into()))
            .bind(at)
            .bind(sha)
            .bind(size)
            .bind(&note)
            .bind(id)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Ok(());
        }
        let summary = match status {
            JobStatus::Done => format!(
                "{}的资料评审报告已批量生成：成功 {} 份，失败 {} 份",
                d.session.title,
                done,
                failures.len()
            ),
            _ => format!("{}的资料评审报告批量生成失败：{note}", d.session.title),
        };
        tx.audit(
            NewEntry::award(&Who::system(), &format!("job.reports.{}", status.code()), "job", id)
                .programme(job.programme_id)
                .article(Some(15), &d.rules.meta.name)
                .summary(summary)
                .detail(serde_json::json!({"session": job.session_id, "total": job.total, "done": done, "failed": failures.len()}))
                .state(status.code()),
        )
        .await?;
        tx.commit().await
    }

    /// At start-up: every job still marked running was cut off by the server stopping; mark it
    /// interrupted (audited as the system's act), so the office sees it and may start again.
    /// Returns how many.
    pub async fn interrupt_report_jobs(&self, now: jiff::Timestamp) -> Result<usize> {
        let ids: Vec<(i64, i64)> =
            sqlx::query("SELECT id, programme_id FROM jobs WHERE status = 'running' ORDER BY id")
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
        if ids.is_empty() {
            return Ok(0);
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        for (id, pid) in &ids {
            sqlx::query("UPDATE jobs SET status = 'interrupted', finished_at = $1, updated_at = $1, note = $2 WHERE id = $3 AND status = 'running'")
                .bind(at)
                .bind("服务重新启动，任务中断，可重新开始。")
                .bind(id)
                .execute(tx.conn())
                .await?;
            tx.audit(
                NewEntry::award(&Who::system(), "job.reports.interrupted", "job", id)
                    .programme(*pid)
                    .summary("服务重新启动，正在进行的评审报告批量生成任务标记为已中断")
                    .state(JobStatus::Interrupted.code()),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(ids.len())
    }

    /// One job.
    pub async fn report_job(&self, id: i64) -> Result<Job> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM jobs WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .map(|r| job_from(&r))
        .ok_or(Error::NotFound)
    }

    /// The jobs of session `session_id`, newest first.
    pub async fn report_jobs(&self, session_id: i64) -> Result<Vec<Job>> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM jobs WHERE session_id = $1 ORDER BY id DESC"
        )))
        .bind(session_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(job_from)
        .collect())
    }
}
