//! Material review reports at size (Art. 15): the office starts a background job that typesets
//! the report of every application of a session whose review team has submitted its consensus.
//! The job runs on the server (reports typeset in parallel, one per CPU), records its progress
//! in the database as it goes, and ends with ONE ZIP file of all PDFs, written to the file store
//! report by report, plus the list of reports that failed. The job's page refreshes itself while
//! it runs. A job cut off by a restart is marked interrupted at start-up and may be started
//! again. Office only (`ManageProgramme`).

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::routes::scoring::ReportSession;
use crate::view::{FormErrors, PageCtx, form_error};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::{Action, Role};
use qaward_store::jobs::{Job, JobFailure, JobResult, JobStatus};
use qaward_store::scoring::Phase;
use qaward_store::session::SessionDetail;
use std::sync::Arc;

/// Progress is written to the database after this many reports (and at the end).
pub const PROGRESS_EVERY: i64 = 20;

/// A job as its row shows it.
pub struct JobRow {
    /// The job.
    pub job: Job,
    /// Seconds it has run (until it ended).
    pub seconds: i64,
    /// Reports per second.
    pub rate: String,
}

impl JobRow {
    fn new(job: Job, now_us: i64) -> JobRow {
        let end = job.finished_at.unwrap_or(now_us).max(job.started_at);
        let seconds = (end - job.started_at) / 1_000_000;
        let rate = if end > job.started_at && job.done > 0 {
            format!(
                "{:.1}",
                job.done as f64 * 1_000_000.0 / (end - job.started_at) as f64
            )
        } else {
            "—".to_owned()
        };
        JobRow { job, seconds, rate }
    }

    /// The status's code (for the style).
    pub fn code(&self) -> &'static str {
        self.job.status.code()
    }

    /// Whether it is still running.
    pub fn running(&self) -> bool {
        !self.job.status.ended()
    }

    /// Whether its ZIP file is ready.
    pub fn ready(&self) -> bool {
        self.job.status == JobStatus::Done && self.job.result_sha256.is_some()
    }

    /// The ZIP file's size in MB.
    pub fn size_mb(&self) -> String {
        format!(
            "{:.1}",
            self.job.result_size.unwrap_or(0) as f64 / 1_048_576.0
        )
    }
}

fn status_name(c: &PageCtx, s: JobStatus) -> String {
    c.t(s.name_zh())
}

#[derive(Template, WebTemplate)]
#[template(path = "office_report_jobs.html")]
struct JobsPage {
    c: PageCtx,
    d: SessionDetail,
    ready: usize,
    running: bool,
    jobs: Vec<JobRow>,
    errors: FormErrors,
}

impl JobsPage {
    fn status(&self, s: &JobStatus) -> String {
        status_name(&self.c, *s)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "office_report_job.html")]
struct JobPage {
    c: PageCtx,
    d: SessionDetail,
    j: JobRow,
}

impl JobPage {
    fn status(&self, s: &JobStatus) -> String {
        status_name(&self.c, *s)
    }
}

async fn managed_session(st: &AppState, c: &Ctx, sid: i64) -> Result<SessionDetail, AppError> {
    let d = c
        .session_for(st, sid, |programme_id| Action::ManageProgramme {
            programme_id,
        })
        .await?;
    Ok(d)
}

async fn managed_job(st: &AppState, c: &Ctx, jid: i64) -> Result<Job, AppError> {
    let j = c.found(
        st.store.report_job(jid).await,
        Action::ManageProgramme { programme_id: -1 },
    )?;
    c.authorize(Action::ManageProgramme {
        programme_id: j.programme_id,
    })?;
    Ok(j)
}

async fn jobs_view(
    st: &AppState,
    c: &Ctx,
    d: SessionDetail,
    errors: FormErrors,
) -> Result<JobsPage, AppError> {
    let sid = d.session.id;
    let ready = st.store.report_job_applications(sid).await?.len();
    let now = c.now.as_microsecond();
    let jobs: Vec<JobRow> = st
        .store
        .report_jobs(sid)
        .await?
        .into_iter()
        .map(|j| JobRow::new(j, now))
        .collect();
    Ok(JobsPage {
        c: c.page(),
        running: jobs.iter().any(JobRow::running),
        d,
        ready,
        jobs,
        errors,
    })
}

/// `GET /office/sessions/{sid}/report-jobs`: the session's report jobs, and the button that
/// starts one.
pub async fn list_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
) -> Result<Response, AppError> {
    let d = managed_session(&st, &c, sid).await?;
    Ok(jobs_view(&st, &c, d, FormErrors::default())
        .await?
        .into_response())
}

/// `POST /office/sessions/{sid}/report-jobs`: start typesetting the session's material review
/// reports in the background; on to the job's page.
pub async fn start(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    _f: FormData,
) -> Result<Response, AppError> {
    let d = managed_session(&st, &c, sid).await?;
    match st
        .store
        .start_report_job(&c.who(Role::CityOffice.code()), sid, c.now)
        .await
    {
        Ok((jid, apps)) => {
            spawn(st.clone(), jid, sid, apps, c.now);
            Ok(Redirect::to(&format!("/office/report-jobs/{jid}")).into_response())
        }
        Err(e) => {
            let errors = form_error(&c, e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                jobs_view(&st, &c, d, errors).await?,
            )
                .into_response())
        }
    }
}

/// `GET /office/report-jobs/{jid}`: a job's progress (the page refreshes itself while the job
/// runs), then its ZIP file and the reports that failed.
pub async fn job_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(jid): Path<i64>,
) -> Result<Response, AppError> {
    let j = managed_job(&st, &c, jid).await?;
    let d = st.store.session_detail(j.session_id).await?;
    let j = JobRow::new(j, c.now.as_microsecond());
    let running = j.running();
    let mut r = JobPage { c: c.page(), d, j }.into_response();
    if running {
        // Kept fresh without any script: the browser asks again every two seconds.
        r.headers_mut()
            .insert(header::REFRESH, axum::http::HeaderValue::from_static("2"));
    }
    Ok(r)
}

/// `GET /office/report-jobs/{jid}/progress`: the job's progress as JSON, for a page or a
/// script that polls it.
pub async fn progress(
    State(st): State<AppState>,
    c: Ctx,
    Path(jid): Path<i64>,
) -> Result<Response, AppError> {
    let j = managed_job(&st, &c, jid).await?;
    let row = JobRow::new(j, c.now.as_microsecond());
    let j = &row.job;
    Ok((
        [(header::CACHE_CONTROL, "private, no-store")],
        axum::Json(serde_json::json!({
            "id": j.id,
            "status": j.status.code(),
            "status_zh": j.status.name_zh(),
            "total": j.total,
            "done": j.done,
            "failed": j.failed,
            "percent": j.percent(),
            "seconds": row.seconds,
            "started_at": qaward_core::clock::format_micros(j.started_at),
            "finished_at": j.finished_at.map(qaward_core::clock::format_micros),
            "result_size": j.result_size,
            "download": row.ready().then(|| format!("/office/report-jobs/{}/reports.zip", j.id)),
        })),
    )
        .into_response())
}

/// `GET /office/report-jobs/{jid}/reports.zip`: the finished job's ZIP file, streamed from
/// the file store.
pub async fn download(
    State(st): State<AppState>,
    c: Ctx,
    Path(jid): Path<i64>,
) -> Result<Response, AppError> {
    let j = managed_job(&st, &c, jid).await?;
    let (Some(sha), Some(size), JobStatus::Done) = (&j.result_sha256, j.result_size, j.status)
    else {
        return Err(c.not_found());
    };
    let file =
        super::upload::open_stored(&st, &c, &format!("review-reports-{jid}.zip"), sha).await?;
    let d = st.store.session_detail(j.session_id).await?;
    let name = format!("{}资料评审报告.zip", d.session.title);
    let disposition = format!(
        "attachment; filename=\"review-reports-{jid}.zip\"; filename*=UTF-8''{}",
        urlencoding::encode(&name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_LENGTH, size.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        Body::from_stream(tokio_util::io::ReaderStream::new(file)),
    )
        .into_response())
}

/// Run job `jid` in the background: typeset the material review reports of `apps` (of
/// session `sid`) as at `started`, then record how it ended.
pub fn spawn(
    st: AppState,
    jid: i64,
    sid: i64,
    apps: Vec<i64>,
    started: jiff::Timestamp,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let (done, failures, result) = run(&st, jid, sid, apps, started).await;
        let now = st.clock.now();
        if let Err(e) = st
            .store
            .finish_report_job(jid, done, &failures, result, now)
            .await
        {
            tracing::error!("report job {jid}: could not record its end: {e}");
        }
    })
}

/// A report's file name in the ZIP file: its application and organisation, without characters
/// that file systems refuse.
fn entry_name(aid: i64, organisation: &str) -> String {
    let org: String = organisation
        .chars()
        .map(|c| {
            if c.is_control() || "/\\:*?\"<>|".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    format!("{aid:06}-{org}-资料评审报告.pdf")
}

/// Typeset one application's report.
async fn one(
    st: &AppState,
    rs: &ReportSession,
    engine: Arc<qaward_docs::PdfEngine>,
    aid: i64,
    today: jiff::civil::Date,
    started: jiff::Timestamp,
) -> Result<(String, Vec<u8>), JobFailure> {
    let fail = |organisation: String, error: String| JobFailure {
        application_id: aid,
        organisation,
        error,
    };
    let app = st
        .store
        .application(aid)
        .await
        .map_err(|e| fail(String::new(), e.to_string()))?;
    let org = app.org.name.clone();
    let r = rs
        .report(st, app, Phase::Material, today)
        .await
        .map_err(|e| fail(org.clone(), e.to_string()))?;
    let (_, data) = crate::routes::scoring::report_pdf_data(&r, &rs.office, started);
    let pdf = tokio::task::spawn_blocking(move || {
        engine.render(qaward_docs::Template::ReviewReport, &data)
    })
    .await
    .map_err(|e| fail(org.clone(), e.to_string()))?
    .map_err(|e| fail(org.clone(), e.to_string()))?;
    Ok((entry_name(aid, &org), pdf))
}

/// The job's work: how many reports were made, those that failed, and the ZIP file (or why
/// there is none).
async fn run(
    st: &AppState,
    jid: i64,
    sid: i64,
    apps: Vec<i64>,
    started: jiff::Timestamp,
) -> (i64, Vec<JobFailure>, Result<JobResult, String>) {
    let mut done = 0i64;
    let mut failures = Vec::new();
    let result = work(st, jid, sid, apps, started, &mut done, &mut failures).await;
    (done, failures, result)
}

async fn work(
    st: &AppState,
    jid: i64,
    sid: i64,
    apps: Vec<i64>,
    started: jiff::Timestamp,
    done: &mut i64,
    failures: &mut Vec<JobFailure>,
) -> Result<JobResult, String> {
    let rs = Arc::new(
        ReportSession::load(st, sid)
            .await
            .map_err(|e| e.to_string())?,
    );
    let engine = st.pdf().await.map_err(|e| format!("{e:?}"))?;
    let today = started
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date();
    let tmp = st
        .files
        .temp(&format!("report-job-{jid}.zip"))
        .map_err(|e| e.to_string())?;

    // The ZIP file is written on a blocking thread, report by report, as they come.
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let (to_zip, mut from_jobs) = tokio::sync::mpsc::channel::<(String, Vec<u8>)>(workers * 2);
    let path = tmp.clone();
    let writer = tokio::task::spawn_blocking(move || -> Result<(), String> {
        use std::io::Write;
        let file = std::fs::File::create(&path).map_err(|e| e.to_string())?;
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
        // PDFs are compressed already; stored as they are.
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(false);
        while let Some((name, pdf)) = from_jobs.blocking_recv() {
            zip.start_file(name, options).map_err(|e| e.to_string())?;
            zip.write_all(&pdf).map_err(|e| e.to_string())?;
        }
        let mut out = zip.finish().map_err(|e| e.to_string())?;
        out.flush().map_err(|e| e.to_string())?;
        out.get_ref().sync_all().map_err(|e| e.to_string())?;
        Ok(())
    });

    let permits = Arc::new(tokio::sync::Semaphore::new(workers));
    let mut set = tokio::task::JoinSet::new();
    let mut reported = 0i64;
    let mut zip_error = None;
    let total = apps.len();
    let mut next = apps.into_iter();
    loop {
        // Keep one report per CPU in hand; take the finished ones as they come.
        while set.len() < workers {
            let Some(aid) = next.next() else { break };
            let Ok(permit) = permits.clone().acquire_owned().await else {
                break;
            };
            let (st, rs, engine) = (st.clone(), rs.clone(), engine.clone());
            set.spawn(async move {
                let _permit = permit;
                one(&st, &rs, engine, aid, today, started).await
            });
        }
        let Some(r) = set.join_next().await else {
            break;
        };
        if let Some(entry) = taken(r, failures) {
            if zip_error.is_none() && to_zip.send(entry).await.is_err() {
                zip_error = Some("ZIP 文件写入中断".to_owned());
            }
            if zip_error.is_none() {
                *done += 1;
            }
        }
        let handled = *done + failures.len() as i64;
        if handled - reported >= PROGRESS_EVERY && (handled as usize) < total {
            reported = handled;
            let _ = st
                .store
                .report_job_progress(jid, *done, failures, st.clock.now())
                .await;
        }
    }
    drop(to_zip);
    let written = writer.await.map_err(|e| e.to_string())?;
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("ZIP 文件写入失败：{e}"));
    }
    if let Some(e) = zip_error {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let files = st.files.clone();
    let (sha256, size) = tokio::task::spawn_blocking(move || files.adopt(&tmp))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    Ok(JobResult {
        sha256,
        size: size as i64,
    })
}

/// A finished report task: its entry, or its failure recorded.
fn taken(
    r: Result<Result<(String, Vec<u8>), JobFailure>, tokio::task::JoinError>,
    failures: &mut Vec<JobFailure>,
) -> Option<(String, Vec<u8>)> {
    match r {
        Ok(Ok(entry)) => Some(entry),
        Ok(Err(f)) => {
            failures.push(f);
            None
        }
        Err(e) => {
            failures.push(JobFailure {
                application_id: 0,
                organisation: String::new(),
                error: e.to_string(),
            });
            None
        }
    }
}

/// At start-up: jobs cut off by the last stop are marked interrupted.
pub async fn interrupt_at_start(st: &AppState) -> qaward_store::Result<usize> {
    st.store.interrupt_report_jobs(st.clock.now()).await
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(_cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get_post("/office/sessions/{sid}/report-jobs", list_page, start)
        .get("/office/report-jobs/{jid}", job_page)
        .get("/office/report-jobs/{jid}/progress", progress)
        .get("/office/report-jobs/{jid}/reports.zip", download)
}
