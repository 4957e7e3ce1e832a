//! Two-way conduct feedback after the on-site visit (Art. 26), complaints about office staff and
//! reviewers (Art. 23, 24, 27) and the sanctions history discipline reads (Art. 24).
//!
//! A rating belongs to one pair: an application visited on site and one reviewer of the team
//! that visited it. The applicant rates each visiting reviewer; each visiting reviewer rates
//! the applicant. A form is editable until its rater submits it, then locked. Who may read the
//! results (discipline and the leadership group, never the rated party) is decided by
//! `authorize`; the rater's own form is read through [`Store::conduct_rating`].

use crate::experts::DOC;
use crate::{NewEntry, Result, Store, Who, opt_i64, opt_str};
use qaward_core::refusal::Refusal;
use sqlx::Row;
use sqlx::any::AnyRow;

/// Who rates whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The applicant rates a reviewer who visited.
    OfReviewer,
    /// A reviewer who visited rates the applicant.
    OfApplicant,
}

impl Direction {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Direction::OfReviewer => "of_reviewer",
            Direction::OfApplicant => "of_applicant",
        }
    }
    /// The direction stored under `code`.
    pub fn parse(code: &str) -> Direction {
        if code == "of_applicant" {
            Direction::OfApplicant
        } else {
            Direction::OfReviewer
        }
    }
}

/// The grades of a rating, best first: (value, Chinese, English).
pub const GRADES: [(u32, &str, &str); 4] = [
    (4, "优", "Excellent"),
    (3, "良", "Good"),
    (2, "中", "Fair"),
    (1, "差", "Poor"),
];

/// The Chinese name of grade `g`.
pub fn grade_zh(g: u32) -> &'static str {
    GRADES.iter().find(|x| x.0 == g).map(|x| x.1).unwrap_or("—")
}

/// A reviewer of the team that visited an application.
#[derive(Debug, Clone)]
pub struct Visitor {
    /// Expert.
    pub expert_id: i64,
    /// Account.
    pub user_id: Option<i64>,
    /// Name.
    pub name: String,
    /// Team leader.
    pub leader: bool,
}

/// An application whose on-site visit is recorded, with the reviewers who visited.
#[derive(Debug, Clone)]
pub struct Visited {
    /// Application.
    pub application_id: i64,
    /// Session.
    pub session_id: i64,
    /// Session title.
    pub session_title: String,
    /// Programme.
    pub programme_id: i64,
    /// The visited organisation.
    pub organisation_id: i64,
    /// Its name.
    pub organisation_name: String,
    /// The visit record was submitted (µs).
    pub visited_at: i64,
    /// The team's members, leader first.
    pub visitors: Vec<Visitor>,
}

/// One rating (a draft or submitted).
#[derive(Debug, Clone)]
pub struct Rating {
    /// Id.
    pub id: i64,
    /// Programme.
    pub programme_id: i64,
    /// Session.
    pub session_id: i64,
    /// Application.
    pub application_id: i64,
    /// The reviewer of the pair.
    pub expert_id: i64,
    /// The reviewer's name.
    pub expert_name: String,
    /// The organisation of the pair.
    pub organisation_name: String,
    /// Who rates whom.
    pub direction: Direction,
    /// Who filled it in.
    pub rater_name: String,
    /// 守时 (of a reviewer).
    pub punctuality: Option<u32>,
    /// 保密 (of a reviewer).
    pub confidentiality: Option<u32>,
    /// 廉洁自律 (of a reviewer).
    pub integrity: Option<u32>,
    /// Accepted gifts or hospitality (of a reviewer).
    pub gifts_accepted: Option<bool>,
    /// 专业水平 (of a reviewer).
    pub professionalism: Option<u32>,
    /// 配合程度 (of an applicant).
    pub cooperation: Option<u32>,
    /// 证据材料真实性 (of an applicant).
    pub honesty: Option<u32>,
    /// Comments.
    pub comments: String,
    /// Last saved (µs).
    pub updated_at: i64,
    /// Submitted and locked (µs).
    pub submitted_at: Option<i64>,
}

impl Rating {
    /// The grades given, in form order.
    pub fn grades(&self) -> Vec<u32> {
        [
            self.punctuality,
            self.confidentiality,
            self.integrity,
            self.professionalism,
            self.cooperation,
            self.honesty,
        ]
        .into_iter()
        .flatten()
        .collect()
    }
    /// The lowest grade given.
    pub fn lowest(&self) -> Option<u32> {
        self.grades().into_iter().min()
    }
    /// Average grade × 100.
    pub fn average_x100(&self) -> i64 {
        let g = self.grades();
        if g.is_empty() {
            return 0;
        }
        (g.iter().map(|x| i64::from(*x)).sum::<i64>() * 100) / i64::try_from(g.len()).unwrap_or(1)
    }
    /// Low: accepted gifts, or a grade at or below `low_grade` (rule set).
    pub fn low(&self, low_grade: u32) -> bool {
        self.gifts_accepted == Some(true) || self.lowest().is_some_and(|g| g <= low_grade)
    }
}

/// A rating form as typed (kept as text so a refused form shows again as typed).
#[derive(Debug, Clone, Default)]
pub struct RatingForm {
    /// 守时.
    pub punctuality: String,
    /// 保密.
    pub confidentiality: String,
    /// 廉洁自律.
    pub integrity: String,
    /// "yes" or "no".
    pub gifts_accepted: String,
    /// 专业水平.
    pub professionalism: String,
    /// 配合程度.
    pub cooperation: String,
    /// 证据材料真实性.
    pub honesty: String,
    /// Comments.
    pub comments: String,
}

impl RatingForm {
    /// The form of a saved rating.
    pub fn of(r: &Rating) -> RatingForm {
        let g = |v: Option<u32>| v.map(|x| x.to_string()).unwrap_or_default();
        RatingForm {
            punctuality: g(r.punctuality),
            confidentiality: g(r.confidentiality),
            integrity: g(r.integrity),
            gifts_accepted: match r.gifts_accepted {
                Some(true) => "yes".into(),
                Some(false) => "no".into(),
                None => String::new(),
            },
            professionalism: g(r.professionalism),
            cooperation: g(r.cooperation),
            honesty: g(r.honesty),
            comments: r.comments.clone(),
        }
    }
}

/// A field problem: (field, Chinese, English).
pub type Problem = (&'static str, String, String);

/// The grade fields of each direction: (field, Chinese label, English label).
pub fn grade_fields(d: Direction) -> &'static [(&'static str, &'static str, &'static str)] {
    match d {
        Direction::OfReviewer => &[
            ("punctuality", "守时守约", "Punctuality"),
            ("confidentiality", "保守秘密", "Confidentiality"),
            ("integrity", "廉洁自律", "Integrity"),
            ("professionalism", "专业水平", "Professionalism"),
        ],
        Direction::OfApplicant => &[
            ("cooperation", "配合程度", "Cooperation"),
            ("honesty", "证据材料真实性", "Honesty of evidence"),
        ],
    }
}

/// Comments at most this long.
pub const COMMENTS_MAX: usize = 2000;

/// Check a form; for a draft only what is typed is checked, for a submission everything is
/// required. Comments are required with any 差 and with accepted gifts or hospitality.
pub fn check_rating(d: Direction, f: &RatingForm, submit: bool) -> Vec<Problem> {
    let mut out = Vec::new();
    let value = |name: &str| -> &str {
        match name {
            "punctuality" => &f.punctuality,
            "confidentiality" => &f.confidentiality,
            "integrity" => &f.integrity,
            "professionalism" => &f.professionalism,
            "cooperation" => &f.cooperation,
            _ => &f.honesty,
        }
    };
    let mut poor = false;
    for (field, zh, en) in grade_fields(d) {
        let v = value(field).trim();
        if v.is_empty() {
            if submit {
                out.push((
                    *field,
                    format!("“{zh}”：请选择评价等级（优、良、中、差）。"),
                    format!("{en}: choose a grade."),
                ));
            }
            continue;
        }
        match v.parse::<u32>() {
            Ok(g) if (1..=4).contains(&g) => poor |= g == 1,
            _ => out.push((
                *field,
                format!("“{zh}”：评价等级只能是优、良、中、差之一。"),
                format!("{en}: the grade must be one of the four offered."),
            )),
        }
    }
    let mut gifts = false;
    if d == Direction::OfReviewer {
        match f.gifts_accepted.as_str() {
            "yes" => gifts = true,
            "no" => {}
            "" if !submit => {}
            _ => out.push((
                "gifts_accepted",
                "“是否收受礼品、礼金或接受宴请”：请选择“是”或“否”。".into(),
                "Gifts or hospitality accepted: answer yes or no.".into(),
            )),
        }
    }
    if f.comments.chars().count() > COMMENTS_MAX {
        out.push((
            "comments",
            format!("“意见和说明”：不能超过{COMMENTS_MAX}个字。"),
            format!("Comments: at most {COMMENTS_MAX} characters."),
        ));
    } else if submit && (poor || gifts) && f.comments.trim().is_empty() {
        out.push((
            "comments",
            "“意见和说明”：评价为“差”或反映收受礼品、宴请时，请说明具体情况。".into(),
            "Comments: describe what happened when a grade is Poor or gifts were accepted.".into(),
        ));
    }
    out
}

fn grade_of(s: &str) -> Option<i64> {
    s.trim().parse::<i64>().ok().filter(|g| (1..=4).contains(g))
}

fn opt_u32(r: &AnyRow, c: &str) -> Option<u32> {
    opt_i64(r, c).and_then(|v| u32::try_from(v).ok())
}

const RATING_COLS: &str = "r.id, r.programme_id, r.session_id, r.application_id, r.expert_id, e.name AS expert_name, o.name AS organisation_name, r.direction, r.rater_name, r.punctuality, r.confidentiality, r.integrity, r.gifts_accepted, r.professionalism, r.cooperation, r.honesty, r.comments, r.updated_at, r.submitted_at";
const RATING_FROM: &str = "FROM conduct_ratings r JOIN experts e ON e.id = r.expert_id JOIN applications a ON a.id = r.application_id JOIN organisations o ON o.id = a.organisation_id";

fn rating_from(r: &AnyRow) -> Rating {
    Rating {
        id: r.get("id"),
        programme_id: r.get("programme_id"),
        session_id: r.get("session_id"),
        application_id: r.get("application_id"),
        expert_id: r.get("expert_id"),
        expert_name: r.get("expert_name"),
        organisation_name: r.get("organisation_name"),
        direction: Direction::parse(&r.get::<String, _>("direction")),
        rater_name: r.get("rater_name"),
        punctuality: opt_u32(r, "punctuality"),
        confidentiality: opt_u32(r, "confidentiality"),
        integrity: opt_u32(r, "integrity"),
        gifts_accepted: opt_i64(r, "gifts_accepted").map(|v| v != 0),
        professionalism: opt_u32(r, "professionalism"),
        cooperation: opt_u32(r, "cooperation"),
        honesty: opt_u32(r, "honesty"),
        comments: r.get("comments"),
        updated_at: r.get("updated_at"),
        submitted_at: opt_i64(r, "submitted_at"),
    }
}

fn conduct_refusal(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Refusal {
    Refusal::new(code, Some(26), DOC, zh, en)
}

/// Per reviewer or per applicant: the submitted ratings of them, summed up.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Expert id (per reviewer) or application id (per applicant).
    pub id: i64,
    /// Name.
    pub name: String,
    /// Session title.
    pub session_title: String,
    /// How many ratings.
    pub count: usize,
    /// Average of all grades × 100.
    pub average_x100: i64,
    /// Lowest grade given.
    pub lowest: Option<u32>,
    /// Any rater reported gifts or hospitality accepted.
    pub gifts: bool,
    /// Low (rule set's `conduct.low_grade`) or gifts.
    pub low: bool,
    /// The ratings, lowest first.
    pub ratings: Vec<Rating>,
}

impl Summary {
    /// The average as text, e.g. "3.50".
    pub fn average_text(&self) -> String {
        format!("{}.{:02}", self.average_x100 / 100, self.average_x100 % 100)
    }
}

/// Group submitted ratings by `key`, low ones and low groups first.
pub fn summarise(
    ratings: &[Rating],
    key: impl Fn(&Rating) -> (i64, String),
    titles: &[(i64, String)],
    low_grade: u32,
) -> Vec<Summary> {
    let mut out: Vec<Summary> = Vec::new();
    for r in ratings.iter().filter(|r| r.submitted_at.is_some()) {
        let (id, name) = key(r);
        let title = titles
            .iter()
            .find(|(s, _)| *s == r.session_id)
            .map(|(_, t)| t.clone())
            .unwrap_or_default();
        let at = match out
            .iter()
            .position(|s| s.id == id && s.session_title == title)
        {
            Some(i) => i,
            None => {
                out.push(Summary {
                    id,
                    name,
                    session_title: title,
                    count: 0,
                    average_x100: 0,
                    lowest: None,
                    gifts: false,
                    low: false,
                    ratings: Vec::new(),
                });
                out.len() - 1
            }
        };
        out[at].ratings.push(r.clone());
    }
    for s in &mut out {
        let grades: Vec<u32> = s.ratings.iter().flat_map(|r| r.grades()).collect();
        s.count = s.ratings.len();
        s.average_x100 = if grades.is_empty() {
            0
        } else {
            grades.iter().map(|g| i64::from(*g)).sum::<i64>() * 100
                / i64::try_from(grades.len()).unwrap_or(1)
        };
        s.lowest = grades.iter().copied().min();
        s.gifts = s.ratings.iter().any(|r| r.gifts_accepted == Some(true));
        s.low = s.ratings.iter().any(|r| r.low(low_grade));
        s.ratings
            .sort_by_key(|r| (!r.low(low_grade), r.average_x100(), r.id));
    }
    out.sort_by_key(|s| (!s.low, s.average_x100, s.name.clone()));
    out
}

/// What a complaint is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    /// A reviewer (Art. 24).
    Reviewer,
    /// Office staff: the city office or a county office (Art. 23).
    Staff,
}

impl SubjectKind {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            SubjectKind::Reviewer => "reviewer",
            SubjectKind::Staff => "staff",
        }
    }
    /// The article the handling cites.
    pub fn article(self) -> u32 {
        match self {
            SubjectKind::Reviewer => 24,
            SubjectKind::Staff => 23,
        }
    }
}

/// A complaint.
#[derive(Debug, Clone)]
pub struct Complaint {
    /// Id.
    pub id: i64,
    /// Programme.
    pub programme_id: i64,
    /// Filed by.
    pub complainant_id: i64,
    /// Filed by, as shown.
    pub complainant_name: String,
    /// In which role (code).
    pub complainant_role: String,
    /// About a reviewer or staff.
    pub subject_kind: SubjectKind,
    /// The reviewer, when about one.
    pub expert_id: Option<i64>,
    /// The person or unit complained about.
    pub subject_name: String,
    /// When it happened (as typed, a date).
    pub occurred_on: String,
    /// What happened.
    pub facts: String,
    /// received, investigating, closed.
    pub status: String,
    /// Who handles it.
    pub assignee: String,
    /// Findings.
    pub findings: String,
    /// Outcome.
    pub outcome: String,
    /// The reply to the complainant.
    pub reply: String,
    /// Discipline's recommendation to the office: none, warning, removal (Art. 24).
    pub recommendation: String,
    /// The sanction the office recorded on it, if linked.
    pub sanction_id: Option<i64>,
    /// Filed (µs).
    pub created_at: i64,
    /// Last step (µs).
    pub updated_at: i64,
    /// Closed (µs).
    pub closed_at: Option<i64>,
}

impl Complaint {
    /// The article its handling cites.
    pub fn article(&self) -> u32 {
        self.subject_kind.article()
    }
    /// Status in Chinese.
    pub fn status_zh(&self) -> &'static str {
        match self.status.as_str() {
            "received" => "已受理",
            "investigating" => "核查中",
            _ => "已办结",
        }
    }
    /// Recommendation in Chinese.
    pub fn recommendation_zh(&self) -> &'static str {
        match self.recommendation.as_str() {
            "warning" => "建议予以警告",
            "removal" => "建议取消评审资格",
            _ => "无处理建议",
        }
    }
}

/// One handling step of a complaint.
#[derive(Debug, Clone)]
pub struct Step {
    /// filed, assign, findings, outcome, reply, link_sanction, close.
    pub kind: String,
    /// What was recorded.
    pub note: String,
    /// When (µs).
    pub at: i64,
    /// By.
    pub by_name: String,
}

impl Step {
    /// The kind in Chinese.
    pub fn kind_zh(&self) -> &'static str {
        match self.kind.as_str() {
            "filed" => "提交投诉",
            "assign" => "指定承办人",
            "findings" => "核查情况",
            "outcome" => "处理意见",
            "reply" => "答复投诉人",
            "link_sanction" => "关联处理决定",
            _ => "办结",
        }
    }
}

/// A complaint as typed.
#[derive(Debug, Clone, Default)]
pub struct ComplaintForm {
    /// `reviewer` or `staff`.
    pub subject_kind: String,
    /// The reviewer chosen (expert id), for `reviewer`.
    pub expert_id: String,
    /// The staff member or unit named, for `staff`.
    pub staff: String,
    /// When (YYYY-MM-DD).
    pub occurred_on: String,
    /// What happened.
    pub facts: String,
}

/// A reviewer a complainant may name: one of their sessions' reviewers.
#[derive(Debug, Clone)]
pub struct Target {
    /// Expert.
    pub expert_id: i64,
    /// Name.
    pub name: String,
    /// Programme.
    pub programme_id: i64,
    /// Session title.
    pub session_title: String,
}

/// Check a complaint against the reviewers the complainant may name.
pub fn check_complaint(
    f: &ComplaintForm,
    targets: &[Target],
    today: jiff::civil::Date,
) -> Vec<Problem> {
    let mut out = Vec::new();
    match f.subject_kind.as_str() {
        "reviewer" => {
            let ok = f
                .expert_id
                .parse::<i64>()
                .ok()
                .is_some_and(|id| targets.iter().any(|t| t.expert_id == id));
            if !ok {
                out.push((
                    "expert_id",
                    "“被投诉的评审人员”：请从本单位参加届次的评审人员中选择。".into(),
                    "Reviewer: choose one of your sessions' reviewers.".into(),
                ));
            }
        }
        "staff" => {
            let n = f.staff.trim().chars().count();
            if n == 0 || n > 100 {
                out.push((
                    "staff",
                    "“被投诉的工作人员或单位”：请填写姓名或单位名称（不超过100个字）。".into(),
                    "Staff member or unit: name them (at most 100 characters).".into(),
                ));
            }
        }
        _ => out.push((
            "subject_kind",
            "“投诉对象”：请选择评审人员或工作人员。".into(),
            "Subject: choose a reviewer or office staff.".into(),
        )),
    }
    match f.occurred_on.trim().parse::<jiff::civil::Date>() {
        Ok(d) if d <= today => {}
        Ok(_) => out.push((
            "occurred_on",
            "“发生日期”：不能晚于今天。".into(),
            "Date: cannot be after today.".into(),
        )),
        Err(_) => out.push((
            "occurred_on",
            "“发生日期”：请按“2026-05-01”的格式填写日期。".into(),
            "Date: use the form 2026-05-01.".into(),
        )),
    }
    let n = f.facts.trim().chars().count();
    if !(10..=5000).contains(&n) {
        out.push((
            "facts",
            "“投诉事实”：请具体说明发生了什么（10至5000字）。".into(),
            "What happened: 10 to 5000 characters.".into(),
        ));
    }
    out
}

/// A handling step as typed by discipline.
#[derive(Debug, Clone, Default)]
pub struct StepForm {
    /// assign, findings, outcome, reply, link_sanction, close.
    pub step: String,
    /// The text of the step (assignee, findings, outcome, reply).
    pub note: String,
    /// With `outcome`: none, warning, removal.
    pub recommendation: String,
    /// With `link_sanction`: the sanction id.
    pub sanction_id: String,
}

/// A warning or removal with its expert, for the sanctions history (Art. 24).
#[derive(Debug, Clone)]
pub struct SanctionRow {
    /// Sanction id.
    pub id: i64,
    /// Expert.
    pub expert_id: i64,
    /// Expert's name.
    pub expert_name: String,
    /// `warning` or `removal`.
    pub kind: String,
    /// Why.
    pub reason: String,
    /// Decided on.
    pub decided_on: String,
    /// Recorded (µs).
    pub created_at: i64,
    /// Recorded by.
    pub recorded_by: String,
    /// Complaints linked to it.
    pub complaints: Vec<i64>,
}

impl SanctionRow {
    /// The kind in Chinese.
    pub fn kind_zh(&self) -> &'static str {
        if self.kind == "removal" {
            "取消评审资格"
        } else {
            "警告"
        }
    }
}

const COMPLAINT_COLS: &str = "id, programme_id, complainant_id, complainant_name, complainant_role, subject_kind, expert_id, subject_name, occurred_on, facts, status, assignee, findings, outcome, reply, recommendation, sanction_id, created_at, updated_at, closed_at";

fn complaint_from(r: &AnyRow) -> Complaint {
    Complaint {
        id: r.get("id"),
        programme_id: r.get("programme_id"),
        complainant_id: r.get("complainant_id"),
        complainant_name: r.get("complainant_name"),
        complainant_role: r.get("complainant_role"),
        subject_kind: if r.get::<String, _>("subject_kind") == "reviewer" {
            SubjectKind::Reviewer
        } else {
            SubjectKind::Staff
        },
        expert_id: opt_i64(r, "expert_id"),
        subject_name: r.get("subject_name"),
        occurred_on: r.get("occurred_on"),
        facts: r.get("facts"),
        status: r.get("status"),
        assignee: r.get("assignee"),
        findings: r.get("findings"),
        outcome: r.get("outcome"),
        reply: r.get("reply"),
        recommendation: r.get("recommendation"),
        sanction_id: opt_i64(r, "sanction_id"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
        closed_at: opt_i64(r, "closed_at"),
    }
}

impl Store {
    /// An application whose on-site visit record is submitted, with the team's members who
    /// visited; `None` while the visit is not recorded.
    pub async fn visited(&self, application_id: i64) -> Result<Option<Visited>> {
        let Some(r) = sqlx::query("SELECT a.id, a.session_id, s.programme_id, a.organisation_id, o.name AS org_name, s.title, v.submitted_at FROM applications a JOIN organisations o ON o.id = a.organisation_id JOIN award_sessions s ON s.id = a.session_id JOIN onsite_visits v ON v.application_id = a.id WHERE a.id = $1 AND v.submitted_at IS NOT NULL")
            .bind(application_id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        // The application's own team: members who recused from it are out, their
        // substitutes in (Art. 25).
        let visitors = sqlx::query("SELECT e.id, e.user_id, e.name, m.leader FROM review_assignments ra JOIN review_team_members m ON m.team_id = ra.team_id JOIN experts e ON e.id = m.expert_id WHERE ra.application_id = $1 AND NOT EXISTS (SELECT 1 FROM review_recusals q WHERE q.application_id = ra.application_id AND q.expert_id = m.expert_id) UNION SELECT e.id, e.user_id, e.name, r.leader FROM review_recusals r JOIN experts e ON e.id = r.substitute_id WHERE r.application_id = $1 ORDER BY leader DESC, id")
            .bind(application_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|v| Visitor {
                expert_id: v.get("id"),
                user_id: opt_i64(v, "user_id"),
                name: v.get("name"),
                leader: v.get::<i64, _>("leader") != 0,
            })
            .collect();
        Ok(Some(Visited {
            application_id: r.get("id"),
            session_id: r.get("session_id"),
            session_title: r.get("title"),
            programme_id: r.get("programme_id"),
            organisation_id: r.get("organisation_id"),
            organisation_name: r.get("org_name"),
            visited_at: r.get("submitted_at"),
            visitors,
        }))
    }

    /// The applications visited on site whose team the expert was on (a reviewer's list of
    /// applicants to rate).
    pub async fn visited_by(&self, expert_id: i64) -> Result<Vec<Visited>> {
        let ids: Vec<i64> = sqlx::query("SELECT ra.application_id FROM review_assignments ra JOIN review_team_members m ON m.team_id = ra.team_id JOIN onsite_visits v ON v.application_id = ra.application_id WHERE m.expert_id = $1 AND v.submitted_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM review_recusals q WHERE q.application_id = ra.application_id AND q.expert_id = $1) UNION SELECT r.application_id FROM review_recusals r JOIN onsite_visits v ON v.application_id = r.application_id WHERE r.substitute_id = $1 AND v.submitted_at IS NOT NULL ORDER BY 1")
            .bind(expert_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.get::<i64, _>(0))
            .collect();
        let mut out = Vec::new();
        for id in ids {
            if let Some(v) = self.visited(id).await? {
                out.push(v);
            }
        }
        Ok(out)
    }

    /// The rating of one pair in one direction, if begun.
    pub async fn conduct_rating(
        &self,
        application_id: i64,
        expert_id: i64,
        d: Direction,
    ) -> Result<Option<Rating>> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RATING_COLS} {RATING_FROM} WHERE r.application_id = $1 AND r.expert_id = $2 AND r.direction = $3"
        )))
        .bind(application_id)
        .bind(expert_id)
        .bind(d.code())
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(rating_from))
    }

    /// One rating by id.
    pub async fn conduct_rating_by_id(&self, id: i64) -> Result<Rating> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RATING_COLS} {RATING_FROM} WHERE r.id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(rating_from)
        .ok_or(crate::Error::NotFound)
    }

    /// Every rating of a programme (drafts included; readers show the submitted ones).
    pub async fn conduct_ratings(&self, programme_id: i64) -> Result<Vec<Rating>> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RATING_COLS} {RATING_FROM} WHERE r.programme_id = $1 ORDER BY r.id"
        )))
        .bind(programme_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(rating_from)
        .collect())
    }

    /// Save (and with `submit`, lock) the rating of `expert_id` and `application_id` in
    /// direction `d` (Art. 26). Refused, with the article, when the visit is not recorded,
    /// when the reviewer was not on the visiting team, or when the form is already submitted.
    /// The form must have passed [`check_rating`].
    #[allow(clippy::too_many_arguments)]
    pub async fn save_conduct_rating(
        &self,
        who: &Who,
        application_id: i64,
        expert_id: i64,
        d: Direction,
        f: &RatingForm,
        submit: bool,
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let subject = NewEntry::award(who, "conduct.rating.refused", "application", application_id);
        let Some(v) = self.visited(application_id).await? else {
            return Err(self
                .refused(
                    subject,
                    conduct_refusal(
                        "conduct_not_visited",
                        "现场评审记录提交后，才能进行评审人员和申报单位的双向评价。",
                        "Conduct ratings open once the on-site visit record is submitted.",
                    ),
                    now,
                )
                .await);
        };
        let subject = subject.programme(v.programme_id);
        if !v.visitors.iter().any(|x| x.expert_id == expert_id) {
            return Err(self
                .refused(
                    subject,
                    conduct_refusal(
                        "conduct_not_visitor",
                        "该评审人员不是到访贵单位现场评审的评审组成员，不能评价。",
                        "This reviewer was not on the team that visited; there is nothing to rate.",
                    ),
                    now,
                )
                .await);
        }
        if let Some(r) = self.conduct_rating(application_id, expert_id, d).await?
            && r.submitted_at.is_some()
        {
            return Err(self
                .refused(
                    subject,
                    conduct_refusal(
                        "conduct_locked",
                        "该评价已提交，不能再修改。",
                        "This rating was submitted and is locked.",
                    ),
                    now,
                )
                .await);
        }
        let expert_name = v
            .visitors
            .iter()
            .find(|x| x.expert_id == expert_id)
            .map(|x| x.name.clone())
            .unwrap_or_default();
        let reviewer = d == Direction::OfReviewer;
        let g = |s: &str, mine: bool| if mine { grade_of(s) } else { None };
        let gifts = if reviewer {
            match f.gifts_accepted.as_str() {
                "yes" => Some(1i64),
                "no" => Some(0),
                _ => None,
            }
        } else {
            None
        };
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let id: i64 = sqlx::query("INSERT INTO conduct_ratings (programme_id, session_id, application_id, expert_id, direction, rater_id, rater_name, punctuality, confidentiality, integrity, gifts_accepted, professionalism, cooperation, honesty, comments, created_at, updated_at, submitted_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$16,$17) ON CONFLICT (application_id, expert_id, direction) DO UPDATE SET rater_id = excluded.rater_id, rater_name = excluded.rater_name, punctuality = excluded.punctuality, confidentiality = excluded.confidentiality, integrity = excluded.integrity, gifts_accepted = excluded.gifts_accepted, professionalism = excluded.professionalism, cooperation = excluded.cooperation, honesty = excluded.honesty, comments = excluded.comments, updated_at = excluded.updated_at, submitted_at = excluded.submitted_at RETURNING id")
            .bind(v.programme_id)
            .bind(v.session_id)
            .bind(application_id)
            .bind(expert_id)
            .bind(d.code())
            .bind(who.user_id)
            .bind(&who.name)
            .bind(g(&f.punctuality, reviewer))
            .bind(g(&f.confidentiality, reviewer))
            .bind(g(&f.integrity, reviewer))
            .bind(gifts)
            .bind(g(&f.professionalism, reviewer))
            .bind(g(&f.cooperation, !reviewer))
            .bind(g(&f.honesty, !reviewer))
            .bind(f.comments.trim())
            .bind(at)
            .bind(submit.then_some(at))
            .fetch_one(tx.conn())
            .await?
            .get(0);
        let pair = if reviewer {
            format!("{}评价评审人员{expert_name}", v.organisation_name)
        } else {
            format!("评审人员{expert_name}评价{}", v.organisation_name)
        };
        // The audit line names the pair, never the grades: the log is read more widely than
        // the ratings are.
        tx.audit(
            NewEntry::award(
                who,
                if submit {
                    "conduct.rating.submit"
                } else {
                    "conduct.rating.save"
                },
                "conduct_rating",
                id,
            )
            .programme(v.programme_id)
            .article(Some(26), DOC.0)
            .summary(format!(
                "{pair}：{}",
                if submit { "提交并锁定" } else { "保存草稿" }
            ))
            .detail(serde_json::json!({"application_id": application_id, "expert_id": expert_id, "direction": d.code()}))
            .state(if submit { "submitted" } else { "draft" }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The reviewers a complainant may name: for an applicant's organisations, the members
    /// of the teams assigned to its applications; for a reviewer, the other members of its
    /// teams.
    pub async fn complaint_targets(&self, user_id: i64) -> Result<Vec<Target>> {
        let rows = sqlx::query("SELECT DISTINCT e.id, e.name, e.programme_id, s.title FROM role_grants g JOIN applications a ON a.organisation_id = g.organisation_id JOIN review_assignments ra ON ra.application_id = a.id JOIN review_team_members m ON m.team_id = ra.team_id JOIN experts e ON e.id = m.expert_id JOIN award_sessions s ON s.id = a.session_id WHERE g.user_id = $1 AND g.role = 'applicant' UNION SELECT DISTINCT e.id, e.name, e.programme_id, s.title FROM experts me JOIN review_team_members mm ON mm.expert_id = me.id JOIN review_teams t ON t.id = mm.team_id JOIN review_team_members m ON m.team_id = t.id JOIN experts e ON e.id = m.expert_id JOIN award_sessions s ON s.id = t.session_id WHERE me.user_id = $1 AND e.id <> me.id ORDER BY 4, 2")
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|r| Target {
                expert_id: r.get(0),
                name: r.get(1),
                programme_id: r.get(2),
                session_title: r.get(3),
            })
            .collect())
    }

    /// File a complaint (Art. 23, 24, 27) in `programme_id` with its evidence `files` (already
    /// in the file store); the form must have passed [`check_complaint`]. Discipline of the
    /// programme is notified; returns its id.
    pub async fn file_complaint(
        &self,
        who: &Who,
        programme_id: i64,
        f: &ComplaintForm,
        targets: &[Target],
        files: &[(String, crate::attachments::Written)],
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let uid = who
            .user_id
            .ok_or_else(|| crate::Error::Other("a complaint needs an account".into()))?;
        let (kind, expert_id, subject_name) = if f.subject_kind == "reviewer" {
            let t = f
                .expert_id
                .parse::<i64>()
                .ok()
                .and_then(|id| targets.iter().find(|t| t.expert_id == id))
                .ok_or_else(|| {
                    crate::Error::invalid(
                        "expert_id",
                        "“被投诉的评审人员”：请从本单位参加届次的评审人员中选择。",
                        "Reviewer: choose one of your sessions' reviewers.",
                    )
                })?;
            (SubjectKind::Reviewer, Some(t.expert_id), t.name.clone())
        } else {
            (SubjectKind::Staff, None, f.staff.trim().to_owned())
        };
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let id: i64 = sqlx::query("INSERT INTO complaints (programme_id, complainant_id, complainant_name, complainant_role, subject_kind, expert_id, subject_name, occurred_on, facts, status, assignee, findings, outcome, reply, recommendation, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'received','','','','','none',$10,$10) RETURNING id")
            .bind(programme_id)
            .bind(uid)
            .bind(&who.name)
            .bind(&who.role)
            .bind(kind.code())
            .bind(expert_id)
            .bind(&subject_name)
            .bind(f.occurred_on.trim())
            .bind(f.facts.trim())
            .bind(at)
            .fetch_one(tx.conn())
            .await?
            .get(0);
        step_row(
            &mut tx,
            id,
            "filed",
            &format!("投诉对象：{subject_name}"),
            who,
        )
        .await?;
        crate::post_award::insert_files(&mut tx, "complaint_files", "complaint_id", id, files)
            .await?;
        tx.audit(
            NewEntry::award(who, "complaint.file", "complaint", id)
                .programme(programme_id)
                .article(Some(kind.article()), DOC.0)
                .summary(format!("收到投诉（第{id}号），投诉对象：{subject_name}"))
                .detail(serde_json::json!({"subject_kind": kind.code(), "expert_id": expert_id, "files": files.iter().map(|(_, w)| &w.sha256).collect::<Vec<_>>()}))
                .state("received"),
        )
        .await?;
        let inspectors: Vec<i64> = sqlx::query(
            "SELECT DISTINCT user_id FROM role_grants WHERE role = 'discipline' AND programme_id = $1",
        )
        .bind(programme_id)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| r.get::<i64, _>(0))
        .collect();
        Store::notify_users(
            &mut tx,
            &inspectors,
            &format!("收到投诉（第{id}号）"),
            &format!("{}提交了对{subject_name}的投诉，请及时办理。", who.name),
            Some(&format!("/discipline/complaints/{id}")),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// One complaint.
    pub async fn complaint(&self, id: i64) -> Result<Complaint> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COMPLAINT_COLS} FROM complaints WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(complaint_from)
        .ok_or(crate::Error::NotFound)
    }

    /// The complaints a person filed, newest first.
    pub async fn complaints_of(&self, user_id: i64) -> Result<Vec<Complaint>> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COMPLAINT_COLS} FROM complaints WHERE complainant_id = $1 ORDER BY id DESC"
        )))
        .bind(user_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(complaint_from)
        .collect())
    }

    /// A programme's complaints, open ones first, newest first.
    pub async fn complaints(&self, programme_id: i64) -> Result<Vec<Complaint>> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COMPLAINT_COLS} FROM complaints WHERE programme_id = $1 ORDER BY CASE WHEN status = 'closed' THEN 1 ELSE 0 END, id DESC"
        )))
        .bind(programme_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(complaint_from)
        .collect())
    }

    /// The evidence filed with a complaint, oldest first.
    pub async fn complaint_files(&self, id: i64) -> Result<Vec<crate::post_award::EvidenceFile>> {
        crate::post_award::files_of(self, "complaint_files", "complaint_id", id).await
    }

    /// The handling steps of a complaint, oldest first.
    pub async fn complaint_steps(&self, id: i64) -> Result<Vec<Step>> {
        Ok(sqlx::query("SELECT kind, note, at, by_name FROM complaint_steps WHERE complaint_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Step {
                kind: r.get("kind"),
                note: r.get("note"),
                at: r.get("at"),
                by_name: r.get("by_name"),
            })
            .collect())
    }

    /// One handling step by discipline (Art. 23, 24), audited with the article: assign,
    /// findings, outcome (with a recommendation to the office), reply (the complainant is
    /// notified), link_sanction (a sanction the office recorded on the complained reviewer),
    /// close (once replied). A closed complaint takes no more steps.
    pub async fn complaint_step(
        &self,
        who: &Who,
        id: i64,
        f: &StepForm,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let c = self.complaint(id).await?;
        let article = c.article();
        let entry =
            NewEntry::award(who, "complaint.refused", "complaint", id).programme(c.programme_id);
        let refuse = |code, zh: &str, en: &str| {
            Refusal::new(code, Some(article), DOC, zh.to_owned(), en.to_owned())
        };
        if c.closed_at.is_some() {
            return Err(self
                .refused(
                    entry,
                    refuse(
                        "complaint_closed",
                        "该投诉已办结，不能再办理。",
                        "This complaint is closed.",
                    ),
                    now,
                )
                .await);
        }
        let note = f.note.trim().to_owned();
        let need_note = |label: &str| -> Result<()> {
            let n = note.chars().count();
            if n == 0 || n > 5000 {
                Err(crate::Error::invalid(
                    "note",
                    format!("“{label}”：请填写内容（不超过5000字）。"),
                    "Fill in the text (at most 5000 characters).",
                ))
            } else {
                Ok(())
            }
        };
        let mut sanction: Option<i64> = None;
        let (column, summary) = match f.step.as_str() {
            "assign" => {
                need_note("承办人")?;
                ("assignee", format!("指定承办人：{note}"))
            }
            "findings" => {
                need_note("核查情况")?;
                ("findings", format!("记录核查情况：{note}"))
            }
            "outcome" => {
                need_note("处理意见")?;
                if !matches!(f.recommendation.as_str(), "none" | "warning" | "removal") {
                    return Err(crate::Error::invalid(
                        "recommendation",
                        "“对评审人员的处理建议”：请选择。",
                        "Recommendation: choose one.",
                    ));
                }
                if f.recommendation != "none" && c.subject_kind != SubjectKind::Reviewer {
                    return Err(crate::Error::invalid(
                        "recommendation",
                        "“对评审人员的处理建议”：只有针对评审人员的投诉可以建议警告或取消评审资格。",
                        "Recommendation: only a complaint about a reviewer can recommend a warning or removal.",
                    ));
                }
                ("outcome", format!("处理意见：{note}"))
            }
            "reply" => {
                need_note("答复意见")?;
                ("reply", format!("答复投诉人：{note}"))
            }
            "link_sanction" => {
                let sid = f.sanction_id.parse::<i64>().ok();
                let ok = match (sid, c.expert_id) {
                    (Some(s), Some(e)) => sqlx::query(
                        "SELECT 1 FROM expert_sanctions WHERE id = $1 AND expert_id = $2",
                    )
                    .bind(s)
                    .bind(e)
                    .fetch_optional(self.pool())
                    .await?
                    .is_some(),
                    _ => false,
                };
                if !ok {
                    return Err(crate::Error::invalid(
                        "sanction_id",
                        "“处理决定”：请选择市强市办对被投诉评审人员作出的处理决定。",
                        "Sanction: choose one the office recorded on the reviewer complained about.",
                    ));
                }
                sanction = sid;
                ("sanction_id", "关联市强市办作出的处理决定".to_owned())
            }
            "close" => {
                if c.reply.trim().is_empty() {
                    return Err(self
                        .refused(
                            entry,
                            refuse(
                                "complaint_unanswered",
                                "答复投诉人后才能办结。",
                                "Reply to the complainant before closing.",
                            ),
                            now,
                        )
                        .await);
                }
                ("closed_at", "办结".to_owned())
            }
            _ => {
                return Err(crate::Error::invalid(
                    "step",
                    "“办理步骤”：请选择。",
                    "Step: choose one.",
                ));
            }
        };
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let status = if f.step == "close" {
            "closed"
        } else {
            "investigating"
        };
        match column {
            "closed_at" => {
                sqlx::query("UPDATE complaints SET closed_at = $1, status = $2, updated_at = $1 WHERE id = $3")
                    .bind(at)
                    .bind(status)
                    .bind(id)
                    .execute(tx.conn())
                    .await?;
            }
            "sanction_id" => {
                sqlx::query("UPDATE complaints SET sanction_id = $1, status = $2, updated_at = $3 WHERE id = $4")
                    .bind(sanction)
                    .bind(status)
                    .bind(at)
                    .bind(id)
                    .execute(tx.conn())
                    .await?;
            }
            "outcome" => {
                sqlx::query("UPDATE complaints SET outcome = $1, recommendation = $2, status = $3, updated_at = $4 WHERE id = $5")
                    .bind(&note)
                    .bind(&f.recommendation)
                    .bind(status)
                    .bind(at)
                    .bind(id)
                    .execute(tx.conn())
                    .await?;
            }
            col => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE complaints SET {col} = $1, status = $2, updated_at = $3 WHERE id = $4"
                )))
                .bind(&note)
                .bind(status)
                .bind(at)
                .bind(id)
                .execute(tx.conn())
                .await?;
            }
        }
        let step_note = match f.step.as_str() {
            "outcome" => format!(
                "{note}（{}）",
                match f.recommendation.as_str() {
                    "warning" => "建议予以警告",
                    "removal" => "建议取消评审资格",
                    _ => "无处理建议",
                }
            ),
            "link_sanction" => format!("处理决定第{}号", sanction.unwrap_or_default()),
            "close" => String::new(),
            _ => note.clone(),
        };
        step_row(&mut tx, id, &f.step, &step_note, who).await?;
        tx.audit(
            NewEntry::award(who, &format!("complaint.{}", f.step), "complaint", id)
                .programme(c.programme_id)
                .article(Some(article), DOC.0)
                .summary(format!("投诉第{id}号（{}）：{summary}", c.subject_name))
                .detail(serde_json::json!({"step": f.step, "recommendation": f.recommendation, "sanction_id": sanction}))
                .state(status),
        )
        .await?;
        if f.step == "reply" || f.step == "close" {
            let body = if f.step == "reply" {
                format!("您提交的投诉（第{id}号）已有答复：{note}")
            } else {
                format!("您提交的投诉（第{id}号）已办结。")
            };
            Store::notify_users(
                &mut tx,
                &[c.complainant_id],
                &format!("投诉第{id}号办理情况"),
                &body,
                Some(&format!("/complaints/{id}")),
            )
            .await?;
        }
        tx.commit().await
    }

    /// Every warning and removal of a programme's experts, newest first, with the complaints
    /// linked to each (Art. 24).
    pub async fn sanctions_history(&self, programme_id: i64) -> Result<Vec<SanctionRow>> {
        let rows = sqlx::query("SELECT s.id, s.expert_id, e.name, s.kind, s.reason, s.decided_on, s.created_at, u.display_name FROM expert_sanctions s JOIN experts e ON e.id = s.expert_id LEFT JOIN users u ON u.id = s.created_by WHERE e.programme_id = $1 ORDER BY s.decided_on DESC, s.id DESC")
            .bind(programme_id)
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.get(0);
            let complaints =
                sqlx::query("SELECT id FROM complaints WHERE sanction_id = $1 ORDER BY id")
                    .bind(id)
                    .fetch_all(self.pool())
                    .await?
                    .iter()
                    .map(|c| c.get::<i64, _>(0))
                    .collect();
            out.push(SanctionRow {
                id,
                expert_id: r.get(1),
                expert_name: r.get(2),
                kind: r.get(3),
                reason: r.get(4),
                decided_on: r.get(5),
                created_at: r.get(6),
                recorded_by: opt_str(r, "display_name").unwrap_or_else(|| "系统".into()),
                complaints,
            });
        }
        Ok(out)
    }
}

async fn step_row(tx: &mut crate::Tx, id: i64, kind: &str, note: &str, who: &Who) -> Result<()> {
    let at = tx.now();
    sqlx::query("INSERT INTO complaint_steps (complaint_id, kind, note, at, by_id, by_name) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id)
        .bind(kind)
        .bind(note)
        .bind(at)
        .bind(who.user_id)
        .bind(&who.name)
        .execute(tx.conn())
        .await?;
    Ok(())
}
