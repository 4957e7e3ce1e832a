//! Conflicts of interest between a reviewer and an applicant (Art. 25: a reviewer with an
//! interest in an applicant withdraws).
//!
//! Conflicts are computed from the expert's recorded facts and the applicant's data, each with
//! the ground it rests on, the party involved and the dates that decided it. There is no manual
//! override: a conflict goes away only when the facts change.
//!
//! A record counts when it lies within the look-back window (the last N years, 3 by default in
//! the rule sets): it has no end, or it ended on or after [`window_start`]. A record that
//! starts after today has not begun and never counts. The reviewer's own declarations count at
//! any time.

use std::collections::HashMap;

use jiff::Span;
use jiff::civil::Date;

use crate::clock::date_zh;
use crate::experts::{Employment, ExpertFacts, Party, Period, TieKind};

/// What the conflict check needs about one application.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApplicantFacts {
    /// Application id (matched against the reviewer's declarations).
    pub application_id: i64,
    /// The applying organisation.
    pub organisation: Party,
    /// Competitors the applicant named.
    pub competitors: Vec<Party>,
}

/// The ground a conflict rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ground {
    /// Works for the applicant now.
    CurrentEmployer,
    /// Worked for the applicant within the window.
    FormerEmployer,
    /// Advised the applicant within the window.
    ConsultingClient,
    /// Trained the applicant within the window.
    TrainingClient,
    /// Holds shares in or invested in the applicant within the window.
    Shareholding,
    /// A close relative works or worked for the applicant within the window.
    RelativeEmployer,
    /// Works or worked for a competitor the applicant named, within the window.
    CompetitorEmployer,
    /// The reviewer declared a conflict with this application.
    Declared,
}

impl Ground {
    /// Every ground, in the order conflicts are listed.
    pub const ALL: [Ground; 8] = [
        Ground::CurrentEmployer,
        Ground::FormerEmployer,
        Ground::ConsultingClient,
        Ground::TrainingClient,
        Ground::Shareholding,
        Ground::RelativeEmployer,
        Ground::CompetitorEmployer,
        Ground::Declared,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Ground::CurrentEmployer => "current_employer",
            Ground::FormerEmployer => "former_employer",
            Ground::ConsultingClient => "consulting_client",
            Ground::TrainingClient => "training_client",
            Ground::Shareholding => "shareholding",
            Ground::RelativeEmployer => "relative_employer",
            Ground::CompetitorEmployer => "competitor_employer",
            Ground::Declared => "declared",
        }
    }

    /// From the stored code.
    pub fn parse(code: &str) -> Option<Ground> {
        Ground::ALL.into_iter().find(|g| g.code() == code)
    }

    /// In Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Ground::CurrentEmployer => "现工作单位为申报单位",
            Ground::FormerEmployer => "曾在申报单位任职",
            Ground::ConsultingClient => "为申报单位提供咨询服务",
            Ground::TrainingClient => "为申报单位提供培训服务",
            Ground::Shareholding => "持有申报单位股份或对其投资",
            Ground::RelativeEmployer => "近亲属在申报单位任职",
            Ground::CompetitorEmployer => "在申报单位的竞争对手任职",
            Ground::Declared => "本人申报回避",
        }
    }

    /// In English.
    pub fn en(self) -> &'static str {
        match self {
            Ground::CurrentEmployer => "Currently employed by the applicant",
            Ground::FormerEmployer => "Formerly employed by the applicant",
            Ground::ConsultingClient => "Provided consulting to the applicant",
            Ground::TrainingClient => "Provided training to the applicant",
            Ground::Shareholding => "Holds shares in or invested in the applicant",
            Ground::RelativeEmployer => "A close relative works for the applicant",
            Ground::CompetitorEmployer => "Employed by a competitor of the applicant",
            Ground::Declared => "Declared by the reviewer",
        }
    }
}

/// One conflict: its ground, the party involved, the dates and the detail that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The ground.
    pub ground: Ground,
    /// The organisation involved: the applicant's name, or the competitor's.
    pub party: String,
    /// The period of the record; for a declaration, the day it was made.
    pub period: Period,
    /// The position held, the relation (配偶, 子女…), or the reason declared.
    pub detail: String,
}

/// A period in Chinese: `（2019年3月1日起）`, `（2019年3月1日至2024年6月30日）`,
/// `（至2024年6月30日）`, or nothing.
fn period_zh(p: &Period) -> String {
    match (p.start, p.end) {
        (Some(s), None) => format!("（{}起）", date_zh(s)),
        (Some(s), Some(e)) => format!("（{}至{}）", date_zh(s), date_zh(e)),
        (None, Some(e)) => format!("（至{}）", date_zh(e)),
        (None, None) => String::new(),
    }
}

/// A period in English: ` (since 2019-03-01)`, ` (2019-03-01 to 2024-06-30)`,
/// ` (until 2024-06-30)`, or nothing.
fn period_en(p: &Period) -> String {
    match (p.start, p.end) {
        (Some(s), None) => format!(" (since {s})"),
        (Some(s), Some(e)) => format!(" ({s} to {e})"),
        (None, Some(e)) => format!(" (until {e})"),
        (None, None) => String::new(),
    }
}

impl Conflict {
    /// The article of the measures on withdrawal (回避).
    pub const ARTICLE: u32 = 25;

    /// In Chinese, e.g. `现工作单位为申报单位，任质量部经理（2019年3月1日起）`,
    /// `近亲属（配偶）在申报单位任职`, `本人申报回避：……（2026年11月20日申报）`.
    pub fn describe_zh(&self) -> String {
        let d = self.detail.trim();
        let position = if d.is_empty() {
            String::new()
        } else {
            format!("，任{d}")
        };
        let when = period_zh(&self.period);
        match self.ground {
            Ground::CurrentEmployer => format!("现工作单位为申报单位{position}{when}"),
            Ground::FormerEmployer => format!("曾在申报单位任职{position}{when}"),
            Ground::ConsultingClient => format!("为申报单位提供咨询服务{when}"),
            Ground::TrainingClient => format!("为申报单位提供培训服务{when}"),
            Ground::Shareholding => format!("持有申报单位股份或对其投资{when}"),
            Ground::RelativeEmployer if d.is_empty() => format!("近亲属在申报单位任职{when}"),
            Ground::RelativeEmployer => format!("近亲属（{d}）在申报单位任职{when}"),
            Ground::CompetitorEmployer if self.period.end.is_none() => format!(
                "现工作单位为申报单位的竞争对手{}{position}{when}",
                quoted_zh(&self.party)
            ),
            Ground::CompetitorEmployer => format!(
                "在申报单位的竞争对手{}任职{position}{when}",
                quoted_zh(&self.party)
            ),
            Ground::Declared => {
                let on = self
                    .period
                    .start
                    .map(|s| format!("（{}申报）", date_zh(s)))
                    .unwrap_or_default();
                if d.is_empty() {
                    format!("本人申报回避{on}")
                } else {
                    format!("本人申报回避：{d}{on}")
                }
            }
        }
    }

    /// In English, e.g. `Currently employed by the applicant as quality manager (since
    /// 2019-03-01)`, `A close relative (配偶) works for the applicant`, `Declared a conflict:
    /// … (declared 2026-11-20)`.
    pub fn describe_en(&self) -> String {
        let d = self.detail.trim();
        let position = if d.is_empty() {
            String::new()
        } else {
            format!(" as {d}")
        };
        let when = period_en(&self.period);
        match self.ground {
            Ground::CurrentEmployer => {
                format!("Currently employed by the applicant{position}{when}")
            }
            Ground::FormerEmployer => format!("Formerly employed by the applicant{position}{when}"),
            Ground::ConsultingClient => format!("Provided consulting to the applicant{when}"),
            Ground::TrainingClient => format!("Provided training to the applicant{when}"),
            Ground::Shareholding => format!("Holds shares in or invested in the applicant{when}"),
            Ground::RelativeEmployer if d.is_empty() => {
                format!("A close relative works for the applicant{when}")
            }
            Ground::RelativeEmployer => {
                format!("A close relative ({d}) works for the applicant{when}")
            }
            Ground::CompetitorEmployer if self.period.end.is_none() => format!(
                "Currently employed by {}, a competitor of the applicant{position}{when}",
                self.party
            ),
            Ground::CompetitorEmployer => format!(
                "Employed by {}, a competitor of the applicant{position}{when}",
                self.party
            ),
            Ground::Declared => {
                let on = self
                    .period
                    .start
                    .map(|s| format!(" (declared {s})"))
                    .unwrap_or_default();
                if d.is_empty() {
                    format!("Declared a conflict{on}")
                } else {
                    format!("Declared a conflict: {d}{on}")
                }
            }
        }
    }
}

/// `（名称）`, or nothing for an empty name.
fn quoted_zh(name: &str) -> String {
    if name.trim().is_empty() {
        String::new()
    } else {
        format!("（{}）", name.trim())
    }
}

/// The first day of the look-back window: `today` minus `lookback_years` calendar years.
/// From 29 February the result is 28 February of a common year.
pub fn window_start(today: Date, lookback_years: u32) -> Date {
    Span::new()
        .try_years(i64::from(lookback_years))
        .ok()
        .and_then(|span| today.checked_sub(span).ok())
        .unwrap_or(Date::MIN)
}

/// Begun by `today` (or of unknown start).
fn begun(p: &Period, today: Date) -> bool {
    p.start.is_none_or(|s| s <= today)
}

/// Begun by `today` and not ended before `from`.
fn within(p: &Period, today: Date, from: Date) -> bool {
    begun(p, today) && p.end.is_none_or(|e| e >= from)
}

/// Still lasting on `today`.
fn current(p: &Period, today: Date) -> bool {
    begun(p, today) && p.end.is_none_or(|e| e >= today)
}

/// The name to show for a party that matched `record`: its own name, else the record's, else
/// its credit code.
fn shown_name(party: &Party, record: &Party) -> String {
    [&party.name, &record.name]
        .into_iter()
        .map(|n| n.trim())
        .find(|n| !n.is_empty())
        .map(str::to_owned)
        .or_else(|| party.credit_code.clone())
        .or_else(|| record.credit_code.clone())
        .unwrap_or_default()
}

/// Every conflict between the expert and the applicant on `today`, one per matching record,
/// sorted by ground then party (records of the same ground and party keep their order).
pub fn conflicts(
    e: &ExpertFacts,
    a: &ApplicantFacts,
    today: Date,
    lookback_years: u32,
) -> Vec<Conflict> {
    let from = window_start(today, lookback_years);
    let org = &a.organisation;
    let mut out = Vec::new();

    for Employment {
        employer,
        position,
        period,
    } in &e.employment
    {
        if !within(period, today, from) {
            continue;
        }
        let conflict = |ground, party| Conflict {
            ground,
            party,
            period: *period,
            detail: position.trim().to_owned(),
        };
        if employer.same_as(org) {
            let ground = if current(period, today) {
                Ground::CurrentEmployer
            } else {
                Ground::FormerEmployer
            };
            out.push(conflict(ground, shown_name(org, employer)));
        }
        if let Some(rival) = a.competitors.iter().find(|c| employer.same_as(c)) {
            out.push(conflict(
                Ground::CompetitorEmployer,
                shown_name(rival, employer),
            ));
        }
    }

    for tie in &e.ties {
        if !within(&tie.period, today, from) || !tie.party.same_as(org) {
            continue;
        }
        let ground = match tie.kind {
            TieKind::Consulting => Ground::ConsultingClient,
            TieKind::Training => Ground::TrainingClient,
            TieKind::Shareholding => Ground::Shareholding,
            TieKind::Relative => Ground::RelativeEmployer,
        };
        out.push(Conflict {
            ground,
            party: shown_name(org, &tie.party),
            period: tie.period,
            detail: tie.relation.trim().to_owned(),
        });
    }

    for d in e
        .declared
        .iter()
        .filter(|d| d.application_id == a.application_id)
    {
        out.push(Conflict {
            ground: Ground::Declared,
            party: shown_name(org, &Party::default()),
            period: Period {
                start: Some(d.declared_on),
                end: None,
            },
            detail: d.reason.trim().to_owned(),
        });
    }

    out.sort_by(|x, y| (x.ground, &x.party).cmp(&(y.ground, &y.party)));
    out
}

/// Whether the expert has any conflict with the applicant on `today`.
pub fn is_conflicted(
    e: &ExpertFacts,
    a: &ApplicantFacts,
    today: Date,
    lookback_years: u32,
) -> bool {
    !conflicts(e, a, today, lookback_years).is_empty()
}

/// The applicants of a session indexed by the keys [`Party::same_as`] compares, so an expert's
/// conflicts with all of them are found by looking up each record of the expert instead of
/// comparing every record with every applicant.
///
/// The index only chooses which applicants to examine: every applicant that one of the
/// expert's records could match (its organisation or a competitor it named, by credit code or
/// normalised name) or that the expert declared a conflict with. Each of those is then decided
/// by [`conflicts`], the one definition of a conflict, so the result is exactly what
/// [`conflicts`] gives applicant by applicant.
#[derive(Debug)]
pub struct ApplicantIndex<'a> {
    applicants: &'a [ApplicantFacts],
    /// Applicants by the credit code of their organisation or of a competitor.
    by_code: HashMap<String, Vec<usize>>,
    /// Applicants by the normalised name of their organisation or of a competitor.
    by_name: HashMap<String, Vec<usize>>,
    /// The same, only for the parties without a credit code.
    by_uncoded_name: HashMap<String, Vec<usize>>,
    /// Applicants by application id.
    by_id: HashMap<i64, Vec<usize>>,
}

impl<'a> ApplicantIndex<'a> {
    /// Index the applicants.
    pub fn new(applicants: &'a [ApplicantFacts]) -> Self {
        let mut ix = ApplicantIndex {
            applicants,
            by_code: HashMap::new(),
            by_name: HashMap::new(),
            by_uncoded_name: HashMap::new(),
            by_id: HashMap::new(),
        };
        for (i, a) in applicants.iter().enumerate() {
            ix.by_id.entry(a.application_id).or_default().push(i);
            for p in std::iter::once(&a.organisation).chain(&a.competitors) {
                let code = p.code_key();
                if let Some(name) = p.name_key() {
                    if code.is_none() {
                        ix.by_uncoded_name.entry(name.clone()).or_default().push(i);
                    }
                    ix.by_name.entry(name).or_default().push(i);
                }
                if let Some(code) = code {
                    ix.by_code.entry(code).or_default().push(i);
                }
            }
        }
        ix
    }

    /// The indexed applicants.
    pub fn applicants(&self) -> &'a [ApplicantFacts] {
        self.applicants
    }

    /// Push the positions of the applicants with a party the record `p` is
    /// [`Party::same_as`]: with a code, those with the same code and those without a code of
    /// the same name; without a code, those of the same name.
    fn matching(&self, p: &Party, out: &mut Vec<usize>) {
        let name = p.name_key();
        let found = match p.code_key() {
            Some(code) => [
                self.by_code.get(&code),
                name.and_then(|n| self.by_uncoded_name.get(&n)),
            ],
            None => [name.and_then(|n| self.by_name.get(&n)), None],
        };
        out.extend(found.into_iter().flatten().flatten());
    }

    /// The positions (in the indexed slice, ascending, without repeats) of the applicants the
    /// expert could have a conflict with; every other applicant has none.
    pub fn candidates(&self, e: &ExpertFacts) -> Vec<usize> {
        let mut out = Vec::new();
        for job in &e.employment {
            self.matching(&job.employer, &mut out);
        }
        for tie in &e.ties {
            self.matching(&tie.party, &mut out);
        }
        for d in &e.declared {
            out.extend(self.by_id.get(&d.application_id).into_iter().flatten());
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Every applicant the expert has a conflict with on `today`, in the indexed order, with
    /// the conflicts [`conflicts`] gives.
    pub fn conflicts(
        &self,
        e: &ExpertFacts,
        today: Date,
        lookback_years: u32,
    ) -> Vec<(&'a ApplicantFacts, Vec<Conflict>)> {
        let applicants = self.applicants;
        self.candidates(e)
            .into_iter()
            .map(|i| &applicants[i])
            .map(|a| (a, conflicts(e, a, today, lookback_years)))
            .filter(|(_, cs)| !cs.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credit_code::CreditCode;
    use crate::experts::{DeclaredConflict, Level, Tie};
    use jiff::civil::date;

    const TODAY: Date = date(2026, 11, 25);
    const LOOKBACK: u32 = 3;

    fn code(first17: &str) -> String {
        CreditCode::complete(first17)
            .expect("a valid demo code")
            .as_str()
            .to_owned()
    }

    fn party(name: &str) -> Party {
        Party {
            name: name.into(),
            credit_code: None,
        }
    }

    fn period(start: Option<Date>, end: Option<Date>) -> Period {
        Period { start, end }
    }

    fn job(employer: Party, position: &str, start: Option<Date>, end: Option<Date>) -> Employment {
        Employment {
            employer,
            position: position.into(),
            period: period(start, end),
        }
    }

    fn tie(kind: TieKind, party: Party, relation: &str, end: Option<Date>) -> Tie {
        Tie {
            kind,
            party,
            relation: relation.into(),
            period: period(Some(date(2020, 1, 1)), end),
        }
    }

    fn expert() -> ExpertFacts {
        ExpertFacts {
            expert_id: 7,
            level: Level::Senior,
            removed: false,
            qualified_from: Some(date(2025, 1, 1)),
            qualified_until: Some(date(2027, 12, 31)),
            training: Vec::new(),
            employment: vec![job(
                party("清远市质量技术服务中心"),
                "高级工程师",
                Some(date(2010, 1, 1)),
                None,
            )],
            ties: Vec::new(),
            declared: Vec::new(),
            industries: vec!['C'],
        }
    }

    fn applicant() -> ApplicantFacts {
        ApplicantFacts {
            application_id: 42,
            organisation: party("清远市某某电器（集团）有限公司"),
            competitors: vec![party("佛山某某电器有限公司"), party("广州某某电子有限公司")],
        }
    }

    fn grounds(e: &ExpertFacts) -> Vec<Ground> {
        conflicts(e, &applicant(), TODAY, LOOKBACK)
            .into_iter()
            .map(|c| c.ground)
            .collect()
    }

    /// The first day inside the window and the last day outside it.
    fn edges() -> (Date, Date) {
        let inside = window_start(TODAY, LOOKBACK);
        (inside, inside.yesterday().expect("a day before"))
    }

    #[test]
    fn no_ties_no_conflict() {
        assert!(grounds(&expert()).is_empty());
        assert!(!is_conflicted(&expert(), &applicant(), TODAY, LOOKBACK));
    }

    #[test]
    fn the_window() {
        assert_eq!(window_start(TODAY, 3), date(2023, 11, 25));
        assert_eq!(window_start(TODAY, 0), TODAY);
        assert_eq!(window_start(date(2028, 2, 29), 3), date(2025, 2, 28));
        assert_eq!(window_start(date(2028, 2, 29), 4), date(2024, 2, 29));
        assert_eq!(window_start(TODAY, u32::MAX), Date::MIN);
    }

    #[test]
    fn current_employer() {
        let mut e = expert();
        e.employment.push(job(
            party("清远市某某电器(集团)有限公司"),
            "质量部经理",
            Some(date(2019, 3, 1)),
            None,
        ));
        let cs = conflicts(&e, &applicant(), TODAY, LOOKBACK);
        assert_eq!(cs.len(), 1);
        let c = &cs[0];
        assert_eq!(c.ground, Ground::CurrentEmployer);
        assert_eq!(c.party, "清远市某某电器（集团）有限公司");
        assert_eq!(c.detail, "质量部经理");
        assert_eq!(
            c.describe_zh(),
            "现工作单位为申报单位，任质量部经理（2019年3月1日起）"
        );
        assert_eq!(
            c.describe_en(),
            "Currently employed by the applicant as 质量部经理 (since 2019-03-01)"
        );
        assert!(is_conflicted(&e, &applicant(), TODAY, LOOKBACK));
        // A job that ends later than today is current too.
        e.employment[1].period.end = Some(date(2027, 6, 30));
        assert_eq!(grounds(&e), vec![Ground::CurrentEmployer]);
        // Ending today still counts as current.
        e.employment[1].period.end = Some(TODAY);
        assert_eq!(grounds(&e), vec![Ground::CurrentEmployer]);
    }

    #[test]
    fn former_employer_and_its_boundary() {
        let (inside, outside) = edges();
        let mut e = expert();
        e.employment.push(job(
            party("清远市某某电器（集团）有限公司"),
            "",
            Some(date(2015, 1, 1)),
            Some(inside),
        ));
        let cs = conflicts(&e, &applicant(), TODAY, LOOKBACK);
        assert_eq!(cs.len(), 1);
        assert_eq!(cs[0].ground, Ground::FormerEmployer);
        assert_eq!(
            cs[0].describe_zh(),
            "曾在申报单位任职（2015年1月1日至2023年11月25日）"
        );
        e.employment[1].period.end = Some(TODAY.yesterday().expect("a day before"));
        assert_eq!(grounds(&e), vec![Ground::FormerEmployer]);
        e.employment[1].period.end = Some(outside);
        assert!(grounds(&e).is_empty());
    }

    #[test]
    fn client_share_and_relative_ties_with_their_boundaries() {
        let (inside, outside) = edges();
        let org = party("清远市某某电器（集团）有限公司");
        for (kind, ground) in [
            (TieKind::Consulting, Ground::ConsultingClient),
            (TieKind::Training, Ground::TrainingClient),
            (TieKind::Shareholding, Ground::Shareholding),
            (TieKind::Relative, Ground::RelativeEmployer),
        ] {
            let mut e = expert();
            e.ties.push(tie(kind, org.clone(), "配偶", None));
            assert_eq!(grounds(&e), vec![ground], "{kind:?} ongoing");
            e.ties[0].period.end = Some(inside);
            assert_eq!(grounds(&e), vec![ground], "{kind:?} inside");
            e.ties[0].period.end = Some(outside);
            assert!(grounds(&e).is_empty(), "{kind:?} outside");
        }
    }

    #[test]
    fn relative_names_the_relation() {
        let mut e = expert();
        e.ties.push(tie(
            TieKind::Relative,
            party("清远市某某电器（集团）有限公司"),
            "配偶",
            None,
        ));
        e.ties[0].period.start = None;
        let cs = conflicts(&e, &applicant(), TODAY, LOOKBACK);
        assert_eq!(cs[0].detail, "配偶");
        assert_eq!(cs[0].describe_zh(), "近亲属（配偶）在申报单位任职");
        assert_eq!(
            cs[0].describe_en(),
            "A close relative (配偶) works for the applicant"
        );
    }

    #[test]
    fn competitor_employer_and_its_boundary() {
        let (inside, outside) = edges();
        let mut e = expert();
        e.employment.push(job(
            party("广州某某电子有限公司"),
            "技术总监",
            Some(date(2018, 1, 1)),
            None,
        ));
        let cs = conflicts(&e, &applicant(), TODAY, LOOKBACK);
        assert_eq!(cs.len(), 1);
        assert_eq!(cs[0].ground, Ground::CompetitorEmployer);
        assert_eq!(cs[0].party, "广州某某电子有限公司");
        assert_eq!(
            cs[0].describe_zh(),
            "现工作单位为申报单位的竞争对手（广州某某电子有限公司），任技术总监（2018年1月1日起）"
        );
        e.employment[1].period.end = Some(inside);
        assert_eq!(grounds(&e), vec![Ground::CompetitorEmployer]);
        assert!(
            conflicts(&e, &applicant(), TODAY, LOOKBACK)[0]
                .describe_zh()
                .starts_with("在申报单位的竞争对手（广州某某电子有限公司）任职")
        );
        e.employment[1].period.end = Some(outside);
        assert!(grounds(&e).is_empty());
    }

    #[test]
    fn declared_counts_only_for_its_application_and_at_any_time() {
        let mut e = expert();
        e.declared.push(DeclaredConflict {
            application_id: 41,
            reason: "曾参与其他申报单位的咨询".into(),
            declared_on: date(2026, 11, 20),
        });
        assert!(grounds(&e).is_empty());
        e.declared.push(DeclaredConflict {
            application_id: 42,
            reason: "与该单位总经理为同学".into(),
            declared_on: date(2015, 11, 20),
        });
        let cs = conflicts(&e, &applicant(), TODAY, LOOKBACK);
        assert_eq!(cs.len(), 1);
        assert_eq!(cs[0].ground, Ground::Declared);
        assert_eq!(cs[0].detail, "与该单位总经理为同学");
        assert_eq!(cs[0].period.start, Some(date(2015, 11, 20)));
        assert_eq!(
            cs[0].describe_zh(),
            "本人申报回避：与该单位总经理为同学（2015年11月20日申报）"
        );
        assert_eq!(
            cs[0].describe_en(),
            "Declared a conflict: 与该单位总经理为同学 (declared 2015-11-20)"
        );
    }

    #[test]
    fn credit_codes_beat_spelling() {
        let c = code("91441802MA4DEM01X");
        let other = code("91441802MA4DEM02X");
        let mut a = applicant();
        a.organisation.credit_code = Some(c.clone());
        let mut e = expert();
        // Spelled differently, same code: a conflict.
        e.employment.push(job(
            Party {
                name: "某某电器集团".into(),
                credit_code: Some(c.to_lowercase()),
            },
            "顾问",
            Some(date(2020, 1, 1)),
            None,
        ));
        // Spelled the same, another code: none.
        e.ties.push(tie(
            TieKind::Consulting,
            Party {
                name: "清远市某某电器（集团）有限公司".into(),
                credit_code: Some(other),
            },
            "",
            None,
        ));
        let cs = conflicts(&e, &a, TODAY, LOOKBACK);
        assert_eq!(cs.len(), 1);
        assert_eq!(cs[0].ground, Ground::CurrentEmployer);
        assert_eq!(cs[0].party, "清远市某某电器（集团）有限公司");
    }

    #[test]
    fn full_width_brackets_match() {
        let mut e = expert();
        e.ties.push(tie(
            TieKind::Training,
            party("清远市某某电器 (集团) 有限公司"),
            "",
            None,
        ));
        let mut a = applicant();
        a.organisation = party("清远市某某电器（集团）有限公司");
        assert_eq!(
            conflicts(&e, &a, TODAY, LOOKBACK)[0].ground,
            Ground::TrainingClient
        );
    }

    #[test]
    fn a_record_not_yet_begun_is_ignored() {
        let mut e = expert();
        e.employment.push(job(
            party("清远市某某电器（集团）有限公司"),
            "",
            Some(TODAY.tomorrow().expect("a day after")),
            None,
        ));
        e.ties.push(Tie {
            period: period(Some(date(2027, 1, 1)), None),
            ..tie(
                TieKind::Shareholding,
                party("清远市某某电器（集团）有限公司"),
                "",
                None,
            )
        });
        assert!(grounds(&e).is_empty());
        // Starting today counts.
        e.employment[1].period.start = Some(TODAY);
        assert_eq!(grounds(&e), vec![Ground::CurrentEmployer]);
    }

    #[test]
    fn all_are_listed_by_ground_then_party() {
        let org = party("清远市某某电器（集团）有限公司");
        let mut e = expert();
        e.declared.push(DeclaredConflict {
            application_id: 42,
            reason: "回避".into(),
            declared_on: date(2026, 11, 1),
        });
        e.employment.push(job(
            party("佛山某某电器有限公司"),
            "",
            Some(date(2021, 1, 1)),
            Some(date(2024, 1, 1)),
        ));
        e.employment.push(job(
            party("广州某某电子有限公司"),
            "",
            Some(date(2024, 1, 2)),
            None,
        ));
        e.ties
            .push(tie(TieKind::Relative, org.clone(), "子女", None));
        e.ties.push(tie(TieKind::Consulting, org.clone(), "", None));
        e.ties.push(tie(
            TieKind::Consulting,
            org.clone(),
            "",
            Some(date(2024, 6, 1)),
        ));
        e.employment.push(job(
            org,
            "",
            Some(date(2012, 1, 1)),
            Some(date(2024, 6, 30)),
        ));
        let cs = conflicts(&e, &applicant(), TODAY, LOOKBACK);
        let listed: Vec<(Ground, &str)> = cs.iter().map(|c| (c.ground, c.party.as_str())).collect();
        assert_eq!(
            listed,
            vec![
                (Ground::FormerEmployer, "清远市某某电器（集团）有限公司"),
                (Ground::ConsultingClient, "清远市某某电器（集团）有限公司"),
                (Ground::ConsultingClient, "清远市某某电器（集团）有限公司"),
                (Ground::RelativeEmployer, "清远市某某电器（集团）有限公司"),
                (Ground::CompetitorEmployer, "佛山某某电器有限公司"),
                (Ground::CompetitorEmployer, "广州某某电子有限公司"),
                (Ground::Declared, "清远市某某电器（集团）有限公司"),
            ]
        );
        assert_eq!(
            cs[0].describe_zh(),
            "曾在申报单位任职（2012年1月1日至2024年6月30日）"
        );
    }

    #[test]
    fn grounds_round_trip() {
        for g in Ground::ALL {
            assert_eq!(Ground::parse(g.code()), Some(g));
            assert!(!g.zh().is_empty() && !g.en().is_empty());
        }
        assert_eq!(Ground::parse("nope"), None);
        assert_eq!(Conflict::ARTICLE, 25);
    }

    /// A small deterministic generator for the randomised comparison.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<'x, T>(&mut self, v: &'x [T]) -> &'x T {
            &v[self.below(v.len())]
        }
    }

    /// A party drawn from names and codes that differ only in what normalisation or the code
    /// rule removes: widths, spaces, case, brackets, empty and blank values.
    fn random_party(r: &mut Rng, codes: &[String]) -> Party {
        const NAMES: &[&str] = &[
            "清远甲公司",
            "清远 甲公司",
            "清远甲公司\u{3000}",
            " 清远甲公司 ",
            "甲公司（清远）",
            "甲公司(清远)",
            "甲公司 ( 清远 )",
            "ＡＢＣ精密１号厂",
            "abc精密1号厂",
            "ABC 精密 1 号厂",
            "乙有限公司",
            "丙有限公司",
            "",
            "  ",
            "\u{3000}",
        ];
        let code = match r.below(6) {
            0 | 1 => None,
            2 => Some(" ".to_owned()),
            3 => Some(r.pick(codes).to_lowercase()),
            4 => Some(format!(" {} ", r.pick(codes))),
            _ => Some(r.pick(codes).clone()),
        };
        Party {
            name: (*r.pick(NAMES)).to_owned(),
            credit_code: code,
        }
    }

    fn random_period(r: &mut Rng) -> Period {
        let day = |r: &mut Rng| {
            let y = 2015 + r.below(14) as i16;
            Some(date(y, 1 + r.below(12) as i8, 1 + r.below(28) as i8))
        };
        let start = if r.below(5) == 0 { None } else { day(r) };
        let end = if r.below(3) == 0 { None } else { day(r) };
        Period { start, end }
    }

    #[test]
    fn the_index_finds_exactly_what_the_pairwise_check_finds() {
        let codes = [
            code("91441802MA4W00001"),
            code("91441802MA4W00002"),
            code("91441881MA4W00003"),
        ];
        let mut r = Rng(0x9E37_79B9_7F4A_7C15);
        let mut found = 0;
        for round in 0..40 {
            let applicants: Vec<ApplicantFacts> = (0..30)
                .map(|i| ApplicantFacts {
                    application_id: 1000 + i,
                    organisation: random_party(&mut r, &codes),
                    competitors: (0..r.below(3))
                        .map(|_| random_party(&mut r, &codes))
                        .collect(),
                })
                .collect();
            let index = ApplicantIndex::new(&applicants);
            for _ in 0..30 {
                let mut e = expert();
                e.employment = (0..r.below(4))
                    .map(|_| Employment {
                        employer: random_party(&mut r, &codes),
                        position: (*r.pick(&["", "工程师", " 经理 "])).to_owned(),
                        period: random_period(&mut r),
                    })
                    .collect();
                e.ties = (0..r.below(3))
                    .map(|_| Tie {
                        kind: *r.pick(&TieKind::ALL),
                        party: random_party(&mut r, &codes),
                        relation: (*r.pick(&["", "配偶", "子女"])).to_owned(),
                        period: random_period(&mut r),
                    })
                    .collect();
                e.declared = (0..r.below(2))
                    .map(|_| DeclaredConflict {
                        application_id: 995 + r.below(40) as i64,
                        reason: "曾为其提供服务".into(),
                        declared_on: date(2026, 11, 20),
                    })
                    .collect();
                let today = *r.pick(&[TODAY, date(2024, 2, 29), date(2019, 6, 1)]);
                let lookback = r.below(5) as u32;
                let pairwise: Vec<(i64, Vec<Conflict>)> = applicants
                    .iter()
                    .map(|a| (a.application_id, conflicts(&e, a, today, lookback)))
                    .filter(|(_, cs)| !cs.is_empty())
                    .collect();
                let indexed: Vec<(i64, Vec<Conflict>)> = index
                    .conflicts(&e, today, lookback)
                    .into_iter()
                    .map(|(a, cs)| (a.application_id, cs))
                    .collect();
                assert_eq!(indexed, pairwise, "round {round}, expert {e:?}");
                found += pairwise.len();
            }
        }
        // The data are dense enough that the comparison is not vacuous.
        assert!(found > 1000, "{found}");
    }
}
