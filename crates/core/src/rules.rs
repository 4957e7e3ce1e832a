//! Rule sets: every number and condition of one version of the award measures,
//! as versioned data that cites the article it comes from.
//!
//! In the TOML file every rule is an inline table `{ value = …, article = N }`
//! (N is the 第N条 it comes from; `also = [M]` adds articles that say the same),
//! or `{ value = …, basis = "实施细则" }` for settings the measures leave to the
//! implementation rules. Exactly one of `article` and `basis` is present.

use std::fmt;
use std::path::Path;

use jiff::civil::Date;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

use crate::citation::Citation;
use crate::rulefile::{self, RulesError, Seg, Source};

/// One rule: its value and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule<T> {
    /// The value in force.
    pub value: T,
    /// The article (第N条) of the measures it comes from; `None` when `basis` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article: Option<u32>,
    /// Further articles that say the same (only with `article`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<u32>,
    /// For settings the measures leave open: what they rest on (e.g. `实施细则`);
    /// `None` when `article` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

impl<T> Rule<T> {
    /// The citation of this rule's article(s) in `rules`' document, or `None`
    /// for a setting that rests on a `basis` instead.
    pub fn citation(&self, rules: &RuleSet) -> Option<Citation> {
        self.article
            .map(|a| rules.cite(a).with_also(self.also.iter().copied()))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule<T> {
    value: T,
    article: Option<u32>,
    also: Option<Vec<u32>>,
    basis: Option<String>,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Rule<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawRule::<T>::deserialize(deserializer)?;
        let also = raw.also.unwrap_or_default();
        match (&raw.article, &raw.basis) {
            (None, None) => {
                return Err(de::Error::custom(
                    "a rule needs `article = N` (the article it comes from) or `basis = \"…\"` (for a setting the measures leave open)",
                ));
            }
            (Some(_), Some(_)) => {
                return Err(de::Error::custom(
                    "a rule has either `article` or `basis`, not both",
                ));
            }
            (Some(0), None) => return Err(de::Error::custom("article numbers start at 1")),
            (None, Some(b)) if b.trim().is_empty() => {
                return Err(de::Error::custom("`basis` must not be empty"));
            }
            (None, Some(_)) if !also.is_empty() => {
                return Err(de::Error::custom("`also` needs `article`"));
            }
            _ => {}
        }
        if also.contains(&0) {
            return Err(de::Error::custom("article numbers start at 1"));
        }
        Ok(Rule {
            value: raw.value,
            article: raw.article,
            also,
            basis: raw.basis,
        })
    }
}

/// Identity of a rule set and of the document it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Stable id of the rule set, e.g. `qingyuan-2020`.
    pub id: String,
    /// Version of this rule set file (1, 2, …).
    pub version: u32,
    /// Chinese title of the measures, e.g. 清远市政府质量奖管理办法.
    pub name: String,
    /// English title of the measures.
    pub name_en: String,
    /// Chinese name of the award, e.g. 清远市政府质量奖.
    pub award_name: String,
    /// English name of the award.
    pub award_name_en: String,
    /// Document number, e.g. 清府办〔2020〕11号.
    pub document_number: String,
    /// Issuing body.
    pub issuer: String,
    /// Date of issue.
    pub issued: Date,
    /// True for a demonstration copy that is not an official document.
    pub demo: bool,
    /// Id of the criteria file the rule set scores with, e.g. `gbt19580-2012`.
    pub criteria: String,
    /// A notice to show wherever the rule set is shown (used by demonstration copies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}

/// Period in which the measures are in force (both days included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Validity {
    /// First day in force.
    pub from: Rule<Date>,
    /// Last day in force.
    pub to: Rule<Date>,
}

/// Sessions (届).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionRules {
    /// Years between sessions.
    pub cycle_years: Rule<u32>,
    /// Most winners per session.
    pub max_winners: Rule<u32>,
    /// Whether a session may award nobody.
    pub winners_may_be_empty: Rule<bool>,
}

/// Conditions for applying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EligibilityRules {
    /// Least years of operation.
    pub min_operating_years: Rule<u32>,
    /// Years without failed quality spot checks, major accidents, complaints or penalties.
    pub clean_record_years: Rule<u32>,
    /// Years without a loss.
    pub no_loss_years: Rule<u32>,
    /// Whether a policy-driven loss does not count as a loss.
    pub policy_loss_excepted: Rule<bool>,
    /// Least months of practising the excellence model.
    pub min_excellence_practice_months: Rule<u32>,
    /// Years after winning during which a winner cannot apply again.
    pub rewin_bar_years: Rule<u32>,
}

/// Material and on-site review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRules {
    /// Most applicants on the on-site list in principle (more need a recorded justification).
    pub onsite_max: Rule<u32>,
    /// Reviewers per application.
    pub team_size: Rule<u32>,
    /// Step of item percentages.
    pub score_step_percent: Rule<u32>,
    /// Spread between members' item percentages (percentage points) that flags the item for discussion.
    pub spread_flag_points: Rule<u32>,
    /// Years looked back when detecting conflicts of interest.
    pub conflict_lookback_years: Rule<u32>,
    /// Most applications one team reviews in a session.
    pub team_load_max: Rule<u32>,
    /// Assignment cost of one team member lacking the applicant's industry, against one unit of
    /// load imbalance (Σ load²).
    pub assign_match_weight: Rule<u32>,
    /// What the final score of an on-site applicant is (Art. 17): `onsite_consensus` (the
    /// on-site consensus total) or `weighted` (material and on-site consensus totals weighted
    /// by `final_material_weight_percent`).
    #[serde(default = "default_final_score")]
    pub final_score: Rule<String>,
    /// With `final_score = "weighted"`: the weight of the material consensus in percent (the
    /// on-site consensus weighs the rest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_material_weight_percent: Option<Rule<u32>>,
}

fn default_final_score() -> Rule<String> {
    Rule {
        value: FINAL_ONSITE.to_owned(),
        article: Some(17),
        also: Vec::new(),
        basis: None,
    }
}

/// `final_score` value: the on-site consensus total is the final score.
pub const FINAL_ONSITE: &str = "onsite_consensus";
/// `final_score` value: material and on-site consensus totals weighted.
pub const FINAL_WEIGHTED: &str = "weighted";

impl ReviewRules {
    /// The final score in hundredths of a point from the material and on-site consensus
    /// totals (hundredths), as the rule set defines it; `None` while a needed total is missing.
    pub fn final_hundredths(&self, material: Option<i64>, onsite: Option<i64>) -> Option<i64> {
        match self.final_score.value.as_str() {
            FINAL_WEIGHTED => {
                let w = i64::from(
                    self.final_material_weight_percent
                        .as_ref()
                        .map(|r| r.value)
                        .unwrap_or(0),
                );
                let (m, o) = (material?, onsite?);
                Some((m * w + o * (100 - w) + 50) / 100)
            }
            _ => onsite,
        }
    }
}

/// The application package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationRules {
    /// Most characters of the organisational overview.
    pub overview_max_chars: Rule<u32>,
    /// Most characters of the self-evaluation report.
    pub self_evaluation_max_chars: Rule<u32>,
}

/// How days of a period are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Every calendar day counts.
    Calendar,
    /// Only working days count.
    Working,
}

/// The majority a decision needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Majority {
    /// More than half of the members present (recused members are not present).
    MoreThanHalfPresent,
    /// At least two thirds of the members present.
    TwoThirdsPresent,
}

/// How members vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ballot {
    /// Secret ballot (无记名投票).
    Secret,
    /// Open, recorded vote.
    Open,
}

/// When the bonus is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BonusTiming {
    /// At the start of the year after the commendation.
    NextYearStart,
    /// With the commendation.
    OnCommendation,
}

/// A fraction such as 2/3, written `"2/3"` in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fraction {
    /// Numerator (≥ 1).
    pub numerator: u32,
    /// Denominator (≥ numerator).
    pub denominator: u32,
}

impl Fraction {
    /// Whether `part` out of `whole` reaches this fraction (`part / whole ≥ n / d`).
    pub fn reached(&self, part: u32, whole: u32) -> bool {
        u64::from(part) * u64::from(self.denominator)
            >= u64::from(whole) * u64::from(self.numerator)
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.numerator, self.denominator)
    }
}

impl std::str::FromStr for Fraction {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("expected a fraction like \"2/3\", found \"{s}\"");
        let (n, d) = s.split_once('/').ok_or_else(bad)?;
        let numerator: u32 = n.trim().parse().map_err(|_| bad())?;
        let denominator: u32 = d.trim().parse().map_err(|_| bad())?;
        if numerator == 0 || denominator < numerator {
            return Err(format!(
                "a fraction must be between 0 (excluded) and 1, found \"{s}\""
            ));
        }
        Ok(Fraction {
            numerator,
            denominator,
        })
    }
}

impl Serialize for Fraction {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(de::Error::custom)
    }
}

/// Leadership decision and public notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRules {
    /// Least days of public notice.
    pub notice_min_days: Rule<u32>,
    /// How notice days are counted.
    pub notice_day_kind: Rule<DayKind>,
    /// Share of members that must be present for a valid decision.
    pub quorum_fraction: Rule<Fraction>,
    /// Majority needed.
    pub majority: Rule<Majority>,
    /// How members vote.
    pub ballot: Rule<Ballot>,
}

/// Objections to the notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectionRules {
    /// Whether objections must carry the objector's real name.
    pub real_name_required: Rule<bool>,
    /// Working days within which an objection is verified.
    pub verify_working_days: Rule<u32>,
}

/// The award itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwardRules {
    /// Bonus per winner in CNY.
    pub bonus_cny: Rule<u64>,
    /// When the bonus is paid.
    pub bonus_paid: Rule<BonusTiming>,
}

/// Duties after the award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostAwardRules {
    /// Years after the award during which an annual performance report is due.
    pub report_years: Rule<u32>,
    /// When each annual report falls due: `award_anniversary` (the report for year k on the
    /// k-th anniversary of the commendation).
    #[serde(default = "default_report_due")]
    pub report_due: Rule<String>,
    /// Days before a report's due date that the winner is reminded.
    #[serde(default = "default_reminder_days")]
    pub reminder_days_before: Rule<u32>,
    /// The wording a winner may use in its image publicity; `{year}` is the award year
    /// (Art. 31).
    #[serde(default = "default_title_wording")]
    pub title_wording: Rule<String>,
}

fn default_report_due() -> Rule<String> {
    Rule {
        value: crate::post_award::DUE_ANNIVERSARY.to_owned(),
        article: None,
        also: Vec::new(),
        basis: Some("实施细则".to_owned()),
    }
}

fn default_reminder_days() -> Rule<u32> {
    Rule {
        value: 30,
        article: None,
        also: Vec::new(),
        basis: Some("实施细则".to_owned()),
    }
}

fn default_title_wording() -> Rule<String> {
    Rule {
        value: "{year}年度清远市政府质量奖获奖企业".to_owned(),
        article: Some(31),
        also: Vec::new(),
        basis: None,
    }
}

/// Revocation of an award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevocationRules {
    /// Years after the award in which a major accident leads to revocation.
    pub accident_window_years: Rule<u32>,
    /// Years a revoked winner cannot apply.
    pub ban_years: Rule<u32>,
}

/// Two-way conduct feedback after the on-site visit (Art. 26).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConductRules {
    /// A grade (优 4, 良 3, 中 2, 差 1) at or below this counts as a low rating, shown first
    /// and highlighted to discipline.
    pub low_grade: Rule<u32>,
}

/// A provision of the measures that a step of the procedure rests on: its article, the clause
/// (第（N）项) where the article has them, and further articles that say the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provision {
    /// The article (第N条).
    pub article: u32,
    /// The clause of the article, if it has clauses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clause: Option<u32>,
    /// Further articles that say the same.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<u32>,
}

/// The provisions the system's steps rest on, by name, so that every refusal and audit entry
/// cites the measures the session runs under and no article is written into the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provisions {
    /// The principles: voluntary, free of charge, open and fair (Art. 4 of the 2020 measures).
    pub principles: Provision,
    /// The criteria the review scores on (Art. 5).
    pub criteria: Provision,
    /// The leadership group: reviews the rules, decides the list (Art. 6).
    pub leadership_group: Provision,
    /// The office keeps the expert pool and its training and assessment (Art. 7).
    pub expert_pool: Provision,
    /// The review teams, formed and published by the office, dissolved after the year (Art. 8).
    pub review_teams: Provision,
    /// Working and award funds in the budget (Art. 22).
    pub funding: Provision,
    /// Staff who do not do their duty (Art. 23).
    pub staff_discipline: Provision,
    /// Reviewers who break the review discipline (Art. 24).
    pub reviewer_discipline: Provision,
    /// Recusal of reviewers and staff with an interest (Art. 25).
    pub recusal: Provision,
    /// Two-way conduct feedback to discipline (Art. 26).
    pub conduct_feedback: Provision,
    /// An open, transparent process under public supervision (Art. 27).
    pub transparency: Provision,
    /// Objections by real name, and their handling (Art. 28).
    pub objections: Provision,
    /// Winners share their practices; their senior managers join the pool (Art. 29).
    pub winners_duties: Provision,
    /// Use of the title, and forgery of plaques and certificates (Art. 31).
    pub title_use: Provision,
}

/// One stage of the procedure, in the order the rule set declares them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageRule {
    /// The stage, by its code (`call_published`, `county_recommendation`, …).
    pub stage: String,
    /// The article the stage rests on (none for the session's end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<u32>,
    /// Further articles that say the same.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<u32>,
}

/// A complete rule set: one version of the measures as data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    /// Identity of the rule set and its document.
    pub meta: Meta,
    /// Period in force.
    pub validity: Validity,
    /// Sessions.
    pub session: SessionRules,
    /// Conditions for applying.
    pub eligibility: EligibilityRules,
    /// Review.
    pub review: ReviewRules,
    /// Application package.
    pub application: ApplicationRules,
    /// Decision and notice.
    pub decision: DecisionRules,
    /// Objections.
    pub objection: ObjectionRules,
    /// Award.
    pub award: AwardRules,
    /// After the award.
    pub post_award: PostAwardRules,
    /// Revocation.
    pub revocation: RevocationRules,
    /// Conduct feedback.
    pub conduct: ConductRules,
    /// The stages of a session, in order, each with its article.
    pub procedure: Vec<StageRule>,
    /// The provisions the other steps rest on.
    pub provisions: Provisions,
}

impl RuleSet {
    /// Parses and checks the text of a rule set file; `file_name` is used in messages.
    pub fn parse(text: &str, file_name: &str) -> Result<RuleSet, RulesError> {
        let source = Source::parse(text, file_name)?;
        Self::from_source(&source)
    }

    /// Reads, parses and checks a rule set file.
    pub fn load(path: &Path) -> Result<RuleSet, RulesError> {
        let text = rulefile::read(path)?;
        Self::parse(&text, &path.display().to_string())
    }

    pub(crate) fn from_source(source: &Source<'_>) -> Result<RuleSet, RulesError> {
        let rules: RuleSet = source.deserialize()?;
        let problems = rules.check(source);
        if problems.is_empty() {
            Ok(rules)
        } else {
            Err(RulesError { problems })
        }
    }

    fn check(&self, source: &Source<'_>) -> Vec<rulefile::Problem> {
        use Seg::Key;
        let mut problems = Vec::new();
        let mut need = |ok: bool, path: &[Seg<'_>], message: String| {
            if !ok {
                problems.push(source.problem(path, message));
            }
        };
        need(
            !self.meta.id.trim().is_empty(),
            &[Key("meta"), Key("id")],
            "`meta.id` must not be empty".into(),
        );
        need(
            self.meta.version >= 1,
            &[Key("meta"), Key("version")],
            "`meta.version` starts at 1".into(),
        );
        need(
            self.validity.from.value <= self.validity.to.value,
            &[Key("validity"), Key("to")],
            format!(
                "`validity.to` ({}) is before `validity.from` ({})",
                self.validity.to.value, self.validity.from.value
            ),
        );
        for (key, rule) in [("from", &self.validity.from), ("to", &self.validity.to)] {
            need(
                rule.article.is_some(),
                &[Key("validity"), Key(key)],
                format!("`validity.{key}` must cite the article that sets it, not a `basis`"),
            );
        }
        for (section, key, value) in [
            ("session", "cycle_years", self.session.cycle_years.value),
            ("session", "max_winners", self.session.max_winners.value),
            ("review", "onsite_max", self.review.onsite_max.value),
            ("review", "team_size", self.review.team_size.value),
            (
                "decision",
                "notice_min_days",
                self.decision.notice_min_days.value,
            ),
        ] {
            need(
                value >= 1,
                &[Key(section), Key(key), Key("value")],
                format!("`{section}.{key}` must be at least 1"),
            );
        }
        let step = self.review.score_step_percent.value;
        need(
            step >= 1 && 100u32.is_multiple_of(step),
            &[Key("review"), Key("score_step_percent"), Key("value")],
            format!("`review.score_step_percent` must divide 100, found {step}"),
        );
        let fs = self.review.final_score.value.as_str();
        need(
            fs == FINAL_ONSITE || fs == FINAL_WEIGHTED,
            &[Key("review"), Key("final_score"), Key("value")],
            format!(
                "`review.final_score` must be \"{FINAL_ONSITE}\" or \"{FINAL_WEIGHTED}\", found \"{fs}\""
            ),
        );
        let due = self.post_award.report_due.value.as_str();
        need(
            due == crate::post_award::DUE_ANNIVERSARY,
            &[Key("post_award"), Key("report_due"), Key("value")],
            format!(
                "`post_award.report_due` must be \"{}\", found \"{due}\"",
                crate::post_award::DUE_ANNIVERSARY
            ),
        );
        need(
            self.post_award.title_wording.value.contains("{year}"),
            &[Key("post_award"), Key("title_wording"), Key("value")],
            "`post_award.title_wording` must name the award year as `{year}` (Art. 31)".into(),
        );
        let codes: Vec<&str> = self.procedure.iter().map(|s| s.stage.as_str()).collect();
        let expected: Vec<&str> = crate::session::Stage::ALL
            .iter()
            .map(|s| s.code())
            .collect();
        need(
            codes == expected,
            &[Key("procedure")],
            format!(
                "`procedure` must list the stages in this order: {}; found {}",
                expected.join(", "),
                codes.join(", ")
            ),
        );
        for (i, st) in self.procedure.iter().enumerate() {
            need(
                st.article.is_some() || st.stage == crate::session::Stage::Closed.code(),
                &[Key("procedure"), Seg::Index(i)],
                format!("stage `{}` must cite the article it rests on", st.stage),
            );
            need(
                st.article != Some(0) && !st.also.contains(&0),
                &[Key("procedure"), Seg::Index(i)],
                "article numbers start at 1".into(),
            );
        }
        let weight = self
            .review
            .final_material_weight_percent
            .as_ref()
            .map(|r| r.value);
        need(
            fs != FINAL_WEIGHTED || weight.is_some_and(|w| w <= 100),
            &[Key("review"), Key("final_score"), Key("value")],
            "`review.final_score = \"weighted\"` needs `review.final_material_weight_percent` from 0 to 100".into(),
        );
        problems
    }

    /// The rule set as JSON: `meta` as plain values, every rule as
    /// `{"value": …, "article": N}` (plus `"also"` / `"basis"` when present),
    /// e.g. `validity.from` → `{"value": "2020-04-01", "article": 35}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a rule set always serializes to JSON")
    }

    /// Whether the measures are in force on `day` (both ends included).
    pub fn in_force_on(&self, day: Date) -> bool {
        self.validity.from.value <= day && day <= self.validity.to.value
    }

    /// A refusal under this rule set's document, resting on `article` (none when no rule of
    /// the measures decided it).
    pub fn refusal(
        &self,
        code: &'static str,
        article: Option<u32>,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> crate::refusal::Refusal {
        crate::refusal::Refusal::new(code, article, (&self.meta.name, &self.meta.name_en), zh, en)
    }

    /// A refusal resting on provision `p` (its article and clause).
    pub fn refusal_under(
        &self,
        code: &'static str,
        p: &Provision,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> crate::refusal::Refusal {
        self.refusal(code, Some(p.article), zh, en).clause(p.clause)
    }

    /// The article stage `code` rests on, as the procedure declares it.
    pub fn stage_article(&self, code: &str) -> Option<u32> {
        self.procedure
            .iter()
            .find(|s| s.stage == code)
            .and_then(|s| s.article)
    }

    /// A citation of article `article` of this rule set's document.
    pub fn cite(&self, article: u32) -> Citation {
        Citation::new(self.meta.name.clone(), self.meta.name_en.clone(), article)
    }

    /// The citation for the validity period (Art. 35 of the 2020 measures).
    pub fn validity_citation(&self) -> Citation {
        self.validity
            .to
            .citation(self)
            .or_else(|| self.validity.from.citation(self))
            .unwrap_or_else(|| self.cite(0))
    }
}

/// The shipped 2020 rule set, for the core's unit tests.
#[cfg(test)]
pub(crate) fn qingyuan_2020() -> RuleSet {
    RuleSet::parse(
        include_str!("../../../rules/qingyuan-2020.toml"),
        "rules/qingyuan-2020.toml",
    )
    .expect("the shipped 2020 rule set loads")
}
