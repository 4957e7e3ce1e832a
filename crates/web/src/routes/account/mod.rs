//! Signing in and out, the language switch, changing one's password.

use crate::AppState;
use crate::ctx::{Ctx, FormData, LANG_COOKIE, SESSION_COOKIE, set_cookie};
use crate::error::AppError;
use crate::view::{FormErrors, PageCtx, form_error};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::Action;
use qaward_store::accounts::LoginOutcome;
use std::collections::HashMap;

/// Only local paths may be redirected to.
fn safe_next(next: Option<&String>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.clone(),
        _ => "/dashboard".into(),
    }
}

/// `/lang/{en|zh}`: remember the language and go back.
pub async fn set_lang(
    State(st): State<AppState>,
    Path(lang): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let l = if lang == "en" { "en" } else { "zh" };
    let next = match q.get("next") {
        Some(n) if n.starts_with('/') && !n.starts_with("//") => n.clone(),
        _ => "/".into(),
    };
    (
        [(
            header::SET_COOKIE,
            set_cookie(&st, LANG_COOKIE, l, Some(31_536_000)),
        )],
        Redirect::to(&next),
    )
        .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    c: PageCtx,
    username: String,
    next: String,
    errors: FormErrors,
}

/// `GET /login`.
pub async fn login_page(
    c: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ViewPublic)?;
    Ok(LoginPage {
        c: c.page(),
        username: String::new(),
        next: safe_next(q.get("next")),
        errors: FormErrors::default(),
    })
}

/// `POST /login`.
pub async fn login(State(st): State<AppState>, c: Ctx, f: FormData) -> Result<Response, AppError> {
    let username = f.get("username");
    let password = f.raw("password");
    let next = safe_next(Some(&f.get("next")));
    let mut errors = FormErrors::default();
    if username.is_empty() {
        errors.push("username", c.page().t("请输入用户名。"));
    }
    if password.is_empty() {
        errors.push("password", c.page().t("请输入密码。"));
    }
    if !errors.any() {
        match st
            .store
            .login(&username, &password, c.now)
            .await
            .map_err(|e| c.store_err(e))?
        {
            LoginOutcome::Ok { token, .. } => {
                return Ok((
                    [(
                        header::SET_COOKIE,
                        set_cookie(&st, SESSION_COOKIE, &token, None),
                    )],
                    Redirect::to(&next),
                )
                    .into_response());
            }
            LoginOutcome::Failed { left } => {
                let msg = if c.lang == crate::i18n::Lang::Zh {
                    format!("用户名或密码不正确。再失败{left}次，账号将被暂时锁定。")
                } else {
                    format!(
                        "Wrong user name or password. After {left} more failure(s) the account will be locked for a while."
                    )
                };
                errors.push("password", msg);
            }
            LoginOutcome::Locked { until } => {
                let t = qaward_core::clock::format_micros(until);
                let msg = if c.lang == crate::i18n::Lang::Zh {
                    format!(
                        "连续登录失败次数过多，账号已锁定至 {t}（北京时间）。如需提前解锁，请联系系统管理员。"
                    )
                } else {
                    format!(
                        "Too many failed sign-ins: the account is locked until {t} (Beijing time). The system administrator can unlock it sooner."
                    )
                };
                errors.push("username", msg);
            }
            LoginOutcome::Disabled => {
                errors.push("username", c.page().t("该账号已停用，请联系系统管理员。"))
            }
        }
    }
    let page = LoginPage {
        c: c.page(),
        username,
        next,
        errors,
    };
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /logout`.
pub async fn logout(
    State(st): State<AppState>,
    c: Ctx,
    _f: FormData,
) -> Result<Response, AppError> {
    if let Some(s) = &c.session {
        st.store
            .logout(s, c.now)
            .await
            .map_err(|e| c.store_err(e))?;
    }
    Ok((
        [(
            header::SET_COOKIE,
            set_cookie(&st, SESSION_COOKIE, "", Some(0)),
        )],
        Redirect::to("/"),
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
struct PasswordPage {
    c: PageCtx,
    errors: FormErrors,
    done: bool,
}

/// `GET /account/password`.
pub async fn password_page(c: Ctx) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ChangeOwnPassword)?;
    Ok(PasswordPage {
        c: c.page(),
        errors: FormErrors::default(),
        done: false,
    })
}

/// `POST /account/password`.
pub async fn change_password(
    State(st): State<AppState>,
    c: Ctx,
    f: FormData,
) -> Result<Response, AppError> {
    c.authorize(Action::ChangeOwnPassword)?;
    let Some(s) = &c.session else {
        return Err(c.not_found());
    };
    let (cur, new, again) = (f.raw("current"), f.raw("new"), f.raw("again"));
    let mut errors = FormErrors::default();
    if new != again {
        errors.push("again", c.page().t("两次输入的新密码不一致。"));
    } else {
        match st.store.change_password(s, &cur, &new, c.now).await {
            Ok(()) => {
                return Ok(PasswordPage {
                    c: c.page(),
                    errors,
                    done: true,
                }
                .into_response());
            }
            Err(e) => errors = form_error(&c, e)?,
        }
    }
    Ok((
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        PasswordPage {
            c: c.page(),
            errors,
            done: false,
        },
    )
        .into_response())
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(_cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get("/lang/{lang}", set_lang)
        .get_post("/login", login_page, login)
        .post("/logout", logout)
        .get_post("/account/password", password_page, change_password)
}
