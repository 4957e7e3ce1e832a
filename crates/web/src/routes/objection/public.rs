//! Objections by real name from the public (Art. 28): the form during the notice, the
//! acknowledgement, and tracking by number and code.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::AppError;
use crate::routes::upload::FileFault;
use crate::view::PageCtx;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use qaward_core::authz::Action;
use qaward_store::session::SessionDetail;

/// What an objector typed, for the form.
#[derive(Template, WebTemplate)]
#[template(path = "objection_new.html")]
struct ObjectionNewPage {
    c: PageCtx,
    d: SessionDetail,
    notice: qaward_store::decision::Notice,
    list: Vec<qaward_store::decision::DecidedEntry>,
    f: qaward_store::objection::ObjectionInput,
    errors: crate::view::FormErrors,
    refusal: Option<crate::routes::decision::RefusalView>,
    max_mb: u64,
}

/// The notice of a session that receives objections today, or the refusal page.
async fn open_notice(
    st: &AppState,
    c: &Ctx,
    id: i64,
) -> Result<(SessionDetail, qaward_store::decision::Notice), AppError> {
    let d = st.store.session_detail(id).await?;
    let today = c
        .now
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date();
    match st.store.objection_window(id, today).await? {
        Ok(n) => Ok((d, n)),
        Err(r) => Err(AppError::Refused(Box::new(r), Box::new(c.page()))),
    }
}

async fn objection_form(
    st: &AppState,
    c: &Ctx,
    id: i64,
    f: qaward_store::objection::ObjectionInput,
    errors: crate::view::FormErrors,
    refusal: Option<crate::routes::decision::RefusalView>,
) -> Result<ObjectionNewPage, AppError> {
    let (d, notice) = open_notice(st, c, id).await?;
    let list = st.store.decided_list(id).await?;
    Ok(ObjectionNewPage {
        c: c.page(),
        d,
        notice,
        list,
        f,
        errors,
        refusal,
        max_mb: st.config.max_file / 1_048_576,
    })
}

/// `GET /sessions/{id}/objections/new`: the real-name objection form (Art. 28).
pub async fn objection_new(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewPublic)?;
    let f = qaward_store::objection::ObjectionInput {
        kind: q.get("kind").cloned().unwrap_or_else(|| "person".into()),
        application_id: q.get("application").cloned().unwrap_or_default(),
        ..Default::default()
    };
    objection_form(&st, &c, id, f, crate::view::FormErrors::default(), None).await
}

#[derive(Template, WebTemplate)]
#[template(path = "objection_ack.html")]
struct ObjectionAckPage {
    c: PageCtx,
    d: SessionDetail,
    ack: String,
    code: String,
    due: String,
}

/// The most evidence files one objection carries.
const MAX_OBJECTION_FILES: usize = 5;

/// `POST /sessions/{id}/objections/new` (multipart): register a real-name objection with its
/// evidence, streamed to the file store. Anonymous or incomplete objections are refused with
/// every field named and everything typed kept.
pub async fn objection_create(
    State(st): State<AppState>,
    c: Ctx,
    Path(id): Path<i64>,
    req: axum::extract::Request,
) -> Result<axum::response::Response, AppError> {
    use axum::extract::FromRequest;
    use axum::http::StatusCode;
    c.authorize(Action::ViewPublic)?;
    let list = st.store.decided_list(id).await?;
    let Ok(mut mp) = axum::extract::Multipart::from_request(req, &st).await else {
        return Err(AppError::BadForm(Box::new(c.page())));
    };
    let page = c.page();
    let mut csrf_ok = false;
    let mut text: Vec<(String, String)> = Vec::new();
    let mut files = Vec::new();
    let mut checked: Option<(Vec<qaward_store::decision::FieldProblem>, bool)> = None;
    let mut file_error: Option<String> = None;
    let input_of = |text: &[(String, String)]| {
        let g = |k: &str| {
            text.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.trim().to_owned())
                .unwrap_or_default()
        };
        qaward_store::objection::ObjectionInput {
            kind: g("kind"),
            name: g("name"),
            id_number: g("id_number"),
            credit_code: g("credit_code"),
            address: g("address"),
            contact: g("contact"),
            phone: g("phone"),
            application_id: g("application_id"),
            facts: g("facts"),
        }
    };
    let too_large = |limit: u64| {
        if page.zh() {
            format!(
                "“证明材料”：文件超过{}MB，请压缩或拆分后上传。",
                limit / 1_048_576
            )
        } else {
            format!("A file is over {} MB.", limit / 1_048_576)
        }
    };
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                file_error = Some(too_large(st.config.max_file));
                break;
            }
            Err(_) => return Err(AppError::BadForm(Box::new(c.page()))),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "csrf" {
            let t = field
                .text()
                .await
                .map_err(|_| AppError::BadForm(Box::new(c.page())))?;
            csrf_ok = !c.csrf.is_empty() && t == c.csrf;
            if !csrf_ok {
                return Err(AppError::BadForm(Box::new(c.page())));
            }
            // Only while the list is under notice (Art. 18, 28).
            open_notice(&st, &c, id).await?;
            continue;
        }
        if !csrf_ok {
            return Err(AppError::BadForm(Box::new(c.page())));
        }
        if name != "file" {
            let v = field.text().await.unwrap_or_default();
            text.push((name, v));
            continue;
        }
        let filename = field.file_name().unwrap_or_default().to_owned();
        if filename.is_empty() {
            continue;
        }
        // The typed fields come first: nothing is written while they do not pass.
        let ch = checked.get_or_insert_with(|| {
            qaward_store::objection::check_objection(&input_of(&text), &list)
        });
        if !ch.0.is_empty() || file_error.is_some() {
            break;
        }
        if files.len() >= MAX_OBJECTION_FILES {
            file_error = Some(format!(
                "{}{MAX_OBJECTION_FILES}",
                page.t("“证明材料”：每件异议最多上传的文件数为")
            ));
            break;
        }
        let bad_type = || {
            page.t("“证明材料”：只接受 PDF、JPG、PNG 格式的文件（按文件内容判断，而非文件名）。")
        };
        match crate::routes::upload::store_field(&st, field).await? {
            Ok(w) => files.push((filename, w)),
            Err(fault) => {
                file_error = Some(match fault {
                    FileFault::TooLarge(limit) => too_large(limit),
                    FileFault::Cut => too_large(st.config.max_file),
                    FileFault::Empty => page.t("“证明材料”：文件是空的。"),
                    FileFault::BadType => bad_type(),
                });
                break;
            }
        }
    }
    if !csrf_ok {
        return Err(AppError::BadForm(Box::new(c.page())));
    }
    let input = input_of(&text);
    let (problems, anonymous) = match checked {
        Some(ch) => ch,
        None => qaward_store::objection::check_objection(&input, &list),
    };
    let mut errors = crate::view::FormErrors::default();
    for (field, zh, en) in problems {
        errors.push(field, if page.zh() { zh } else { en });
    }
    if let Some(m) = file_error {
        errors.push("file", m);
    } else if errors.0.is_empty() && files.is_empty() {
        errors.push(
            "file",
            page.t("“证明材料”：请上传必要的证明材料（PDF、JPG或PNG）。"),
        );
    }
    if errors.any() {
        let refusal = if anonymous {
            let r = st.store.refuse_anonymous_objection(id, c.now).await?;
            Some(crate::routes::decision::refusal_view(&page, &r))
        } else {
            None
        };
        let status = if anonymous {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok((
            status,
            objection_form(&st, &c, id, input, errors, refusal).await?,
        )
            .into_response());
    }
    match st.store.file_objection(id, &input, &files, c.now).await {
        Ok((ack, code)) => {
            let d = st.store.session_detail(id).await?;
            let today = c
                .now
                .to_zoned_datetime(qaward_core::clock::shanghai())
                .date();
            let due = qaward_core::decision::objection_due(&d.rules, today);
            Ok(ObjectionAckPage {
                due: page.date(due),
                c: page,
                d,
                ack,
                code,
            }
            .into_response())
        }
        Err(qaward_store::Error::Invalid { field, zh, en }) => {
            let mut errors = crate::view::FormErrors::default();
            errors.push(&field, if page.zh() { zh } else { en });
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                objection_form(&st, &c, id, input, errors, None).await?,
            )
                .into_response())
        }
        Err(e) => Err(c.store_err(e)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "objection_track.html")]
struct TrackPage {
    c: PageCtx,
    ack: String,
    code: String,
    found: Option<qaward_store::objection::Objection>,
    not_found: bool,
}

/// `GET /objections/track`: the form to follow an objection.
pub async fn track_page(
    c: Ctx,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewPublic)?;
    Ok(TrackPage {
        c: c.page(),
        ack: q.get("ack").cloned().unwrap_or_default(),
        code: String::new(),
        found: None,
        not_found: false,
    })
}

/// `POST /objections/track`: an objection's status and reply, given its acknowledgement number
/// and follow-up code.
pub async fn track(
    State(st): State<AppState>,
    c: Ctx,
    f: crate::ctx::FormData,
) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewPublic)?;
    let ack = f.get("ack");
    let code = f.get("code");
    let found = st.store.track_objection(&ack, &code).await?;
    Ok(TrackPage {
        c: c.page(),
        not_found: found.is_none(),
        found,
        ack,
        code: String::new(),
    })
}
