//! The expert pool (Art. 7, 8, 24): an expert's facts as data, and whether they are qualified
//! to review or to lead a team today.
//!
//! Art. 8 requires every reviewer to have passed the training and assessment of the quality
//! association the office appoints, and to hold a qualification; Art. 24 lets the office remove
//! a reviewer's qualification. [`qualification`] checks both on a given day; [`can_lead`] adds
//! the leader level. Parties (employers, clients, competitors) are compared with
//! [`Party::same_as`]: by credit code when both sides have one, otherwise by normalised name.

use std::fmt;

use jiff::civil::Date;

use crate::clock::date_zh;
use crate::credit_code::CreditCode;
use crate::refusal::Refusal;

/// 评审员级别 (PRACTICE: trainee → reviewer → senior reviewer → leader-eligible).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// 见习评审员: may not sit on a team.
    Trainee,
    /// 评审员.
    Reviewer,
    /// 高级评审员.
    Senior,
    /// 可任组长.
    Leader,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 4] = [
        Level::Trainee,
        Level::Reviewer,
        Level::Senior,
        Level::Leader,
    ];
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Level::Trainee => "trainee",
            Level::Reviewer => "reviewer",
            Level::Senior => "senior",
            Level::Leader => "leader",
        }
    }
    /// From the stored code.
    pub fn parse(code: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.code() == code)
    }
    /// From the Chinese name (Excel import) or the code.
    pub fn parse_zh(text: &str) -> Option<Level> {
        let t = text.trim();
        Level::ALL
            .into_iter()
            .find(|l| l.zh() == t || l.code() == t)
    }
    /// In Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Level::Trainee => "见习评审员",
            Level::Reviewer => "评审员",
            Level::Senior => "高级评审员",
            Level::Leader => "评审组长",
        }
    }
    /// In English.
    pub fn en(self) -> &'static str {
        match self {
            Level::Trainee => "Trainee",
            Level::Reviewer => "Reviewer",
            Level::Senior => "Senior reviewer",
            Level::Leader => "Leader-eligible",
        }
    }
}

/// A party an expert is or was tied to: matched by credit code when both sides have one,
/// otherwise by name with spaces and bracket forms normalised.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Party {
    /// Name.
    pub name: String,
    /// 统一社会信用代码, when known.
    pub credit_code: Option<String>,
}

/// A dated period; `None` ends are open (an open end means "still").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Period {
    /// First day, when known.
    pub start: Option<Date>,
    /// Last day; `None` while it lasts.
    pub end: Option<Date>,
}

/// One job in the employment history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employment {
    /// Employer.
    pub employer: Party,
    /// Position held.
    pub position: String,
    /// When.
    pub period: Period,
}

/// The kinds of declared tie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TieKind {
    /// 咨询服务客户.
    Consulting,
    /// 培训服务客户.
    Training,
    /// 持股或投资.
    Shareholding,
    /// 近亲属任职单位.
    Relative,
}

impl TieKind {
    /// Every kind.
    pub const ALL: [TieKind; 4] = [
        TieKind::Consulting,
        TieKind::Training,
        TieKind::Shareholding,
        TieKind::Relative,
    ];
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            TieKind::Consulting => "consulting",
            TieKind::Training => "training",
            TieKind::Shareholding => "shareholding",
            TieKind::Relative => "relative",
        }
    }
    /// From the stored code.
    pub fn parse(code: &str) -> Option<TieKind> {
        TieKind::ALL.into_iter().find(|k| k.code() == code)
    }
    /// From the Chinese name (Excel import) or the code.
    pub fn parse_zh(text: &str) -> Option<TieKind> {
        let t = text.trim();
        TieKind::ALL
            .into_iter()
            .find(|k| k.zh() == t || k.code() == t)
    }
    /// In Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            TieKind::Consulting => "咨询服务客户",
            TieKind::Training => "培训服务客户",
            TieKind::Shareholding => "持股或投资",
            TieKind::Relative => "近亲属任职单位",
        }
    }
    /// In English.
    pub fn en(self) -> &'static str {
        match self {
            TieKind::Consulting => "Consulting client",
            TieKind::Training => "Training client",
            TieKind::Shareholding => "Shareholding or investment",
            TieKind::Relative => "A close relative's employer",
        }
    }
}

/// A declared tie: a client, a shareholding, a relative's employer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tie {
    /// What kind.
    pub kind: TieKind,
    /// With whom.
    pub party: Party,
    /// For a relative: who (配偶, 父母, 子女…); otherwise free text or empty.
    pub relation: String,
    /// When.
    pub period: Period,
}

/// A training course or an assessment, with the issuing association.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Training {
    /// An assessment (考核) rather than a course (培训).
    pub assessment: bool,
    /// Course or assessment name.
    pub course: String,
    /// Issuing association.
    pub association: String,
    /// Date.
    pub on: Date,
    /// Passed.
    pub passed: bool,
}

/// The reviewer's own declaration of a conflict with an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredConflict {
    /// Application.
    pub application_id: i64,
    /// Why, in the reviewer's words.
    pub reason: String,
    /// When declared.
    pub declared_on: Date,
}

/// Everything the core needs about one expert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpertFacts {
    /// Expert id.
    pub expert_id: i64,
    /// Level.
    pub level: Level,
    /// Qualification removed (Art. 24).
    pub removed: bool,
    /// Qualification valid from.
    pub qualified_from: Option<Date>,
    /// Qualification valid until (inclusive).
    pub qualified_until: Option<Date>,
    /// Training and assessment records.
    pub training: Vec<Training>,
    /// Employment history.
    pub employment: Vec<Employment>,
    /// Declared ties.
    pub ties: Vec<Tie>,
    /// Own declarations of conflict.
    pub declared: Vec<DeclaredConflict>,
    /// GB/T 4754 sections (letters A–T) of expertise.
    pub industries: Vec<char>,
}

/// A full-width ASCII form (U+FF01–U+FF5E) or the ideographic space as its ASCII character;
/// any other character unchanged.
pub(crate) fn halfwidth(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// A name as it is compared: all whitespace removed, full-width brackets, letters, digits and
/// punctuation as ASCII, lower-case. `（广东）某某有限公司` and `(广东) 某某有限公司` normalise alike.
pub fn normalise_name(name: &str) -> String {
    name.chars()
        .map(halfwidth)
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A credit code as it is compared: trimmed, upper-case; `None` when empty.
fn code_key(code: Option<&String>) -> Option<String> {
    code.map(|c| c.trim().to_uppercase())
        .filter(|c| !c.is_empty())
}

/// What applicants type on a line to say there is nothing to list.
const NOTHING: &[&str] = &[
    "无",
    "暂无",
    "没有",
    "不适用",
    "/",
    "—",
    "n/a",
    "na",
    "none",
];

/// Separators an applicant puts between a name and a code.
const SEPARATORS: &[char] = &[',', '，', ';', '；', '、', ':', '：', '。'];

fn is_separator(c: char) -> bool {
    SEPARATORS.contains(&c) || c.is_whitespace()
}

/// A valid credit code in `token` (full-width characters read as ASCII), or `None`.
fn as_code(token: &str) -> Option<CreditCode> {
    let t: String = token.chars().map(halfwidth).collect();
    if t.chars().count() != 18 {
        return None;
    }
    CreditCode::parse(&t).ok()
}

/// A leading list marker an applicant may type before each line: `1.`, `2、`, `3)`, `（4）`,
/// `①`, `-`, `*`, `•`. Returns the rest of the line.
fn strip_list_marker(line: &str) -> &str {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix(['-', '*', '•']) {
        return rest;
    }
    if let Some(c) = t.chars().next()
        && ('\u{2460}'..='\u{2473}').contains(&c)
    {
        return &t[c.len_utf8()..];
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if (1..=2).contains(&digits)
        && let Some(rest) = t[digits..].strip_prefix(['.', '．', '、', ')', '）'])
    {
        return rest;
    }
    for (open, close) in [('(', ')'), ('（', '）')] {
        if let Some(inner) = t.strip_prefix(open) {
            let digits = inner.chars().take_while(char::is_ascii_digit).count();
            if (1..=2).contains(&digits)
                && let Some(rest) = inner[digits..].strip_prefix(close)
            {
                return rest;
            }
        }
    }
    t
}

impl Party {
    /// The same organisation: when both sides have a non-empty credit code, the codes decide
    /// (trimmed, case-insensitive), whatever the names say; otherwise the names compared after
    /// [`normalise_name`]. An empty name never matches.
    pub fn same_as(&self, other: &Party) -> bool {
        if let (Some(a), Some(b)) = (self.code_key(), other.code_key()) {
            return a == b;
        }
        self.name_key().is_some_and(|a| Some(a) == other.name_key())
    }

    /// The credit code as [`Party::same_as`] compares it: trimmed, upper-case; `None` when
    /// there is none.
    pub fn code_key(&self) -> Option<String> {
        code_key(self.credit_code.as_ref())
    }

    /// The name as [`Party::same_as`] compares it ([`normalise_name`]); `None` when it is
    /// empty (an empty name never matches).
    pub fn name_key(&self) -> Option<String> {
        Some(normalise_name(&self.name)).filter(|n| !n.is_empty())
    }

    /// A party from one line an applicant typed: `名称`, `名称 统一社会信用代码`, `名称，代码`,
    /// `代码 名称` or only the code. An 18-character token that passes the credit-code check is
    /// the code (also when typed straight after the name); the rest, trimmed of separators
    /// (`,，;；、:：。` and spaces) and of a leading list marker such as `1.` or `①`, is the name.
    /// `None` for a line with neither, or that only says there is none (`无`, `暂无`, `/`…).
    pub fn from_line(line: &str) -> Option<Party> {
        let line = strip_list_marker(line.trim());
        let mut code = None;
        let mut name = line.to_owned();
        // Tokens between separators, with their byte offsets in `line`.
        let mut start = None;
        let mut tokens = Vec::new();
        for (i, c) in line
            .char_indices()
            .chain(std::iter::once((line.len(), ' ')))
        {
            match (is_separator(c), start) {
                (true, Some(s)) => {
                    tokens.push((s, i));
                    start = None;
                }
                (false, None) => start = Some(i),
                _ => {}
            }
        }
        for (s, e) in tokens {
            let token = &line[s..e];
            if let Some(c) = as_code(token) {
                code = Some(c);
                name = format!("{} {}", &line[..s], &line[e..]);
                break;
            }
            // A code typed straight after the name (or before it) with no separator.
            let chars: Vec<(usize, char)> = token.char_indices().collect();
            if chars.len() > 18 {
                let (cut, before) = chars[chars.len() - 18 - 1];
                let cut = cut + before.len_utf8();
                if !before.is_ascii_alphanumeric()
                    && let Some(c) = as_code(&token[cut..])
                {
                    code = Some(c);
                    name = format!("{}{} {}", &line[..s], &token[..cut], &line[e..]);
                    break;
                }
                let (cut, after) = chars[18];
                if !after.is_ascii_alphanumeric()
                    && let Some(c) = as_code(&token[..cut])
                {
                    code = Some(c);
                    name = format!("{} {}{}", &line[..s], &token[cut..], &line[e..]);
                    break;
                }
            }
        }
        let name = name.trim_matches(is_separator).to_owned();
        if code.is_none() && (name.is_empty() || NOTHING.contains(&name.to_lowercase().as_str())) {
            return None;
        }
        Some(Party {
            name,
            credit_code: code.map(|c| c.as_str().to_owned()),
        })
    }
}

/// The parties of a text an applicant typed, one per non-empty line (see [`Party::from_line`]).
pub fn parse_parties(text: &str) -> Vec<Party> {
    text.lines().filter_map(Party::from_line).collect()
}

/// Why an expert may not review (or lead) on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unqualified {
    /// The qualification was removed (Art. 24).
    Removed,
    /// A trainee may not sit on a review team.
    Trainee,
    /// No validity period of the qualification is recorded.
    NoValidity,
    /// The qualification is valid only from this day.
    NotYetValid(Date),
    /// The qualification ended on this day.
    Expired(Date),
    /// No passed assessment of the appointed association is recorded (Art. 8).
    NoPassedAssessment,
    /// Qualified to review, but not at the leader level.
    NotLeaderEligible,
}

impl Unqualified {
    /// A stable machine code, e.g. `expert_expired`.
    pub fn code(&self) -> &'static str {
        match self {
            Unqualified::Removed => "expert_removed",
            Unqualified::Trainee => "expert_trainee",
            Unqualified::NoValidity => "expert_no_validity",
            Unqualified::NotYetValid(_) => "expert_not_yet_valid",
            Unqualified::Expired(_) => "expert_expired",
            Unqualified::NoPassedAssessment => "expert_no_passed_assessment",
            Unqualified::NotLeaderEligible => "expert_not_leader_eligible",
        }
    }

    /// The reason in Chinese.
    pub fn zh(&self) -> String {
        match self {
            Unqualified::Removed => "该评审员的评审资格已被取消。".into(),
            Unqualified::Trainee => "见习评审员不能参加评审组。".into(),
            Unqualified::NoValidity => "未登记评审资格的有效期。".into(),
            Unqualified::NotYetValid(d) => {
                format!("评审资格自{}起生效，尚未生效。", date_zh(*d))
            }
            Unqualified::Expired(d) => format!("评审资格已于{}到期。", date_zh(*d)),
            Unqualified::NoPassedAssessment => {
                "没有通过市强市办委托的质量行业协会考核的记录。".into()
            }
            Unqualified::NotLeaderEligible => "该评审员不具备评审组长资格。".into(),
        }
    }

    /// The reason in English.
    pub fn en(&self) -> String {
        match self {
            Unqualified::Removed => "The reviewer's qualification has been removed.".into(),
            Unqualified::Trainee => "A trainee reviewer may not sit on a review team.".into(),
            Unqualified::NoValidity => {
                "No validity period of the qualification is recorded.".into()
            }
            Unqualified::NotYetValid(d) => {
                format!("The qualification is valid only from {d}.")
            }
            Unqualified::Expired(d) => format!("The qualification expired on {d}."),
            Unqualified::NoPassedAssessment => {
                "No passed assessment by the quality association the office appointed is recorded."
                    .into()
            }
            Unqualified::NotLeaderEligible => {
                "The reviewer is not eligible to lead a review team.".into()
            }
        }
    }

    /// The article (第N条) of the measures it rests on: 24 for a removal, 8 otherwise.
    pub fn article(&self) -> u32 {
        match self {
            Unqualified::Removed => 24,
            _ => 8,
        }
    }

    /// As a [`Refusal`] citing [`Unqualified::article`] of `document` (Chinese and English titles).
    pub fn refusal(&self, document: (&str, &str)) -> Refusal {
        Refusal::new(
            self.code(),
            Some(self.article()),
            document,
            self.zh(),
            self.en(),
        )
    }
}

impl fmt::Display for Unqualified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.zh())
    }
}

impl std::error::Error for Unqualified {}

/// Whether the expert may review on `today`, checked in this order: not removed (Art. 24),
/// not a trainee, a validity period recorded, `today` within it (both ends inclusive), and a
/// passed assessment on or before `today` (Art. 8).
pub fn qualification(e: &ExpertFacts, today: Date) -> Result<(), Unqualified> {
    if e.removed {
        return Err(Unqualified::Removed);
    }
    if e.level == Level::Trainee {
        return Err(Unqualified::Trainee);
    }
    let Some(until) = e.qualified_until else {
        return Err(Unqualified::NoValidity);
    };
    if let Some(from) = e.qualified_from
        && today < from
    {
        return Err(Unqualified::NotYetValid(from));
    }
    if today > until {
        return Err(Unqualified::Expired(until));
    }
    if !e
        .training
        .iter()
        .any(|t| t.assessment && t.passed && t.on <= today)
    {
        return Err(Unqualified::NoPassedAssessment);
    }
    Ok(())
}

/// Whether the expert may lead a review team on `today`: [`qualification`], then the leader
/// level.
pub fn can_lead(e: &ExpertFacts, today: Date) -> Result<(), Unqualified> {
    qualification(e, today)?;
    if e.level == Level::Leader {
        Ok(())
    } else {
        Err(Unqualified::NotLeaderEligible)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn code(first17: &str) -> String {
        CreditCode::complete(first17)
            .expect("a valid demo code")
            .as_str()
            .to_owned()
    }

    fn party(name: &str, credit_code: Option<&str>) -> Party {
        Party {
            name: name.into(),
            credit_code: credit_code.map(str::to_owned),
        }
    }

    fn assessment(on: Date, passed: bool) -> Training {
        Training {
            assessment: true,
            course: "政府质量奖评审员考核".into(),
            association: "清远市质量协会".into(),
            on,
            passed,
        }
    }

    fn expert(level: Level) -> ExpertFacts {
        ExpertFacts {
            expert_id: 1,
            level,
            removed: false,
            qualified_from: Some(date(2025, 1, 1)),
            qualified_until: Some(date(2027, 12, 31)),
            training: vec![assessment(date(2024, 12, 10), true)],
            employment: Vec::new(),
            ties: Vec::new(),
            declared: Vec::new(),
            industries: vec!['C'],
        }
    }

    const TODAY: Date = date(2026, 11, 25);

    #[test]
    fn codes_decide_when_both_have_one() {
        let c = code("91441802MA4DEM01X");
        let other = code("91441802MA4DEM02X");
        assert!(party("清远甲公司", Some(&c)).same_as(&party("甲公司（清远）", Some(&c))));
        assert!(
            party("清远甲公司", Some(&c))
                .same_as(&party("", Some(&format!(" {} ", c.to_lowercase()))))
        );
        assert!(!party("清远甲公司", Some(&c)).same_as(&party("清远甲公司", Some(&other))));
        // One side without a code: names decide.
        assert!(party("清远甲公司", Some(&c)).same_as(&party("清远甲公司", None)));
        assert!(party("清远甲公司", Some(&c)).same_as(&party("清远甲公司", Some("  "))));
    }

    #[test]
    fn names_are_normalised() {
        let a = party("清远市某某电器（集团）有限公司", None);
        assert!(a.same_as(&party(" 清远市某某电器 (集团) 有限公司 ", None)));
        assert!(a.same_as(&party("清远市某某电器\u{3000}(集团)有限公司", None)));
        assert!(party("ＡＢＣ精密１号厂", None).same_as(&party("abc精密1号厂", None)));
        assert!(!a.same_as(&party("清远市某某电器有限公司", None)));
        assert!(!party("", None).same_as(&party("", None)));
        assert!(!party("  ", None).same_as(&party(" ", None)));
    }

    #[test]
    fn parties_from_lines() {
        let c = code("91441802MA4DEM01X");
        assert_eq!(Party::from_line("  "), None);
        for nothing in ["无", " 暂无。", "/", "N/A", "1. 无"] {
            assert_eq!(Party::from_line(nothing), None, "{nothing}");
        }
        assert_eq!(
            Party::from_line("清远某某有限公司"),
            Some(party("清远某某有限公司", None))
        );
        for line in [
            format!("清远某某有限公司 {c}"),
            format!("清远某某有限公司，{c}"),
            format!("清远某某有限公司；{c}；"),
            format!("清远某某有限公司{c}"),
            format!("{c} 清远某某有限公司"),
            format!("1. 清远某某有限公司、{}", c.to_lowercase()),
            format!("（2）清远某某有限公司 {c}"),
            format!("① 清远某某有限公司 {c}"),
        ] {
            assert_eq!(
                Party::from_line(&line),
                Some(party("清远某某有限公司", Some(&c))),
                "{line}"
            );
        }
        assert_eq!(Party::from_line(&c), Some(party("", Some(&c))));
        // A name with spaces keeps them; an 18-character token failing the check is name.
        assert_eq!(
            Party::from_line(&format!("Qingyuan ABC Co., Ltd. {c}")),
            Some(party("Qingyuan ABC Co., Ltd.", Some(&c)))
        );
        assert_eq!(
            Party::from_line(&format!("某公司 {c}A")),
            Some(party(&format!("某公司 {c}A"), None))
        );
        let wrong = format!("{}0", &c[..17]);
        if wrong != c {
            assert_eq!(
                Party::from_line(&format!("某公司 {wrong}")).and_then(|p| p.credit_code),
                None
            );
        }
    }

    #[test]
    fn parties_from_text() {
        let c = code("91441802MA4DEM01X");
        let ps = parse_parties(&format!("甲公司\n\n  乙公司，{c}\r\n{c}\n"));
        assert_eq!(
            ps,
            vec![
                party("甲公司", None),
                party("乙公司", Some(&c)),
                party("", Some(&c))
            ]
        );
    }

    #[test]
    fn a_qualified_reviewer() {
        assert_eq!(qualification(&expert(Level::Reviewer), TODAY), Ok(()));
        assert_eq!(qualification(&expert(Level::Senior), TODAY), Ok(()));
        assert_eq!(can_lead(&expert(Level::Leader), TODAY), Ok(()));
        // Both ends of the validity period count.
        assert_eq!(
            qualification(&expert(Level::Reviewer), date(2025, 1, 1)),
            Ok(())
        );
        assert_eq!(
            qualification(&expert(Level::Reviewer), date(2027, 12, 31)),
            Ok(())
        );
        // No start recorded: valid up to the end.
        let mut e = expert(Level::Reviewer);
        e.qualified_from = None;
        assert_eq!(qualification(&e, TODAY), Ok(()));
    }

    #[test]
    fn removed_comes_first_and_cites_article_24() {
        let mut e = expert(Level::Trainee);
        e.removed = true;
        e.qualified_until = None;
        let r = qualification(&e, TODAY).unwrap_err();
        assert_eq!(r, Unqualified::Removed);
        assert_eq!(r.article(), 24);
        assert_eq!(can_lead(&e, TODAY), Err(Unqualified::Removed));
    }

    #[test]
    fn a_trainee_may_not_review() {
        let mut e = expert(Level::Trainee);
        e.qualified_until = None;
        assert_eq!(qualification(&e, TODAY), Err(Unqualified::Trainee));
        assert_eq!(Unqualified::Trainee.article(), 8);
    }

    #[test]
    fn validity_is_checked() {
        let mut e = expert(Level::Reviewer);
        e.qualified_until = None;
        e.training.clear();
        assert_eq!(qualification(&e, TODAY), Err(Unqualified::NoValidity));

        let e = expert(Level::Reviewer);
        let r = qualification(&e, date(2024, 12, 31)).unwrap_err();
        assert_eq!(r, Unqualified::NotYetValid(date(2025, 1, 1)));
        assert_eq!(r.zh(), "评审资格自2025年1月1日起生效，尚未生效。");
        assert!(r.en().contains("2025-01-01"));
        assert_eq!(r.article(), 8);

        let r = qualification(&e, date(2028, 1, 1)).unwrap_err();
        assert_eq!(r, Unqualified::Expired(date(2027, 12, 31)));
        assert_eq!(r.zh(), "评审资格已于2027年12月31日到期。");
        assert_eq!(r.en(), "The qualification expired on 2027-12-31.");
    }

    #[test]
    fn a_passed_assessment_is_required() {
        let mut e = expert(Level::Reviewer);
        e.training = vec![
            // A course is not an assessment; a failed one does not count; nor a future one.
            Training {
                assessment: false,
                ..assessment(date(2024, 6, 1), true)
            },
            assessment(date(2024, 7, 1), false),
            assessment(date(2026, 12, 1), true),
        ];
        assert_eq!(
            qualification(&e, TODAY),
            Err(Unqualified::NoPassedAssessment)
        );
        assert_eq!(qualification(&e, date(2026, 12, 1)), Ok(()));
    }

    #[test]
    fn only_the_leader_level_leads() {
        for level in [Level::Reviewer, Level::Senior] {
            let r = can_lead(&expert(level), TODAY).unwrap_err();
            assert_eq!(r, Unqualified::NotLeaderEligible);
            assert_eq!(r.article(), 8);
        }
        let mut e = expert(Level::Leader);
        e.qualified_until = Some(date(2026, 1, 1));
        assert_eq!(
            can_lead(&e, TODAY),
            Err(Unqualified::Expired(date(2026, 1, 1)))
        );
    }

    #[test]
    fn messages_are_bilingual_and_cite() {
        let r = Unqualified::Removed.refusal(("清远市政府质量奖管理办法", "Measures"));
        assert_eq!(r.code, "expert_removed");
        assert_eq!(
            r.message_zh(),
            "依据《清远市政府质量奖管理办法》第二十四条，该评审员的评审资格已被取消。"
        );
        assert!(r.message_en().contains("Article 24 of the Measures"));
        for u in [
            Unqualified::Removed,
            Unqualified::Trainee,
            Unqualified::NoValidity,
            Unqualified::NotYetValid(TODAY),
            Unqualified::Expired(TODAY),
            Unqualified::NoPassedAssessment,
            Unqualified::NotLeaderEligible,
        ] {
            assert!(!u.zh().is_empty() && !u.en().is_empty());
            assert_eq!(u.to_string(), u.zh());
        }
    }
}

pub mod conflict;
