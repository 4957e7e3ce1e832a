//! Evidence files (R-APP-2): uploaded in a stream (never held whole in memory), typed by their
//! content, limited in size, stored by SHA-256, and shown or downloaded only to those who may read the
//! application.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::routes::application::load;
use crate::routes::upload::FileFault;
use crate::view::{FormErrors, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::{Action, Role};
use qaward_store::attachments::{Attachment, KINDS, NewAttachment, Written};
use std::collections::HashMap;

/// One kind of evidence with its files.
pub struct KindView {
    /// Code.
    pub code: &'static str,
    /// Name.
    pub name: String,
    /// Must be given.
    pub required: bool,
    /// Files.
    pub files: Vec<Attachment>,
}

#[derive(Template, WebTemplate)]
#[template(path = "evidence.html")]
struct EvidencePage {
    c: PageCtx,
    aid: i64,
    org: String,
    kinds: Vec<KindView>,
    editable: bool,
    errors: FormErrors,
    kind: String,
    max_mb: u64,
    total_mb: u64,
    used: String,
}

async fn evidence_view(
    st: &AppState,
    c: &Ctx,
    aid: i64,
    errors: FormErrors,
    kind: String,
) -> Result<EvidencePage, AppError> {
    let l = load(st, c, aid, false).await?;
    let files = st.store.attachments(aid).await?;
    let page = c.page();
    let kinds = KINDS
        .iter()
        .map(|(code, zh, en, required)| KindView {
            code,
            name: if page.zh() { zh } else { en }.to_string(),
            required: *required,
            files: files.iter().filter(|f| f.kind == *code).cloned().collect(),
        })
        .collect();
    let used: i64 = files.iter().map(|f| f.size).sum();
    let editable = l.app.status.editable()
        && c.authorize(Action::EditApplication {
            programme_id: l.app.programme_id,
            organisation_id: l.app.org.id,
        })
        .is_ok();
    Ok(EvidencePage {
        aid,
        org: l.app.org.name,
        kinds,
        editable,
        errors,
        kind,
        max_mb: st.config.max_file / 1_048_576,
        total_mb: st.config.max_total / 1_048_576,
        used: format!("{:.1}", used as f64 / 1_048_576.0),
        c: page,
    })
}

/// `GET /applications/{aid}/evidence`.
pub async fn evidence_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<impl IntoResponse, AppError> {
    evidence_view(&st, &c, aid, FormErrors::default(), String::new()).await
}

/// A multipart upload received: (kind, file name, body) or the field and message at fault.
type Received = Result<(String, String, Written), (&'static str, String)>;

/// Receive `csrf`, `kind` and `file` fields in that order, streaming the file to the store.
/// Called after authorization, so a refused person never gets as far as the body.
pub(crate) async fn receive(st: &AppState, c: &Ctx, req: Request) -> Result<Received, AppError> {
    let Ok(mut mp) = Multipart::from_request(req, st).await else {
        return Err(AppError::BadForm(Box::new(c.page())));
    };
    let page = c.page();
    let mut csrf_ok = false;
    let mut kind = String::new();
    let too_large = |limit: u64| {
        if page.zh() {
            format!("文件超过{}MB，请压缩或拆分后上传。", limit / 1_048_576)
        } else {
            format!("The file is over {} MB.", limit / 1_048_576)
        }
    };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Ok(Err(("file", too_large(st.config.max_file))));
            }
            Err(_) => return Err(AppError::BadForm(Box::new(c.page()))),
        };
        match field.name().unwrap_or_default() {
            "csrf" => {
                let t = field
                    .text()
                    .await
                    .map_err(|_| AppError::BadForm(Box::new(c.page())))?;
                csrf_ok = !c.csrf.is_empty() && t == c.csrf;
            }
            "kind" => kind = field.text().await.unwrap_or_default(),
            "file" => {
                if !csrf_ok {
                    return Err(AppError::BadForm(Box::new(c.page())));
                }
                let filename = field.file_name().unwrap_or_default().to_owned();
                if filename.is_empty() {
                    return Ok(Err(("file", page.t("请选择要上传的文件。"))));
                }
                let bad_type =
                    || page.t("只接受 PDF、JPG、PNG 格式的文件（按文件内容判断，而非文件名）。");
                return Ok(match crate::routes::upload::store_field(st, field).await? {
                    Ok(w) => Ok((kind, filename, w)),
                    Err(FileFault::TooLarge(limit)) => Err(("file", too_large(limit))),
                    Err(FileFault::Cut) => return Err(AppError::BadForm(Box::new(c.page()))),
                    Err(FileFault::Empty) => Err(("file", page.t("文件是空的。"))),
                    Err(FileFault::BadType) => Err(("file", bad_type())),
                });
            }
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(AppError::BadForm(Box::new(c.page())));
    }
    Ok(Err(("file", page.t("请选择要上传的文件。"))))
}

/// `POST /applications/{aid}/evidence` (multipart): upload one file of one kind.
pub async fn upload(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    req: Request,
) -> Result<Response, AppError> {
    load(&st, &c, aid, true).await?;
    let mut errors = FormErrors::default();
    let mut kind = String::new();
    match receive(&st, &c, req).await? {
        Ok((k, name, w)) => {
            kind = k.clone();
            match st
                .store
                .add_attachment(
                    &c.who(Role::Applicant.code()),
                    &NewAttachment {
                        application_id: aid,
                        kind: &k,
                        filename: &name,
                        written: &w,
                        max_total: st.config.max_total,
                        editable_only: true,
                    },
                    c.now,
                )
                .await
            {
                Ok(_) => {
                    return Ok(
                        Redirect::to(&format!("/applications/{aid}/evidence")).into_response()
                    );
                }
                Err(qaward_store::Error::Invalid { field, zh, en }) => {
                    errors.push(&field, if c.page().zh() { zh } else { en })
                }
                Err(e) => return Err(c.store_err(e)),
            }
        }
        Err((field, msg)) => errors.push(field, msg),
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        evidence_view(&st, &c, aid, errors, kind).await?,
    )
        .into_response())
}

/// `POST /attachments/{id}/remove`.
pub async fn remove(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    _f: FormData,
) -> Result<Response, AppError> {
    let att = attachment_for(&st, &c, id).await?;
    load(&st, &c, att.application_id, true).await?;
    let aid = st
        .store
        .remove_attachment(&c.who(Role::Applicant.code()), id, c.now)
        .await?;
    Ok(Redirect::to(&format!("/applications/{aid}/evidence")).into_response())
}

/// The attachment, or the same refusal an unknown one gets.
async fn attachment_for(st: &AppState, c: &Ctx, id: i64) -> Result<Attachment, AppError> {
    c.found(
        st.store.attachment(id).await,
        Action::ViewApplication {
            programme_id: -1,
            county_id: None,
            organisation_id: -1,
            submitted: false,
            review: qaward_core::authz::Standing::default(),
        },
    )
}

/// `GET /attachments/{id}`: download, or preview with `?inline=1`, for those who may read the
/// application.
pub async fn download(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let att = attachment_for(&st, &c, id).await?;
    load(&st, &c, att.application_id, false).await?;
    let ext = match att.mime.as_str() {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        _ => "png",
    };
    let how = if q.contains_key("inline") {
        "inline"
    } else {
        "attachment"
    };
    let disposition = format!(
        "{how}; filename=\"attachment-{id}.{ext}\"; filename*=UTF-8''{}",
        urlencoding::encode(&att.filename)
    );
    crate::routes::upload::stream_stored(
        &st,
        &c,
        &att.filename,
        &att.sha256,
        &att.mime,
        att.size,
        disposition,
    )
    .await
}
