//! Signing in and out, the language switch, changing one's password.

use crate::AppState;
use crate::ctx::{ClientAddress, Ctx, FormData, LANG_COOKIE, SESSION_COOKIE, set_cookie};
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

/// `/lang/{en|zh}`: remember the language and go back (to a local path only).
pub async fn set_lang(
    State(st): State<AppState>,
    Path(lang): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let l = if lang == "en" { "en" } else { "zh" };
    let next = q
        .get("next")
        .and_then(|n| crate::view::safe_local_path(n))
        .unwrap_or("/");
    (
        [(
            header::SET_COOKIE,
            set_cookie(&st, LANG_COOKIE, l, Some(31_536_000)),
        )],
        Redirect::to(next),
    )
        .into_response()
}

/// Where to go after signing in: `next` when it is a safe local path, else the dashboard.
fn after_login(next: Option<&String>) -> String {
    next.and_then(|n| crate::view::safe_local_path(n))
        .unwrap_or("/dashboard")
        .to_owned()
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
        next: after_login(q.get("next")),
        errors: FormErrors::default(),
    })
}

/// `POST /login`.
pub async fn login(
    State(st): State<AppState>,
    ClientAddress(source): ClientAddress,
    c: Ctx,
    f: FormData,
) -> Result<Response, AppError> {
    let username = f.get("username");
    let password = f.raw("password");
    let next = after_login(Some(&f.raw("next")));
    let mut errors = FormErrors::default();
    if username.is_empty() {
        errors.push("username", c.page().t("请输入用户名。"));
    }
    if password.is_empty() {
        errors.push("password", c.page().t("请输入密码。"));
    }
    if !errors.any() {
        match st.store.login(&username, &password, &source, c.now).await? {
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
            LoginOutcome::Failed => {
                let (zh, en) = qaward_core::signin::FAILED;
                let msg = if c.lang == crate::i18n::Lang::Zh {
                    zh
                } else {
                    en
                };
                errors.push("password", msg.to_owned());
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
        st.store.logout(s, c.now).await?;
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

/// The registration form's answer when its client address is paused (too many failed
/// sign-ins or registrations that hit names already taken): no errors when it is not.
pub(crate) async fn register_paused(
    st: &AppState,
    c: &Ctx,
    source: &str,
) -> Result<FormErrors, AppError> {
    let mut errors = FormErrors::default();
    if st.store.address_paused(source, c.now).await? {
        errors.push(
            "username",
            c.page().t(
                "本网络地址的登录或注册失败次数过多，已暂停注册，请稍后再试。您填写的内容已保留。",
            ),
        );
    }
    Ok(errors)
}

/// A registration the store refused, as form errors. One that hit a user name or credit code
/// already taken also counts against the client address, so the form answers that question
/// only a few times per source (see [`qaward_store::Store::count_taken_registration`]).
pub(crate) async fn register_refused(
    st: &AppState,
    c: &Ctx,
    source: &str,
    e: qaward_store::Error,
) -> Result<FormErrors, AppError> {
    if let qaward_store::Error::Invalid { field, zh, .. } = &e
        && matches!(field.as_str(), "username" | "credit_code")
        && (zh.contains("已被使用") || zh.contains("已经注册"))
    {
        st.store
            .count_taken_registration(source, field, c.now)
            .await?;
    }
    form_error(c, e)
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(_cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get("/lang/{lang}", set_lang)
        .get_post("/login", login_page, login)
        .post("/logout", logout)
        .get_post("/account/password", password_page, change_password)
}
