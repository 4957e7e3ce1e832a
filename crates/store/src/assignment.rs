//! Review teams and their assignment (Art. 5, 8): the session's teams and members, the optimiser's
//! proposal and the office's acceptance or manual adjustment, publication of the teams. Every change
//! is one transaction with its audit entry.

use crate::experts::{DOC, Expert, applicant_facts_of};
use crate::scoring::refusal;
use crate::{Error, NewEntry, Result, Store, Tx, Who, opt_i64};
use qaward_core::assignment::{AppNode, Member, Problem, Proposal, TeamNode};
use qaward_core::experts::conflict::ApplicantIndex;
use qaward_core::session::Stage;
use sqlx::Row;
use std::collections::{BTreeSet, HashMap, HashSet};

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
                qaward_core::experts::can_lead(&e.facts(), today)
            } else {
                qaward_core::experts::qualification(&e.facts(), today)
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
    ) -> Result<Vec<crate::application::Application>> {
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
    ) -> Result<Vec<crate::application::Application>> {
        self.session_applications(session_id, crate::application::Status::Eligible)
            .await
    }

    /// The optimiser's problem for a session, as of `today`.
    ///
    /// The conflicts (Art. 25) are those of every member of a live team with every eligible
    /// application, found through an index of the applicants
    /// ([`qaward_core::experts::conflict::ApplicantIndex`]): each member's records are looked up by
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
        let prop = qaward_core::assignment::propose(&p);
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
                    "系统提出评审分配方案：随机种子{seed}，分配{}家，未能分配{}家（利益冲突回避为硬约束，第二十五条）",
                    prop.assignments.len(),
                    prop.unplaced.len(),
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
        let blocked = qaward_core::assignment::check_assignment(&p, &pairs);
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
        let mut blocked = match qaward_core::assignment::feasible(&p, application_id, team_id) {
            Ok(()) => Vec::new(),
            Err(b) => b,
        };
        if blocked.is_empty() {
            blocked = qaward_core::assignment::check_assignment(&p, &plan)
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
}

pub(crate) fn member_of(e: &Expert, leader: bool, today: jiff::civil::Date) -> TeamMember {
    let unq = if leader {
        qaward_core::experts::can_lead(&e.facts(), today)
    } else {
        qaward_core::experts::qualification(&e.facts(), today)
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
