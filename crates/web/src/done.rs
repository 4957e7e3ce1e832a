//! The short confirmation a page shows after an action: the action's handler redirects with
//! `?done=<code>` ([`to`]), and the page frame shows the message of that code at the top of the
//! page. Only the codes below are shown, so an address typed by hand cannot put words on a page.

use axum::response::Redirect;

/// What was just done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// The county office recorded its opinion.
    CountyDecided,
    /// The county office uploaded its sealed letter.
    CountyLetter,
    /// The city office recorded an eligibility decision.
    EligibilityDecided,
    /// A department's opinions were sent.
    OpinionsAnswered,
    /// The session moved to its next stage.
    SessionAdvanced,
    /// An objection's step was recorded.
    ObjectionStep,
    /// The on-site list was saved.
    OnsiteSelected,
    /// A programme was created.
    ProgrammeCreated,
    /// A session was created.
    SessionCreated,
    /// A title case was opened or moved on.
    TitleCase,
    /// A complaint was dealt with.
    ComplaintStep,
    /// An account was saved.
    AccountSaved,
    /// A security setting was saved.
    SecuritySaved,
}

/// Every code with its message.
const ALL: &[(Done, &str, &str)] = &[
    (Done::CountyDecided, "county", "县级推荐意见已记录。"),
    (Done::CountyLetter, "letter", "推荐函已上传。"),
    (
        Done::EligibilityDecided,
        "eligibility",
        "资格审查结论已记录，申报单位已收到通知。",
    ),
    (Done::OpinionsAnswered, "answered", "意见已报送市强市办。"),
    (Done::SessionAdvanced, "advanced", "届次已进入下一阶段。"),
    (Done::ObjectionStep, "objection", "异议处理情况已记录。"),
    (Done::OnsiteSelected, "onsite", "现场评审名单已保存。"),
    (Done::ProgrammeCreated, "programme", "评选项目已创建。"),
    (Done::SessionCreated, "session", "届次已创建。"),
    (Done::TitleCase, "title", "荣誉称号使用案件已记录。"),
    (Done::ComplaintStep, "complaint", "投诉办理情况已记录。"),
    (Done::AccountSaved, "account", "账号已保存。"),
    (Done::SecuritySaved, "security", "安全设置已保存。"),
];

impl Done {
    /// The code in the address.
    pub fn code(self) -> &'static str {
        ALL.iter()
            .find(|(d, ..)| *d == self)
            .map_or("", |(_, c, _)| c)
    }

    /// The message (Chinese; the page translates it).
    pub fn zh(self) -> &'static str {
        ALL.iter()
            .find(|(d, ..)| *d == self)
            .map_or("", |(.., m)| m)
    }

    /// The action named by `query`'s `done` parameter, if it is one of ours.
    pub fn from_query(query: Option<&str>) -> Option<Done> {
        let q = query?;
        let code = q.split('&').find_map(|kv| kv.strip_prefix("done="))?;
        ALL.iter().find(|(_, c, _)| *c == code).map(|(d, ..)| *d)
    }
}

/// `path` with `?done=<code>` (or `&done=`) added before any `#fragment`.
pub fn href(path: &str, done: Done) -> String {
    let (base, frag) = match path.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (path, None),
    };
    let sep = if base.contains('?') { '&' } else { '?' };
    let mut out = format!("{base}{sep}done={}", done.code());
    if let Some(f) = frag {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// A redirect to `path` that shows `done`'s message there.
pub fn to(path: &str, done: Done) -> Redirect {
    Redirect::to(&href(path, done))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_go_before_the_fragment_and_only_known_codes_are_read() {
        assert_eq!(
            href("/county/3", Done::CountyDecided),
            "/county/3?done=county"
        );
        assert_eq!(
            href("/a?x=1#f", Done::EligibilityDecided),
            "/a?x=1&done=eligibility#f"
        );
        for (d, ..) in ALL {
            let h = href("/p", *d);
            assert_eq!(Done::from_query(h.split_once('?').map(|x| x.1)), Some(*d));
        }
        assert_eq!(Done::from_query(Some("done=<script>")), None);
        assert_eq!(Done::from_query(None), None);
        let codes: std::collections::HashSet<_> = ALL.iter().map(|(_, c, _)| c).collect();
        assert_eq!(codes.len(), ALL.len(), "codes are distinct");
    }
}
