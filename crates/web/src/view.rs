//! The frame every page shares: language, the person and their roles, navigation by duty,
//! the CSRF token; and small helpers templates use.

use crate::ctx::Ctx;
use crate::i18n::{Lang, tr};
use qaward_core::authz::Role;
use qaward_core::session::Stage;

/// The signed-in person as the top bar shows them.
#[derive(Debug, Clone)]
pub struct UserView {
    /// Name.
    pub name: String,
    /// Their roles, joined.
    pub roles: String,
}

/// A link of the side navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    /// Where.
    pub href: String,
    /// Label, translated.
    pub label: String,
    /// Current page.
    pub active: bool,
    /// A count shown beside the label (unread notices), when above zero.
    pub badge: Option<i64>,
}

/// The page frame.
#[derive(Debug, Clone)]
pub struct PageCtx {
    /// Language.
    pub lang: Lang,
    /// CSRF token for forms.
    pub csrf: String,
    /// Current path.
    pub path: String,
    /// The person, if signed in.
    pub user: Option<UserView>,
    /// Side navigation.
    pub nav: Vec<NavItem>,
}

impl PageCtx {
    /// A frame without a person (for the guard's early refusals).
    pub fn bare(lang: Lang, path: &str) -> Self {
        PageCtx {
            lang,
            csrf: String::new(),
            path: path.to_owned(),
            user: None,
            nav: Vec::new(),
        }
    }

    /// The frame for a request.
    pub fn new(c: &Ctx) -> Self {
        let lang = c.lang;
        let mut nav = vec![(String::from("/"), "公示与公告")];
        let user = c.session.as_ref().map(|s| {
            let roles: Vec<String> = s
                .actor
                .roles()
                .iter()
                .map(|r| role_name(lang, *r))
                .collect();
            UserView {
                name: s.actor.display_name.clone(),
                roles: roles.join("、"),
            }
        });
        if let Some(s) = &c.session {
            let a = &s.actor;
            nav.push(("/dashboard".into(), "我的工作台"));
            nav.push(("/notifications".into(), "消息"));
            if a.has(Role::CityOffice) || a.has(Role::Leadership) || a.has(Role::Discipline) {
                nav.push(("/office".into(), "评选项目与届次"));
            }
            for g in &a.grants {
                match g.role {
                    Role::CountyOffice => {
                        if let Some(id) = g.county_id {
                            nav.push((format!("/county/{id}"), "本辖区申报单位"));
                        }
                    }
                    Role::Department => {
                        if let Some(id) = g.department_id {
                            nav.push((format!("/department/{id}"), "本部门征求意见"));
                        }
                    }
                    Role::Applicant => {
                        if let Some(id) = g.organisation_id {
                            nav.push((format!("/org/{id}"), "本单位信息"));
                        }
                    }
                    _ => {}
                }
            }
            if a.has(Role::Reviewer) {
                nav.push(("/review".into(), "评审工作台"));
            }
            if a.has(Role::Discipline) {
                nav.push(("/discipline/audit".into(), "审计日志"));
            }
            if a.has(Role::Discipline) || a.has(Role::Leadership) {
                nav.push(("/discipline/conduct".into(), "双向评价与投诉"));
            }
            if a.has(Role::SysAdmin) {
                nav.push(("/admin/users".into(), "账号管理"));
            }
            if a.has(Role::SecAdmin) {
                nav.push(("/admin/security".into(), "安全设置"));
            }
            if a.has(Role::AuditAdmin) {
                nav.push(("/admin/audit".into(), "管理员操作审计"));
            }
            nav.push(("/account/password".into(), "修改密码"));
        }
        let path = c.path.clone();
        let mut seen = std::collections::HashSet::new();
        let nav = nav
            .into_iter()
            .filter(|(h, _)| seen.insert(h.clone()))
            .map(|(href, label)| NavItem {
                badge: (href == "/notifications" && c.unread > 0).then_some(c.unread),
                active: if href == "/" {
                    path == "/"
                } else {
                    path == href || path.starts_with(&format!("{href}/"))
                },
                label: tr(lang, label),
                href,
            })
            .collect();
        PageCtx {
            lang,
            csrf: c.csrf.clone(),
            path,
            user,
            nav,
        }
    }

    /// Translate.
    pub fn t(&self, zh: &str) -> String {
        tr(self.lang, zh)
    }

    /// Chinese page?
    pub fn zh(&self) -> bool {
        self.lang == Lang::Zh
    }

    /// The link that switches language and comes back here.
    pub fn lang_switch_href(&self) -> String {
        let to = if self.zh() { "en" } else { "zh" };
        format!("/lang/{to}?next={}", urlencoding::encode(&self.path))
    }

    /// The label of that link.
    pub fn lang_switch_label(&self) -> &'static str {
        if self.zh() { "English" } else { "中文" }
    }

    /// A stage's name.
    pub fn stage(&self, s: impl Val<Stage>) -> &'static str {
        let s = s.val();
        if self.zh() { s.name_zh() } else { s.name_en() }
    }

    /// "第十二条" or "Art. 12".
    pub fn article(&self, a: impl Val<u32>) -> String {
        let a = a.val();
        if self.zh() {
            qaward_core::citation::article_zh(a)
        } else {
            format!("Art. {a}")
        }
    }

    /// An application's status.
    pub fn status(&self, s: impl Val<qaward_store::application::Status>) -> &'static str {
        let s = s.val();
        if self.zh() { s.zh() } else { s.en() }
    }

    /// An article stored as a number in the database.
    pub fn article_n(&self, a: impl Val<i64>) -> String {
        self.article(u32::try_from(a.val()).unwrap_or(0))
    }

    /// A stored instant in Shanghai time.
    pub fn time(&self, us: impl Val<i64>) -> String {
        qaward_core::clock::format_micros(us.val())
    }

    /// A day, the reader's way.
    pub fn date(&self, d: impl Val<jiff::civil::Date>) -> String {
        let d = d.val();
        if self.zh() {
            qaward_core::clock::date_zh(d)
        } else {
            d.to_string()
        }
    }
}

/// A value a template passes as itself or by reference (askama adds references).
pub trait Val<T: Copy> {
    /// The value.
    fn val(&self) -> T;
}
impl<T: Copy> Val<T> for T {
    fn val(&self) -> T {
        *self
    }
}
impl<T: Copy> Val<T> for &T {
    fn val(&self) -> T {
        **self
    }
}
impl<T: Copy> Val<T> for &&T {
    fn val(&self) -> T {
        ***self
    }
}

/// A role's name.
pub fn role_name(lang: Lang, r: Role) -> String {
    match lang {
        Lang::Zh => r.name_zh().to_owned(),
        Lang::En => r.name_en().to_owned(),
    }
}

/// A field error for forms: the field's name and the message.
#[derive(Debug, Clone)]
pub struct FieldError {
    /// Form field name (also the input's id).
    pub field: String,
    /// Message, translated.
    pub message: String,
}

/// Errors of a form, for the error summary and beside each field.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(pub Vec<FieldError>);

impl FormErrors {
    /// Any?
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
    /// The message for `field`, if any.
    pub fn of(&self, field: &str) -> String {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
            .unwrap_or_default()
    }
    /// Whether `field` has an error.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }
    /// Add one.
    pub fn push(&mut self, field: &str, message: String) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message,
        });
    }
}

/// A store error on a form: an invalid field goes to the form; anything else is a page error.
pub fn form_error(c: &Ctx, e: qaward_store::Error) -> Result<FormErrors, crate::error::AppError> {
    match e {
        qaward_store::Error::Invalid { field, zh, en } => {
            let mut f = FormErrors::default();
            f.push(field, if c.lang == Lang::Zh { zh } else { en });
            Ok(f)
        }
        other => Err(c.store_err(other)),
    }
}

/// A file to download: its type, and a name (ASCII fallback plus the UTF-8 name); never
/// kept by a shared cache.
pub fn download(bytes: Vec<u8>, content_type: &str, filename: &str) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        urlencoding::encode(filename)
    );
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// The type of an Excel workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
