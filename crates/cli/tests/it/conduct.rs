//! Two-way conduct feedback (Art. 26), complaints handled by discipline (Art. 23, 24) and the
//! discipline audit viewer (R-SUP-3), on the demo's 2024 on-site reviews.

use crate::helpers::{TestApp, spawn_app};
use qaward_store::conduct::Direction;

/// s24-applicant1's visited application and the reviewers who visited it.
async fn visited(app: &TestApp) -> (i64, Vec<(i64, Option<i64>, String)>) {
    let aid = app.demo.s2024.onsite[0];
    let v = app
        .store
        .visited(aid)
        .await
        .unwrap()
        .expect("the visit is recorded");
    (
        aid,
        v.visitors
            .iter()
            .map(|x| (x.expert_id, x.user_id, x.name.clone()))
            .collect(),
    )
}

fn login_of(app_users: &[qaward_store::accounts::User], uid: Option<i64>) -> String {
    app_users
        .iter()
        .find(|u| Some(u.id) == uid)
        .map(|u| u.username.clone())
        .unwrap()
}

#[tokio::test]
async fn ratings_reach_discipline_and_leadership_never_the_rated_party() {
    let app = spawn_app().await;
    let (aid, visitors) = visited(&app).await;
    let applicant_login = app
        .demo
        .s2024
        .applications
        .iter()
        .position(|(_, a)| *a == aid)
        .map(|p| format!("s24-applicant{}", p + 1))
        .unwrap();
    let a = app.signed_in(&applicant_login).await;
    // The on-site page offers the rating once the visit is recorded.
    let onsite = a.get(&format!("/applications/{aid}/onsite")).await;
    assert_eq!(onsite.status, 200, "{}", onsite.body);
    assert!(
        onsite
            .body
            .contains(&format!("/applications/{aid}/conduct"))
    );
    let list = a.get(&format!("/applications/{aid}/conduct")).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains(&visitors[0].2));

    // The demo already rated the team; the forms are locked.
    let (eid, uid, _) = visitors[0].clone();
    let url = format!("/applications/{aid}/conduct/{eid}");
    let form = a.get(&url).await;
    assert!(form.body.contains("id=\"locked\""), "{}", form.body);
    let full = [
        ("punctuality", "1"),
        ("confidentiality", "4"),
        ("integrity", "4"),
        ("gifts_accepted", "no"),
        ("professionalism", "4"),
        ("comments", "改一下"),
        ("submit", "1"),
    ];
    let again = a.post(&url, &full).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body.contains("第二十六条"));

    // A reviewer who did not visit cannot be rated: refused with the article.
    let outsider = app
        .store
        .experts(app.demo.review.programme_id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .find(|id| !visitors.iter().any(|v| v.0 == *id))
        .expect("a reviewer who did not visit");
    let p = a
        .post(
            &format!("/applications/{aid}/conduct/{outsider}"),
            &[
                ("punctuality", "4"),
                ("confidentiality", "4"),
                ("integrity", "4"),
                ("gifts_accepted", "no"),
                ("professionalism", "4"),
                ("submit", "1"),
            ],
        )
        .await;
    assert_eq!(p.status, 409, "{}", p.body);
    assert!(p.body.contains("第二十六条"), "{}", p.body);

    // The rated reviewer: its own form of the applicant, never the applicant's rating of it.
    let users = app.store.users().await.unwrap();
    let reviewer = app.signed_in(&login_of(&users, uid)).await;
    let theirs = app
        .store
        .conduct_rating(aid, eid, Direction::OfReviewer)
        .await
        .unwrap()
        .unwrap();
    let mine = app
        .store
        .conduct_rating(aid, eid, Direction::OfApplicant)
        .await
        .unwrap()
        .unwrap();
    for path in [
        format!("/discipline/ratings/{}", theirs.id),
        "/discipline/conduct".to_owned(),
        format!("/discipline/ratings/{}", mine.id),
    ] {
        assert_eq!(reviewer.get(&path).await.status, 403, "{path}");
        assert_eq!(a.get(&path).await.status, 403, "{path}");
    }
    let own = reviewer
        .get(&format!("/review/applications/{aid}/conduct"))
        .await;
    assert_eq!(own.status, 200, "{}", own.body);
    assert!(own.body.contains("id=\"locked\""));
    let desk = reviewer.get("/review/conduct").await;
    assert!(
        desk.body
            .contains(&format!("/review/applications/{aid}/conduct"))
    );

    // Discipline and leadership read both; the ordinary office does not.
    for who in ["discipline", "leader"] {
        let u = app.signed_in(who).await;
        let page = u.get("/discipline/conduct").await;
        assert_eq!(page.status, 200, "{who}");
        assert!(
            page.body
                .contains(&format!("/discipline/ratings/{}", theirs.id))
        );
        assert!(
            page.body
                .contains(&format!("/discipline/ratings/{}", mine.id))
        );
        assert_eq!(
            u.get(&format!("/discipline/ratings/{}", theirs.id))
                .await
                .status,
            200
        );
    }
    // The demo's low rating is flagged and comes first.
    let page = app
        .signed_in("discipline")
        .await
        .get("/discipline/conduct")
        .await;
    assert!(page.body.contains("迟到约一小时"));
    let office = app.signed_in("office").await;
    assert_eq!(office.get("/discipline/conduct").await.status, 403);
    assert_eq!(
        office
            .get(&format!("/discipline/ratings/{}", theirs.id))
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn a_complaint_is_filed_acknowledged_and_handled() {
    let app = spawn_app().await;
    let a = app.signed_in("s24-applicant1").await;
    let form = a.get("/complaints").await;
    assert_eq!(form.status, 200);
    // Bad input: named fields, and what was typed stays.
    let bad = a
        .post_file(
            "/complaints",
            &[
                ("subject_kind", "staff"),
                ("staff", ""),
                ("occurred_on", "昨天"),
                ("facts", "办事拖延，态度恶劣，请核查处理。"),
            ],
            None,
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("“被投诉的工作人员或单位”"));
    assert!(bad.body.contains("“发生日期”"));
    assert!(bad.body.contains("办事拖延，态度恶劣，请核查处理。"));
    // A file that is not a PDF or an image is refused by its content, the text kept.
    let wrong = a
        .post_file(
            "/complaints",
            STAFF_COMPLAINT,
            Some(("说明.pdf", b"just text, not a PDF".to_vec())),
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(
        wrong.body.contains("只接受 PDF、JPG、PNG"),
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("某县质量强县办工作人员"));
    let p = a
        .post_file(
            "/complaints",
            STAFF_COMPLAINT,
            Some(("办事记录.pdf", qaward::demo::demo_pdf("办事记录"))),
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let loc = p.location.unwrap();
    let ack = a.get(&loc).await;
    assert!(ack.body.contains("id=\"ack\""), "{}", ack.body);
    assert!(ack.body.contains("已受理"));
    let id: i64 = loc
        .trim_start_matches("/complaints/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // The evidence is listed and opens for the complainant and for discipline only.
    assert!(ack.body.contains("办事记录.pdf"));
    let fid = app.store.complaint_files(id).await.unwrap()[0].id;
    let file = format!("/complaints/{id}/files/{fid}");
    let (status, bytes, _) = a.get_bytes(&file).await;
    assert_eq!(status, 200);
    assert!(bytes.starts_with(b"%PDF"));
    // Someone else's complaint: refused, its evidence too.
    let other = app.signed_in("s24-applicant2").await;
    assert_eq!(other.get(&format!("/complaints/{id}")).await.status, 403);
    assert_eq!(other.get(&file).await.status, 403);
    assert_eq!(
        app.signed_in("discipline").await.get(&file).await.status,
        200
    );

    let d = app.signed_in("discipline").await;
    let url = format!("/discipline/complaints/{id}");
    assert_eq!(d.get(&url).await.status, 200);
    let early = d.post(&url, &[("step", "close")]).await;
    assert_eq!(early.status, 409, "{}", early.body);
    assert!(early.body.contains("第二十三条"));
    for (step, note) in [
        ("assign", "纪检组 李某"),
        ("findings", "经核查情况属实。"),
        ("outcome", "责令所在单位批评教育。"),
        ("reply", "经核查，您反映的问题属实，已责令整改。"),
        ("close", ""),
    ] {
        let r = d
            .post(
                &url,
                &[("step", step), ("note", note), ("recommendation", "none")],
            )
            .await;
        assert_eq!(r.status, 303, "{step}: {}", r.body);
    }
    let done = a.get(&format!("/complaints/{id}")).await;
    assert!(done.body.contains("已办结"));
    assert!(done.body.contains("已责令整改"));
    let log = d.get("/discipline/audit?action=complaint.").await;
    assert!(log.body.contains("书面答复投诉人"));
    assert!(log.body.contains("第二十三条"));

    // The demo's complaint about a reviewer is in progress and shown to discipline.
    let page = d.get("/discipline/conduct").await;
    assert!(page.body.contains(&format!(
        "/discipline/complaints/{}",
        app.demo.conduct.complaint
    )));
    assert!(page.body.contains("id=\"sanctions\""));
}

#[tokio::test]
async fn the_audit_viewer_filters_exports_and_verifies() {
    let app = spawn_app().await;
    let d = app.signed_in("discipline").await;
    let all = d.get("/discipline/audit").await;
    assert_eq!(all.status, 200);
    let narrowed = d
        .get("/discipline/audit?article=26&entity=conduct_rating&from=2024-10-01&to=2024-10-31")
        .await;
    assert_eq!(narrowed.status, 200);
    assert!(narrowed.body.contains("提交双向评价"));
    assert!(!narrowed.body.contains("session.advance"));
    // A filtered list says why its numbers have gaps.
    assert!(narrowed.body.contains("链上序号"));
    assert!(narrowed.body.contains("序号不连续并不表示记录缺失"));
    let text = d.get("/discipline/audit?q=%E6%8A%95%E8%AF%89").await;
    assert!(text.body.contains("提出投诉"));
    assert!(!text.body.contains("提交双向评价"));
    let bad = d.get("/discipline/audit?from=yesterday").await;
    assert!(bad.body.contains("“起始日期”"));
    let (status, bytes, _) = d
        .get_bytes("/discipline/audit.csv?article=26&entity=conduct_rating")
        .await;
    assert_eq!(status, 200);
    let csv = String::from_utf8(bytes).unwrap();
    assert!(csv.contains("筛选条件"));
    assert!(csv.contains("条款=26"));
    let (_, head) = app.store.audit_head().await.unwrap();
    assert!(csv.contains(&head), "the chain head hash is in the file");
    assert!(csv.contains("conduct.rating.submit"));
    assert!(!csv.contains("complaint.file"));
    // The same filter as a workbook: the filtered rows, then the filter and the chain head.
    {
        use calamine::{Reader, Xlsx};
        let (status, bytes, _) = d
            .get_bytes("/discipline/audit.xlsx?article=26&entity=conduct_rating")
            .await;
        assert_eq!(status, 200);
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let rows: Vec<Vec<String>> = book
            .worksheet_range("审计日志")
            .unwrap()
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(rows[0][4], "操作");
        let actions: Vec<&str> = rows
            .iter()
            .skip(1)
            .filter_map(|r| r.get(4).map(String::as_str))
            .filter(|a| !a.is_empty())
            .collect();
        assert!(!actions.is_empty());
        assert!(
            actions.iter().all(|a| a.starts_with("conduct.rating")),
            "{actions:?}"
        );
        assert!(
            rows.iter().any(|r| r[0].contains(&head)),
            "the chain head hash is in the book"
        );
    }
    let v = d.get("/discipline/audit?verify=1").await;
    assert!(v.body.contains("哈希链完整"), "{}", v.body);
    assert!(v.body.contains("校验时间"));
    // Read-only, and the office cannot export.
    assert_eq!(
        app.signed_in("office")
            .await
            .get("/discipline/audit.csv")
            .await
            .status,
        403
    );
}

/// A complaint about a member of a county office's staff, as typed.
const STAFF_COMPLAINT: &[(&str, &str)] = &[
    ("subject_kind", "staff"),
    ("staff", "某县质量强县办工作人员"),
    ("occurred_on", "2026-11-20"),
    ("facts", "办事拖延，态度恶劣，请核查处理。"),
];
