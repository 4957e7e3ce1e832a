//! Material review reports at size (Art. 15): the office has the server typeset the report of
//! every application of the review demo's session in the background, watches the progress, and
//! downloads one ZIP file holding one PDF per report. Nobody else may. A job cut off by a
//! restart shows as interrupted and the office may start again.

use crate::helpers::{TestApp, spawn_app_with};
use qaward_store::Who;
use std::io::Read;
use std::time::{Duration, Instant};

fn audit_actions(log: &[qaward_core::audit::Entry]) -> Vec<String> {
    log.iter().map(|e| e.action.clone()).collect()
}

async fn audit(app: &TestApp, prefix: &str) -> Vec<qaward_core::audit::Entry> {
    app.store
        .audit_entries(&qaward_store::audit::Filter {
            action_prefix: Some(prefix.into()),
            limit: 20,
            ..Default::default()
        })
        .await
        .unwrap()
}

/// Follow the job's page until it says it has ended.
async fn wait_for_end(office: &crate::helpers::User, path: &str) -> String {
    let t = Instant::now();
    loop {
        let p = office.get(path).await;
        assert_eq!(p.status, 200, "{}", p.body);
        if !p.body.contains("job-running") {
            return p.body;
        }
        assert!(
            t.elapsed() < Duration::from_secs(300),
            "the job did not end: {}",
            p.body
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn the_office_generates_every_review_report_of_a_session_as_one_zip() {
    let app = spawn_app_with(qaward::demo::Options::default()).await;
    let sid = app.demo.review.session_id;
    let expected = app.store.report_job_applications(sid).await.unwrap();
    assert!(expected.len() >= 2, "the review demo has agreed reports");
    let office = app.signed_in("office").await;

    // From the session's page to the jobs page.
    let p = office.get(&format!("/office/sessions/{sid}")).await;
    assert!(
        p.body
            .contains(&format!("/office/sessions/{sid}/report-jobs"))
    );
    let list = format!("/office/sessions/{sid}/report-jobs");
    let p = office.get(&list).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("批量生成评审报告"), "{}", p.body);
    assert!(
        p.body
            .contains(&format!("<dd id=\"ready\">{} 份</dd>", expected.len())),
        "{}",
        p.body
    );
    assert!(p.body.contains("开始批量生成"));
    assert!(p.body.contains("尚未生成过"));

    // Start: on to the job's page, which refreshes itself while the job runs.
    let r = office.post(&list, &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let job = r.location.unwrap();
    assert!(job.starts_with("/office/report-jobs/"), "{job}");
    let body = wait_for_end(&office, &job).await;
    assert!(body.contains("已完成"), "{body}");
    let n = expected.len();
    assert!(body.contains(&format!("{n}/{n}")), "{body}");
    assert!(body.contains("下载全部报告（ZIP）"), "{body}");
    assert!(!body.contains("未能生成的报告"), "{body}");
    // The finished page no longer refreshes itself.
    let r = office
        .http
        .get(format!("{}{job}", app.base))
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("refresh").is_none());

    // The progress as JSON.
    let p = office.get(&format!("{job}/progress")).await;
    let v: serde_json::Value = serde_json::from_str(&p.body).unwrap();
    assert_eq!(v["status"], "done");
    assert_eq!(v["done"], n as i64);
    assert_eq!(v["total"], n as i64);
    assert_eq!(v["percent"], 100);

    // One ZIP file, one PDF per report, each named after its applicant.
    let (status, zip, ct) = office.get_bytes(&format!("{job}/reports.zip")).await;
    assert_eq!(status, 200);
    assert_eq!(ct, "application/zip");
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    assert_eq!(z.len(), n);
    let names: Vec<String> = (0..z.len())
        .map(|i| z.by_index(i).unwrap().name().unwrap().into_owned())
        .collect();
    for aid in &expected {
        let a = app.store.application(*aid).await.unwrap();
        let name = names
            .iter()
            .find(|f| f.starts_with(&format!("{aid:06}-")))
            .unwrap_or_else(|| panic!("the report of {aid}"))
            .to_owned();
        assert!(name.contains(&a.org.name), "{name}");
        let mut pdf = Vec::new();
        z.by_name(&name).unwrap().read_to_end(&mut pdf).unwrap();
        assert!(pdf.starts_with(b"%PDF"), "{name}");
    }

    // The list shows the job, done, with the download.
    let p = office.get(&list).await;
    assert!(p.body.contains("已完成"));
    assert!(p.body.contains(&format!("{job}/reports.zip")));

    // Start and end are in the audit log, on Art. 15.
    let log = audit(&app, "job.reports.").await;
    let actions = audit_actions(&log);
    assert!(
        actions.contains(&"job.reports.start".to_owned()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"job.reports.done".to_owned()),
        "{actions:?}"
    );
    assert!(log.iter().all(|e| e.article == Some(15)));
}

#[tokio::test]
async fn only_the_office_may_generate_or_download_the_reports() {
    let app = spawn_app_with(qaward::demo::Options::default()).await;
    let sid = app.demo.review.session_id;
    let (jid, _) = app
        .store
        .start_report_job(&Who::system(), sid, app.now_ts())
        .await
        .unwrap();
    for who in [
        "leader",
        "discipline",
        "reviewer-lead",
        "rv-applicant1",
        "sysadmin",
    ] {
        let u = app.signed_in(who).await;
        for path in [
            format!("/office/sessions/{sid}/report-jobs"),
            format!("/office/report-jobs/{jid}"),
            format!("/office/report-jobs/{jid}/progress"),
            format!("/office/report-jobs/{jid}/reports.zip"),
        ] {
            assert_eq!(u.get(&path).await.status, 403, "{who} GET {path}");
        }
        let r = u
            .post(&format!("/office/sessions/{sid}/report-jobs"), &[])
            .await;
        assert_eq!(r.status, 403, "{who} starts a job");
    }
    let anon = app.visitor();
    let r = anon.get(&format!("/office/report-jobs/{jid}")).await;
    assert_ne!(r.status, 200);
}

#[tokio::test]
async fn a_job_cut_off_by_a_restart_shows_as_interrupted_and_may_start_again() {
    let app = spawn_app_with(qaward::demo::Options::default()).await;
    let sid = app.demo.review.session_id;
    let office = app.signed_in("office").await;
    // A job the server was running when it stopped (recorded, never finished).
    let (jid, _) = app
        .store
        .start_report_job(&Who::system(), sid, app.now_ts())
        .await
        .unwrap();
    let list = format!("/office/sessions/{sid}/report-jobs");
    let p = office.get(&format!("/office/report-jobs/{jid}")).await;
    assert!(p.body.contains("生成中"), "{}", p.body);
    // While it runs, a second one is refused with a reason, and nothing starts.
    let r = office.post(&list, &[]).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("已有一个正在生成的评审报告任务"),
        "{}",
        r.body
    );
    assert_eq!(app.store.report_jobs(sid).await.unwrap().len(), 1);

    // The start-up of the server marks it interrupted.
    assert_eq!(
        app.store.interrupt_report_jobs(app.now_ts()).await.unwrap(),
        1
    );
    let p = office.get(&format!("/office/report-jobs/{jid}")).await;
    assert!(p.body.contains("已中断"), "{}", p.body);
    assert!(p.body.contains("服务重新启动"), "{}", p.body);
    assert!(p.body.contains("重新开始"), "{}", p.body);
    let (status, _, _) = office
        .get_bytes(&format!("/office/report-jobs/{jid}/reports.zip"))
        .await;
    assert_eq!(status, 404);
    let log = audit(&app, "job.reports.interrupted").await;
    assert_eq!(log.len(), 1);

    // Started again, it completes.
    let p = office.get(&list).await;
    assert!(p.body.contains("已中断"));
    assert!(p.body.contains("开始批量生成"));
    let r = office.post(&list, &[]).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let body = wait_for_end(&office, &r.location.unwrap()).await;
    assert!(body.contains("已完成"), "{body}");
}

#[tokio::test]
async fn a_session_without_agreed_reports_has_nothing_to_generate() {
    let app = spawn_app_with(qaward::demo::Options::default()).await;
    let sid = app.demo.session_2026;
    let office = app.signed_in("office").await;
    let list = format!("/office/sessions/{sid}/report-jobs");
    let p = office.get(&list).await;
    assert!(p.body.contains("<dd id=\"ready\">0 份</dd>"), "{}", p.body);
    let r = office.post(&list, &[]).await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("本届还没有已完成的资料评审报告"),
        "{}",
        r.body
    );
    assert!(app.store.report_jobs(sid).await.unwrap().is_empty());
}
