//! The expert pool (评审专家库, Art. 7, 8, 24): profiles, dated employment, training and
//! assessment records, declared ties, sanctions and ratings; the conflicts of interest the core
//! finds in them (Art. 25); and a reviewer's standing for one application, which every review
//! request is authorized on. History rows are never deleted: they end with a date.

use crate::{Error, NewEntry, Result, Store, Who, opt_i64, opt_str, parse_date};
use jiff::civil::Date;
use qaward_core::authz::Standing;
use qaward_core::experts::conflict::{ApplicantFacts, ApplicantIndex, Conflict};
use qaward_core::experts::{
    DeclaredConflict, Employment, ExpertFacts, Level, Party, Period, Tie, TieKind, Training,
};
use qaward_core::refusal::Refusal;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The measures the pool rests on.
pub const DOC: (&str, &str) = (
    "清远市政府质量奖管理办法",
    "Qingyuan City Government Quality Award Management Measures",
);

/// One job.
#[derive(Debug, Clone)]
pub struct EmploymentRec {
    /// Row id.
    pub id: i64,
    /// Employer.
    pub employer_name: String,
    /// Employer's credit code ("" when unknown).
    pub employer_credit_code: String,
    /// Position.
    pub position: String,
    /// From.
    pub start_on: Option<Date>,
    /// Until (none: still).
    pub end_on: Option<Date>,
}

/// A training course or assessment.
#[derive(Debug, Clone)]
pub struct TrainingRec {
    /// Row id.
    pub id: i64,
    /// `training` or `assessment`.
    pub kind: String,
    /// Course.
    pub course: String,
    /// Issuing association.
    pub association: String,
    /// Date.
    pub held_on: Date,
    /// Passed.
    pub passed: bool,
    /// Certificate number.
    pub certificate_no: String,
}

/// A declared tie.
#[derive(Debug, Clone)]
pub struct TieRec {
    /// Row id.
    pub id: i64,
    /// Kind.
    pub kind: TieKind,
    /// Party.
    pub party_name: String,
    /// Party's credit code.
    pub party_credit_code: String,
    /// Relation (for a relative).
    pub relation: String,
    /// From.
    pub start_on: Option<Date>,
    /// Until.
    pub end_on: Option<Date>,
    /// Declared.
    pub declared_on: Date,
}

/// A warning or a removal (Art. 24).
#[derive(Debug, Clone)]
pub struct Sanction {
    /// Row id.
    pub id: i64,
    /// `warning` or `removal`.
    pub kind: String,
    /// Why.
    pub reason: String,
    /// Decided.
    pub decided_on: Date,
}

/// A performance rating after a session.
#[derive(Debug, Clone)]
pub struct Rating {
    /// Session.
    pub session_id: i64,
    /// Score out of 100.
    pub score: i64,
    /// Comment.
    pub comment: String,
}

/// A reviewer's own declaration of a conflict.
#[derive(Debug, Clone)]
pub struct DeclarationRec {
    /// Application.
    pub application_id: i64,
    /// Why.
    pub reason: String,
    /// When (µs).
    pub declared_at: i64,
}

/// An expert with everything on file.
#[derive(Debug, Clone)]
pub struct Expert {
    /// Id.
    pub id: i64,
    /// Programme.
    pub programme_id: i64,
    /// Linked sign-in account.
    pub user_id: Option<i64>,
    /// Its user name.
    pub username: Option<String>,
    /// Name.
    pub name: String,
    /// ID number.
    pub id_number: String,
    /// Gender.
    pub gender: String,
    /// Telephone.
    pub phone: String,
    /// Email.
    pub email: String,
    /// Professional title (职称).
    pub title: String,
    /// Education (学历).
    pub education: String,
    /// Level.
    pub level: Level,
    /// GB/T 4754 sections of expertise.
    pub industries: Vec<char>,
    /// Qualification certificate number.
    pub qualification_no: String,
    /// Qualification valid from.
    pub qualified_from: Option<Date>,
    /// Qualification valid until.
    pub qualified_until: Option<Date>,
    /// Qualification removed (µs).
    pub removed_at: Option<i64>,
    /// A winner's senior manager added to the pool (Art. 29).
    pub winner_manager: bool,
    /// Note.
    pub note: String,
    /// Employment history, oldest first.
    pub employment: Vec<EmploymentRec>,
    /// Training and assessment.
    pub training: Vec<TrainingRec>,
    /// Declared ties.
    pub ties: Vec<TieRec>,
    /// Sanctions.
    pub sanctions: Vec<Sanction>,
    /// Ratings.
    pub ratings: Vec<Rating>,
    /// Own conflict declarations.
    pub declarations: Vec<DeclarationRec>,
}

impl Expert {
    /// The current employer, if any.
    pub fn employer(&self) -> Option<&EmploymentRec> {
        self.employment.iter().rev().find(|e| e.end_on.is_none())
    }

    /// Warnings on file.
    pub fn warnings(&self) -> usize {
        self.sanctions
            .iter()
            .filter(|s| s.kind == "warning")
            .count()
    }

    /// The facts the core decides on.
    pub fn facts(&self) -> ExpertFacts {
        ExpertFacts {
            expert_id: self.id,
            level: self.level,
            removed: self.removed_at.is_some(),
            qualified_from: self.qualified_from,
            qualified_until: self.qualified_until,
            training: self
                .training
                .iter()
                .map(|t| Training {
                    assessment: t.kind == "assessment",
                    course: t.course.clone(),
                    association: t.association.clone(),
                    on: t.held_on,
                    passed: t.passed,
                })
                .collect(),
            employment: self
                .employment
                .iter()
                .map(|e| Employment {
                    employer: party(&e.employer_name, &e.employer_credit_code),
                    position: e.position.clone(),
                    period: Period {
                        start: e.start_on,
                        end: e.end_on,
                    },
                })
                .collect(),
            ties: self
                .ties
                .iter()
                .map(|t| Tie {
                    kind: t.kind,
                    party: party(&t.party_name, &t.party_credit_code),
                    relation: t.relation.clone(),
                    period: Period {
                        start: t.start_on,
                        end: t.end_on,
                    },
                })
                .collect(),
            declared: self
                .declarations
                .iter()
                .map(|d| DeclaredConflict {
                    application_id: d.application_id,
                    reason: d.reason.clone(),
                    declared_on: crate::today(d.declared_at),
                })
                .collect(),
            industries: self.industries.clone(),
        }
    }

    /// Whether qualified on `today`, or why not.
    pub fn qualification(&self, today: Date) -> Result<(), qaward_core::experts::Unqualified> {
        qaward_core::experts::qualification(&self.facts(), today)
    }
}

fn party(name: &str, code: &str) -> Party {
    Party {
        name: name.to_owned(),
        credit_code: Some(code.trim().to_owned()).filter(|c| !c.is_empty()),
    }
}

/// One application in review, and an expert's conflicts with it (none: no conflict).
#[derive(Debug, Clone)]
pub struct ConflictCheck {
    /// Application.
    pub application_id: i64,
    /// Its session.
    pub session_title: String,
    /// Applicant.
    pub org_name: String,
    /// Applicant's credit code.
    pub credit_code: String,
    /// The conflicts, with grounds and dates.
    pub conflicts: Vec<Conflict>,
}

/// The profile form, as typed.
#[derive(Debug, Clone, Default)]
pub struct ExpertForm {
    /// Name.
    pub name: String,
    /// ID number.
    pub id_number: String,
    /// Gender.
    pub gender: String,
    /// Telephone.
    pub phone: String,
    /// Email.
    pub email: String,
    /// Title.
    pub title: String,
    /// Education.
    pub education: String,
    /// Level code or Chinese name.
    pub level: String,
    /// Sections, e.g. "C、M".
    pub industries: String,
    /// Certificate number.
    pub qualification_no: String,
    /// Valid from.
    pub qualified_from: String,
    /// Valid until.
    pub qualified_until: String,
    /// Winner's manager (Art. 29).
    pub winner_manager: bool,
    /// Note.
    pub note: String,
    /// Sign-in name of the reviewer account to link ("" for none).
    pub username: String,
}

/// What a history row records. A training *course* and a training *client* (a tie) are
/// different things, so they are spelt differently: `course` for the one, `tie:training` for
/// the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HistoryKind {
    /// A job (`employment`).
    Employment,
    /// A training course (`course`).
    Course,
    /// An assessment (`assessment`).
    Assessment,
    /// A declared tie (`tie:consulting`, `tie:training`, `tie:shareholding`, `tie:relative`).
    Tie(TieKind),
}

impl HistoryKind {
    /// Every kind, in the order forms offer them.
    pub const ALL: [HistoryKind; 7] = [
        HistoryKind::Employment,
        HistoryKind::Course,
        HistoryKind::Assessment,
        HistoryKind::Tie(TieKind::Consulting),
        HistoryKind::Tie(TieKind::Training),
        HistoryKind::Tie(TieKind::Shareholding),
        HistoryKind::Tie(TieKind::Relative),
    ];

    /// The code a form sends: `employment`, `course`, `assessment`, `tie:<tie kind>`.
    pub fn code(self) -> String {
        match self {
            HistoryKind::Employment => "employment".into(),
            HistoryKind::Course => "course".into(),
            HistoryKind::Assessment => "assessment".into(),
            HistoryKind::Tie(k) => format!("tie:{}", k.code()),
        }
    }

    /// From a code. A tie kind may also be given without its `tie:` prefix, except
    /// `training`, which is ambiguous (a course, or a training client) and is refused.
    pub fn parse(code: &str) -> Option<HistoryKind> {
        match code.trim() {
            "employment" => Some(HistoryKind::Employment),
            "course" => Some(HistoryKind::Course),
            "assessment" => Some(HistoryKind::Assessment),
            "training" => None,
            other => {
                TieKind::parse(other.strip_prefix("tie:").unwrap_or(other)).map(HistoryKind::Tie)
            }
        }
    }

    /// In Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            HistoryKind::Employment => "工作经历",
            HistoryKind::Course => "培训",
            HistoryKind::Assessment => "考核",
            HistoryKind::Tie(k) => k.zh(),
        }
    }

    /// In English.
    pub fn en(self) -> &'static str {
        match self {
            HistoryKind::Employment => "Employment",
            HistoryKind::Course => "Training course",
            HistoryKind::Assessment => "Assessment",
            HistoryKind::Tie(k) => k.en(),
        }
    }

    /// The article a record of this kind serves: 8 for training and assessment, 25 otherwise.
    pub fn article(self) -> u32 {
        match self {
            HistoryKind::Course | HistoryKind::Assessment => 8,
            _ => 25,
        }
    }

    fn label(self) -> &'static str {
        match self {
            HistoryKind::Employment => "工作单位",
            HistoryKind::Course => "培训课程",
            HistoryKind::Assessment => "考核名称",
            HistoryKind::Tie(_) => "关联单位",
        }
    }
}

/// A history row as typed.
#[derive(Debug, Clone, Default)]
pub struct HistoryForm {
    /// A [`HistoryKind`] code: `employment`, `course`, `assessment` or `tie:<tie kind>`.
    pub kind: String,
    /// Employer, course or party.
    pub name: String,
    /// Credit code (employment, ties).
    pub credit_code: String,
    /// Position, association or relation.
    pub detail: String,
    /// From (or the date of a course).
    pub start_on: String,
    /// Until.
    pub end_on: String,
    /// Passed (training).
    pub passed: bool,
    /// Certificate number (training).
    pub certificate_no: String,
    /// Where it came from in an import, e.g. "“工作经历”工作表第4行" ("" for a form).
    pub origin: String,
}

/// A sanction of an import, as typed.
#[derive(Debug, Clone, Default)]
pub struct SanctionForm {
    /// Where it came from, e.g. "“处分记录”工作表第2行".
    pub origin: String,
    /// `warning` or `removal`.
    pub kind: String,
    /// Why.
    pub reason: String,
    /// Decided on.
    pub decided_on: String,
}

/// A problem of an import row: where, which field, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    /// Where the row came from.
    pub origin: String,
    /// The form field at fault (`name`, `id_number`, `start_on`…).
    pub field: String,
    /// Message in Chinese.
    pub zh: String,
    /// Message in English.
    pub en: String,
}

/// One expert of an import, with its history.
#[derive(Debug, Clone, Default)]
pub struct ImportExpert {
    /// Where it came from, e.g. "“专家”工作表第3行".
    pub origin: String,
    /// The profile.
    pub form: ExpertForm,
    /// Removed, per the sheet.
    pub removed: bool,
    /// History rows (employment, training, ties), each with its own origin.
    pub history: Vec<HistoryForm>,
    /// Sanctions, each with its own origin.
    pub sanctions: Vec<SanctionForm>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Experts created.
    pub created: usize,
    /// Experts updated.
    pub updated: usize,
    /// History rows added.
    pub history_added: usize,
}

fn date_field(field: &'static str, label: &str, v: &str, required: bool) -> Result<Option<Date>> {
    let t = v.trim();
    if t.is_empty() {
        if required {
            return Err(Error::invalid(
                field,
                format!("“{label}”：请填写日期。"),
                format!("{label}: enter a date."),
            ));
        }
        return Ok(None);
    }
    t.parse::<Date>().map(Some).map_err(|_| {
        Error::invalid(
            field,
            format!("“{label}”：日期格式应为 2026-11-25。"),
            format!("{label}: dates are written 2026-11-25."),
        )
    })
}

fn required(field: &'static str, label: &str, v: &str) -> Result<String> {
    let t = v.trim();
    if t.is_empty() {
        return Err(Error::invalid(
            field,
            format!("“{label}”：此项必填。"),
            format!("{label} is required."),
        ));
    }
    Ok(t.to_owned())
}

fn pool_refusal(
    code: &'static str,
    article: u32,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> Refusal {
    Refusal::new(code, Some(article), DOC, zh, en)
}

/// A checked profile.
pub(crate) struct Profile {
    name: String,
    id_number: String,
    level: Level,
    industries: Vec<char>,
    from: Option<Date>,
    until: Option<Date>,
}

pub(crate) fn check_profile(f: &ExpertForm) -> Result<Profile> {
    let name = required("name", "姓名", &f.name)?;
    let id_number = required("id_number", "身份证号", &f.id_number)?.to_uppercase();
    if id_number.chars().count() != 18
        || !id_number
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || (i == 17 && c == 'X'))
    {
        return Err(Error::invalid(
            "id_number",
            "“身份证号”：应为18位公民身份号码。",
            "ID number: 18 characters.",
        ));
    }
    let level = Level::parse_zh(&f.level).ok_or_else(|| {
        Error::invalid(
            "level",
            "“级别”：请选择见习评审员、评审员、高级评审员或评审组长。",
            "Level: choose trainee, reviewer, senior reviewer or leader-eligible.",
        )
    })?;
    let industries = qaward_core::industry::parse_sections(&f.industries);
    if industries.is_empty() {
        return Err(Error::invalid(
            "industries",
            "“擅长行业”：请至少填写一个国民经济行业门类（GB/T 4754，如 C 制造业）。",
            "Industries: enter at least one GB/T 4754 section (e.g. C Manufacturing).",
        ));
    }
    let from = date_field("qualified_from", "资格有效期起", &f.qualified_from, false)?;
    let until = date_field("qualified_until", "资格有效期至", &f.qualified_until, false)?;
    if let (Some(a), Some(b)) = (from, until)
        && b < a
    {
        return Err(Error::invalid(
            "qualified_until",
            "“资格有效期至”：不能早于有效期起始日。",
            "Qualification valid until: cannot be before its start.",
        ));
    }
    Ok(Profile {
        name,
        id_number,
        level,
        industries,
        from,
        until,
    })
}

fn sections_text(v: &[char]) -> String {
    v.iter()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Every expert matching `clause = $1`, with every record, in one read: the expert rows and
/// each kind of record (employment, training, ties, sanctions, ratings, declarations) come
/// from one query, each row tagged with its kind in uniform columns (n1…n5 numbers, t1…t14
/// text), in the order each kind is shown.
pub(crate) async fn experts_in(
    conn: &mut sqlx::AnyConnection,
    clause: &'static str,
    id: i64,
) -> Result<Vec<Expert>> {
    const N: [&str; 5] = ["n1", "n2", "n3", "n4", "n5"];
    const T: [&str; 14] = [
        "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9", "t10", "t11", "t12", "t13", "t14",
    ];
    // One branch: its kind, its numbers and texts (the rest null), and its order.
    let branch = |kind: &str, from: &str, nums: &[&str], texts: &[&str], o1: &str, o2: &str| {
        let mut cols = vec![format!("'{kind}' AS k"), "e.id AS expert_id".to_owned()];
        for (i, n) in N.iter().enumerate() {
            cols.push(match nums.get(i) {
                Some(c) => format!("CAST({c} AS BIGINT) AS {n}"),
                None => format!("CAST(NULL AS BIGINT) AS {n}"),
            });
        }
        for (i, t) in T.iter().enumerate() {
            cols.push(match texts.get(i) {
                Some(c) => format!("CAST({c} AS TEXT) AS {t}"),
                None => format!("CAST(NULL AS TEXT) AS {t}"),
            });
        }
        cols.push(format!("CAST(COALESCE({o1}, '') AS TEXT) AS o1"));
        cols.push(format!("CAST({o2} AS BIGINT) AS o2"));
        format!("SELECT {} {from} WHERE {clause} = $1", cols.join(", "))
    };
    let sql = [
        branch(
            "0",
            "FROM experts e LEFT JOIN users u ON u.id = e.user_id",
            &[
                "e.programme_id",
                "e.user_id",
                "e.removed_at",
                "e.winner_manager",
            ],
            &[
                "u.username",
                "e.name",
                "e.id_number",
                "e.gender",
                "e.phone",
                "e.email",
                "e.title",
                "e.education",
                "e.level",
                "e.industries",
                "e.qualification_no",
                "e.qualified_from",
                "e.qualified_until",
                "e.note",
            ],
            "NULL",
            "e.id",
        ),
        branch(
            "1",
            "FROM expert_employment x JOIN experts e ON e.id = x.expert_id",
            &["x.id"],
            &[
                "x.employer_name",
                "x.employer_credit_code",
                "x.position",
                "x.start_on",
                "x.end_on",
            ],
            "x.start_on",
            "x.id",
        ),
        branch(
            "2",
            "FROM expert_training x JOIN experts e ON e.id = x.expert_id",
            &["x.id", "x.passed"],
            &[
                "x.kind",
                "x.course",
                "x.association",
                "x.held_on",
                "x.certificate_no",
            ],
            "x.held_on",
            "x.id",
        ),
        branch(
            "3",
            "FROM expert_ties x JOIN experts e ON e.id = x.expert_id",
            &["x.id"],
            &[
                "x.kind",
                "x.party_name",
                "x.party_credit_code",
                "x.relation",
                "x.start_on",
                "x.end_on",
                "x.declared_on",
            ],
            "NULL",
            "x.id",
        ),
        branch(
            "4",
            "FROM expert_sanctions x JOIN experts e ON e.id = x.expert_id",
            &["x.id"],
            &["x.kind", "x.reason", "x.decided_on"],
            "NULL",
            "x.id",
        ),
        branch(
            "5",
            "FROM expert_ratings x JOIN experts e ON e.id = x.expert_id",
            &["x.session_id", "x.score"],
            &["x.comment"],
            "NULL",
            "x.id",
        ),
        branch(
            "6",
            "FROM conflict_declarations x JOIN experts e ON e.id = x.expert_id",
            &["x.application_id", "x.declared_at"],
            &["x.reason"],
            "NULL",
            "x.id",
        ),
    ]
    .join(" UNION ALL ");
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT * FROM ({sql}) r ORDER BY r.expert_id, r.k, r.o1, r.o2"
    )))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let n = |r: &AnyRow, c: &str| opt_i64(r, c);
    let t = |r: &AnyRow, c: &str| opt_str(r, c).unwrap_or_default();
    let d = |r: &AnyRow, c: &str| parse_date(opt_str(r, c));
    let mut list: Vec<Expert> = Vec::new();
    let mut index: HashMap<i64, usize> = HashMap::new();
    for r in &rows {
        let eid: i64 = r.get("expert_id");
        let kind: String = r.get("k");
        if kind == "0" {
            index.insert(eid, list.len());
            list.push(Expert {
                id: eid,
                programme_id: n(r, "n1").unwrap_or_default(),
                user_id: n(r, "n2"),
                username: opt_str(r, "t1"),
                name: t(r, "t2"),
                id_number: t(r, "t3"),
                gender: t(r, "t4"),
                phone: t(r, "t5"),
                email: t(r, "t6"),
                title: t(r, "t7"),
                education: t(r, "t8"),
                level: Level::parse(&t(r, "t9")).unwrap_or(Level::Trainee),
                industries: t(r, "t10")
                    .split(',')
                    .filter_map(|s| s.trim().chars().next())
                    .collect(),
                qualification_no: t(r, "t11"),
                qualified_from: d(r, "t12"),
                qualified_until: d(r, "t13"),
                removed_at: n(r, "n3"),
                winner_manager: n(r, "n4").unwrap_or_default() != 0,
                note: t(r, "t14"),
                employment: Vec::new(),
                training: Vec::new(),
                ties: Vec::new(),
                sanctions: Vec::new(),
                ratings: Vec::new(),
                declarations: Vec::new(),
            });
            continue;
        }
        let Some(e) = index.get(&eid).map(|i| &mut list[*i]) else {
            continue;
        };
        match kind.as_str() {
            "1" => e.employment.push(EmploymentRec {
                id: n(r, "n1").unwrap_or_default(),
                employer_name: t(r, "t1"),
                employer_credit_code: t(r, "t2"),
                position: t(r, "t3"),
                start_on: d(r, "t4"),
                end_on: d(r, "t5"),
            }),
            "2" => e.training.push(TrainingRec {
                id: n(r, "n1").unwrap_or_default(),
                kind: t(r, "t1"),
                course: t(r, "t2"),
                association: t(r, "t3"),
                held_on: d(r, "t4").unwrap_or_default(),
                passed: n(r, "n2").unwrap_or_default() != 0,
                certificate_no: t(r, "t5"),
            }),
            "3" => e.ties.push(TieRec {
                id: n(r, "n1").unwrap_or_default(),
                kind: TieKind::parse(&t(r, "t1")).unwrap_or(TieKind::Consulting),
                party_name: t(r, "t2"),
                party_credit_code: t(r, "t3"),
                relation: t(r, "t4"),
                start_on: d(r, "t5"),
                end_on: d(r, "t6"),
                declared_on: d(r, "t7").unwrap_or_default(),
            }),
            "4" => e.sanctions.push(Sanction {
                id: n(r, "n1").unwrap_or_default(),
                kind: t(r, "t1"),
                reason: t(r, "t2"),
                decided_on: d(r, "t3").unwrap_or_default(),
            }),
            "5" => e.ratings.push(Rating {
                session_id: n(r, "n1").unwrap_or_default(),
                score: n(r, "n2").unwrap_or_default(),
                comment: t(r, "t1"),
            }),
            _ => e.declarations.push(DeclarationRec {
                application_id: n(r, "n1").unwrap_or_default(),
                reason: t(r, "t1"),
                declared_at: n(r, "n2").unwrap_or_default(),
            }),
        }
    }
    list.sort_by_key(|e| e.id);
    Ok(list)
}

impl Store {
    async fn experts_where(&self, clause: &'static str, id: i64) -> Result<Vec<Expert>> {
        let mut conn = self.pool().acquire().await?;
        experts_in(&mut conn, clause, id).await
    }

    /// The programme's expert pool, with every history.
    pub async fn experts(&self, programme_id: i64) -> Result<Vec<Expert>> {
        self.experts_where("e.programme_id", programme_id).await
    }

    /// The experts on one team.
    pub async fn team_experts(&self, team_id: i64) -> Result<Vec<Expert>> {
        // `experts_where` appends `= $1`: the clause ends in a comparison that is always true.
        self.experts_where(
            "e.id IN (SELECT m.expert_id FROM review_team_members m WHERE m.team_id = $1) AND $1",
            team_id,
        )
        .await
    }

    /// One expert.
    pub async fn expert(&self, id: i64) -> Result<Expert> {
        self.experts_where("e.id", id)
            .await?
            .pop()
            .ok_or(Error::NotFound)
    }

    /// The expert profile of an account in a programme.
    pub async fn expert_of_user(&self, programme_id: i64, user_id: i64) -> Result<Option<Expert>> {
        let id: Option<i64> =
            sqlx::query("SELECT id FROM experts WHERE programme_id = $1 AND user_id = $2")
                .bind(programme_id)
                .bind(user_id)
                .fetch_optional(self.pool())
                .await?
                .map(|r| r.get(0));
        match id {
            Some(id) => Ok(Some(self.expert(id).await?)),
            None => Ok(None),
        }
    }

    /// Every expert profile linked to an account, across programmes.
    pub async fn experts_of_user(&self, user_id: i64) -> Result<Vec<Expert>> {
        self.experts_where("e.user_id", user_id).await
    }

    async fn link_user(&self, programme_id: i64, username: &str) -> Result<Option<i64>> {
        let u = username.trim();
        if u.is_empty() {
            return Ok(None);
        }
        let row = sqlx::query("SELECT u.id FROM users u JOIN role_grants g ON g.user_id = u.id WHERE u.username = $1 AND g.role = 'reviewer' AND g.programme_id = $2")
            .bind(u)
            .bind(programme_id)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(r) => Ok(Some(r.get(0))),
            None => Err(Error::invalid(
                "username",
                "“评审账号”：没有该登录名的本项目评审员账号（账号由系统管理员开通）。",
                "Reviewer account: no reviewer account of this programme has that sign-in name (the system administrator opens accounts).",
            )),
        }
    }

    /// Add an expert to the pool (`id` none) or change a profile.
    pub async fn save_expert(
        &self,
        who: &Who,
        programme_id: i64,
        id: Option<i64>,
        f: &ExpertForm,
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let p = check_profile(f)?;
        let user_id = self.link_user(programme_id, &f.username).await?;
        let mut tx = self.write(now).await?;
        let id = Self::upsert_expert(&mut tx, who, programme_id, id, f, &p, user_id).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(crate) async fn upsert_expert(
        tx: &mut crate::Tx,
        who: &Who,
        programme_id: i64,
        id: Option<i64>,
        f: &ExpertForm,
        p: &Profile,
        user_id: Option<i64>,
    ) -> Result<i64> {
        let at = tx.now();
        let clash: Option<i64> =
            sqlx::query("SELECT id FROM experts WHERE programme_id = $1 AND id_number = $2")
                .bind(programme_id)
                .bind(&p.id_number)
                .fetch_optional(tx.conn())
                .await?
                .map(|r| r.get(0));
        if clash.is_some() && clash != id {
            return Err(Error::invalid(
                "id_number",
                "“身份证号”：专家库中已有此身份证号的专家。",
                "ID number: the pool already holds an expert with this ID number.",
            ));
        }
        if let Some(uid) = user_id {
            let other: Option<i64> =
                sqlx::query("SELECT id FROM experts WHERE user_id = $1 AND programme_id = $2")
                    .bind(uid)
                    .bind(programme_id)
                    .fetch_optional(tx.conn())
                    .await?
                    .map(|r| r.get(0));
            if other.is_some() && other != id {
                return Err(Error::invalid(
                    "username",
                    "“评审账号”：该账号已关联其他专家。",
                    "Reviewer account: this account is linked to another expert.",
                ));
            }
        }
        let from = p.from.map(|d| d.to_string());
        let until = p.until.map(|d| d.to_string());
        let (id, action, summary) = match id {
            None => {
                let id: i64 = sqlx::query("INSERT INTO experts (programme_id, user_id, name, id_number, gender, phone, email, title, education, level, industries, qualification_no, qualified_from, qualified_until, winner_manager, note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id")
                    .bind(programme_id)
                    .bind(user_id)
                    .bind(&p.name)
                    .bind(&p.id_number)
                    .bind(f.gender.trim())
                    .bind(f.phone.trim())
                    .bind(f.email.trim())
                    .bind(f.title.trim())
                    .bind(f.education.trim())
                    .bind(p.level.code())
                    .bind(sections_text(&p.industries))
                    .bind(f.qualification_no.trim())
                    .bind(from)
                    .bind(until)
                    .bind(i64::from(f.winner_manager))
                    .bind(f.note.trim())
                    .bind(at)
                    .fetch_one(tx.conn())
                    .await?
                    .get(0);
                (
                    id,
                    "expert.add",
                    format!("专家入库：{}（{}）", p.name, p.level.zh()),
                )
            }
            Some(id) => {
                let n = sqlx::query("UPDATE experts SET user_id = $1, name = $2, id_number = $3, gender = $4, phone = $5, email = $6, title = $7, education = $8, level = $9, industries = $10, qualification_no = $11, qualified_from = $12, qualified_until = $13, winner_manager = $14, note = $15, updated_at = $16 WHERE id = $17 AND programme_id = $18")
                    .bind(user_id)
                    .bind(&p.name)
                    .bind(&p.id_number)
                    .bind(f.gender.trim())
                    .bind(f.phone.trim())
                    .bind(f.email.trim())
                    .bind(f.title.trim())
                    .bind(f.education.trim())
                    .bind(p.level.code())
                    .bind(sections_text(&p.industries))
                    .bind(f.qualification_no.trim())
                    .bind(from)
                    .bind(until)
                    .bind(i64::from(f.winner_manager))
                    .bind(f.note.trim())
                    .bind(at)
                    .bind(id)
                    .bind(programme_id)
                    .execute(tx.conn())
                    .await?
                    .rows_affected();
                if n == 0 {
                    return Err(Error::NotFound);
                }
                (
                    id,
                    "expert.update",
                    format!("修改专家信息：{}（{}）", p.name, p.level.zh()),
                )
            }
        };
        tx.audit(
            NewEntry::award(who, action, "expert", id)
                .programme(programme_id)
                .article(Some(7), DOC.0)
                .summary(summary)
                .detail(serde_json::json!({
                    "level": p.level.code(),
                    "industries": sections_text(&p.industries),
                    "qualified_from": p.from.map(|d| d.to_string()),
                    "qualified_until": p.until.map(|d| d.to_string()),
                    "user_id": user_id,
                    "winner_manager": f.winner_manager,
                }))
                .state(p.level.code()),
        )
        .await?;
        Ok(id)
    }

    async fn insert_history(
        tx: &mut crate::Tx,
        expert_id: i64,
        h: &CheckedHistory,
        today: Date,
    ) -> Result<String> {
        let name = &h.name;
        let start = h.start.map(|d| d.to_string());
        let end = h.end.map(|d| d.to_string());
        let summary = match h.kind {
            HistoryKind::Employment => {
                sqlx::query("INSERT INTO expert_employment (expert_id, employer_name, employer_credit_code, position, start_on, end_on) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(expert_id)
                    .bind(name)
                    .bind(&h.credit_code)
                    .bind(&h.detail)
                    .bind(start)
                    .bind(end)
                    .execute(tx.conn())
                    .await?;
                format!("工作经历：{name}")
            }
            HistoryKind::Course | HistoryKind::Assessment => {
                let assessment = h.kind == HistoryKind::Assessment;
                sqlx::query("INSERT INTO expert_training (expert_id, kind, course, association, held_on, passed, certificate_no) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(expert_id)
                    .bind(if assessment { "assessment" } else { "training" })
                    .bind(name)
                    .bind(&h.detail)
                    .bind(start.unwrap_or_default())
                    .bind(i64::from(h.passed))
                    .bind(&h.certificate_no)
                    .execute(tx.conn())
                    .await?;
                format!(
                    "{}：{name}（{}，{}）",
                    if assessment { "考核" } else { "培训" },
                    h.detail,
                    if h.passed { "合格" } else { "不合格" }
                )
            }
            HistoryKind::Tie(k) => {
                sqlx::query("INSERT INTO expert_ties (expert_id, kind, party_name, party_credit_code, relation, start_on, end_on, declared_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(expert_id)
                    .bind(k.code())
                    .bind(name)
                    .bind(&h.credit_code)
                    .bind(&h.detail)
                    .bind(start)
                    .bind(end)
                    .bind(today.to_string())
                    .execute(tx.conn())
                    .await?;
                format!("申报利益关联：{}—{name}", k.zh())
            }
        };
        Ok(summary)
    }

    /// Add a dated record to an expert's file: a job, a course or assessment, or a declared
    /// tie (a client, a shareholding, a relative's employer).
    pub async fn add_expert_history(
        &self,
        who: &Who,
        expert_id: i64,
        h: &HistoryForm,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let e = self.expert(expert_id).await?;
        let checked = check_history(h)?;
        let mut tx = self.write(now).await?;
        let today = crate::today(tx.now());
        let summary = Self::insert_history(&mut tx, expert_id, &checked, today).await?;
        tx.audit(
            NewEntry::award(who, "expert.history", "expert", expert_id)
                .programme(e.programme_id)
                .article(Some(checked.kind.article()), DOC.0)
                .summary(format!("{}：{summary}", e.name))
                .detail(serde_json::json!({
                    "kind": checked.kind.code(), "name": checked.name, "credit_code": checked.credit_code,
                    "detail": checked.detail, "start_on": h.start_on.trim(), "end_on": h.end_on.trim(),
                })),
        )
        .await?;
        tx.commit().await
    }

    /// End a job that is still open (the expert moved on).
    pub async fn end_employment(
        &self,
        who: &Who,
        expert_id: i64,
        row_id: i64,
        end_on: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let e = self.expert(expert_id).await?;
        let end = date_field("end_on", "离职日期", end_on, true)?.unwrap_or_default();
        let Some(job) = e.employment.iter().find(|j| j.id == row_id) else {
            return Err(Error::NotFound);
        };
        if job.start_on.is_some_and(|s| end < s) {
            return Err(Error::invalid(
                "end_on",
                "“离职日期”：不能早于入职日期。",
                "End date: cannot be before the start.",
            ));
        }
        let mut tx = self.write(now).await?;
        sqlx::query("UPDATE expert_employment SET end_on = $1 WHERE id = $2 AND expert_id = $3 AND end_on IS NULL")
            .bind(end.to_string())
            .bind(row_id)
            .bind(expert_id)
            .execute(tx.conn())
            .await?;
        tx.audit(
            NewEntry::award(who, "expert.history.end", "expert", expert_id)
                .programme(e.programme_id)
                .article(Some(25), DOC.0)
                .summary(format!(
                    "{}：{}任职截至{}",
                    e.name,
                    job.employer_name,
                    qaward_core::clock::date_zh(end)
                )),
        )
        .await?;
        tx.commit().await
    }

    /// A warning, or removal of the qualification (Art. 24). Removal ends the reviewer's
    /// access to every application at once: access is decided on the pool for every request.
    pub async fn sanction_expert(
        &self,
        who: &Who,
        expert_id: i64,
        kind: &str,
        reason: &str,
        decided_on: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let e = self.expert(expert_id).await?;
        let (kind, reason, on) = check_sanction(&SanctionForm {
            origin: String::new(),
            kind: kind.to_owned(),
            reason: reason.to_owned(),
            decided_on: decided_on.to_owned(),
        })?;
        if kind == "removal" && e.removed_at.is_some() {
            return Err(self
                .refused(
                    NewEntry::award(who, "expert.sanction.refused", "expert", expert_id)
                        .programme(e.programme_id),
                    pool_refusal(
                        "already_removed",
                        24,
                        "该专家的评审资格已被取消。",
                        "This expert's qualification has already been removed.",
                    ),
                    now,
                )
                .await);
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        sqlx::query("INSERT INTO expert_sanctions (expert_id, kind, reason, decided_on, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(expert_id)
            .bind(kind)
            .bind(&reason)
            .bind(on.to_string())
            .bind(at)
            .bind(who.user_id)
            .execute(tx.conn())
            .await?;
        if kind == "removal" {
            sqlx::query("UPDATE experts SET removed_at = $1, updated_at = $1 WHERE id = $2")
                .bind(at)
                .bind(expert_id)
                .execute(tx.conn())
                .await?;
            sqlx::query("DELETE FROM web_sessions WHERE user_id = $1 AND NOT EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = $1 AND g.role <> 'reviewer')")
                .bind(e.user_id.unwrap_or(-1))
                .execute(tx.conn())
                .await?;
        }
        let label = if kind == "removal" {
            "取消评审资格"
        } else {
            "警告"
        };
        tx.audit(
            NewEntry::award(who, "expert.sanction", "expert", expert_id)
                .programme(e.programme_id)
                .article(Some(24), DOC.0)
                .summary(format!("{}：{label}。{reason}", e.name))
                .detail(serde_json::json!({"kind": kind, "reason": reason, "decided_on": on.to_string()}))
                .state(if kind == "removal" { "removed" } else { "warned" }),
        )
        .await?;
        if let Some(uid) = e.user_id {
            Store::notify_users(
                &mut tx,
                &[uid],
                &format!("评审专家处理决定：{label}"),
                &format!("依据《清远市政府质量奖管理办法》第二十四条，对您作出{label}处理。事实与理由：{reason}"),
                None,
            )
            .await?;
        }
        tx.commit().await
    }

    /// A reviewer's own declaration of a conflict with an application (Art. 25). It counts at
    /// once and for good: the reviewer can no longer open the application. When they sit on
    /// the application's team (at any stage), they leave that application's team in the same
    /// transaction, and the office is asked to name a substitute.
    pub async fn declare_conflict(
        &self,
        who: &Who,
        expert_id: i64,
        application_id: i64,
        reason: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let e = self.expert(expert_id).await?;
        let reason = required("reason", "回避理由", reason)?;
        let a = self.application(application_id).await?;
        let stage = self.session_detail(a.session_id).await?.session.stage;
        let mut tx = self.write(now).await?;
        let declaration: i64 = sqlx::query("INSERT INTO conflict_declarations (expert_id, application_id, reason, declared_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(expert_id)
            .bind(application_id)
            .bind(&reason)
            .bind(tx.now())
            .fetch_one(tx.conn())
            .await?
            .get(0);
        let seat = if stage == qaward_core::session::Stage::Closed {
            None
        } else {
            crate::recusal::application_seat(tx.conn(), application_id, expert_id).await?
        };
        let mut recusal = None;
        if let Some((team_id, leader)) = seat {
            let rid: i64 = sqlx::query("INSERT INTO review_recusals (declaration_id, session_id, application_id, team_id, expert_id, leader, stage, recused_at, substitute_note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '') RETURNING id")
                .bind(declaration)
                .bind(a.session_id)
                .bind(application_id)
                .bind(team_id)
                .bind(expert_id)
                .bind(i64::from(leader))
                .bind(stage.code())
                .bind(tx.now())
                .fetch_one(tx.conn())
                .await?
                .get(0);
            recusal = Some((rid, team_id, leader));
        }
        tx.audit(
            NewEntry::award(
                who,
                "expert.conflict.declare",
                "application",
                application_id,
            )
            .programme(e.programme_id)
            .article(Some(25), DOC.0)
            .summary(if recusal.is_some() {
                format!(
                    "{}申请回避{}（{}），即时退出该申报的评审组：{reason}",
                    e.name,
                    a.org.name,
                    stage.name_zh()
                )
            } else {
                format!("{}申请回避{}：{reason}", e.name, a.org.name)
            })
            .detail(serde_json::json!({
                "expert": expert_id,
                "reason": reason,
                "stage": stage.code(),
                "recusal": recusal.map(|r| r.0),
                "team": recusal.map(|r| r.1),
                "leader": recusal.map(|r| r.2),
            }))
            .state(if recusal.is_some() {
                "recused"
            } else {
                "declared"
            }),
        )
        .await?;
        let office: Vec<i64> = sqlx::query("SELECT DISTINCT user_id FROM role_grants WHERE role = 'city_office' AND programme_id = $1")
            .bind(e.programme_id)
            .fetch_all(tx.conn())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        match recusal {
            Some((rid, _, leader)) => {
                Store::notify_users(
                    &mut tx,
                    &office,
                    &format!("评审员回避，请指定替补：{}", a.org.name),
                    &format!(
                        "评审员{}申报与{}存在利益冲突，已即时退出该申报的评审组{}（《管理办法》第二十五条）。系统已按分配规则提出替补人选，请在评审组与分配页面选定。理由：{reason}",
                        e.name,
                        a.org.name,
                        if leader { "（原为组长）" } else { "" }
                    ),
                    Some(&format!("/office/recusals/{rid}")),
                )
                .await?;
            }
            None => {
                Store::notify_users(
                    &mut tx,
                    &office,
                    &format!("评审员申请回避：{}", a.org.name),
                    &format!("评审员{}申报与{}存在利益冲突，已不能查看该单位材料。如该单位已分配给其所在评审组，请调整分配（《管理办法》第二十五条）。理由：{reason}", e.name, a.org.name),
                    Some(&format!("/office/sessions/{}/review", a.session_id)),
                )
                .await?;
            }
        }
        tx.commit().await
    }

    /// Import experts from a checked workbook: new ID numbers are added, known ones updated,
    /// history rows added unless the same row is already on file. All or nothing.
    pub async fn import_experts(
        &self,
        who: &Who,
        programme_id: i64,
        rows: &[ImportExpert],
        now: jiff::Timestamp,
    ) -> Result<ImportReport> {
        if let Some(p) = check_import(rows).into_iter().next() {
            return Err(Error::Invalid {
                field: p.field,
                zh: format!("{}：{}", p.origin, p.zh),
                en: format!("{}: {}", p.origin, p.en),
            });
        }
        let mut checked = Vec::new();
        for r in rows {
            let p = check_profile(&r.form)?;
            let history = r
                .history
                .iter()
                .map(check_history)
                .collect::<Result<Vec<_>>>()?;
            let uid = self
                .link_user(programme_id, &r.form.username)
                .await
                .map_err(|e| match e {
                    Error::Invalid { field, zh, en } => Error::Invalid {
                        field,
                        zh: format!("{}：{zh}", r.origin),
                        en: format!("{}: {en}", r.origin),
                    },
                    other => other,
                })?;
            checked.push((r, p, history, uid));
        }
        let existing = self.experts(programme_id).await?;
        let mut report = ImportReport::default();
        let mut tx = self.write(now).await?;
        let today = crate::today(tx.now());
        for (r, p, history, uid) in &checked {
            let known = existing.iter().find(|e| e.id_number == p.id_number);
            let uid = uid.or(known.and_then(|k| k.user_id));
            let id = Self::upsert_expert(
                &mut tx,
                who,
                programme_id,
                known.map(|k| k.id),
                &r.form,
                p,
                uid,
            )
            .await
            .map_err(|e| match e {
                Error::Invalid { field, zh, en } => Error::Invalid {
                    field,
                    zh: format!("{}：{zh}", r.origin),
                    en: format!("{}: {en}", r.origin),
                },
                other => other,
            })?;
            if known.is_some() {
                report.updated += 1;
            } else {
                report.created += 1;
            }
            for h in history {
                if known.is_some_and(|k| has_history(k, h)) {
                    continue;
                }
                Self::insert_history(&mut tx, id, h, today).await?;
                report.history_added += 1;
            }
            for sf in &r.sanctions {
                let (kind, reason, on) = check_sanction(sf)?;
                if known.is_some_and(|k| {
                    k.sanctions
                        .iter()
                        .any(|s| s.kind == kind && s.reason == reason)
                }) {
                    continue;
                }
                sqlx::query("INSERT INTO expert_sanctions (expert_id, kind, reason, decided_on, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6)")
                    .bind(id)
                    .bind(kind)
                    .bind(&reason)
                    .bind(on.to_string())
                    .bind(tx.now())
                    .bind(who.user_id)
                    .execute(tx.conn())
                    .await?;
            }
            if r.removed || r.sanctions.iter().any(|s| s.kind.trim() == "removal") {
                sqlx::query(
                    "UPDATE experts SET removed_at = COALESCE(removed_at, $1) WHERE id = $2",
                )
                .bind(tx.now())
                .bind(id)
                .execute(tx.conn())
                .await?;
            }
        }
        tx.audit(
            NewEntry::award(who, "expert.import", "programme", programme_id)
                .programme(programme_id)
                .article(Some(7), DOC.0)
                .summary(format!(
                    "导入专家库：新增{}人，更新{}人，新增记录{}条",
                    report.created, report.updated, report.history_added
                ))
                .detail(serde_json::json!({
                    "created": report.created, "updated": report.updated, "history": report.history_added,
                })),
        )
        .await?;
        tx.commit().await?;
        Ok(report)
    }

    /// What the core needs about an applicant to find conflicts: its name, code and the
    /// competitors it named.
    pub async fn applicant_facts(&self, application_id: i64) -> Result<ApplicantFacts> {
        let a = self.application(application_id).await?;
        Ok(applicant_facts_of(&a))
    }

    /// The conflicts between one expert and one application, with their grounds and dates.
    pub async fn conflicts_of(
        &self,
        e: &Expert,
        application_id: i64,
        today: Date,
    ) -> Result<Vec<Conflict>> {
        let a = self.applicant_facts(application_id).await?;
        let lookback = self.lookback_years(e.programme_id, application_id).await?;
        Ok(qaward_core::experts::conflict::conflicts(
            &e.facts(),
            &a,
            today,
            lookback,
        ))
    }

    /// The conflicts of one expert with every application in review in the programme (those
    /// that passed the eligibility review in a session not yet closed), with their grounds, by
    /// the year of the session, then the applicant's name.
    ///
    /// Each application gets exactly what [`Store::conflicts_of`] gives for it, found in bulk:
    /// the applications are read once (their forms, for the competitors each names, in pages
    /// of a thousand), each session's look-back window once, and the expert's records are
    /// looked up in an index of the applicants ([`ApplicantIndex`]), which hands only the
    /// applicants they could concern to the one conflict rule.
    pub async fn conflict_check(&self, e: &Expert, today: Date) -> Result<Vec<ConflictCheck>> {
        const PAGE: usize = 1000;
        let rows = sqlx::query("SELECT a.id, a.session_id, s.title, o.name, o.credit_code FROM applications a JOIN award_sessions s ON s.id = a.session_id JOIN organisations o ON o.id = a.organisation_id WHERE s.programme_id = $1 AND a.status = 'eligible' AND s.stage <> 'closed' ORDER BY s.year, o.name, a.id")
            .bind(e.programme_id)
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        let mut sessions = Vec::with_capacity(rows.len());
        for r in rows {
            sessions.push(r.get::<i64, _>("session_id"));
            out.push(ConflictCheck {
                application_id: r.get("id"),
                session_title: r.get("title"),
                org_name: r.get("name"),
                credit_code: r.get("credit_code"),
                conflicts: Vec::new(),
            });
        }
        let at: HashMap<i64, usize> = out
            .iter()
            .enumerate()
            .map(|(i, k)| (k.application_id, i))
            .collect();
        // The forms, session by session in pages by id (along the index on session and
        // status), each read for the competitors it names and then let go.
        let mut facts: Vec<Option<ApplicantFacts>> = vec![None; out.len()];
        for session_id in sessions.iter().copied().collect::<BTreeSet<i64>>() {
            let mut after = i64::MIN;
            loop {
                let page = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT a.id, a.form FROM applications a WHERE a.session_id = $1 AND a.status = 'eligible' AND a.id > $2 ORDER BY a.id LIMIT {PAGE}"
                )))
                .bind(session_id)
                .bind(after)
                .fetch_all(self.pool())
                .await?;
                for r in &page {
                    let id: i64 = r.get("id");
                    if let Some(&i) = at.get(&id) {
                        let k = &out[i];
                        let competitors = crate::application::form_value(
                            &r.get::<String, _>("form"),
                            COMPETITORS,
                        );
                        facts[i] = Some(applicant_facts_from(
                            id,
                            &k.org_name,
                            &k.credit_code,
                            competitors.as_deref(),
                        ));
                    }
                }
                match page.last() {
                    Some(r) if page.len() == PAGE => after = r.get("id"),
                    _ => break,
                }
            }
        }
        // By session, each with its own look-back window. An application that left the review
        // between the two reads is read alone, as `conflicts_of` reads it.
        let mut by_session: BTreeMap<i64, Vec<ApplicantFacts>> = BTreeMap::new();
        for (i, f) in facts.into_iter().enumerate() {
            let f = match f {
                Some(f) => f,
                None => self.applicant_facts(out[i].application_id).await?,
            };
            by_session.entry(sessions[i]).or_default().push(f);
        }
        let expert = e.facts();
        for (session_id, facts) in by_session {
            let lookback = self.session_lookback_years(session_id).await?;
            let index = ApplicantIndex::new(&facts);
            for (a, conflicts) in index.conflicts(&expert, today, lookback) {
                if let Some(&i) = at.get(&a.application_id) {
                    out[i].conflicts = conflicts;
                }
            }
        }
        Ok(out)
    }

    async fn lookback_years(&self, _programme_id: i64, application_id: i64) -> Result<u32> {
        let sid: i64 = sqlx::query("SELECT session_id FROM applications WHERE id = $1")
            .bind(application_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(Error::NotFound)?
            .get(0);
        self.session_lookback_years(sid).await
    }

    /// The look-back window of a session's conflict check, in years (its rule set).
    async fn session_lookback_years(&self, session_id: i64) -> Result<u32> {
        let d = self.session_detail(session_id).await?;
        Ok(d.rules.review.conflict_lookback_years.value)
    }

    /// A reviewer's standing for one application, from the pool, the teams and the conflicts,
    /// as of `now`. Returns the application's programme too.
    pub async fn reviewer_standing(
        &self,
        user_id: i64,
        application_id: i64,
        now: jiff::Timestamp,
    ) -> Result<(i64, Standing, Option<Expert>)> {
        let row = sqlx::query("SELECT s.programme_id, s.stage, a.session_id FROM applications a JOIN award_sessions s ON s.id = a.session_id WHERE a.id = $1")
            .bind(application_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(Error::NotFound)?;
        let pid: i64 = row.get("programme_id");
        let closed = row.get::<String, _>("stage") == "closed";
        let Some(e) = self.expert_of_user(pid, user_id).await? else {
            return Ok((pid, Standing::default(), None));
        };
        let today = crate::today(now.as_microsecond());
        let mut s = Standing {
            expert: true,
            removed: e.removed_at.is_some(),
            qualified: e.qualification(today).is_ok(),
            ..Standing::default()
        };
        s.conflict = !self
            .conflicts_of(&e, application_id, today)
            .await?
            .is_empty();
        let mut conn = self.pool().acquire().await?;
        if let Some((_, leader)) =
            crate::recusal::application_seat(&mut conn, application_id, e.id).await?
        {
            s.member = !closed;
            s.leader = !closed && leader;
        }
        Ok((pid, s, Some(e)))
    }

    /// A reviewer's standing in a session: on any of its live teams.
    pub async fn reviewer_session_standing(
        &self,
        user_id: i64,
        session_id: i64,
        now: jiff::Timestamp,
    ) -> Result<(i64, Standing, Option<Expert>)> {
        let d = self.session_detail(session_id).await?;
        let pid = d.session.programme_id;
        let Some(e) = self.expert_of_user(pid, user_id).await? else {
            return Ok((pid, Standing::default(), None));
        };
        let today = crate::today(now.as_microsecond());
        let mut s = Standing {
            expert: true,
            removed: e.removed_at.is_some(),
            qualified: e.qualification(today).is_ok(),
            ..Standing::default()
        };
        if let Some(m) = sqlx::query("SELECT x.leader FROM (SELECT m.leader FROM review_teams t JOIN review_team_members m ON m.team_id = t.id WHERE t.session_id = $1 AND m.expert_id = $2 AND t.dissolved_at IS NULL UNION ALL SELECT r.leader FROM review_recusals r JOIN review_teams t ON t.id = r.team_id WHERE r.session_id = $1 AND r.substitute_id = $2 AND t.dissolved_at IS NULL) x ORDER BY x.leader DESC")
            .bind(session_id)
            .bind(e.id)
            .fetch_optional(self.pool())
            .await?
        {
            s.member = d.session.stage != qaward_core::session::Stage::Closed;
            s.leader = s.member && m.get::<i64, _>(0) != 0;
        }
        Ok((pid, s, Some(e)))
    }
}

/// The applicant's facts from its application: name, code, and the competitors it named in
/// the form field `competitors`.
pub fn applicant_facts_of(a: &crate::application::Application) -> ApplicantFacts {
    applicant_facts_from(
        a.id,
        &a.org.name,
        &a.org.credit_code,
        a.values.get(COMPETITORS).map(String::as_str),
    )
}

/// The form field in which an applicant names its competitors.
pub(crate) const COMPETITORS: &str = "identity.competitors";

/// The applicant's facts from the organisation's name and code and what the application's
/// field [`COMPETITORS`] holds.
pub(crate) fn applicant_facts_from(
    application_id: i64,
    org_name: &str,
    credit_code: &str,
    competitors: Option<&str>,
) -> ApplicantFacts {
    ApplicantFacts {
        application_id,
        organisation: party(org_name, credit_code),
        competitors: qaward_core::experts::parse_parties(competitors.unwrap_or("")),
    }
}

fn has_history(k: &Expert, h: &CheckedHistory) -> bool {
    match h.kind {
        HistoryKind::Employment => k
            .employment
            .iter()
            .any(|e| e.employer_name == h.name && e.start_on == h.start),
        HistoryKind::Course | HistoryKind::Assessment => k.training.iter().any(|t| {
            (t.kind == "assessment") == (h.kind == HistoryKind::Assessment)
                && t.course == h.name
                && Some(t.held_on) == h.start
        }),
        HistoryKind::Tie(kind) => k
            .ties
            .iter()
            .any(|t| t.kind == kind && t.party_name == h.name && t.start_on == h.start),
    }
}

/// A history row that passed the checks.
struct CheckedHistory {
    kind: HistoryKind,
    name: String,
    credit_code: String,
    detail: String,
    start: Option<Date>,
    end: Option<Date>,
    passed: bool,
    certificate_no: String,
}

fn check_history(h: &HistoryForm) -> Result<CheckedHistory> {
    let Some(kind) = HistoryKind::parse(&h.kind) else {
        return Err(Error::invalid(
            "kind",
            "“类别”：请选择记录类别（工作经历、培训、考核或利益关联）。",
            "Kind: choose what kind of record this is (job, course, assessment or tie).",
        ));
    };
    let name = required("name", kind.label(), &h.name)?;
    let dated = matches!(kind, HistoryKind::Course | HistoryKind::Assessment);
    let start = date_field(
        "start_on",
        if dated { "日期" } else { "起始日期" },
        &h.start_on,
        dated,
    )?;
    let end = if dated {
        None
    } else {
        date_field("end_on", "截止日期", &h.end_on, false)?
    };
    if let (Some(a), Some(b)) = (start, end)
        && b < a
    {
        return Err(Error::invalid(
            "end_on",
            "“截止日期”：不能早于起始日期。",
            "End date: cannot be before the start.",
        ));
    }
    let credit_code = h.credit_code.trim().to_uppercase();
    if !credit_code.is_empty() {
        qaward_core::credit_code::CreditCode::parse(&credit_code)
            .map_err(|e| Error::invalid("credit_code", e.zh, e.en))?;
    }
    let detail = if dated {
        required("detail", "颁发机构（协会）", &h.detail)?
    } else {
        h.detail.trim().to_owned()
    };
    if kind == HistoryKind::Tie(TieKind::Relative) && detail.is_empty() {
        return Err(Error::invalid(
            "detail",
            "“关系”：近亲属任职单位须写明与本人的关系（如配偶、子女）。",
            "Relation: name the relative (spouse, child…).",
        ));
    }
    Ok(CheckedHistory {
        kind,
        name,
        credit_code,
        detail,
        start,
        end,
        passed: h.passed,
        certificate_no: h.certificate_no.trim().to_owned(),
    })
}

/// A sanction that passed the checks: kind code, reason, day of the decision.
fn check_sanction(f: &SanctionForm) -> Result<(&'static str, String, Date)> {
    let kind = match f.kind.trim() {
        "warning" => "warning",
        "removal" => "removal",
        _ => {
            return Err(Error::invalid(
                "kind",
                "“处理方式”：请选择警告或取消评审资格。",
                "Sanction: choose a warning or removal of the qualification.",
            ));
        }
    };
    let reason = required("reason", "事实与理由", &f.reason)?;
    let on = date_field("decided_on", "决定日期", &f.decided_on, true)?.unwrap_or_default();
    Ok((kind, reason, on))
}

/// Every problem of an import, row by row, without touching the database: the profile of
/// each expert, each history row and each sanction, and ID numbers given twice. An import
/// with problems writes nothing.
pub fn check_import(rows: &[ImportExpert]) -> Vec<ImportProblem> {
    let mut out = Vec::new();
    let mut push = |origin: &str, e: Error| {
        if let Error::Invalid { field, zh, en } = e {
            out.push(ImportProblem {
                origin: origin.to_owned(),
                field,
                zh,
                en,
            });
        }
    };
    let mut seen: HashMap<String, &str> = HashMap::new();
    for r in rows {
        match check_profile(&r.form) {
            Ok(p) => {
                if let Some(first) = seen.get(&p.id_number) {
                    push(
                        &r.origin,
                        Error::invalid(
                            "id_number",
                            format!("“身份证号”：与{first}重复。"),
                            format!("ID number: the same as {first}."),
                        ),
                    );
                } else {
                    seen.insert(p.id_number, &r.origin);
                }
            }
            Err(e) => push(&r.origin, e),
        }
        for h in &r.history {
            if let Err(e) = check_history(h) {
                push(
                    if h.origin.is_empty() {
                        &r.origin
                    } else {
                        &h.origin
                    },
                    e,
                );
            }
        }
        for s in &r.sanctions {
            if let Err(e) = check_sanction(s) {
                push(
                    if s.origin.is_empty() {
                        &r.origin
                    } else {
                        &s.origin
                    },
                    e,
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_kinds_are_unambiguous() {
        for k in HistoryKind::ALL {
            assert_eq!(HistoryKind::parse(&k.code()), Some(k), "{}", k.code());
        }
        assert_eq!(HistoryKind::parse("course"), Some(HistoryKind::Course));
        assert_eq!(
            HistoryKind::parse("tie:training"),
            Some(HistoryKind::Tie(TieKind::Training))
        );
        assert_eq!(
            HistoryKind::parse("relative"),
            Some(HistoryKind::Tie(TieKind::Relative))
        );
        // A course or a training client? Refused rather than guessed.
        assert_eq!(HistoryKind::parse("training"), None);
        assert_eq!(HistoryKind::parse("tie:employment"), None);
        let e = check_history(&HistoryForm {
            kind: "training".into(),
            name: "x".into(),
            ..HistoryForm::default()
        })
        .err()
        .unwrap();
        assert!(matches!(e, Error::Invalid { ref field, .. } if field == "kind"));
    }

    #[test]
    fn an_import_lists_every_problem_with_its_origin() {
        let good = ExpertForm {
            name: "张三".into(),
            id_number: "44180219800101001X".into(),
            level: "评审员".into(),
            industries: "C".into(),
            ..ExpertForm::default()
        };
        let rows = vec![
            ImportExpert {
                origin: "“专家”工作表第2行".into(),
                form: good.clone(),
                history: vec![HistoryForm {
                    kind: "course".into(),
                    name: "评审员培训".into(),
                    detail: String::new(),
                    start_on: "2025-03-01".into(),
                    origin: "“培训考核”工作表第2行".into(),
                    ..HistoryForm::default()
                }],
                sanctions: vec![SanctionForm {
                    origin: "“处分记录”工作表第2行".into(),
                    kind: "demotion".into(),
                    ..SanctionForm::default()
                }],
                ..ImportExpert::default()
            },
            ImportExpert {
                origin: "“专家”工作表第3行".into(),
                form: ExpertForm {
                    name: String::new(),
                    ..good.clone()
                },
                ..ImportExpert::default()
            },
            ImportExpert {
                origin: "“专家”工作表第4行".into(),
                form: good,
                ..ImportExpert::default()
            },
        ];
        let p = check_import(&rows);
        let got: Vec<(&str, &str)> = p
            .iter()
            .map(|p| (p.origin.as_str(), p.field.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("“培训考核”工作表第2行", "detail"),
                ("“处分记录”工作表第2行", "kind"),
                ("“专家”工作表第3行", "name"),
                ("“专家”工作表第4行", "id_number"),
            ]
        );
        assert!(p[3].zh.contains("“专家”工作表第2行"));
    }
}
