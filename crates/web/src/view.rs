//! The frame every page shares: language, the person and their roles, navigation by duty,
//! the CSRF token; and small helpers templates use.

use crate::ctx::Ctx;
use crate::i18n::{Lang, tr};
use qaward_core::authz::Role;
use qaward_core::labels::{self, Family};
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
    /// The confirmation of the action just done, translated.
    pub done: Option<String>,
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
            done: None,
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
            done: c.done.map(|d| tr(lang, d.zh())),
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

    /// Where an application stands, as its badge says (its status and how far the award has
    /// taken it).
    pub fn progress(&self, p: impl Val<qaward_store::application::Progress>) -> &'static str {
        let p = p.val();
        if self.zh() { p.zh() } else { p.en() }
    }

    /// A file's size: bytes below 1 KB, then KB or MB with one decimal.
    pub fn size(&self, bytes: impl Val<i64>) -> String {
        let b = bytes.val();
        #[allow(clippy::cast_precision_loss)]
        let f = b as f64;
        if b < 1024 {
            if self.zh() {
                format!("{b} 字节")
            } else {
                format!("{b} bytes")
            }
        } else if b < 1_048_576 {
            format!("{:.1} KB", f / 1024.0)
        } else {
            format!("{:.1} MB", f / 1_048_576.0)
        }
    }

    /// A county office's opinion (`recommended` → 推荐).
    pub fn county_decision(&self, code: &str) -> String {
        labels::text(Family::CountyDecision, code, self.zh())
    }

    /// A kind of evidence file (`business_licence` → 营业执照).
    pub fn file_kind(&self, code: &str) -> String {
        labels::text(Family::Attachment, code, self.zh())
    }

    /// A role stored by its code (`city_office` → 市强市办).
    pub fn role_code(&self, code: &str) -> String {
        labels::actor_role(code).map_or_else(|| code.to_owned(), |l| l.text(self.zh()).to_owned())
    }

    /// An audit action (`eligibility.decide` → 资格审查决定).
    pub fn action(&self, code: &str) -> String {
        let (zh, en) = labels::action(code);
        if self.zh() { zh } else { en }
    }

    /// A state word recorded without its family (an audit entry's new state).
    pub fn state(&self, code: &str) -> String {
        labels::state(code).map_or_else(|| code.to_owned(), |l| l.text(self.zh()).to_owned())
    }

    /// A rule of a rule set (`application.overview_max_chars` → 组织概述字数上限).
    pub fn rule(&self, path: &str) -> String {
        labels::text(Family::Rule, path, self.zh())
    }

    /// A rule's value: coded values and yes/no in words, numbers and text as they are.
    pub fn rule_value(&self, v: &str) -> String {
        labels::get(Family::RuleValue, v)
            .map_or_else(|| v.to_owned(), |l| l.text(self.zh()).to_owned())
    }

    /// A message written with codes in it, with each code in words.
    pub fn words(&self, text: &str) -> String {
        labels::words_for_codes(text, self.zh())
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

/// A store error on a form, the one way it becomes what the person sees: an invalid field, or
/// a rule's refusal about a field, goes beside that field (with the refusal's article) so
/// that the form is shown again with what was typed; anything else is a page error.
pub fn form_error(c: &Ctx, e: qaward_store::Error) -> Result<FormErrors, crate::error::AppError> {
    form_error_at(c, e, None)
}

/// As [`form_error`]; a refusal about no field in particular goes beside `refusal_field`
/// when one is given (the forms whose every refusal stays on the form), else to its page.
pub fn form_error_at(
    c: &Ctx,
    e: qaward_store::Error,
    refusal_field: Option<&str>,
) -> Result<FormErrors, crate::error::AppError> {
    let zh = c.lang == Lang::Zh;
    let mut f = FormErrors::default();
    match e {
        qaward_store::Error::Invalid { field, zh: z, en } => {
            f.push(&field, if zh { z } else { en });
        }
        qaward_store::Error::Refused(r) if r.field.is_some() || refusal_field.is_some() => {
            let field = r
                .field
                .clone()
                .unwrap_or_else(|| refusal_field.unwrap_or_default().to_owned());
            f.push(&field, if zh { r.message_zh() } else { r.message_en() });
        }
        other => return Err(c.store_err(other)),
    }
    Ok(f)
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

/// The one test of a place to send a browser back to (`next` of the language switch, of the
/// sign-in, of the reviewer's declaration): `Some(path)` for a path on this site, `None`
/// otherwise. A safe path starts with one `/` not followed by another `/` or `\`, and holds
/// only visible ASCII without `\` — so no scheme, no host, no control character (CR, LF, tab,
/// which browsers drop or act on), no space and nothing a browser reads as another site.
pub fn safe_local_path(next: &str) -> Option<&str> {
    let b = next.as_bytes();
    let visible = b.iter().all(|c| (0x21..=0x7e).contains(c) && *c != b'\\');
    (b.first() == Some(&b'/')
        && !matches!(b.get(1), Some(b'/' | b'\\'))
        && visible
        && b.len() <= 2048)
        .then_some(next)
}

#[cfg(test)]
mod tests {
    use super::safe_local_path;

    #[test]
    fn local_paths_pass() {
        for p in [
            "/",
            "/dashboard",
            "/office/sessions/3?tab=dates#x",
            "/review/applications/7/score",
            "/a%2F%2Fb",
            "/.//evil.example",
            "/%E4%B8%AD",
        ] {
            assert_eq!(safe_local_path(p), Some(p), "{p:?}");
        }
    }

    #[test]
    fn the_usual_bypasses_are_refused() {
        for p in [
            "",
            "dashboard",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\\/evil.example",
            "/\t/evil.example",
            "/\t\t/evil.example",
            "\t//evil.example",
            "/\r\nSet-Cookie: x=1",
            "/\nLocation: //evil.example",
            "/\r/evil.example",
            "/a\x00b",
            "/a\x7fb",
            "/ /evil.example",
            "https://evil.example",
            "http:/evil.example",
            "javascript:alert(1)",
            " /dashboard",
            "/中文",
            "/a\\b",
        ] {
            assert_eq!(safe_local_path(p), None, "{p:?}");
        }
        assert_eq!(safe_local_path(&format!("/{}", "a".repeat(3000))), None);
    }
}
