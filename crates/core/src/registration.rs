//! The registration form of an organisation (R-APP-1), checked as a whole: every field that is
//! missing or wrong is named at once, in the order of the form.

use crate::credit_code::CreditCode;

/// What was typed.
#[derive(Debug, Clone, Default)]
pub struct Typed<'a> {
    /// 统一社会信用代码.
    pub credit_code: &'a str,
    /// 单位名称.
    pub name: &'a str,
    /// Whether a county of the programme was chosen.
    pub county_chosen: bool,
    /// 成立（登记）日期.
    pub registered_on: &'a str,
    /// 注册地址.
    pub address: &'a str,
    /// 联系人姓名.
    pub contact_name: &'a str,
    /// 电子邮箱.
    pub email: &'a str,
    /// 用户名.
    pub username: &'a str,
    /// 密码.
    pub password: &'a str,
    /// 确认密码.
    pub password2: &'a str,
}

/// A problem: the field, and the message in Chinese and English.
pub type Problem = (&'static str, String, String);

fn p(field: &'static str, zh: &str, en: &str) -> Problem {
    (field, zh.to_owned(), en.to_owned())
}

/// Every problem of the form, in the order of its fields; none when it may be registered.
pub fn problems(t: &Typed<'_>) -> Vec<Problem> {
    let mut out = Vec::new();
    if t.credit_code.trim().is_empty() {
        out.push(p(
            "credit_code",
            "请填写统一社会信用代码（18位，见营业执照）。",
            "Enter the unified social credit code (18 characters, on the business licence).",
        ));
    } else if let Err(e) = CreditCode::parse(t.credit_code) {
        out.push(("credit_code", e.zh, e.en));
    }
    if t.name.trim().is_empty() {
        out.push(p(
            "name",
            "请填写单位名称。",
            "Enter the organisation's name.",
        ));
    } else if t.name.trim().chars().count() < 4 {
        out.push(p(
            "name",
            "请填写营业执照上的单位全称。",
            "Enter the full name on the business licence.",
        ));
    }
    if !t.county_chosen {
        out.push(p(
            "county_id",
            "请选择单位登记注册所在的县（市、区）。",
            "Choose the county where the organisation is registered.",
        ));
    }
    if t.registered_on.trim().is_empty() {
        out.push(p(
            "registered_on",
            "请填写成立（登记）日期。",
            "Enter the registration date.",
        ));
    } else if t.registered_on.trim().parse::<jiff::civil::Date>().is_err() {
        out.push(p(
            "registered_on",
            "“成立（登记）日期”应为日期，格式为 年-月-日。",
            "The registration date is written YYYY-MM-DD.",
        ));
    }
    if t.address.trim().is_empty() {
        out.push(p(
            "address",
            "请填写注册地址。",
            "Enter the registered address.",
        ));
    }
    if t.contact_name.trim().is_empty() {
        out.push(p(
            "contact_name",
            "请填写联系人姓名。",
            "Enter the contact person's name.",
        ));
    }
    let email = t.email.trim();
    if email.is_empty() {
        out.push(p(
            "email",
            "请填写电子邮箱，用于接收通知。",
            "Enter an email address for notices.",
        ));
    } else if !email
        .split_once('@')
        .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.ends_with('.'))
        || email.contains(' ')
    {
        out.push(p(
            "email",
            "电子邮箱格式不正确，例如 name@example.com。",
            "The email address is not valid, e.g. name@example.com.",
        ));
    }
    let u = t.username.trim();
    if u.is_empty() {
        out.push(p("username", "请填写用户名。", "Enter a user name."));
    } else if u.len() < 3
        || u.len() > 40
        || !u
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
    {
        out.push(p(
            "username",
            "用户名为3至40位字母、数字或 - _ .",
            "A user name has 3 to 40 letters, digits or - _ .",
        ));
    }
    if t.password.is_empty() {
        out.push(p("password", "请设置密码。", "Choose a password."));
    } else if let Err((zh, en)) = crate::password::check(t.password, u) {
        out.push(("password", zh.to_owned(), en.to_owned()));
    }
    if t.password2.is_empty() && !t.password.is_empty() {
        out.push(p(
            "password2",
            "请再次输入密码。",
            "Enter the password again.",
        ));
    } else if t.password != t.password2 {
        out.push(p(
            "password2",
            "两次输入的密码不一致。",
            "The two passwords differ.",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_form_names_every_field() {
        let fields: Vec<&str> = problems(&Typed::default()).iter().map(|p| p.0).collect();
        assert_eq!(
            fields,
            [
                "credit_code",
                "name",
                "county_id",
                "registered_on",
                "address",
                "contact_name",
                "email",
                "username",
                "password"
            ]
        );
        assert!(
            problems(&Typed::default())[0]
                .1
                .starts_with("请填写统一社会信用代码")
        );
    }

    #[test]
    fn a_full_form_passes() {
        let t = Typed {
            credit_code: "91441802MA4W3J8X2L",
            name: "清远市演示机械有限公司",
            county_chosen: true,
            registered_on: "2015-06-01",
            address: "清远市清城区演示路1号",
            contact_name: "王五",
            email: "wang@example.com",
            username: "demo-org",
            password: "Qingyuan#2026",
            password2: "Qingyuan#2026",
        };
        let bad: Vec<_> = problems(&t)
            .into_iter()
            .filter(|p| p.0 != "credit_code")
            .collect();
        assert!(bad.is_empty(), "{bad:?}");
    }
}
