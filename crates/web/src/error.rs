//! Errors as pages: 403 and 404 in Chinese (or English), refusals with their article,
//! internal errors logged and never shown.

use crate::i18n::Lang;
use crate::view::PageCtx;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use qaward_core::authz::Denied;
use qaward_core::refusal::Refusal;

/// What a handler can fail with.
#[derive(Debug)]
pub enum AppError {
    /// Access refused (403).
    Forbidden(Denied, Box<PageCtx>),
    /// Nothing there (404).
    NotFound(Box<PageCtx>),
    /// A rule of the measures says no (409), with its article.
    Refused(Box<Refusal>, Box<PageCtx>),
    /// A form that failed CSRF or origin checks (403).
    BadForm(Box<PageCtx>),
    /// Input that cannot be read as what it should be (a status such as 400 or 413), with a
    /// message naming the field.
    BadInput(StatusCode, String, Box<PageCtx>),
    /// A file the database names is not in the file store (404): the message names it.
    FileMissing(String, Box<PageCtx>),
    /// Something broke (500); logged, not shown.
    Internal(String),
    /// A store error, shown as its page once the request's frame is at hand (see
    /// [`Deferred`]): a handler writes `?` on any store call.
    Store(qaward_store::Error),
}

impl From<qaward_store::Error> for AppError {
    fn from(e: qaward_store::Error) -> Self {
        AppError::Store(e)
    }
}

/// An error page still to be drawn: the response carries it to [`crate::ctx::guard`], which
/// knows the request (language, the person, the path) and draws the page.
#[derive(Debug, Clone)]
pub enum Deferred {
    /// 404.
    NotFound,
    /// 403.
    Forbidden(Denied),
    /// 409, with the article.
    Refused(Box<Refusal>),
    /// 422: input that does not pass, with the field's message.
    Invalid {
        /// Message in Chinese.
        zh: String,
        /// Message in English.
        en: String,
    },
}

impl Deferred {
    /// The page for this error in the frame `c`.
    pub fn page(self, c: PageCtx) -> Response {
        match self {
            Deferred::NotFound => AppError::NotFound(Box::new(c)),
            Deferred::Forbidden(d) => AppError::Forbidden(d, Box::new(c)),
            Deferred::Refused(r) => AppError::Refused(r, Box::new(c)),
            Deferred::Invalid { zh, en } => {
                let r = Refusal::new("invalid", None, ("", ""), zh, en);
                return page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &c,
                    "提交的内容有问题",
                    if c.lang == Lang::Zh { r.zh } else { r.en },
                    None,
                    false,
                );
            }
        }
        .into_response()
    }
}

fn page(
    status: StatusCode,
    c: &PageCtx,
    title: &str,
    message: String,
    citation: Option<String>,
    sign_in: bool,
) -> Response {
    let title = c.t(title);
    let page = ErrorPage {
        c,
        status: status.as_u16(),
        title,
        message,
        citation,
        sign_in,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page failed");
            status.into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    c: &'a PageCtx,
    status: u16,
    title: String,
    message: String,
    citation: Option<String>,
    sign_in: bool,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, c, title, message, citation, sign_in) = match self {
            AppError::Forbidden(d, c) => {
                let zh = c.lang == Lang::Zh;
                let msg = if zh { d.zh } else { d.en }.to_owned();
                (StatusCode::FORBIDDEN, c, "无权访问", msg, None, d.sign_in)
            }
            AppError::NotFound(c) => {
                let msg = c.t("您要找的页面不存在，或已被移除。");
                (StatusCode::NOT_FOUND, c, "页面不存在", msg, None, false)
            }
            AppError::Refused(r, c) => {
                let zh = c.lang == Lang::Zh;
                let (msg, cit) = if zh {
                    (r.zh.clone(), r.citation_zh())
                } else {
                    (r.en.clone(), r.citation_en())
                };
                (StatusCode::CONFLICT, c, "操作未获准许", msg, cit, false)
            }
            AppError::BadForm(c) => {
                let msg = c.t("表单已过期或来源无法确认，为保护您的账号，本次提交未被处理。请返回、刷新页面后重新提交。");
                (StatusCode::FORBIDDEN, c, "表单无效", msg, None, false)
            }
            AppError::BadInput(status, msg, c) => (status, c, "输入有误", msg, None, false),
            AppError::FileMissing(what, c) => {
                tracing::error!(file = %what, "a file the database names is missing from the file store");
                let msg = if c.lang == Lang::Zh {
                    format!(
                        "文件“{what}”在文件库中缺失，暂时无法下载。已保存的其他内容不受影响；请联系系统管理员从备份中恢复该文件。"
                    )
                } else {
                    format!(
                        "The file “{what}” is missing from the file store and cannot be downloaded now. Nothing else is affected; ask the system administrator to restore it from a backup."
                    )
                };
                (StatusCode::NOT_FOUND, c, "文件缺失", msg, None, false)
            }
            AppError::Store(e) => {
                let (status, d) = match e {
                    qaward_store::Error::NotFound => (StatusCode::NOT_FOUND, Deferred::NotFound),
                    qaward_store::Error::Forbidden(d) => {
                        (StatusCode::FORBIDDEN, Deferred::Forbidden(d))
                    }
                    qaward_store::Error::Refused(r) => {
                        (StatusCode::CONFLICT, Deferred::Refused(Box::new(r)))
                    }
                    qaward_store::Error::Invalid { zh, en, .. } => (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Deferred::Invalid { zh, en },
                    ),
                    other => return AppError::Internal(other.to_string()).into_response(),
                };
                let mut resp = status.into_response();
                resp.extensions_mut().insert(d);
                return resp;
            }
            AppError::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Html("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>系统错误</title><body><h1>系统错误</h1><p>系统出现错误，您的操作未完成，已保存的内容不受影响。请稍后重试；如仍有问题，请联系系统管理员。</p><p>A system error occurred; nothing saved was lost. Please try again later.</p></body></html>"),
                )
                    .into_response();
            }
        };
        page(status, &c, title, message, citation, sign_in)
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.to_string())
    }
}

/// Turn a store error into a page error, given the page context.
pub fn from_store(e: qaward_store::Error, c: &PageCtx) -> AppError {
    match e {
        qaward_store::Error::NotFound => AppError::NotFound(Box::new(c.clone())),
        qaward_store::Error::Refused(r) => AppError::Refused(Box::new(r), Box::new(c.clone())),
        qaward_store::Error::Forbidden(d) => AppError::Forbidden(d, Box::new(c.clone())),
        other => AppError::Store(other),
    }
}
