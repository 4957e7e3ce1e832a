//! Evidence files: typed by content, limited in size, streamed, hashed, and shown only to
//! those who may read the application.

use crate::helpers::spawn_app;
use sha2::{Digest, Sha256};

/// A draft of the demo applicant to upload to: (user, application id).
async fn draft(app: &crate::helpers::TestApp) -> (crate::helpers::User, i64) {
    let u = app.signed_in("applicant").await;
    let org = app.demo.organisations[0];
    let p = u
        .post(
            &format!("/org/{org}/applications"),
            &[("session_id", &app.demo.session_2026.to_string())],
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    (
        u,
        p.location
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .parse()
            .unwrap(),
    )
}

#[tokio::test]
async fn a_20_mb_pdf_streams_in_and_comes_back_byte_for_byte() {
    let app = spawn_app().await;
    let (u, aid) = draft(&app).await;
    let mut big = qaward::demo::demo_pdf("big evidence");
    big.resize(20 * 1_048_576, b'%');
    let p = u
        .post_file(
            &format!("/applications/{aid}/evidence"),
            &[("kind", "financial")],
            Some(("财务审计报告2023-2025.pdf", big.clone())),
        )
        .await;
    assert_eq!(p.status, 303, "{}", p.body);
    let files = app.store.attachments(aid).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].sha256, hex::encode(Sha256::digest(&big)));
    assert_eq!(files[0].size, big.len() as i64);
    assert_eq!(files[0].mime, "application/pdf");
    let (status, bytes, ct) = u.get_bytes(&format!("/attachments/{}", files[0].id)).await;
    assert_eq!(status, 200);
    assert_eq!(ct, "application/pdf");
    assert!(bytes == big, "the download is the upload");
    assert!(
        u.get(&format!("/applications/{aid}/evidence"))
            .await
            .body
            .contains("财务审计报告2023-2025.pdf")
    );
}

#[tokio::test]
async fn the_type_is_decided_by_content_not_by_name() {
    let app = spawn_app().await;
    let (u, aid) = draft(&app).await;
    let p = u
        .post_file(
            &format!("/applications/{aid}/evidence"),
            &[("kind", "other")],
            Some(("report.pdf", b"just some text pretending".to_vec())),
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("只接受 PDF、JPG、PNG"), "{}", p.body);
    let png = [
        &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..],
        &[0u8; 64][..],
    ]
    .concat();
    let p = u
        .post_file(
            &format!("/applications/{aid}/evidence"),
            &[("kind", "honours")],
            Some(("证书.jpg", png)),
        )
        .await;
    assert_eq!(p.status, 303, "a PNG named .jpg is still a PNG");
    assert_eq!(
        app.store.attachments(aid).await.unwrap()[0].mime,
        "image/png"
    );
    let p = u
        .post_file(
            &format!("/applications/{aid}/evidence"),
            &[("kind", "other")],
            None,
        )
        .await;
    assert!(p.body.contains("请选择要上传的文件"));
}

#[tokio::test]
async fn a_file_over_the_limit_is_refused_and_nothing_is_kept() {
    let app = spawn_app().await;
    let (u, aid) = draft(&app).await;
    let mut big = qaward::demo::demo_pdf("too big");
    big.resize(51 * 1_048_576, b'%');
    let p = u
        .post_file(
            &format!("/applications/{aid}/evidence"),
            &[("kind", "other")],
            Some(("big.pdf", big)),
        )
        .await;
    assert_eq!(p.status, 422, "{}", p.body);
    assert!(p.body.contains("文件超过50MB"), "{}", p.body);
    assert!(app.store.attachments(aid).await.unwrap().is_empty());
}

#[tokio::test]
async fn files_are_seen_only_by_those_who_may_read_the_application() {
    let app = spawn_app().await;
    let (_, aid, _) = app
        .demo
        .applications
        .iter()
        .find(|(n, ..)| n == "英德市演示红茶有限公司")
        .unwrap();
    let file = app.store.attachments(*aid).await.unwrap()[0].id;
    assert_eq!(
        app.signed_in("county-yingde")
            .await
            .get_bytes(&format!("/attachments/{file}"))
            .await
            .0,
        200
    );
    assert_eq!(
        app.signed_in("office")
            .await
            .get_bytes(&format!("/attachments/{file}"))
            .await
            .0,
        200
    );
    for who in [
        "applicant",
        "county-qingcheng",
        "dept-ecology",
        "reviewer",
        "sysadmin",
    ] {
        assert_eq!(
            app.signed_in(who)
                .await
                .get_bytes(&format!("/attachments/{file}"))
                .await
                .0,
            403,
            "{who}"
        );
    }
    assert_eq!(
        app.visitor()
            .get_bytes(&format!("/attachments/{file}"))
            .await
            .0,
        403
    );
    assert_eq!(
        app.signed_in("applicant")
            .await
            .get_bytes("/attachments/999999")
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn the_receipt_hash_covers_the_files_and_they_cannot_be_removed_after_submission() {
    let app = spawn_app().await;
    let (_, aid, _) = app
        .demo
        .applications
        .iter()
        .find(|(_, _, s)| s == "submitted")
        .unwrap();
    let a = app.store.application(*aid).await.unwrap();
    let hashes: Vec<String> = app
        .store
        .attachments(*aid)
        .await
        .unwrap()
        .iter()
        .map(|f| f.sha256.clone())
        .collect();
    assert_eq!(hashes.len(), 2);
    assert_eq!(
        a.content_hash.unwrap(),
        qaward_store::application::content_hash(&a.values, &hashes)
    );
    let owner = app
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.grants.iter().any(|g| g.organisation_id == Some(a.org.id)))
        .unwrap();
    let u = app.signed_in(&owner.username).await;
    let file = app.store.attachments(*aid).await.unwrap()[0].id;
    assert_eq!(
        u.post(&format!("/attachments/{file}/remove"), &[])
            .await
            .status,
        409
    );
    assert_eq!(app.store.attachments(*aid).await.unwrap().len(), 2);
}
