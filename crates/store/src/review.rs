//! Expert review (Art. 5, 8, 15, 25): the session's teams, the optimiser's proposal and the
//! office's assignment, the impartiality declaration, each member's blind scorebook, the
//! leader's consensus, the material review report's figures, the ranking and the on-site list.
//! Every change is one transaction with its audit entry; a change to a submitted score is a
//! new version with who, when and why.

use crate::experts::{DOC, Expert, applicant_facts_of};
use crate::{Error, NewEntry, Result, Store, Tx, Who, opt_i64, opt_str};
use qaward_core::assign::{AppNode, Member, Problem, Proposal, TeamNode};
use qaward_core::conflict::ApplicantIndex;
use qaward_core::criteria::Criteria;
use qaward_core::refusal::Refusal;
use qaward_core::stage::Stage;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Which review a scorebook belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// 资料评审 (Art. 15).
    Material,
    /// 现场评审 (Art. 16).
    Onsite,
}

impl Phase {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Phase::Material => "material",
            Phase::Onsite => "onsite",
        }
    }
    /// In Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Phase::Material => "资料评审",
            Phase::Onsite => "现场评审",
        }
    }
    /// The stage in which it is scored.
    pub fn stage(self) -> Stage {
        match self {
            Phase::Material => Stage::MaterialReview,
            Phase::Onsite => Stage::OnsiteReview,
        }
    }
    /// The article it rests on.
    pub fn article(self) -> u32 {
        match self {
            Phase::Material => 15,
            Phase::Onsite => 16,
        }
    }
}

/// A member of a team, as the pages show it.
#[derive(Debug, Clone)]
pub struct TeamMember {
    /// Expert.
    pub expert_id: i64,
    /// Account.
    pub user_id: Option<i64>,
    /// Name.
    pub name: String,
    /// Leader.
    pub leader: bool,
    /// Level, in Chinese.
    pub level: String,
    /// Sections of expertise.
    pub industries: Vec<char>,
    /// Current employer.
    pub employer: String,
    /// Qualification removed.
    pub removed: bool,
    /// Why not qualified today, if not.
    pub unqualified: Option<String>,
}

/// A review team.
#[derive(Debug, Clone)]
pub struct Team {
    /// Id.
    pub id: i64,
    /// Session.
    pub session_id: i64,
    /// Name.
    pub name: String,
    /// Published on the portal (µs).
    pub published_at: Option<i64>,
    /// Dissolved (µs).
    pub dissolved_at: Option<i64>,
    /// Members, leader first.
    pub members: Vec<TeamMember>,
    /// Applications assigned.
    pub load: usize,
}

impl Team {
    /// The leader's name.
    pub fn leader(&self) -> &str {
        self.members
            .iter()
            .find(|m| m.leader)
            .map(|m| m.name.as_str())
            .unwrap_or("")
    }
}

/// One item of a scorebook or of the consensus.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScoreItem {
    /// Percentage (None: not yet scored).
    pub percent: Option<u32>,
    /// 优势.
    pub strengths: String,
    /// 改进机会.
    pub opportunities: String,
    /// 现场核实要点.
    pub verify_points: String,
}

/// A member's scorebook.
#[derive(Debug, Clone, Default)]
pub struct Scorebook {
    /// Expert.
    pub expert_id: i64,
    /// Submitted (µs).
    pub submitted_at: Option<i64>,
    /// Version (0 before submission).
    pub version: i64,
    /// Items by id.
    pub items: BTreeMap<String, ScoreItem>,
}

impl Scorebook {
    /// Items with a percentage.
    pub fn scored(&self) -> usize {
        self.items.values().filter(|i| i.percent.is_some()).count()
    }
}

/// The team's consensus.
#[derive(Debug, Clone, Default)]
pub struct Consensus {
    /// 综合意见.
    pub summary: String,
    /// 改进建议.
    pub suggestions: String,
    /// Submitted (µs).
    pub submitted_at: Option<i64>,
    /// Version.
    pub version: i64,
    /// Items by id.
    pub items: BTreeMap<String, ScoreItem>,
}

/// One item as typed.
#[derive(Debug, Clone, Default)]
pub struct ScoreInput {
    /// Item id.
    pub item_id: String,
    /// Percentage as typed ("" for none).
    pub percent: String,
    /// Band as chosen ("" for none).
    pub band: String,
    /// Strengths.
    pub strengths: String,
    /// Opportunities.
    pub opportunities: String,
    /// Points to verify on site.
    pub verify_points: String,
}

/// A row of the office's progress and ranking views.
#[derive(Debug, Clone)]
pub struct ReviewRow {
    /// Application.
    pub application_id: i64,
    /// Organisation.
    pub organisation_id: i64,
    /// Organisation name.
    pub name: String,
    /// County.
    pub county: String,
    /// Industry as typed.
    pub industry: String,
    /// GB/T 4754 section.
    pub section: Option<char>,
    /// Team.
    pub team_id: Option<i64>,
    /// Team name.
    pub team_name: String,
    /// Members: (expert id, name, items scored, submitted).
    pub members: Vec<(i64, String, usize, bool)>,
    /// Consensus submitted.
    pub consensus_submitted: bool,
    /// Consensus total in hundredths of a point.
    pub total: Option<i64>,
    /// Items whose spread exceeds the rule set's threshold.
    pub spread_flags: Vec<String>,
    /// Members of the assigned team who now have a conflict (names).
    pub conflicted: Vec<String>,
    /// On the on-site list (None before it is decided).
    pub onsite: Option<bool>,
}

impl ReviewRow {
    /// The consensus total as "612.50" ("" before the consensus).
    pub fn total_text(&self) -> String {
        self.total.map(points_text).unwrap_or_default()
    }
}

/// A stored run of the optimiser.
#[derive(Debug, Clone)]
pub struct Run {
    /// Id.
    pub id: i64,
    /// Session.
    pub session_id: i64,
    /// Seed.
    pub seed: u64,
    /// Cost.
    pub cost: i64,
    /// Placed.
    pub placed: i64,
    /// Not placed.
    pub unplaced: i64,
    /// The proposal: (application, team) pairs and unplaced reasons.
    pub proposal: serde_json::Value,
    /// Created (µs).
    pub created_at: i64,
    /// Accepted (µs).
    pub accepted_at: Option<i64>,
}

impl Run {
    /// The proposed pairs.
    pub fn pairs(&self) -> Vec<(i64, i64)> {
        self.proposal["assignments"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| Some((p[0].as_i64()?, p[1].as_i64()?)))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The on-site list.
#[derive(Debug, Clone)]
pub struct OnsiteList {
    /// Justification of a list longer than the rule set allows.
    pub justification: String,
    /// Decided (µs).
    pub decided_at: i64,
    /// (application, rank, total in hundredths).
    pub entries: Vec<(i64, i64, i64)>,
}

/// A recorded version of a score after submission.
#[derive(Debug, Clone)]
pub struct Version {
    /// Member (None: the consensus).
    pub expert_id: Option<i64>,
    /// Who changed it (name).
    pub by: String,
    /// Item.
    pub item_id: String,
    /// Version number.
    pub version: i64,
    /// Percentage.
    pub percent: Option<u32>,
    /// Why.
    pub reason: String,
    /// When (µs).
    pub at: i64,
}

fn refusal(
    code: &'static str,
    article: u32,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> Refusal {
    Refusal::new(code, Some(article), DOC, zh, en)
}

/// Hundredths of a point an item earns: points × percent.
pub fn item_hundredths(points: u32, percent: u32) -> i64 {
    i64::from(points) * i64::from(percent)
}

/// Total of a set of item percentages in hundredths of a point.
pub fn total_hundredths(c: &Criteria, items: &BTreeMap<String, ScoreItem>) -> i64 {
    c.items()
        .filter_map(|it| {
            items
                .get(&it.id)
                .and_then(|s| s.percent)
                .map(|p| item_hundredths(it.points, p))
        })
        .sum()
}

/// Hundredths as "612.50".
pub fn points_text(h: i64) -> String {
    format!("{}.{:02}", h / 100, (h % 100).abs())
}

/// The band a percentage falls in.
pub fn band_of(c: &Criteria, percent: u32) -> Option<u32> {
    c.bands.iter().find(|b| b.contains(percent)).map(|b| b.band)
}

/// Check one typed item against the criteria and the rule set's step.
pub fn check_item(c: &Criteria, step: u32, i: &ScoreInput) -> Result<(String, ScoreItem)> {
    let Some(item) = c.item(&i.item_id) else {
        return Err(Error::invalid(
            "item",
            "评分条目不存在。",
            "No such criteria item.",
        ));
    };
    let label = format!("{} {}", item.id, item.name);
    let percent = match i.percent.trim() {
        "" => None,
        t => {
            let p: u32 = t.trim_end_matches('%').parse().map_err(|_| {
                Error::invalid(
                    "percent",
                    format!("“{label}”得分率：请选择0%至100%之间的百分比。"),
                    format!("{}: choose a percentage from 0% to 100%.", item.id),
                )
            })?;
            if p > 100 || (step > 0 && !p.is_multiple_of(step)) {
                return Err(Error::invalid(
                    "percent",
                    format!("“{label}”得分率：应为0%至100%之间{step}%的整数倍。"),
                    format!("{}: the percentage goes in steps of {step}%.", item.id),
                ));
            }
            if let Ok(b) = i.band.trim().parse::<u32>()
                && band_of(c, p) != Some(b)
            {
                return Err(Error::invalid(
                    "percent",
                    format!("“{label}”：{p}%不在所选的第{b}档得分范围内。"),
                    format!("{}: {p}% is not within band {b}.", item.id),
                ));
            }
            Some(p)
        }
    };
    let cap = |field: &'static str, name: &str, v: &str| -> Result<String> {
        if v.chars().count() > 5000 {
            return Err(Error::invalid(
                field,
                format!("“{label}”{name}：不超过5000字。"),
                format!("{}: at most 5,000 characters.", item.id),
            ));
        }
        Ok(v.trim().to_owned())
    };
    Ok((
        item.id.clone(),
        ScoreItem {
            percent,
            strengths: cap("strengths", "优势", &i.strengths)?,
            opportunities: cap("opportunities", "改进机会", &i.opportunities)?,
            verify_points: cap("verify_points", "现场核实要点", &i.verify_points)?,
        },
    ))
}

fn score_item(r: &sqlx::any::AnyRow) -> ScoreItem {
    ScoreItem {
        percent: opt_i64(r, "percent").map(|p| p as u32),
        strengths: r.get("strengths"),
        opportunities: r.get("opportunities"),
        verify_points: r.get("verify_points"),
    }
}

impl Store {
    /// The teams of a session with their members, leader first, qualification judged on
    /// `today`.
    pub async fn teams_on(&self, session_id: i64, today: jiff::civil::Date) -> Result<Vec<Team>> {
        Ok(self.teams_and_pool(session_id, today).await?.0)
    }

    /// The teams as [`Store::teams_on`] gives them, with the programme's expert pool they were
    /// read from (empty when the session has no team).
    async fn teams_and_pool(
        &self,
        session_id: i64,
        today: jiff::civil::Date,
    ) -> Result<(Vec<Team>, Vec<Expert>)> {
        let mut teams: Vec<Team> = sqlx::query("SELECT t.id, t.session_id, t.name, t.published_at, t.dissolved_at, (SELECT COUNT(*) FROM review_assignments ra WHERE ra.team_id = t.id) AS load FROM review_teams t WHERE t.session_id = $1 ORDER BY t.id")
            .bind(session_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Team {
                id: r.get("id"),
                session_id: r.get("session_id"),
                name: r.get("name"),
                published_at: opt_i64(r, "published_at"),
                dissolved_at: opt_i64(r, "dissolved_at"),
                members: Vec::new(),
                load: usize::try_from(r.get::<i64, _>("load")).unwrap_or(0),
            })
            .collect();
        if teams.is_empty() {
            return Ok((teams, Vec::new()));
        }
        let pid: i64 = sqlx::query("SELECT programme_id FROM award_sessions WHERE id = $1")
            .bind(session_id)
            .fetch_one(self.pool())
            .await?
            .get(0);
        let pool = self.experts(pid).await?;
        let rows = sqlx::query("SELECT m.team_id, m.expert_id, m.leader FROM review_team_members m JOIN review_teams t ON t.id = m.team_id WHERE t.session_id = $1 ORDER BY m.team_id, m.leader DESC, m.expert_id")
            .bind(session_id)
            .fetch_all(self.pool())
            .await?;
        let experts: HashMap<i64, &Expert> = pool.iter().map(|e| (e.id, e)).collect();
        let index: HashMap<i64, usize> = teams.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
        for r in rows {
            let tid: i64 = r.get("team_id");
            let eid: i64 = r.get("expert_id");
            let Some(e) = experts.get(&eid) else {
                continue;
            };
            if let Some(i) = index.get(&tid) {
                teams[*i]
                    .members
                    .push(member_of(e, r.get::<i64, _>("leader") != 0, today));
            }
        }
        drop(experts);
        Ok((teams, pool))
    }

    /// The published teams of a session as the portal shows them: names and who leads. The
    /// members carry their expert id, account, name and leader flag only (no histories are
    /// read), so the page stays cheap with thousands of experts.
    pub async fn published_teams(&self, session_id: i64) -> Result<Vec<Team>> {
        let mut teams: Vec<Team> = Vec::new();
        for r in sqlx::query("SELECT t.id, t.name, t.published_at, t.dissolved_at, m.expert_id, m.leader, e.name AS expert_name, e.user_id FROM review_teams t JOIN review_team_members m ON m.team_id = t.id JOIN experts e ON e.id = m.expert_id WHERE t.session_id = $1 AND t.published_at IS NOT NULL ORDER BY t.id, m.leader DESC, m.expert_id")
            .bind(session_id)
            .fetch_all(self.pool())
            .await?
        {
            let tid: i64 = r.get("id");
            if teams.last().is_none_or(|t| t.id != tid) {
                teams.push(Team {
                    id: tid,
                    session_id,
                    name: r.get("name"),
                    published_at: opt_i64(&r, "published_at"),
                    dissolved_at: opt_i64(&r, "dissolved_at"),
                    members: Vec::new(),
                    load: 0,
                });
            }
            if let Some(t) = teams.last_mut() {
                t.members.push(TeamMember {
                    expert_id: r.get("expert_id"),
                    user_id: opt_i64(&r, "user_id"),
                    name: r.get("expert_name"),
                    leader: r.get::<i64, _>("leader") != 0,
                    level: String::new(),
                    industries: Vec::new(),
                    employer: String::new(),
                    removed: false,
                    unqualified: None,
                });
            }
        }
        Ok(teams)
    }

    /// One team with its members (only their expert records are read).
    pub async fn team(&self, team_id: i64, today: jiff::civil::Date) -> Result<Option<Team>> {
        let Some(r) = sqlx::query("SELECT t.id, t.session_id, t.name, t.published_at, t.dissolved_at, (SELECT COUNT(*) FROM review_assignments ra WHERE ra.team_id = t.id) AS load FROM review_teams t WHERE t.id = $1")
            .bind(team_id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let mut team = Team {
            id: r.get("id"),
            session_id: r.get("session_id"),
            name: r.get("name"),
            published_at: opt_i64(&r, "published_at"),
            dissolved_at: opt_i64(&r, "dissolved_at"),
            members: Vec::new(),
            load: usize::try_from(r.get::<i64, _>("load")).unwrap_or(0),
        };
        let pool: HashMap<i64, Expert> = self
            .team_experts(team_id)
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        for r in sqlx::query("SELECT expert_id, leader FROM review_team_members WHERE team_id = $1 ORDER BY leader DESC, expert_id")
            .bind(team_id)
            .fetch_all(self.pool())
            .await?
        {
            if let Some(e) = pool.get(&r.get::<i64, _>("expert_id")) {
                team.members
                    .push(member_of(e, r.get::<i64, _>("leader") != 0, today));
            }
        }
        Ok(Some(team))
    }

    pub(crate) async fn session_stage_check(
        &self,
        who: &Who,
        session_id: i64,
        allowed: &[Stage],
        article: u32,
        what: &str,
        now: jiff::Timestamp,
    ) -> Result<crate::sessions::SessionDetail> {
        let d = self.session_detail(session_id).await?;
        if !allowed.contains(&d.session.stage) {
            let names: Vec<&str> = allowed.iter().map(|s| s.name_zh()).collect();
            return Err(self
                .refused(
                    NewEntry::award(who, "review.refused", "session", session_id)
                        .programme(d.session.programme_id),
                    refusal(
                        "review_stage",
                        article,
                        format!(
                            "{what}只能在“{}”阶段进行，本届目前处于“{}”阶段。",
                            names.join("”或“"),
                            d.session.stage.name_zh()
                        ),
                        format!(
                            "This can only be done in the {} stage; the session is in {}.",
                            allowed
                                .iter()
                                .map(|s| s.name_en())
                                .collect::<Vec<_>>()
                                .join(" or "),
                            d.session.stage.name_en()
                        ),
                    ),
                    now,
                )
                .await);
        }
        Ok(d)
    }

    /// Form a team (Art. 8): a leader-eligible leader and qualified members, as many in all
    /// as the rule set says, none already on another team of the session.
    pub async fn create_team(
        &self,
        who: &Who,
        session_id: i64,
        name: &str,
        leader: i64,
        members: &[i64],
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let d = self
            .session_stage_check(
                who,
                session_id,
                &[Stage::EligibilityReview, Stage::MaterialReview],
                8,
                "组建评审组",
                now,
            )
            .await?;
        let pid = d.session.programme_id;
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid(
                "name",
                "“评审组名称”：此项必填。",
                "Team name is required.",
            ));
        }
        let mut ids: Vec<i64> = vec![leader];
        for m in members {
            if !ids.contains(m) {
                ids.push(*m);
            }
        }
        let size = d.rules.review.team_size.value as usize;
        let today = crate::today(now.as_microsecond());
        let entry =
            || NewEntry::award(who, "review.team.refused", "session", session_id).programme(pid);
        if ids.len() != size {
            return Err(self
                .refused(
                    entry(),
                    refusal(
                        "team_size",
                        8,
                        format!(
                            "评审组应由组长和组员共{size}人组成（实施细则），现选了{}人。",
                            ids.len()
                        ),
                        format!(
                            "A team has {size} people including its leader; {} were chosen.",
                            ids.len()
                        ),
                    ),
                    now,
                )
                .await);
        }
        let pool = self.experts(pid).await?;
        let taken: Vec<i64> = sqlx::query("SELECT m.expert_id FROM review_team_members m JOIN review_teams t ON t.id = m.team_id WHERE t.session_id = $1 AND t.dissolved_at IS NULL")
            .bind(session_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        for id in &ids {
            let Some(e) = pool.iter().find(|e| e.id == *id) else {
                return Err(Error::invalid(
                    "members",
                    "“组员”：所选专家不在本项目专家库中。",
                    "Members: a chosen expert is not in this programme's pool.",
                ));
            };
            let check = if *id == leader {
                qaward_core::expert::can_lead(&e.facts(), today)
            } else {
                qaward_core::expert::qualification(&e.facts(), today)
            };
            if let Err(u) = check {
                return Err(self
                    .refused(
                        entry(),
                        refusal(
                            "team_unqualified",
                            u.article(),
                            format!(
                                "{}不能{}：{}",
                                e.name,
                                if *id == leader {
                                    "担任组长"
                                } else {
                                    "进入评审组"
                                },
                                u.zh()
                            ),
                            format!(
                                "{} cannot {}: {}",
                                e.name,
                                if *id == leader {
                                    "lead a team"
                                } else {
                                    "sit on a team"
                                },
                                u.en()
                            ),
                        ),
                        now,
                    )
                    .await);
            }
            if taken.contains(id) {
                return Err(self
                    .refused(
                        entry(),
                        refusal(
                            "team_taken",
                            8,
                            format!("{}已在本届的另一个评审组中。", e.name),
                            format!("{} is already on another team of this session.", e.name),
                        ),
                        now,
                    )
                    .await);
            }
        }
        let names: Vec<String> = ids
            .iter()
            .filter_map(|id| pool.iter().find(|e| e.id == *id).map(|e| e.name.clone()))
            .collect();
        let mut tx = self.write(now).await?;
        let dup = sqlx::query("SELECT id FROM review_teams WHERE session_id = $1 AND name = $2")
            .bind(session_id)
            .bind(name)
            .fetch_optional(tx.conn())
            .await?;
        if dup.is_some() {
            return Err(Error::invalid(
                "name",
                "“评审组名称”：本届已有同名评审组。",
                "Team name: this session already has a team of that name.",
            ));
        }
        let tid: i64 = sqlx::query("INSERT INTO review_teams (session_id, name, created_at) VALUES ($1, $2, $3) RETURNING id")
            .bind(session_id)
            .bind(name)
            .bind(tx.now())
            .fetch_one(tx.conn())
            .await?
            .get(0);
        for id in &ids {
            sqlx::query(
                "INSERT INTO review_team_members (team_id, expert_id, leader) VALUES ($1, $2, $3)",
            )
            .bind(tid)
            .bind(id)
            .bind(i64::from(*id == leader))
            .execute(tx.conn())
            .await?;
        }
        tx.audit(
            NewEntry::award(who, "review.team.create", "review_team", tid)
                .programme(pid)
                .article(Some(8), DOC.0)
                .summary(format!(
                    "组建{name}：组长{}，组员{}",
                    names[0],
                    names[1..].join("、")
                ))
                .detail(
                    serde_json::json!({"session": session_id, "leader": leader, "members": ids}),
                )
                .state("formed"),
        )
        .await?;
        let users: Vec<i64> = ids
            .iter()
            .filter_map(|id| pool.iter().find(|e| e.id == *id).and_then(|e| e.user_id))
            .collect();
        Store::notify_users(
            &mut tx,
            &users,
            &format!("{}：您已被选入{name}", d.session.title),
            "请登录评审工作台，先签署公正性和保密承诺书，再查看分配给本组的申报材料（《管理办法》第八条、第二十五条）。",
            Some("/review"),
        )
        .await?;
        tx.commit().await?;
        Ok(tid)
    }

    /// The session a team belongs to.
    pub async fn team_session(&self, team_id: i64) -> Result<i64> {
        Ok(
            sqlx::query("SELECT session_id FROM review_teams WHERE id = $1")
                .bind(team_id)
                .fetch_optional(self.pool())
                .await?
                .ok_or(Error::NotFound)?
                .get(0),
        )
    }

    /// The (session, team) pairs an expert sits on, newest first, including the teams the
    /// expert joined as a substitute for one application (Art. 25).
    pub async fn teams_of_expert(&self, expert_id: i64) -> Result<Vec<(i64, i64)>> {
        Ok(sqlx::query("SELECT DISTINCT x.session_id, x.id FROM (SELECT t.session_id, t.id FROM review_team_members m JOIN review_teams t ON t.id = m.team_id WHERE m.expert_id = $1 UNION SELECT t.session_id, t.id FROM review_recusals r JOIN review_teams t ON t.id = r.team_id WHERE r.substitute_id = $1) x ORDER BY x.session_id DESC, x.id")
            .bind(expert_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    /// The applications assigned to a team.
    pub async fn team_applications(
        &self,
        team_id: i64,
    ) -> Result<Vec<crate::applications::Application>> {
        let ids: Vec<i64> = sqlx::query("SELECT application_id FROM review_assignments WHERE team_id = $1 ORDER BY application_id")
            .bind(team_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.application(id).await?);
        }
        Ok(out)
    }

    /// Remove a team that has no applications yet (formed by mistake).
    pub async fn remove_team(&self, who: &Who, team_id: i64, now: jiff::Timestamp) -> Result<()> {
        let (sid, name): (i64, String) =
            sqlx::query("SELECT session_id, name FROM review_teams WHERE id = $1")
                .bind(team_id)
                .fetch_optional(self.pool())
                .await?
                .map(|r| (r.get(0), r.get(1)))
                .ok_or(Error::NotFound)?;
        let d = self
            .session_stage_check(
                who,
                sid,
                &[Stage::EligibilityReview, Stage::MaterialReview],
                8,
                "调整评审组",
                now,
            )
            .await?;
        let mut tx = self.write(now).await?;
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM review_assignments WHERE team_id = $1")
            .bind(team_id)
            .fetch_one(tx.conn())
            .await?
            .get(0);
        if n > 0 {
            drop(tx);
            return Err(self
                .refused(
                    NewEntry::award(who, "review.team.refused", "review_team", team_id)
                        .programme(d.session.programme_id),
                    refusal(
                        "team_in_use",
                        8,
                        format!("{name}已分配了{n}家申报单位，请先把它们调整到其他评审组。"),
                        format!("{name} has {n} applications; move them first."),
                    ),
                    now,
                )
                .await);
        }
        sqlx::query("DELETE FROM review_team_members WHERE team_id = $1")
            .bind(team_id)
            .execute(tx.conn())
            .await?;
        sqlx::query("DELETE FROM review_teams WHERE id = $1")
            .bind(team_id)
            .execute(tx.conn())
            .await?;
        tx.audit(
            NewEntry::award(who, "review.team.remove", "review_team", team_id)
                .programme(d.session.programme_id)
                .article(Some(8), DOC.0)
                .summary(format!("撤销{name}（尚未分配申报单位）")),
        )
        .await?;
        tx.commit().await
    }

    /// Publish the session's team composition on the portal (Art. 8).
    pub async fn publish_teams(
        &self,
        who: &Who,
        session_id: i64,
        now: jiff::Timestamp,
    ) -> Result<usize> {
        let d = self.session_detail(session_id).await?;
        let mut tx = self.write(now).await?;
        let n = sqlx::query("UPDATE review_teams SET published_at = $1 WHERE session_id = $2 AND published_at IS NULL AND dissolved_at IS NULL")
            .bind(tx.now())
            .bind(session_id)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(Error::invalid(
                "session",
                "没有待公布的评审组。",
                "No team is waiting to be published.",
            ));
        }
        tx.audit(
            NewEntry::award(who, "review.team.publish", "session", session_id)
                .programme(d.session.programme_id)
                .article(Some(8), DOC.0)
                .summary(format!(
                    "在门户网站公布{}评审组组成（{n}个组）",
                    d.session.title
                )),
        )
        .await?;
        tx.commit().await?;
        Ok(n as usize)
    }

    /// The eligible applications of a session (those that go to expert review).
    pub async fn review_applications(
        &self,
        session_id: i64,
    ) -> Result<Vec<crate::applications::Application>> {
        self.session_applications(session_id, crate::applications::Status::Eligible)
            .await
    }

    /// The optimiser's problem for a session, as of `today`.
    ///
    /// The conflicts (Art. 25) are those of every member of a live team with every eligible
    /// application, found through an index of the applicants
    /// ([`qaward_core::conflict::ApplicantIndex`]): each member's records are looked up by
    /// credit code and name, and only the applicants they match are checked.
    pub async fn assignment_problem(
        &self,
        session_id: i64,
        seed: u64,
        today: jiff::civil::Date,
    ) -> Result<Problem> {
        let d = self.session_detail(session_id).await?;
        let apps = self.review_applications(session_id).await?;
        let (teams, pool) = self.teams_and_pool(session_id, today).await?;
        let teams: Vec<Team> = teams
            .into_iter()
            .filter(|t| t.dissolved_at.is_none())
            .collect();
        let lookback = d.rules.review.conflict_lookback_years.value;
        let facts: Vec<_> = apps.iter().map(applicant_facts_of).collect();
        let index = ApplicantIndex::new(&facts);
        let members: BTreeSet<i64> = teams
            .iter()
            .flat_map(|t| t.members.iter().map(|m| m.expert_id))
            .collect();
        let mut conflicts = HashSet::new();
        for e in pool.iter().filter(|e| members.contains(&e.id)) {
            for (a, _) in index.conflicts(&e.facts(), today, lookback) {
                conflicts.insert((a.application_id, e.id));
            }
        }
        Ok(Problem {
            applications: apps
                .iter()
                .map(|a| AppNode {
                    application_id: a.id,
                    industry: a
                        .values
                        .get("identity.industry")
                        .and_then(|t| qaward_core::industry::section_of(t)),
                })
                .collect(),
            teams: teams
                .iter()
                .map(|t| TeamNode {
                    team_id: t.id,
                    members: t
                        .members
                        .iter()
                        .map(|m| Member {
                            expert_id: m.expert_id,
                            industries: m.industries.clone(),
                            qualified: m.unqualified.is_none(),
                        })
                        .collect(),
                })
                .collect(),
            conflicts,
            load_max: d.rules.review.team_load_max.value,
            match_weight: i64::from(d.rules.review.assign_match_weight.value),
            seed,
        })
    }

    /// Run the optimiser and record its proposal with the seed that reproduces it.
    pub async fn propose_assignment(
        &self,
        who: &Who,
        session_id: i64,
        seed: Option<u64>,
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let d = self
            .session_stage_check(
                who,
                session_id,
                &[Stage::EligibilityReview, Stage::MaterialReview],
                8,
                "分配评审任务",
                now,
            )
            .await?;
        let seed = seed.unwrap_or_else(|| {
            let t = crate::accounts::random_token();
            u64::from_str_radix(&t[..12.min(t.len())], 16).unwrap_or(now.as_microsecond() as u64)
                % 1_000_000_000
        });
        let today = crate::today(now.as_microsecond());
        let p = self.assignment_problem(session_id, seed, today).await?;
        if p.teams.is_empty() || p.applications.is_empty() {
            return Err(Error::invalid(
                "session",
                "需要先组建评审组，并有资格审查通过的申报单位，才能提出分配方案。",
                "Form teams and have eligible applications before proposing an assignment.",
            ));
        }
        let prop = qaward_core::assign::propose(&p);
        let json = proposal_json(&prop);
        let mut tx = self.write(now).await?;
        let rid: i64 = sqlx::query("INSERT INTO assignment_runs (session_id, seed, cost, placed, unplaced, proposal, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
            .bind(session_id)
            .bind(seed as i64)
            .bind(prop.cost)
            .bind(prop.assignments.len() as i64)
            .bind(prop.unplaced.len() as i64)
            .bind(json.to_string())
            .bind(tx.now())
            .bind(who.user_id)
            .fetch_one(tx.conn())
            .await?
            .get(0);
        tx.audit(
            NewEntry::award(who, "review.assign.propose", "assignment_run", rid)
                .programme(d.session.programme_id)
                .article(Some(8), DOC.0)
                .summary(format!(
                    "系统提出评审分配方案：随机种子{seed}，分配{}家，未能分配{}家，总代价{}（利益冲突回避为硬约束，第二十五条）",
                    prop.assignments.len(),
                    prop.unplaced.len(),
                    prop.cost
                ))
                .detail(json),
        )
        .await?;
        tx.commit().await?;
        Ok(rid)
    }

    /// A stored run.
    pub async fn assignment_run(&self, run_id: i64) -> Result<Run> {
        let r = sqlx::query("SELECT id, session_id, seed, cost, placed, unplaced, proposal, created_at, accepted_at FROM assignment_runs WHERE id = $1")
            .bind(run_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(Error::NotFound)?;
        Ok(Run {
            id: r.get("id"),
            session_id: r.get("session_id"),
            seed: r.get::<i64, _>("seed") as u64,
            cost: r.get("cost"),
            placed: r.get("placed"),
            unplaced: r.get("unplaced"),
            proposal: serde_json::from_str(&r.get::<String, _>("proposal")).unwrap_or_default(),
            created_at: r.get("created_at"),
            accepted_at: opt_i64(&r, "accepted_at"),
        })
    }

    /// The latest run of a session.
    pub async fn latest_run(&self, session_id: i64) -> Result<Option<Run>> {
        let id: Option<i64> =
            sqlx::query("SELECT MAX(id) FROM assignment_runs WHERE session_id = $1")
                .bind(session_id)
                .fetch_one(self.pool())
                .await?
                .try_get::<Option<i64>, _>(0)
                .ok()
                .flatten();
        match id {
            Some(id) => Ok(Some(self.assignment_run(id).await?)),
            None => Ok(None),
        }
    }

    /// Apply a proposal. Every pair is checked again against today's data; applications whose
    /// scoring has begun keep their team.
    pub async fn accept_assignment(
        &self,
        who: &Who,
        run_id: i64,
        now: jiff::Timestamp,
    ) -> Result<usize> {
        let run = self.assignment_run(run_id).await?;
        if run.accepted_at.is_some() {
            return Err(Error::invalid(
                "run",
                "该分配方案已经采用；如需调整，请重新运行分配或人工调整。",
                "This proposal has already been accepted; run the assignment again or change it by hand.",
            ));
        }
        let d = self
            .session_stage_check(
                who,
                run.session_id,
                &[Stage::EligibilityReview, Stage::MaterialReview],
                8,
                "分配评审任务",
                now,
            )
            .await?;
        let today = crate::today(now.as_microsecond());
        let p = self
            .assignment_problem(run.session_id, run.seed, today)
            .await?;
        let pairs = run.pairs();
        let blocked = qaward_core::assign::check_assignment(&p, &pairs);
        if let Some((app, b)) = blocked.first() {
            return Err(self
                .refused(
                    NewEntry::award(who, "review.assign.refused", "assignment_run", run_id)
                        .programme(d.session.programme_id),
                    refusal(
                        "assign_blocked",
                        b.article(),
                        format!("方案已过时，申报单位#{app}：{}。请重新运行分配。", b.zh()),
                        format!(
                            "The proposal is out of date: application #{app}: {}. Run it again.",
                            b.en()
                        ),
                    ),
                    now,
                )
                .await);
        }
        let started = self.started_applications(run.session_id).await?;
        let mut tx = self.write(now).await?;
        let mut n = 0;
        for (app, team) in &pairs {
            if started.contains(app) {
                continue;
            }
            upsert_assignment(
                &mut tx,
                run.session_id,
                *app,
                *team,
                Some(run_id),
                who.user_id,
            )
            .await?;
            n += 1;
        }
        sqlx::query("UPDATE assignment_runs SET accepted_at = $1 WHERE id = $2")
            .bind(tx.now())
            .bind(run_id)
            .execute(tx.conn())
            .await?;
        tx.audit(
            NewEntry::award(who, "review.assign.accept", "assignment_run", run_id)
                .programme(d.session.programme_id)
                .article(Some(8), DOC.0)
                .summary(format!(
                    "采用评审分配方案（随机种子{}）：分配{n}家申报单位",
                    run.seed
                ))
                .detail(serde_json::json!({"pairs": pairs, "kept": started})),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    async fn started_applications(&self, session_id: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query("SELECT DISTINCT s.application_id FROM scores s JOIN applications a ON a.id = s.application_id WHERE a.session_id = $1")
            .bind(session_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    /// The office's change by hand: checked against conflicts, qualification and load.
    pub async fn assign_application(
        &self,
        who: &Who,
        application_id: i64,
        team_id: i64,
        reason: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let a = self.application(application_id).await?;
        let d = self
            .session_stage_check(
                who,
                a.session_id,
                &[Stage::EligibilityReview, Stage::MaterialReview],
                8,
                "调整评审分配",
                now,
            )
            .await?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::invalid(
                "reason",
                "“调整理由”：请写明调整的理由。",
                "Reason: say why the assignment is changed.",
            ));
        }
        let today = crate::today(now.as_microsecond());
        let p = self.assignment_problem(a.session_id, 0, today).await?;
        let current: Vec<(i64, i64)> = sqlx::query(
            "SELECT application_id, team_id FROM review_assignments WHERE session_id = $1",
        )
        .bind(a.session_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
        let mut plan: Vec<(i64, i64)> = current
            .iter()
            .copied()
            .filter(|(x, _)| *x != application_id)
            .collect();
        plan.push((application_id, team_id));
        let mut blocked = match qaward_core::assign::feasible(&p, application_id, team_id) {
            Ok(()) => Vec::new(),
            Err(b) => b,
        };
        if blocked.is_empty() {
            blocked = qaward_core::assign::check_assignment(&p, &plan)
                .into_iter()
                .filter(|(x, _)| *x == application_id)
                .map(|(_, b)| b)
                .collect();
        }
        if let Some(b) = blocked.first() {
            let names = self.experts(d.session.programme_id).await?;
            let named = |zh: String| {
                let mut s = zh;
                for e in &names {
                    s = s.replace(&format!("#{}", e.id), &e.name);
                }
                s
            };
            return Err(self
                .refused(
                    NewEntry::award(who, "review.assign.refused", "application", application_id)
                        .programme(d.session.programme_id),
                    refusal(
                        "assign_blocked",
                        b.article(),
                        named(format!("不能把{}分配给该评审组：{}", a.org.name, b.zh())),
                        format!("{} cannot go to that team: {}", a.org.name, b.en()),
                    ),
                    now,
                )
                .await);
        }
        if self
            .started_applications(a.session_id)
            .await?
            .contains(&application_id)
            && current
                .iter()
                .any(|(x, t)| *x == application_id && *t != team_id)
        {
            return Err(self
                .refused(
                    NewEntry::award(who, "review.assign.refused", "application", application_id)
                        .programme(d.session.programme_id),
                    refusal(
                        "assign_started",
                        8,
                        format!(
                            "{}的评分已经开始，不能再换评审组。如组员有利益冲突，请先处理该组员。",
                            a.org.name
                        ),
                        "Scoring has begun; the team can no longer be changed.".to_owned(),
                    ),
                    now,
                )
                .await);
        }
        let team_name: String = sqlx::query("SELECT name FROM review_teams WHERE id = $1")
            .bind(team_id)
            .fetch_one(self.pool())
            .await?
            .get(0);
        let mut tx = self.write(now).await?;
        upsert_assignment(
            &mut tx,
            a.session_id,
            application_id,
            team_id,
            None,
            who.user_id,
        )
        .await?;
        tx.audit(
            NewEntry::award(who, "review.assign.manual", "application", application_id)
                .programme(d.session.programme_id)
                .article(Some(8), DOC.0)
                .summary(format!(
                    "人工调整：{}分配给{team_name}。理由：{reason}",
                    a.org.name
                ))
                .detail(serde_json::json!({"team": team_id, "reason": reason})),
        )
        .await?;
        tx.commit().await
    }

    /// Whether the reviewer has signed the session's declaration, and when.
    pub async fn review_declaration(&self, session_id: i64, expert_id: i64) -> Result<Option<i64>> {
        Ok(sqlx::query(
            "SELECT signed_at FROM review_declarations WHERE session_id = $1 AND expert_id = $2",
        )
        .bind(session_id)
        .bind(expert_id)
        .fetch_optional(self.pool())
        .await?
        .map(|r| r.get(0)))
    }

    /// Sign the impartiality and confidentiality declaration of a session (Art. 25).
    pub async fn sign_review_declaration(
        &self,
        who: &Who,
        session_id: i64,
        e: &Expert,
        text: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        if self.review_declaration(session_id, e.id).await?.is_some() {
            return Ok(());
        }
        let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()));
        let mut tx = self.write(now).await?;
        sqlx::query("INSERT INTO review_declarations (session_id, expert_id, text_sha256, signed_at) VALUES ($1, $2, $3, $4)")
            .bind(session_id)
            .bind(e.id)
            .bind(&hash)
            .bind(tx.now())
            .execute(tx.conn())
            .await?;
        tx.audit(
            NewEntry::award(who, "review.declaration.sign", "expert", e.id)
                .programme(e.programme_id)
                .article(Some(25), DOC.0)
                .summary(format!("{}签署公正性和保密承诺书", e.name))
                .detail(serde_json::json!({"session": session_id, "text_sha256": hash})),
        )
        .await?;
        tx.commit().await
    }

    /// A member's scorebook (an empty one before the first save).
    pub async fn scorebook(
        &self,
        application_id: i64,
        expert_id: i64,
        phase: Phase,
    ) -> Result<Scorebook> {
        let mut b = Scorebook {
            expert_id,
            ..Scorebook::default()
        };
        if let Some(r) = sqlx::query("SELECT submitted_at, version FROM scorebooks WHERE application_id = $1 AND expert_id = $2 AND phase = $3")
            .bind(application_id)
            .bind(expert_id)
            .bind(phase.code())
            .fetch_optional(self.pool())
            .await?
        {
            b.submitted_at = opt_i64(&r, "submitted_at");
            b.version = r.get("version");
        }
        for r in sqlx::query("SELECT item_id, percent, strengths, opportunities, verify_points FROM scores WHERE application_id = $1 AND expert_id = $2 AND phase = $3")
            .bind(application_id)
            .bind(expert_id)
            .bind(phase.code())
            .fetch_all(self.pool())
            .await?
        {
            b.items.insert(r.get("item_id"), score_item(&r));
        }
        Ok(b)
    }

    async fn scoring_context(
        &self,
        who: &Who,
        application_id: i64,
        phase: Phase,
        now: jiff::Timestamp,
    ) -> Result<(
        crate::applications::Application,
        crate::sessions::SessionDetail,
        std::sync::Arc<Criteria>,
    )> {
        let (a, d) = if phase == Phase::Onsite {
            // On site: only the applicants on the decided list, in the on-site stage (Art. 16).
            self.onsite_check(
                who,
                application_id,
                &[phase.stage()],
                phase.article(),
                &format!("{}评分", phase.zh()),
                now,
            )
            .await?
        } else {
            let a = self.application(application_id).await?;
            let d = self
                .session_stage_check(
                    who,
                    a.session_id,
                    &[phase.stage()],
                    phase.article(),
                    &format!("{}评分", phase.zh()),
                    now,
                )
                .await?;
            (a, d)
        };
        let c = self.criteria(&d.rules.meta.criteria).await?;
        Ok((a, d, c))
    }

    /// Save items of a member's scorebook as they are typed. After submission every change
    /// needs a reason and becomes a new version.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_scores(
        &self,
        who: &Who,
        application_id: i64,
        e: &Expert,
        phase: Phase,
        items: &[ScoreInput],
        reason: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let (a, d, c) = self
            .scoring_context(who, application_id, phase, now)
            .await?;
        let step = d.rules.review.score_step_percent.value;
        let mut checked = Vec::new();
        for i in items {
            checked.push(check_item(&c, step, i)?);
        }
        let book = self.scorebook(application_id, e.id, phase).await?;
        let submitted = book.submitted_at.is_some();
        let changed: Vec<&(String, ScoreItem)> = checked
            .iter()
            .filter(|(id, it)| book.items.get(id) != Some(it))
            .collect();
        if changed.is_empty() {
            return Ok(());
        }
        if submitted {
            if reason.trim().is_empty() {
                return Err(Error::invalid(
                    "reason",
                    "评分表已提交：修改须写明理由，修改将另存为新版本。",
                    "The scorebook is submitted: a change needs a reason and becomes a new version.",
                ));
            }
            if changed.iter().any(|(_, it)| it.percent.is_none()) {
                return Err(Error::invalid(
                    "percent",
                    "评分表已提交：不能清除已给出的得分率。",
                    "A submitted score cannot be cleared.",
                ));
            }
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let version = if submitted { book.version + 1 } else { 0 };
        for (id, it) in &changed {
            upsert_score(
                &mut tx,
                "scores",
                application_id,
                Some(e.id),
                phase,
                id,
                it,
                at,
                who.user_id,
            )
            .await?;
            if submitted {
                insert_version(
                    &mut tx,
                    application_id,
                    Some(e.id),
                    phase,
                    id,
                    version,
                    it,
                    reason.trim(),
                    who.user_id,
                    at,
                )
                .await?;
            }
        }
        sqlx::query(if submitted {
            "UPDATE scorebooks SET version = $4 WHERE application_id = $1 AND expert_id = $2 AND phase = $3"
        } else {
            "INSERT INTO scorebooks (application_id, expert_id, phase, version) VALUES ($1, $2, $3, $4) ON CONFLICT (application_id, expert_id, phase) DO NOTHING"
        })
        .bind(application_id)
        .bind(e.id)
        .bind(phase.code())
        .bind(version)
        .execute(tx.conn())
        .await?;
        let ids: Vec<&str> = changed.iter().map(|(id, _)| id.as_str()).collect();
        tx.audit(
            NewEntry::award(who, if submitted { "review.score.revise" } else { "review.score.save" }, "application", application_id)
                .programme(d.session.programme_id)
                .article(Some(phase.article()), DOC.0)
                .summary(if submitted {
                    format!("{}修改已提交的{}评分（{}，第{version}版）。理由：{}", e.name, phase.zh(), ids.join("、"), reason.trim())
                } else {
                    format!("{}保存{}评分草稿：{}（{}）", e.name, phase.zh(), a.org.name, ids.join("、"))
                })
                .detail(serde_json::json!({"expert": e.id, "phase": phase.code(), "items": ids, "version": version})),
        )
        .await?;
        tx.commit().await
    }

    /// Submit a member's scorebook: every item needs a percentage.
    pub async fn submit_scorebook(
        &self,
        who: &Who,
        application_id: i64,
        e: &Expert,
        phase: Phase,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let (a, d, c) = self
            .scoring_context(who, application_id, phase, now)
            .await?;
        let book = self.scorebook(application_id, e.id, phase).await?;
        if book.submitted_at.is_some() {
            return Ok(());
        }
        if let Some(missing) = c
            .items()
            .find(|it| book.items.get(&it.id).and_then(|s| s.percent).is_none())
        {
            return Err(Error::invalid(
                "percent",
                format!(
                    "“{} {}”尚未评分：全部{}个条目都评分后才能提交。",
                    missing.id,
                    missing.name,
                    c.items().count()
                ),
                format!(
                    "{} is not scored yet: score every item before submitting.",
                    missing.id
                ),
            ));
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        sqlx::query("UPDATE scorebooks SET submitted_at = $1, version = 1 WHERE application_id = $2 AND expert_id = $3 AND phase = $4")
            .bind(at)
            .bind(application_id)
            .bind(e.id)
            .bind(phase.code())
            .execute(tx.conn())
            .await?;
        for (id, it) in &book.items {
            insert_version(
                &mut tx,
                application_id,
                Some(e.id),
                phase,
                id,
                1,
                it,
                "提交",
                who.user_id,
                at,
            )
            .await?;
        }
        let total = total_hundredths(&c, &book.items);
        tx.audit(
            NewEntry::award(who, "review.score.submit", "application", application_id)
                .programme(d.session.programme_id)
                .article(Some(phase.article()), DOC.0)
                .summary(format!("{}提交对{}的{}独立评分", e.name, a.org.name, phase.zh()))
                .detail(serde_json::json!({"expert": e.id, "phase": phase.code(), "total_hundredths": total}))
                .state("submitted"),
        )
        .await?;
        tx.commit().await
    }

    /// The books of the team assigned to an application, members in team order.
    pub async fn team_books(
        &self,
        application_id: i64,
        phase: Phase,
        today: jiff::civil::Date,
    ) -> Result<Vec<(TeamMember, Scorebook)>> {
        let Some(team) = self.team_of(application_id, today).await? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for m in team.members {
            let b = self.scorebook(application_id, m.expert_id, phase).await?;
            out.push((m, b));
        }
        Ok(out)
    }

    /// The team an application is assigned to, with that application's members: those who
    /// recused from it left, their substitutes joined (Art. 25).
    pub async fn team_of(
        &self,
        application_id: i64,
        today: jiff::civil::Date,
    ) -> Result<Option<Team>> {
        let Some(r) = sqlx::query(
            "SELECT ra.team_id FROM review_assignments ra WHERE ra.application_id = $1",
        )
        .bind(application_id)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let Some(mut team) = self.team(r.get::<i64, _>(0), today).await? else {
            return Ok(None);
        };
        self.apply_recusals(application_id, &mut team, today)
            .await?;
        Ok(Some(team))
    }

    /// The team's consensus on an application.
    pub async fn consensus(&self, application_id: i64, phase: Phase) -> Result<Consensus> {
        let mut c = Consensus::default();
        if let Some(r) = sqlx::query("SELECT summary, suggestions, submitted_at, version FROM consensus_books WHERE application_id = $1 AND phase = $2")
            .bind(application_id)
            .bind(phase.code())
            .fetch_optional(self.pool())
            .await?
        {
            c.summary = r.get("summary");
            c.suggestions = r.get("suggestions");
            c.submitted_at = opt_i64(&r, "submitted_at");
            c.version = r.get("version");
        }
        for r in sqlx::query("SELECT item_id, percent, strengths, opportunities, verify_points FROM consensus_scores WHERE application_id = $1 AND phase = $2")
            .bind(application_id)
            .bind(phase.code())
            .fetch_all(self.pool())
            .await?
        {
            c.items.insert(r.get("item_id"), score_item(&r));
        }
        Ok(c)
    }

    /// Save the leader's consensus: item percentages and comments, the overall comment and
    /// suggestions. Every member must have submitted first; after submission changes need a
    /// reason and become versions.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_consensus(
        &self,
        who: &Who,
        application_id: i64,
        leader: &Expert,
        phase: Phase,
        items: &[ScoreInput],
        summary: &str,
        suggestions: &str,
        reason: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let (a, d, c) = self
            .scoring_context(who, application_id, phase, now)
            .await?;
        let today = crate::today(now.as_microsecond());
        let books = self.team_books(application_id, phase, today).await?;
        let pending: Vec<&str> = books
            .iter()
            .filter(|(_, b)| b.submitted_at.is_none())
            .map(|(m, _)| m.name.as_str())
            .collect();
        if !pending.is_empty() {
            return Err(self
                .refused(
                    NewEntry::award(
                        who,
                        "review.consensus.refused",
                        "application",
                        application_id,
                    )
                    .programme(d.session.programme_id),
                    refusal(
                        "consensus_early",
                        phase.article(),
                        format!(
                            "组员独立评分全部提交后才能形成合议意见，尚未提交：{}。",
                            pending.join("、")
                        ),
                        format!(
                            "Every member must submit before the consensus; pending: {}.",
                            pending.join(", ")
                        ),
                    ),
                    now,
                )
                .await);
        }
        let step = d.rules.review.score_step_percent.value;
        let mut checked = Vec::new();
        for i in items {
            checked.push(check_item(&c, step, i)?);
        }
        let cur = self.consensus(application_id, phase).await?;
        let submitted = cur.submitted_at.is_some();
        let changed: Vec<&(String, ScoreItem)> = checked
            .iter()
            .filter(|(id, it)| cur.items.get(id) != Some(it))
            .collect();
        let text_changed = cur.summary != summary.trim() || cur.suggestions != suggestions.trim();
        if changed.is_empty() && !text_changed {
            return Ok(());
        }
        if submitted && reason.trim().is_empty() {
            return Err(Error::invalid(
                "reason",
                "合议意见已提交：修改须写明理由，修改将另存为新版本。",
                "The consensus is submitted: a change needs a reason and becomes a new version.",
            ));
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let version = if submitted { cur.version + 1 } else { 0 };
        for (id, it) in &changed {
            upsert_score(
                &mut tx,
                "consensus_scores",
                application_id,
                None,
                phase,
                id,
                it,
                at,
                who.user_id,
            )
            .await?;
            if submitted {
                insert_version(
                    &mut tx,
                    application_id,
                    None,
                    phase,
                    id,
                    version,
                    it,
                    reason.trim(),
                    who.user_id,
                    at,
                )
                .await?;
            }
        }
        sqlx::query("INSERT INTO consensus_books (application_id, phase, summary, suggestions, version) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (application_id, phase) DO UPDATE SET summary = $3, suggestions = $4, version = $5")
            .bind(application_id)
            .bind(phase.code())
            .bind(summary.trim())
            .bind(suggestions.trim())
            .bind(version.max(cur.version))
            .execute(tx.conn())
            .await?;
        tx.audit(
            NewEntry::award(who, if submitted { "review.consensus.revise" } else { "review.consensus.save" }, "application", application_id)
                .programme(d.session.programme_id)
                .article(Some(phase.article()), DOC.0)
                .summary(if submitted {
                    format!("组长{}修改{}的合议意见（第{version}版）。理由：{}", leader.name, a.org.name, reason.trim())
                } else {
                    format!("组长{}保存{}的合议意见草稿", leader.name, a.org.name)
                })
                .detail(serde_json::json!({"phase": phase.code(), "items": changed.iter().map(|(id, _)| id).collect::<Vec<_>>(), "version": version})),
        )
        .await?;
        tx.commit().await
    }

    /// Submit the consensus: every item agreed and the overall comment written.
    pub async fn submit_consensus(
        &self,
        who: &Who,
        application_id: i64,
        leader: &Expert,
        phase: Phase,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let (a, d, c) = self
            .scoring_context(who, application_id, phase, now)
            .await?;
        let cur = self.consensus(application_id, phase).await?;
        if cur.submitted_at.is_some() {
            return Ok(());
        }
        if let Some(missing) = c
            .items()
            .find(|it| cur.items.get(&it.id).and_then(|s| s.percent).is_none())
        {
            return Err(Error::invalid(
                "percent",
                format!(
                    "“{} {}”尚无合议得分：全部条目合议后才能提交。",
                    missing.id, missing.name
                ),
                format!("{} has no agreed score yet.", missing.id),
            ));
        }
        if cur.summary.trim().is_empty() {
            return Err(Error::invalid(
                "summary",
                "“综合意见”：请填写评审组综合意见。",
                "Overall comment is required.",
            ));
        }
        let total = total_hundredths(&c, &cur.items);
        let mut tx = self.write(now).await?;
        let at = tx.now();
        sqlx::query("UPDATE consensus_books SET submitted_at = $1, submitted_by = $2, version = 1 WHERE application_id = $3 AND phase = $4")
            .bind(at)
            .bind(who.user_id)
            .bind(application_id)
            .bind(phase.code())
            .execute(tx.conn())
            .await?;
        for (id, it) in &cur.items {
            insert_version(
                &mut tx,
                application_id,
                None,
                phase,
                id,
                1,
                it,
                "提交合议",
                who.user_id,
                at,
            )
            .await?;
        }
        tx.audit(
            NewEntry::award(
                who,
                "review.consensus.submit",
                "application",
                application_id,
            )
            .programme(d.session.programme_id)
            .article(Some(phase.article()), DOC.0)
            .summary(format!(
                "组长{}提交{}的{}合议意见：{}分",
                leader.name,
                a.org.name,
                phase.zh(),
                points_text(total)
            ))
            .detail(serde_json::json!({"phase": phase.code(), "total_hundredths": total}))
            .state("consensus"),
        )
        .await?;
        tx.commit().await
    }

    /// Versions recorded after submission, newest first.
    pub async fn score_versions(&self, application_id: i64, phase: Phase) -> Result<Vec<Version>> {
        Ok(sqlx::query("SELECT v.expert_id, u.display_name, v.item_id, v.version, v.percent, v.reason, v.changed_at FROM score_versions v LEFT JOIN users u ON u.id = v.changed_by WHERE v.application_id = $1 AND v.phase = $2 ORDER BY v.id DESC")
            .bind(application_id)
            .bind(phase.code())
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Version {
                expert_id: opt_i64(r, "expert_id"),
                by: opt_str(r, "display_name").unwrap_or_default(),
                item_id: r.get("item_id"),
                version: r.get("version"),
                percent: opt_i64(r, "percent").map(|p| p as u32),
                reason: r.get("reason"),
                at: r.get("changed_at"),
            })
            .collect())
    }

    /// The office's view of a session's review: one row per eligible application.
    pub async fn review_rows(
        &self,
        session_id: i64,
        phase: Phase,
        today: jiff::civil::Date,
    ) -> Result<Vec<ReviewRow>> {
        let d = self.session_detail(session_id).await?;
        let c = self.criteria(&d.rules.meta.criteria).await?;
        let flag = d.rules.review.spread_flag_points.value;
        let lookback = d.rules.review.conflict_lookback_years.value;
        let teams = self.teams_on(session_id, today).await?;
        let pool = self.experts(d.session.programme_id).await?;
        let list = self.onsite_list(session_id).await?;
        let assigned: BTreeMap<i64, i64> = sqlx::query(
            "SELECT application_id, team_id FROM review_assignments WHERE session_id = $1",
        )
        .bind(session_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
        let mut rows = Vec::new();
        for a in self.review_applications(session_id).await? {
            let industry = a
                .values
                .get("identity.industry")
                .cloned()
                .unwrap_or_default();
            let mut team = assigned
                .get(&a.id)
                .and_then(|t| teams.iter().find(|x| x.id == *t))
                .cloned();
            if let Some(t) = team.as_mut() {
                self.apply_recusals(a.id, t, today).await?;
            }
            let team = team.as_ref();
            let mut members = Vec::new();
            let mut books = Vec::new();
            let mut conflicted = Vec::new();
            let af = applicant_facts_of(&a);
            if let Some(t) = team {
                for m in &t.members {
                    let b = self.scorebook(a.id, m.expert_id, phase).await?;
                    members.push((
                        m.expert_id,
                        m.name.clone(),
                        b.scored(),
                        b.submitted_at.is_some(),
                    ));
                    if let Some(e) = pool.iter().find(|e| e.id == m.expert_id)
                        && qaward_core::conflict::is_conflicted(&e.facts(), &af, today, lookback)
                    {
                        conflicted.push(m.name.clone());
                    }
                    books.push(b);
                }
            }
            let spread_flags = spread_flags(&c, &books, flag);
            let cons = self.consensus(a.id, phase).await?;
            let total = cons.submitted_at.map(|_| total_hundredths(&c, &cons.items));
            rows.push(ReviewRow {
                application_id: a.id,
                organisation_id: a.org.id,
                name: a.org.name.clone(),
                county: a.org.county_name.clone().unwrap_or_default(),
                section: qaward_core::industry::section_of(&industry),
                industry,
                team_id: team.map(|t| t.id),
                team_name: team.map(|t| t.name.clone()).unwrap_or_default(),
                members,
                consensus_submitted: cons.submitted_at.is_some(),
                total,
                spread_flags,
                conflicted,
                onsite: list
                    .as_ref()
                    .map(|l| l.entries.iter().any(|(x, ..)| *x == a.id)),
            });
        }
        Ok(rows)
    }

    /// The decided on-site list, if any.
    pub async fn onsite_list(&self, session_id: i64) -> Result<Option<OnsiteList>> {
        let Some(r) =
            sqlx::query("SELECT justification, decided_at FROM onsite_lists WHERE session_id = $1")
                .bind(session_id)
                .fetch_optional(self.pool())
                .await?
        else {
            return Ok(None);
        };
        let entries = sqlx::query("SELECT application_id, rank, score_hundredths FROM onsite_list_entries WHERE session_id = $1 ORDER BY rank")
            .bind(session_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|e| (e.get(0), e.get(1), e.get(2)))
            .collect();
        Ok(Some(OnsiteList {
            justification: r.get("justification"),
            decided_at: r.get("decided_at"),
            entries,
        }))
    }

    /// Whether an application's material review feedback has been released to it: the on-site
    /// list is decided and it is not on it (Art. 15).
    pub async fn feedback_released(&self, application_id: i64) -> Result<bool> {
        let sid: i64 = sqlx::query("SELECT session_id FROM applications WHERE id = $1")
            .bind(application_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(Error::NotFound)?
            .get(0);
        Ok(match self.onsite_list(sid).await? {
            Some(l) => !l.entries.iter().any(|(a, ..)| *a == application_id),
            None => false,
        })
    }

    /// Decide the on-site list from the ranking ("best among the good", Art. 15). More than the
    /// rule set's number needs a recorded justification. Those not chosen get their material
    /// review feedback in the app and by email.
    pub async fn decide_onsite_list(
        &self,
        who: &Who,
        session_id: i64,
        chosen: &[i64],
        justification: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let d = self
            .session_stage_check(
                who,
                session_id,
                &[Stage::MaterialReview, Stage::OnsiteSelection],
                15,
                "确定现场评审名单",
                now,
            )
            .await?;
        let pid = d.session.programme_id;
        let entry =
            || NewEntry::award(who, "review.onsite.refused", "session", session_id).programme(pid);
        if self.onsite_list(session_id).await?.is_some() {
            return Err(self
                .refused(
                    entry(),
                    refusal(
                        "onsite_decided",
                        15,
                        "本届现场评审名单已经确定，不能重复确定。",
                        "The on-site list has already been decided.",
                    ),
                    now,
                )
                .await);
        }
        let today = crate::today(now.as_microsecond());
        let rows = self.review_rows(session_id, Phase::Material, today).await?;
        let mut ids: Vec<i64> = chosen.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Err(Error::invalid(
                "application_id",
                "“现场评审名单”：请至少选择一家申报单位。",
                "Choose at least one applicant.",
            ));
        }
        if let Some(r) = rows.iter().find(|r| !r.consensus_submitted) {
            return Err(self.refused(entry(), refusal("onsite_early", 15, format!("{}的资料评审合议尚未提交，全部申报单位合议完成后才能确定现场评审名单。", r.name), format!("{} has no submitted consensus yet.", r.name)), now).await);
        }
        if ids
            .iter()
            .any(|id| !rows.iter().any(|r| r.application_id == *id))
        {
            return Err(Error::invalid(
                "application_id",
                "“现场评审名单”：所选单位不在本届资料评审范围内。",
                "A chosen applicant is not in this session's material review.",
            ));
        }
        let max = d.rules.review.onsite_max.value as usize;
        let justification = justification.trim();
        if ids.len() > max && justification.is_empty() {
            return Err(self.refused(entry(), refusal("onsite_over", 15, format!("现场评审名单原则上不超过{max}家（《管理办法》第十五条），现选了{}家：超出时须写明理由。", ids.len()), format!("The on-site list is at most {max} in principle (Art. 15); {} were chosen: give a justification.", ids.len())), now).await);
        }
        let mut ranked: Vec<&ReviewRow> = rows.iter().collect();
        ranked.sort_by(|a, b| {
            b.total
                .cmp(&a.total)
                .then(a.application_id.cmp(&b.application_id))
        });
        let mut tx = self.write(now).await?;
        let at = tx.now();
        sqlx::query("INSERT INTO onsite_lists (session_id, justification, decided_at, decided_by) VALUES ($1, $2, $3, $4)")
            .bind(session_id)
            .bind(justification)
            .bind(at)
            .bind(who.user_id)
            .execute(tx.conn())
            .await?;
        let mut names = Vec::new();
        for (i, r) in ranked.iter().enumerate() {
            if ids.contains(&r.application_id) {
                sqlx::query("INSERT INTO onsite_list_entries (session_id, application_id, rank, score_hundredths) VALUES ($1, $2, $3, $4)")
                    .bind(session_id)
                    .bind(r.application_id)
                    .bind(i as i64 + 1)
                    .bind(r.total.unwrap_or(0))
                    .execute(tx.conn())
                    .await?;
                names.push(r.name.clone());
                Store::notify_organisation(&mut tx, r.organisation_id, &format!("{}：入选现场评审", d.session.title), "贵单位已列入本届现场评审名单，评审组将与贵单位商定现场评审计划（《清远市政府质量奖管理办法》第十五条、第十六条）。", Some(&format!("/applications/{}", r.application_id))).await?;
            } else {
                Store::notify_organisation(&mut tx, r.organisation_id, &format!("{}：资料评审反馈", d.session.title), &format!("经资料评审，贵单位未列入本届现场评审名单。资料评审得分{}分，评审组的优势、改进机会和改进建议见资料评审报告（《清远市政府质量奖管理办法》第十五条）。", points_text(r.total.unwrap_or(0))), Some(&format!("/review/applications/{}/report", r.application_id))).await?;
            }
        }
        tx.audit(
            NewEntry::award(who, "review.onsite.decide", "session", session_id)
                .programme(pid)
                .article(Some(15), DOC.0)
                .summary(if ids.len() > max {
                    format!(
                        "确定现场评审名单{}家（超过{max}家，理由：{justification}）：{}",
                        ids.len(),
                        names.join("、")
                    )
                } else {
                    format!("确定现场评审名单{}家：{}", ids.len(), names.join("、"))
                })
                .detail(
                    serde_json::json!({"chosen": ids, "justification": justification, "max": max}),
                )
                .state("onsite_list"),
        )
        .await?;
        tx.commit().await
    }
}

fn member_of(e: &Expert, leader: bool, today: jiff::civil::Date) -> TeamMember {
    let unq = if leader {
        qaward_core::expert::can_lead(&e.facts(), today)
    } else {
        qaward_core::expert::qualification(&e.facts(), today)
    };
    TeamMember {
        expert_id: e.id,
        user_id: e.user_id,
        name: e.name.clone(),
        leader,
        level: e.level.zh().to_owned(),
        industries: e.industries.clone(),
        employer: e
            .employer()
            .map(|j| j.employer_name.clone())
            .unwrap_or_default(),
        removed: e.removed_at.is_some(),
        unqualified: unq.err().map(|u| u.zh()),
    }
}

/// Items whose spread across submitted books exceeds `flag` percentage points.
pub fn spread_flags(c: &Criteria, books: &[Scorebook], flag: u32) -> Vec<String> {
    c.items()
        .filter(|it| {
            let ps: Vec<u32> = books
                .iter()
                .filter(|b| b.submitted_at.is_some())
                .filter_map(|b| b.items.get(&it.id).and_then(|s| s.percent))
                .collect();
            match (ps.iter().max(), ps.iter().min()) {
                (Some(hi), Some(lo)) => hi - lo > flag,
                _ => false,
            }
        })
        .map(|it| it.id.clone())
        .collect()
}

fn proposal_json(p: &Proposal) -> serde_json::Value {
    serde_json::json!({
        "seed": p.seed,
        "cost": p.cost,
        "match_cost": p.match_cost,
        "load_cost": p.load_cost,
        "assignments": p.assignments.iter().map(|(a, t)| [*a, *t]).collect::<Vec<_>>(),
        "unplaced": p.unplaced.iter().map(|u| serde_json::json!({"application": u.application_id, "zh": u.reason_zh, "en": u.reason_en})).collect::<Vec<_>>(),
    })
}

async fn upsert_assignment(
    tx: &mut Tx,
    session_id: i64,
    app: i64,
    team: i64,
    run: Option<i64>,
    by: Option<i64>,
) -> Result<()> {
    let at = tx.now();
    sqlx::query("INSERT INTO review_assignments (application_id, session_id, team_id, run_id, assigned_at, assigned_by) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (application_id) DO UPDATE SET team_id = $3, run_id = $4, assigned_at = $5, assigned_by = $6")
        .bind(app)
        .bind(session_id)
        .bind(team)
        .bind(run)
        .bind(at)
        .bind(by)
        .execute(tx.conn())
        .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn upsert_score(
    tx: &mut Tx,
    table: &'static str,
    app: i64,
    expert: Option<i64>,
    phase: Phase,
    item: &str,
    it: &ScoreItem,
    at: i64,
    by: Option<i64>,
) -> Result<()> {
    let percent = it.percent.map(i64::from);
    if table == "scores" {
        sqlx::query("INSERT INTO scores (application_id, expert_id, phase, item_id, percent, strengths, opportunities, verify_points, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (application_id, expert_id, phase, item_id) DO UPDATE SET percent = $5, strengths = $6, opportunities = $7, verify_points = $8, updated_at = $9")
            .bind(app)
            .bind(expert)
            .bind(phase.code())
            .bind(item)
            .bind(percent)
            .bind(&it.strengths)
            .bind(&it.opportunities)
            .bind(&it.verify_points)
            .bind(at)
            .execute(tx.conn())
            .await?;
    } else {
        sqlx::query("INSERT INTO consensus_scores (application_id, phase, item_id, percent, strengths, opportunities, verify_points, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (application_id, phase, item_id) DO UPDATE SET percent = $4, strengths = $5, opportunities = $6, verify_points = $7, updated_at = $8, updated_by = $9")
            .bind(app)
            .bind(phase.code())
            .bind(item)
            .bind(percent)
            .bind(&it.strengths)
            .bind(&it.opportunities)
            .bind(&it.verify_points)
            .bind(at)
            .bind(by)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert_version(
    tx: &mut Tx,
    app: i64,
    expert: Option<i64>,
    phase: Phase,
    item: &str,
    version: i64,
    it: &ScoreItem,
    reason: &str,
    by: Option<i64>,
    at: i64,
) -> Result<()> {
    sqlx::query("INSERT INTO score_versions (application_id, expert_id, phase, item_id, version, percent, strengths, opportunities, verify_points, reason, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
        .bind(app)
        .bind(expert)
        .bind(phase.code())
        .bind(item)
        .bind(version)
        .bind(it.percent.map(i64::from))
        .bind(&it.strengths)
        .bind(&it.opportunities)
        .bind(&it.verify_points)
        .bind(reason)
        .bind(by)
        .bind(at)
        .execute(tx.conn())
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Recusal at any time (Art. 25): a member who declares a conflict leaves that application's
// team; the office names a substitute from the candidates the optimiser's rules allow.

/// The stages in which the office can name a substitute: while the team is at work.
pub const SUBSTITUTE_STAGES: &[Stage] = &[
    Stage::MaterialReview,
    Stage::OnsiteSelection,
    Stage::OnsiteReview,
    Stage::ComprehensiveEvaluation,
];

/// A member's recusal from one application, and the substitute once named.
#[derive(Debug, Clone)]
pub struct Recusal {
    /// Id.
    pub id: i64,
    /// Session.
    pub session_id: i64,
    /// Application.
    pub application_id: i64,
    /// Organisation name.
    pub org_name: String,
    /// Team.
    pub team_id: i64,
    /// Team name.
    pub team_name: String,
    /// The member who recused.
    pub expert_id: i64,
    /// Their name.
    pub expert_name: String,
    /// They led the team for this application.
    pub leader: bool,
    /// The session's stage when they recused (code).
    pub stage: String,
    /// Their reason.
    pub reason: String,
    /// When (µs).
    pub recused_at: i64,
    /// The substitute.
    pub substitute_id: Option<i64>,
    /// The substitute's name ("" before one is named).
    pub substitute_name: String,
    /// When the substitute was named (µs).
    pub substituted_at: Option<i64>,
    /// The office's note on the choice.
    pub substitute_note: String,
}

impl Recusal {
    /// The stage when the member recused, in Chinese.
    pub fn stage_zh(&self) -> &'static str {
        Stage::parse(&self.stage).map(|s| s.name_zh()).unwrap_or("")
    }
}

/// A substitute the optimiser's rules allow, best first.
#[derive(Debug, Clone)]
pub struct SubstituteOffer {
    /// Rank, from 1.
    pub rank: usize,
    /// Expert.
    pub expert_id: i64,
    /// Name.
    pub name: String,
    /// Level, in Chinese.
    pub level: String,
    /// Sections of expertise.
    pub industries: Vec<char>,
    /// Current employer.
    pub employer: String,
    /// Knows the applicant's industry section.
    pub industry_match: bool,
    /// Applications of the session after joining.
    pub load_after: u32,
    /// Why it is offered, in Chinese.
    pub reason_zh: String,
    /// Why it is offered, in English.
    pub reason_en: String,
}

const RECUSAL_SELECT: &str = "SELECT r.id, r.session_id, r.application_id, o.name AS org_name, r.team_id, t.name AS team_name, r.expert_id, e.name AS expert_name, r.leader, r.stage, d.reason, r.recused_at, r.substitute_id, COALESCE(s.name, '') AS substitute_name, r.substituted_at, r.substitute_note FROM review_recusals r JOIN applications a ON a.id = r.application_id JOIN organisations o ON o.id = a.organisation_id JOIN review_teams t ON t.id = r.team_id JOIN experts e ON e.id = r.expert_id JOIN conflict_declarations d ON d.id = r.declaration_id LEFT JOIN experts s ON s.id = r.substitute_id";

fn recusal_of(r: &sqlx::any::AnyRow) -> Recusal {
    Recusal {
        id: r.get("id"),
        session_id: r.get("session_id"),
        application_id: r.get("application_id"),
        org_name: r.get("org_name"),
        team_id: r.get("team_id"),
        team_name: r.get("team_name"),
        expert_id: r.get("expert_id"),
        expert_name: r.get("expert_name"),
        leader: r.get::<i64, _>("leader") != 0,
        stage: r.get("stage"),
        reason: r.get("reason"),
        recused_at: r.get("recused_at"),
        substitute_id: opt_i64(r, "substitute_id"),
        substitute_name: r.get("substitute_name"),
        substituted_at: opt_i64(r, "substituted_at"),
        substitute_note: r.get("substitute_note"),
    }
}

/// The team and leadership of an expert for one application, as of the transaction: a member
/// of the assigned live team or its substitute there, unless they recused from it.
pub(crate) async fn application_seat(
    conn: &mut sqlx::AnyConnection,
    application_id: i64,
    expert_id: i64,
) -> Result<Option<(i64, bool)>> {
    Ok(sqlx::query("SELECT x.team_id, x.leader FROM (SELECT t.id AS team_id, m.leader FROM review_assignments ra JOIN review_teams t ON t.id = ra.team_id JOIN review_team_members m ON m.team_id = t.id WHERE ra.application_id = $1 AND m.expert_id = $2 AND t.dissolved_at IS NULL UNION ALL SELECT t.id AS team_id, r.leader FROM review_recusals r JOIN review_assignments ra ON ra.application_id = r.application_id AND ra.team_id = r.team_id JOIN review_teams t ON t.id = r.team_id WHERE r.application_id = $1 AND r.substitute_id = $2 AND t.dissolved_at IS NULL) x WHERE NOT EXISTS (SELECT 1 FROM review_recusals q WHERE q.application_id = $1 AND q.expert_id = $2)")
        .bind(application_id)
        .bind(expert_id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| (r.get::<i64, _>("team_id"), r.get::<i64, _>("leader") != 0)))
}

impl Store {
    /// Turn a team's members into one application's members: those who recused from it
    /// leave, the substitutes named for it join (leading when the one they replace led).
    pub(crate) async fn apply_recusals(
        &self,
        application_id: i64,
        team: &mut Team,
        today: jiff::civil::Date,
    ) -> Result<()> {
        let rows = sqlx::query("SELECT expert_id, substitute_id, leader FROM review_recusals WHERE application_id = $1 AND team_id = $2 ORDER BY id")
            .bind(application_id)
            .bind(team.id)
            .fetch_all(self.pool())
            .await?;
        if rows.is_empty() {
            return Ok(());
        }
        let recused: HashSet<i64> = rows.iter().map(|r| r.get::<i64, _>("expert_id")).collect();
        for r in &rows {
            if let Some(sub) = opt_i64(r, "substitute_id")
                && !recused.contains(&sub)
                && !team.members.iter().any(|m| m.expert_id == sub)
            {
                let e = self.expert(sub).await?;
                team.members
                    .push(member_of(&e, r.get::<i64, _>("leader") != 0, today));
            }
        }
        team.members.retain(|m| !recused.contains(&m.expert_id));
        team.members.sort_by_key(|m| !m.leader);
        Ok(())
    }

    /// The applications an expert reviews on a team: the team's, less those they recused
    /// from, plus those they joined as a substitute.
    pub async fn member_applications(
        &self,
        team_id: i64,
        expert_id: i64,
    ) -> Result<Vec<crate::applications::Application>> {
        let ids: Vec<i64> = sqlx::query("SELECT ra.application_id FROM review_assignments ra WHERE ra.team_id = $1 AND (EXISTS (SELECT 1 FROM review_team_members m WHERE m.team_id = $1 AND m.expert_id = $2) OR EXISTS (SELECT 1 FROM review_recusals r WHERE r.application_id = ra.application_id AND r.team_id = $1 AND r.substitute_id = $2)) AND NOT EXISTS (SELECT 1 FROM review_recusals q WHERE q.application_id = ra.application_id AND q.expert_id = $2) ORDER BY ra.application_id")
            .bind(team_id)
            .bind(expert_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.push(self.application(id).await?);
        }
        Ok(out)
    }

    /// The recusals of a session, open ones (no substitute yet) first, then newest first.
    pub async fn recusals(&self, session_id: i64) -> Result<Vec<Recusal>> {
        let sql = format!(
            "{RECUSAL_SELECT} WHERE r.session_id = $1 ORDER BY CASE WHEN r.substitute_id IS NULL THEN 0 ELSE 1 END, r.recused_at DESC, r.id DESC"
        );
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(session_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(recusal_of)
            .collect())
    }

    /// One recusal.
    pub async fn recusal(&self, recusal_id: i64) -> Result<Recusal> {
        let sql = format!("{RECUSAL_SELECT} WHERE r.id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(recusal_id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| recusal_of(&r))
            .ok_or(Error::NotFound)
    }

    /// The substitutes the optimiser's rules allow for a recusal, best first: qualified (able
    /// to lead when the one who left led), no conflict with the application, not on its team,
    /// within the load limit; ranked by industry match, then by load.
    pub async fn substitute_offers(
        &self,
        recusal_id: i64,
        today: jiff::civil::Date,
    ) -> Result<Vec<SubstituteOffer>> {
        let rc = self.recusal(recusal_id).await?;
        let d = self.session_detail(rc.session_id).await?;
        let a = self.application(rc.application_id).await?;
        let lookback = d.rules.review.conflict_lookback_years.value;
        let facts = applicant_facts_of(&a);
        let pool = self.experts(d.session.programme_id).await?;
        let teams = self.teams_on(rc.session_id, today).await?;
        let assigned: Vec<(i64, i64)> = sqlx::query(
            "SELECT application_id, team_id FROM review_assignments WHERE session_id = $1",
        )
        .bind(rc.session_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
        // Load: the applications each expert reviews in the session, per application.
        let mut load: HashMap<i64, u32> = HashMap::new();
        let mut this_team = Vec::new();
        for (aid, tid) in &assigned {
            let Some(t) = teams
                .iter()
                .find(|t| t.id == *tid && t.dissolved_at.is_none())
            else {
                continue;
            };
            let mut t = t.clone();
            self.apply_recusals(*aid, &mut t, today).await?;
            for m in &t.members {
                *load.entry(m.expert_id).or_insert(0) += 1;
            }
            if *aid == rc.application_id {
                this_team = t.members.clone();
            }
        }
        let mut conflicts = HashSet::new();
        let mut candidates = Vec::new();
        for e in pool.iter().filter(|e| e.removed_at.is_none()) {
            let ef = e.facts();
            if qaward_core::conflict::is_conflicted(&ef, &facts, today, lookback) {
                conflicts.insert((rc.application_id, e.id));
            }
            let qualified = if rc.leader {
                qaward_core::expert::can_lead(&ef, today).is_ok()
            } else {
                e.qualification(today).is_ok()
            };
            candidates.push(qaward_core::assign::Candidate {
                expert_id: e.id,
                industries: e.industries.clone(),
                qualified,
                load: load.get(&e.id).copied().unwrap_or(0),
            });
        }
        let problem = Problem {
            applications: vec![AppNode {
                application_id: rc.application_id,
                industry: a
                    .values
                    .get("identity.industry")
                    .and_then(|t| qaward_core::industry::section_of(t)),
            }],
            teams: vec![TeamNode {
                team_id: rc.team_id,
                members: this_team
                    .iter()
                    .map(|m| Member {
                        expert_id: m.expert_id,
                        industries: m.industries.clone(),
                        qualified: m.unqualified.is_none(),
                    })
                    .collect(),
            }],
            conflicts,
            load_max: d.rules.review.team_load_max.value,
            match_weight: i64::from(d.rules.review.assign_match_weight.value),
            seed: 0,
        };
        let ranked = qaward_core::assign::replacements(
            &problem,
            rc.application_id,
            rc.team_id,
            rc.expert_id,
            &candidates,
        );
        Ok(ranked
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| {
                let e = pool.iter().find(|e| e.id == r.expert_id)?;
                Some(SubstituteOffer {
                    rank: i + 1,
                    expert_id: e.id,
                    name: e.name.clone(),
                    level: e.level.zh().to_owned(),
                    industries: e.industries.clone(),
                    employer: e
                        .employer()
                        .map(|j| j.employer_name.clone())
                        .unwrap_or_default(),
                    industry_match: r.industry_match,
                    load_after: r.load_after,
                    reason_zh: r.reason_zh,
                    reason_en: r.reason_en,
                })
            })
            .collect())
    }

    /// Name the substitute for a recusal (Art. 25): one of the offered candidates joins the
    /// application's team for that application; audited with the rank and the reason, and
    /// the substitute is told.
    pub async fn choose_substitute(
        &self,
        who: &Who,
        recusal_id: i64,
        expert_id: i64,
        note: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let rc = self.recusal(recusal_id).await?;
        let d = self
            .session_stage_check(
                who,
                rc.session_id,
                SUBSTITUTE_STAGES,
                25,
                "指定替补评审员",
                now,
            )
            .await?;
        let pid = d.session.programme_id;
        let entry = || {
            NewEntry::award(
                who,
                "review.recusal.refused",
                "application",
                rc.application_id,
            )
            .programme(pid)
        };
        if rc.substitute_id.is_some() {
            return Err(self
                .refused(
                    entry(),
                    refusal(
                        "substitute_named",
                        25,
                        format!(
                            "已为{}指定替补评审员{}，不能重复指定。",
                            rc.expert_name, rc.substitute_name
                        ),
                        "A substitute has already been named for this recusal.",
                    ),
                    now,
                )
                .await);
        }
        if expert_id == 0 {
            return Err(Error::invalid(
                "substitute",
                "“替补评审员”：请从推荐名单中选择一位评审员。",
                "Substitute: choose a reviewer from the list.",
            ));
        }
        let today = crate::today(now.as_microsecond());
        let offers = self.substitute_offers(recusal_id, today).await?;
        let Some(offer) = offers.iter().find(|o| o.expert_id == expert_id) else {
            return Err(self
                .refused(
                    entry(),
                    refusal(
                        "substitute_not_offered",
                        25,
                        "所选评审员不在推荐名单中：替补须具备评审资格、与该申报单位无利益冲突、不在该评审组且未超过承担上限。",
                        "The chosen reviewer is not among the candidates: a substitute must be qualified, free of conflict, not on the team and within the load limit.",
                    ),
                    now,
                )
                .await);
        };
        let note = note.trim();
        if note.chars().count() > 500 {
            return Err(Error::invalid(
                "note",
                "“说明”：不超过500字。",
                "Note: at most 500 characters.",
            ));
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let n = sqlx::query("UPDATE review_recusals SET substitute_id = $1, substituted_at = $2, substituted_by = $3, substitute_note = $4 WHERE id = $5 AND substitute_id IS NULL")
            .bind(expert_id)
            .bind(at)
            .bind(who.user_id)
            .bind(note)
            .bind(recusal_id)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n != 1 {
            return Err(Error::invalid(
                "substitute",
                "已有人为该回避指定了替补，请刷新页面。",
                "A substitute was named meanwhile; reload the page.",
            ));
        }
        tx.audit(
            NewEntry::award(
                who,
                "review.recusal.substitute",
                "application",
                rc.application_id,
            )
            .programme(pid)
            .article(Some(25), DOC.0)
            .summary(format!(
                "{}回避{}后，指定{}（推荐第{}位：{}）替补加入{}{}",
                rc.expert_name,
                rc.org_name,
                offer.name,
                offer.rank,
                offer.reason_zh,
                rc.team_name,
                if note.is_empty() {
                    String::new()
                } else {
                    format!("。说明：{note}")
                }
            ))
            .detail(serde_json::json!({
                "recusal": recusal_id,
                "recused": rc.expert_id,
                "substitute": expert_id,
                "rank": offer.rank,
                "offered": offers.iter().map(|o| o.expert_id).collect::<Vec<_>>(),
                "team": rc.team_id,
                "leader": rc.leader,
                "note": note,
            }))
            .state("substituted"),
        )
        .await?;
        let e = self.expert(expert_id).await?;
        if let Some(uid) = e.user_id {
            Store::notify_users(
                &mut tx,
                &[uid],
                &format!("替补评审任务：{}", rc.org_name),
                &format!(
                    "因原组员回避（《管理办法》第二十五条），市强市办指定您替补加入{}评审{}{}。请先签署本届公正性和保密承诺书，再查看材料并独立评分。",
                    rc.team_name,
                    rc.org_name,
                    if rc.leader { "，并担任该申报的组长" } else { "" }
                ),
                Some("/review"),
            )
            .await?;
        }
        tx.commit().await
    }
}
