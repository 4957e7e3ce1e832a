//! The proposal of winners, the leadership group's meeting and decided list, and the public notice
//! (Art. 3, 6, 18). The core decides (`qaward_core::decision`); every change is written with its
//! audit entry in one transaction, and every refusal is logged with its article.

use crate::session::SessionDetail;
use crate::{Error, NewEntry, Result, Store, Who, opt_i64, parse_date};
use jiff::civil::Date;
use qaward_core::decision::{
    DecisionFacts, Quorum, Tally, Vote, check_tally, decide_close_notice, decide_notice,
    decide_proposal, passes, quorum,
};
use qaward_core::refusal::Refusal;
use qaward_core::rules::Ballot;
use qaward_core::session::Stage;
use sha2::{Digest, Sha256};
use sqlx::Row;

pub(crate) fn doc(d: &SessionDetail) -> (&str, &str) {
    (d.rules.meta.name.as_str(), d.rules.meta.name_en.as_str())
}

/// An applicant of the on-site list beside which the office drafts its proposal.
#[derive(Debug, Clone)]
pub struct RankRow {
    /// Application.
    pub application_id: i64,
    /// Organisation.
    pub organisation_id: i64,
    /// Organisation name.
    pub organisation_name: String,
    /// County.
    pub county_name: String,
    /// Final score in hundredths of a point; `None` while the applicant's on-site review
    /// (or the material review its final score also needs) is not finished.
    pub score_hundredths: Option<i64>,
    /// Rank by final score, from 1; `None` for an applicant without a final score, listed
    /// after the ranked ones.
    pub rank: Option<i64>,
}

impl RankRow {
    /// The score as "612.50", or `None` while the applicant has no final score.
    pub fn score_text(&self) -> Option<String> {
        self.score_hundredths.map(crate::scoring::points_text)
    }
}

/// One applicant of the proposal.
#[derive(Debug, Clone)]
pub struct ProposalEntry {
    /// Application.
    pub application_id: i64,
    /// Organisation name.
    pub organisation_name: String,
    /// Position, from 1.
    pub position: i64,
    /// Why the office proposes it.
    pub reason: String,
}

/// The office's proposal of winners (Art. 18).
#[derive(Debug, Clone)]
pub struct Proposal {
    /// Why nobody is proposed (when the list is empty).
    pub empty_reason: String,
    /// The applicants proposed, in order.
    pub entries: Vec<ProposalEntry>,
    /// Last saved (µs).
    pub saved_at: i64,
    /// Submitted (µs): locked from then on.
    pub submitted_at: Option<i64>,
}

/// What the office typed for its proposal.
#[derive(Debug, Clone, Default)]
pub struct ProposalInput {
    /// (application, reason), in the order proposed.
    pub entries: Vec<(i64, String)>,
    /// Why nobody is proposed.
    pub empty_reason: String,
}

/// A member of the leadership group at a meeting.
#[derive(Debug, Clone)]
pub struct Member {
    /// Row id.
    pub id: i64,
    /// The member's account, if any.
    pub user_id: Option<i64>,
    /// Name.
    pub name: String,
    /// Present.
    pub present: bool,
}

/// A member as typed in the meeting form.
#[derive(Debug, Clone)]
pub struct MemberInput {
    /// The member's account, if any.
    pub user_id: Option<i64>,
    /// Name.
    pub name: String,
    /// Present.
    pub present: bool,
}

/// What the office typed for the meeting.
#[derive(Debug, Clone, Default)]
pub struct MeetingInput {
    /// Day held, `YYYY-MM-DD`.
    pub held_on: String,
    /// Place.
    pub place: String,
    /// The group's members.
    pub members: Vec<MemberInput>,
}

/// The outcome for one proposed applicant.
#[derive(Debug, Clone)]
pub struct MeetingResult {
    /// Application.
    pub application_id: i64,
    /// Organisation name.
    pub organisation_name: String,
    /// The counts.
    pub tally: Tally,
    /// Passed by the rule set's majority.
    pub passed: bool,
}

/// The record of the leadership group's meeting (Art. 6, 18).
#[derive(Debug, Clone)]
pub struct Meeting {
    /// Id.
    pub id: i64,
    /// Day held.
    pub held_on: Date,
    /// Place.
    pub place: String,
    /// How members voted.
    pub ballot: Ballot,
    /// Members.
    pub members: Vec<Member>,
    /// The quorum.
    pub quorum: Quorum,
    /// Votes recorded.
    pub votes_recorded: bool,
    /// (member, application, reason).
    pub recusals: Vec<(i64, i64, String)>,
    /// Named ballots: (member, application, vote).
    pub votes: Vec<(i64, i64, Vote)>,
    /// The outcome per proposed applicant.
    pub results: Vec<MeetingResult>,
    /// Recorded (µs).
    pub recorded_at: i64,
    /// Confirmed by the office (µs).
    pub confirmed_at: Option<i64>,
}

/// The votes on one proposed applicant as typed.
#[derive(Debug, Clone, Default)]
pub struct ApplicantVotes {
    /// Application.
    pub application_id: i64,
    /// (member, reason) of the members who recuse themselves.
    pub recusals: Vec<(i64, String)>,
    /// Named ballot: each counted member's vote.
    pub votes: Vec<(i64, Vote)>,
    /// Secret ballot: agree, disagree, abstain.
    pub counts: Option<(u32, u32, u32)>,
}

/// An applicant on the decided list.
#[derive(Debug, Clone)]
pub struct DecidedEntry {
    /// Application.
    pub application_id: i64,
    /// Organisation.
    pub organisation_id: i64,
    /// Organisation name.
    pub organisation_name: String,
    /// Position, from 1.
    pub position: i64,
}

/// The public notice of the decided list (Art. 18).
#[derive(Debug, Clone)]
pub struct Notice {
    /// First day.
    pub starts_on: Date,
    /// Last day.
    pub ends_on: Date,
    /// The text.
    pub body: String,
    /// Where objections are sent.
    pub address: String,
    /// Phone for objections.
    pub phone: String,
    /// Email for objections.
    pub email: String,
    /// Published (µs).
    pub published_at: i64,
    /// Closed (µs).
    pub closed_at: Option<i64>,
}

impl Notice {
    /// Whether objections are received on `today`.
    pub fn open_on(&self, today: Date) -> bool {
        self.closed_at.is_none() && self.starts_on <= today && today <= self.ends_on
    }
}

/// What the office typed for the notice.
#[derive(Debug, Clone, Default)]
pub struct NoticeInput {
    /// First day.
    pub starts_on: String,
    /// Last day.
    pub ends_on: String,
    /// The text.
    pub body: String,
    /// Address.
    pub address: String,
    /// Phone.
    pub phone: String,
    /// Email.
    pub email: String,
}

/// One field of a form that does not pass: (field, Chinese, English).
pub type FieldProblem = (&'static str, String, String);

pub(crate) fn sha_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

impl Store {
    /// Refuse unless the session is in `stage`, logging the refusal.
    async fn decision_stage(
        &self,
        who: &Who,
        session_id: i64,
        stage: Stage,
        what: &str,
        now: jiff::Timestamp,
    ) -> Result<SessionDetail> {
        let d = self.session_detail(session_id).await?;
        if d.session.stage != stage {
            let r = Refusal::new(
                "decision_stage",
                stage.article(&d.rules),
                doc(&d),
                format!(
                    "{what}只能在“{}”阶段进行，本届当前处于“{}”阶段。",
                    stage.name_zh(),
                    d.session.stage.name_zh()
                ),
                format!(
                    "This can only be done in the “{}” stage; the session is in “{}”.",
                    stage.name_en(),
                    d.session.stage.name_en()
                ),
            );
            return Err(self
                .refused(
                    NewEntry::award(who, "decision.refused", "session", session_id)
                        .programme(d.session.programme_id),
                    r,
                    now,
                )
                .await);
        }
        Ok(d)
    }

    /// The ranking beside which the office drafts its proposal: the applicants of the on-site
    /// list by their final score as the rule set defines it (Art. 17), best first; those
    /// without a final score yet follow, unranked.
    pub async fn proposal_ranking(&self, session_id: i64) -> Result<Vec<RankRow>> {
        Ok(self
            .final_ranking(session_id)
            .await?
            .into_iter()
            .map(|r| RankRow {
                application_id: r.application_id,
                organisation_id: r.organisation_id,
                organisation_name: r.organisation_name,
                county_name: r.county_name,
                score_hundredths: r.final_hundredths,
                rank: r.rank.map(i64::from),
            })
            .collect())
    }

    /// The office's proposal, if drafted.
    pub async fn proposal(&self, session_id: i64) -> Result<Option<Proposal>> {
        let Some(p) = sqlx::query(
            "SELECT empty_reason, saved_at, submitted_at FROM proposals WHERE session_id = $1",
        )
        .bind(session_id)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let entries = sqlx::query("SELECT e.application_id, e.position, e.reason, g.name FROM proposal_entries e JOIN applications a ON a.id = e.application_id JOIN organisations g ON g.id = a.organisation_id WHERE e.session_id = $1 ORDER BY e.position")
            .bind(session_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| ProposalEntry {
                application_id: r.get("application_id"),
                organisation_name: r.get("name"),
                position: r.get("position"),
                reason: r.get("reason"),
            })
            .collect();
        Ok(Some(Proposal {
            empty_reason: p.get("empty_reason"),
            entries,
            saved_at: p.get("saved_at"),
            submitted_at: opt_i64(&p, "submitted_at"),
        }))
    }

    /// Save the office's draft proposal (Art. 18): applicants of the on-site list, each with a
    /// reason, at most the rule set's number of winners (Art. 3); an empty list needs a reason.
    pub async fn save_proposal(
        &self,
        who: &Who,
        session_id: i64,
        input: &ProposalInput,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let d = self
            .decision_stage(who, session_id, Stage::Proposal, "提出获奖建议名单", now)
            .await?;
        let pid = d.session.programme_id;
        if self
            .proposal(session_id)
            .await?
            .is_some_and(|p| p.submitted_at.is_some())
        {
            return Err(self
                .refused(
                    NewEntry::award(who, "proposal.save.refused", "session", session_id)
                        .programme(pid),
                    Refusal::new(
                        "proposal_submitted",
                        Some(18),
                        doc(&d),
                        "获奖建议名单已提交领导小组审定，不能再修改。",
                        "The proposal has been submitted and can no longer be changed.",
                    ),
                    now,
                )
                .await);
        }
        if let Err(r) = decide_proposal(&d.rules, input.entries.len(), &input.empty_reason) {
            return Err(self
                .refused(
                    NewEntry::award(who, "proposal.save.refused", "session", session_id)
                        .programme(pid),
                    r,
                    now,
                )
                .await);
        }
        let ranking = self.proposal_ranking(session_id).await?;
        let mut seen = Vec::new();
        for (aid, reason) in &input.entries {
            let Some(row) = ranking.iter().find(|r| r.application_id == *aid) else {
                return Err(Error::invalid(
                    "application_id",
                    "“建议获奖单位”：只能从现场评审名单中选择。",
                    "Choose applicants of the on-site list only.",
                ));
            };
            if seen.contains(aid) {
                return Err(Error::invalid(
                    "application_id",
                    format!("“建议获奖单位”：{}重复列入。", row.organisation_name),
                    "An applicant is listed twice.",
                ));
            }
            seen.push(*aid);
            if reason.trim().is_empty() {
                return Err(Error::invalid(
                    "reason",
                    format!(
                        "“建议理由”：请写明建议{}获奖的理由。",
                        row.organisation_name
                    ),
                    format!("Give the reason for proposing {}.", row.organisation_name),
                ));
            }
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        sqlx::query("DELETE FROM proposal_entries WHERE session_id = $1")
            .bind(session_id)
            .execute(tx.conn())
            .await?;
        sqlx::query("INSERT INTO proposals (session_id, empty_reason, saved_at, saved_by) VALUES ($1, $2, $3, $4) ON CONFLICT (session_id) DO UPDATE SET empty_reason = $2, saved_at = $3, saved_by = $4")
            .bind(session_id)
            .bind(input.empty_reason.trim())
            .bind(at)
            .bind(who.user_id)
            .execute(tx.conn())
            .await?;
        let mut names = Vec::new();
        for (i, (aid, reason)) in input.entries.iter().enumerate() {
            sqlx::query("INSERT INTO proposal_entries (session_id, application_id, position, reason) VALUES ($1, $2, $3, $4)")
                .bind(session_id)
                .bind(aid)
                .bind(i64::try_from(i).unwrap_or(0) + 1)
                .bind(reason.trim())
                .execute(tx.conn())
                .await?;
            if let Some(r) = ranking.iter().find(|r| r.application_id == *aid) {
                names.push(r.organisation_name.clone());
            }
        }
        tx.audit(
            NewEntry::award(who, "proposal.save", "session", session_id)
                .programme(pid)
                .article(d.rules.session.max_winners.article, &d.rules.meta.name)
                .summary(if names.is_empty() {
                    format!("保存获奖建议名单：建议本届空缺（理由：{}）", input.empty_reason.trim())
                } else {
                    format!("保存获奖建议名单{}家：{}", names.len(), names.join("、"))
                })
                .detail(serde_json::json!({"entries": input.entries, "empty_reason": input.empty_reason})),
        )
        .await?;
        tx.commit().await
    }

    /// Submit the proposal to the leadership group; it is locked from then on (Art. 18).
    pub async fn submit_proposal(
        &self,
        who: &Who,
        session_id: i64,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let d = self
            .decision_stage(who, session_id, Stage::Proposal, "提交获奖建议名单", now)
            .await?;
        let pid = d.session.programme_id;
        let entry = || {
            NewEntry::award(who, "proposal.submit.refused", "session", session_id).programme(pid)
        };
        let Some(p) = self.proposal(session_id).await? else {
            return Err(self
                .refused(
                    entry(),
                    Refusal::new(
                        "proposal_missing",
                        Some(18),
                        doc(&d),
                        "请先保存获奖建议名单（或写明本届空缺的理由），再提交。",
                        "Save the proposal first.",
                    ),
                    now,
                )
                .await);
        };
        if p.submitted_at.is_some() {
            return Ok(());
        }
        if let Err(r) = decide_proposal(&d.rules, p.entries.len(), &p.empty_reason) {
            return Err(self.refused(entry(), r, now).await);
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        sqlx::query("UPDATE proposals SET submitted_at = $1, submitted_by = $2 WHERE session_id = $3 AND submitted_at IS NULL")
            .bind(at)
            .bind(who.user_id)
            .bind(session_id)
            .execute(tx.conn())
            .await?;
        let names: Vec<&str> = p
            .entries
            .iter()
            .map(|e| e.organisation_name.as_str())
            .collect();
        tx.audit(
            NewEntry::award(who, "proposal.submit", "session", session_id)
                .programme(pid)
                .article(Some(18), &d.rules.meta.name)
                .summary(if names.is_empty() {
                    "提交获奖建议名单：建议本届空缺".to_owned()
                } else {
                    format!(
                        "提交获奖建议名单{}家，提请领导小组审定：{}",
                        names.len(),
                        names.join("、")
                    )
                })
                .state("proposal_submitted"),
        )
        .await?;
        tx.commit().await
    }

    /// The accounts holding the leadership role in a programme: (user id, name).
    pub async fn leadership_accounts(&self, programme_id: i64) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query("SELECT DISTINCT u.id, u.display_name FROM role_grants g JOIN users u ON u.id = g.user_id WHERE g.role = 'leadership' AND g.programme_id = $1 ORDER BY u.id")
            .bind(programme_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect())
    }

    /// The meeting record, if entered.
    pub async fn meeting(&self, session_id: i64) -> Result<Option<Meeting>> {
        let Some(m) = sqlx::query("SELECT id, held_on, place, ballot, members, present, votes_recorded, recorded_at, confirmed_at FROM leadership_meetings WHERE session_id = $1")
            .bind(session_id)
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let d = self.session_detail(session_id).await?;
        let id: i64 = m.get("id");
        let members: Vec<Member> = sqlx::query(
            "SELECT id, user_id, name, present FROM meeting_members WHERE meeting_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Member {
            id: r.get("id"),
            user_id: opt_i64(r, "user_id"),
            name: r.get("name"),
            present: r.get::<i64, _>("present") != 0,
        })
        .collect();
        let recusals = sqlx::query(
            "SELECT member_id, application_id, reason FROM meeting_recusals WHERE meeting_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
        let votes = sqlx::query(
            "SELECT member_id, application_id, vote FROM meeting_votes WHERE meeting_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .filter_map(|r| Some((r.get(0), r.get(1), Vote::parse(&r.get::<String, _>(2))?)))
        .collect();
        let results = sqlx::query("SELECT r.application_id, r.counted, r.agree, r.disagree, r.abstain, r.passed, g.name FROM meeting_results r JOIN applications a ON a.id = r.application_id JOIN organisations g ON g.id = a.organisation_id LEFT JOIN proposal_entries e ON e.session_id = a.session_id AND e.application_id = r.application_id WHERE r.meeting_id = $1 ORDER BY e.position, r.application_id")
            .bind(id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                let n = |c: &str| u32::try_from(r.get::<i64, _>(c)).unwrap_or(0);
                MeetingResult {
                    application_id: r.get("application_id"),
                    organisation_name: r.get("name"),
                    tally: Tally {
                        counted: n("counted"),
                        agree: n("agree"),
                        disagree: n("disagree"),
                        abstain: n("abstain"),
                    },
                    passed: r.get::<i64, _>("passed") != 0,
                }
            })
            .collect();
        let n = |c: &str| u32::try_from(m.get::<i64, _>(c)).unwrap_or(0);
        Ok(Some(Meeting {
            id,
            held_on: parse_date(Some(m.get("held_on"))).unwrap_or_default(),
            place: m.get("place"),
            ballot: if m.get::<String, _>("ballot") == "open" {
                Ballot::Open
            } else {
                Ballot::Secret
            },
            quorum: quorum(&d.rules, n("members"), n("present")),
            members,
            votes_recorded: m.get::<i64, _>("votes_recorded") != 0,
            recusals,
            votes,
            results,
            recorded_at: m.get("recorded_at"),
            confirmed_at: opt_i64(&m, "confirmed_at"),
        }))
    }

    async fn meeting_open(
        &self,
        who: &Who,
        session_id: i64,
        what: &str,
        now: jiff::Timestamp,
    ) -> Result<SessionDetail> {
        let d = self
            .decision_stage(who, session_id, Stage::LeadershipDecision, what, now)
            .await?;
        if self
            .meeting(session_id)
            .await?
            .is_some_and(|m| m.confirmed_at.is_some())
        {
            return Err(self
                .refused(
                    NewEntry::award(who, "meeting.refused", "session", session_id)
                        .programme(d.session.programme_id),
                    Refusal::new(
                        "meeting_confirmed",
                        Some(18),
                        doc(&d),
                        "审定会议记录已确认，不能再修改。",
                        "The meeting record has been confirmed and can no longer be changed.",
                    ),
                    now,
                )
                .await);
        }
        Ok(d)
    }

    /// Record the leadership group's meeting: day, place, members and who attended (Art. 6).
    /// Votes already entered are cleared, since they rest on the members present.
    pub async fn save_meeting(
        &self,
        who: &Who,
        session_id: i64,
        input: &MeetingInput,
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let d = self
            .meeting_open(who, session_id, "记录领导小组审定会议", now)
            .await?;
        let Some(held_on) = Date::strptime("%Y-%m-%d", input.held_on.trim()).ok() else {
            return Err(Error::invalid(
                "held_on",
                "“会议日期”：请填写会议日期（年-月-日）。",
                "Enter the day of the meeting.",
            ));
        };
        if held_on > crate::today(now.as_microsecond()) {
            return Err(Error::invalid(
                "held_on",
                "“会议日期”：会议记录只能在会议召开后录入，日期不能晚于今天。",
                "The meeting day cannot be in the future.",
            ));
        }
        if input.place.trim().is_empty() {
            return Err(Error::invalid(
                "place",
                "“会议地点”：请填写。",
                "Enter the place.",
            ));
        }
        let members: Vec<&MemberInput> = input
            .members
            .iter()
            .filter(|m| !m.name.trim().is_empty())
            .collect();
        if members.is_empty() {
            return Err(Error::invalid(
                "members",
                "“领导小组成员”：请至少列出一名成员。",
                "List the group's members.",
            ));
        }
        let total = u32::try_from(members.len()).unwrap_or(0);
        let present = u32::try_from(members.iter().filter(|m| m.present).count()).unwrap_or(0);
        let q = quorum(&d.rules, total, present);
        let ballot = d.rules.decision.ballot.value;
        let mut tx = self.write(now).await?;
        let at = tx.now();
        let existing: Option<i64> =
            sqlx::query("SELECT id FROM leadership_meetings WHERE session_id = $1")
                .bind(session_id)
                .fetch_optional(tx.conn())
                .await?
                .map(|r| r.get(0));
        let mid = match existing {
            Some(mid) => {
                for t in ["meeting_votes", "meeting_recusals", "meeting_results", "meeting_members"] {
                    sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {t} WHERE meeting_id = $1")))
                        .bind(mid)
                        .execute(tx.conn())
                        .await?;
                }
                sqlx::query("UPDATE leadership_meetings SET held_on = $1, place = $2, ballot = $3, members = $4, present = $5, quorum_met = $6, votes_recorded = 0, recorded_at = $7, recorded_by = $8 WHERE id = $9")
                    .bind(held_on.to_string())
                    .bind(input.place.trim())
                    .bind(ballot_code(ballot))
                    .bind(i64::from(total))
                    .bind(i64::from(present))
                    .bind(i64::from(q.reached))
                    .bind(at)
                    .bind(who.user_id)
                    .bind(mid)
                    .execute(tx.conn())
                    .await?;
                mid
            }
            None => sqlx::query("INSERT INTO leadership_meetings (session_id, held_on, place, ballot, members, present, quorum_met, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
                .bind(session_id)
                .bind(held_on.to_string())
                .bind(input.place.trim())
                .bind(ballot_code(ballot))
                .bind(i64::from(total))
                .bind(i64::from(present))
                .bind(i64::from(q.reached))
                .bind(at)
                .bind(who.user_id)
                .fetch_one(tx.conn())
                .await?
                .get(0),
        };
        for (i, m) in members.iter().enumerate() {
            sqlx::query("INSERT INTO meeting_members (meeting_id, user_id, name, present, position) VALUES ($1, $2, $3, $4, $5)")
                .bind(mid)
                .bind(m.user_id)
                .bind(m.name.trim())
                .bind(i64::from(m.present))
                .bind(i64::try_from(i).unwrap_or(0) + 1)
                .execute(tx.conn())
                .await?;
        }
        let frac = d.rules.decision.quorum_fraction.value;
        tx.audit(
            NewEntry::award(who, "meeting.record", "session", session_id)
                .programme(d.session.programme_id)
                .article(Some(6), &d.rules.meta.name)
                .summary(format!(
                    "记录领导小组审定会议：{}，{}；成员{total}人，出席{present}人（法定人数为成员的{frac}，即{}人），{}",
                    qaward_core::clock::date_zh(held_on),
                    input.place.trim(),
                    q.required,
                    if q.reached { "达到法定人数" } else { "未达到法定人数" }
                ))
                .detail(serde_json::json!({
                    "members": members.iter().map(|m| serde_json::json!({"name": m.name.trim(), "user_id": m.user_id, "present": m.present})).collect::<Vec<_>>(),
                    "quorum": {"fraction": frac.to_string(), "basis": d.rules.decision.quorum_fraction.basis, "required": q.required, "reached": q.reached},
                })),
        )
        .await?;
        tx.commit().await?;
        Ok(mid)
    }

    /// Record the votes on the proposed applicants: recusals (with reasons; those members are
    /// not counted), then per member (named ballot) or counts only (secret ballot). The outcome
    /// of each applicant follows the rule set's majority.
    pub async fn record_votes(
        &self,
        who: &Who,
        session_id: i64,
        input: &[ApplicantVotes],
        now: jiff::Timestamp,
    ) -> Result<()> {
        let d = self
            .meeting_open(who, session_id, "记录领导小组表决结果", now)
            .await?;
        let Some(m) = self.meeting(session_id).await? else {
            return Err(Error::invalid(
                "held_on",
                "请先录入会议日期、地点和出席成员。",
                "Record the meeting first.",
            ));
        };
        let proposal = self.proposal(session_id).await?.unwrap_or(Proposal {
            empty_reason: String::new(),
            entries: Vec::new(),
            saved_at: 0,
            submitted_at: None,
        });
        let ballot = d.rules.decision.ballot.value;
        let mut results = Vec::new();
        for e in &proposal.entries {
            let aid = e.application_id;
            let v = input
                .iter()
                .find(|v| v.application_id == aid)
                .cloned()
                .unwrap_or(ApplicantVotes {
                    application_id: aid,
                    ..Default::default()
                });
            for (mid, reason) in &v.recusals {
                if !m.members.iter().any(|x| x.id == *mid) {
                    return Err(Error::invalid(
                        "recusal",
                        "回避成员不在本次会议成员名单中。",
                        "Unknown member.",
                    ));
                }
                if reason.trim().is_empty() {
                    let name = m
                        .members
                        .iter()
                        .find(|x| x.id == *mid)
                        .map(|x| x.name.clone())
                        .unwrap_or_default();
                    return Err(Error::invalid(
                        "recusal",
                        format!(
                            "“回避理由”：{name}对{}回避，请写明利益冲突的理由。",
                            e.organisation_name
                        ),
                        "Give the reason of each recusal.",
                    ));
                }
            }
            let recused = |mid: i64| v.recusals.iter().any(|(x, _)| *x == mid);
            let counted_members: Vec<&Member> = m
                .members
                .iter()
                .filter(|x| x.present && !recused(x.id))
                .collect();
            let counted = u32::try_from(counted_members.len()).unwrap_or(0);
            let tally = match ballot {
                Ballot::Open => {
                    let mut t = Tally {
                        counted,
                        ..Default::default()
                    };
                    for x in &counted_members {
                        match v
                            .votes
                            .iter()
                            .find(|(mid, _)| *mid == x.id)
                            .map(|(_, v)| *v)
                        {
                            Some(Vote::Agree) => t.agree += 1,
                            Some(Vote::Disagree) => t.disagree += 1,
                            Some(Vote::Abstain) => t.abstain += 1,
                            None => {
                                return Err(Error::invalid(
                                    "votes",
                                    format!(
                                        "“表决”：请录入{}对{}的表决意见。",
                                        x.name, e.organisation_name
                                    ),
                                    "Enter every counted member's vote.",
                                ));
                            }
                        }
                    }
                    t
                }
                Ballot::Secret => {
                    let (agree, disagree, abstain) = v.counts.unwrap_or((0, 0, 0));
                    let t = Tally {
                        counted,
                        agree,
                        disagree,
                        abstain,
                    };
                    if let Err(te) = check_tally(&t) {
                        return Err(Error::invalid(
                            "votes",
                            format!("“{}的票数”：{}", e.organisation_name, te.zh),
                            te.en,
                        ));
                    }
                    t
                }
            };
            results.push((e, v, tally, passes(&d.rules, &m.quorum, &tally)));
        }
        let mut tx = self.write(now).await?;
        for t in ["meeting_votes", "meeting_recusals", "meeting_results"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {t} WHERE meeting_id = $1"
            )))
            .bind(m.id)
            .execute(tx.conn())
            .await?;
        }
        let mut lines = Vec::new();
        for (e, v, t, passed) in &results {
            for (mid, reason) in &v.recusals {
                sqlx::query("INSERT INTO meeting_recusals (meeting_id, member_id, application_id, reason) VALUES ($1, $2, $3, $4)")
                    .bind(m.id)
                    .bind(mid)
                    .bind(e.application_id)
                    .bind(reason.trim())
                    .execute(tx.conn())
                    .await?;
            }
            if ballot == Ballot::Open {
                for (mid, vote) in &v.votes {
                    if v.recusals.iter().any(|(x, _)| x == mid) {
                        continue;
                    }
                    if !m.members.iter().any(|x| x.id == *mid && x.present) {
                        continue;
                    }
                    sqlx::query("INSERT INTO meeting_votes (meeting_id, member_id, application_id, vote) VALUES ($1, $2, $3, $4)")
                        .bind(m.id)
                        .bind(mid)
                        .bind(e.application_id)
                        .bind(vote.code())
                        .execute(tx.conn())
                        .await?;
                }
            }
            sqlx::query("INSERT INTO meeting_results (meeting_id, application_id, counted, agree, disagree, abstain, passed) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(m.id)
                .bind(e.application_id)
                .bind(i64::from(t.counted))
                .bind(i64::from(t.agree))
                .bind(i64::from(t.disagree))
                .bind(i64::from(t.abstain))
                .bind(i64::from(*passed))
                .execute(tx.conn())
                .await?;
            lines.push(format!(
                "{}：计票{}人（回避{}人），同意{}、不同意{}、弃权{}，{}",
                e.organisation_name,
                t.counted,
                v.recusals.len(),
                t.agree,
                t.disagree,
                t.abstain,
                if *passed { "通过" } else { "未通过" }
            ));
        }
        sqlx::query("UPDATE leadership_meetings SET votes_recorded = 1 WHERE id = $1")
            .bind(m.id)
            .execute(tx.conn())
            .await?;
        tx.audit(
            NewEntry::award(who, "meeting.votes", "session", session_id)
                .programme(d.session.programme_id)
                .article(Some(18), &d.rules.meta.name)
                .summary(format!(
                    "记录领导小组表决结果（{}，按{}）：{}",
                    if ballot == Ballot::Open { "记名表决" } else { "无记名投票" },
                    majority_zh(&d),
                    if lines.is_empty() { "建议名单为空，无表决事项".to_owned() } else { lines.join("；") }
                ))
                .detail(serde_json::json!({"majority": format!("{:?}", d.rules.decision.majority.value), "basis": d.rules.decision.majority.basis})),
        )
        .await?;
        tx.commit().await
    }

    /// The office confirms the meeting record; the applicants that passed become the list to
    /// publish. A meeting without a quorum cannot be confirmed.
    pub async fn confirm_meeting(
        &self,
        who: &Who,
        session_id: i64,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let d = self
            .meeting_open(who, session_id, "确认审定名单", now)
            .await?;
        let pid = d.session.programme_id;
        let entry = || {
            NewEntry::award(who, "meeting.confirm.refused", "session", session_id).programme(pid)
        };
        let Some(m) = self.meeting(session_id).await? else {
            return Err(Error::invalid(
                "held_on",
                "请先录入审定会议记录。",
                "Record the meeting first.",
            ));
        };
        if !m.quorum.reached {
            let f = d.rules.decision.quorum_fraction.value;
            return Err(self
                .refused(
                    entry(),
                    Refusal::new(
                        "no_quorum",
                        Some(18),
                        doc(&d),
                        format!(
                            "审定会议须有成员的{f}以上出席（{}）：成员{}人，须至少{}人出席，实到{}人，会议决定无效，不能确认。",
                            d.rules.decision.quorum_fraction.basis.clone().unwrap_or_default(),
                            m.quorum.members,
                            m.quorum.required,
                            m.quorum.present
                        ),
                        format!(
                            "A decision needs {f} of the members present: {} of {} attended, {} needed.",
                            m.quorum.present, m.quorum.members, m.quorum.required
                        ),
                    ),
                    now,
                )
                .await);
        }
        if !m.votes_recorded {
            return Err(Error::invalid(
                "votes",
                "“表决”：请先录入对建议名单的表决结果。",
                "Record the votes first.",
            ));
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        sqlx::query(
            "UPDATE leadership_meetings SET confirmed_at = $1, confirmed_by = $2 WHERE id = $3",
        )
        .bind(at)
        .bind(who.user_id)
        .bind(m.id)
        .execute(tx.conn())
        .await?;
        let passed: Vec<&str> = m
            .results
            .iter()
            .filter(|r| r.passed)
            .map(|r| r.organisation_name.as_str())
            .collect();
        tx.audit(
            NewEntry::award(who, "meeting.confirm", "session", session_id)
                .programme(pid)
                .article(Some(18), &d.rules.meta.name)
                .summary(if passed.is_empty() {
                    "确认领导小组审定结果：本届无审定通过的单位".to_owned()
                } else {
                    format!(
                        "确认领导小组审定名单{}家：{}",
                        passed.len(),
                        passed.join("、")
                    )
                })
                .state("decided"),
        )
        .await?;
        tx.commit().await
    }

    /// The list the leadership group decided and the office confirmed, in proposal order
    /// (empty before confirmation). The approval step works from it.
    pub async fn decided_list(&self, session_id: i64) -> Result<Vec<DecidedEntry>> {
        Ok(sqlx::query("SELECT r.application_id, g.id AS organisation_id, g.name, e.position FROM meeting_results r JOIN leadership_meetings m ON m.id = r.meeting_id JOIN applications a ON a.id = r.application_id JOIN organisations g ON g.id = a.organisation_id JOIN proposal_entries e ON e.session_id = m.session_id AND e.application_id = r.application_id WHERE m.session_id = $1 AND m.confirmed_at IS NOT NULL AND r.passed = 1 ORDER BY e.position")
            .bind(session_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .enumerate()
            .map(|(i, r)| DecidedEntry {
                application_id: r.get("application_id"),
                organisation_id: r.get("organisation_id"),
                organisation_name: r.get("name"),
                position: i64::try_from(i).unwrap_or(0) + 1,
            })
            .collect())
    }

    /// The public notice, if published.
    pub async fn notice(&self, session_id: i64) -> Result<Option<Notice>> {
        Ok(sqlx::query("SELECT starts_on, ends_on, body, address, phone, email, published_at, closed_at FROM public_notices WHERE session_id = $1")
            .bind(session_id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| Notice {
                starts_on: parse_date(Some(r.get("starts_on"))).unwrap_or_default(),
                ends_on: parse_date(Some(r.get("ends_on"))).unwrap_or_default(),
                body: r.get("body"),
                address: r.get("address"),
                phone: r.get("phone"),
                email: r.get("email"),
                published_at: r.get("published_at"),
                closed_at: opt_i64(&r, "closed_at"),
            }))
    }

    /// Publish the notice of the decided list on the portal, with its objection channel, for
    /// at least the rule set's number of days (Art. 18, 28).
    pub async fn publish_notice(
        &self,
        who: &Who,
        session_id: i64,
        input: &NoticeInput,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let d = self
            .decision_stage(who, session_id, Stage::PublicNotice, "发布公示", now)
            .await?;
        let pid = d.session.programme_id;
        if self.notice(session_id).await?.is_some() {
            return Err(Error::invalid(
                "starts_on",
                "本届公示已经发布。",
                "The notice is already published.",
            ));
        }
        let date = |field: &'static str, label: &str, v: &str| {
            Date::strptime("%Y-%m-%d", v.trim()).map_err(|_| {
                Error::invalid(
                    field,
                    format!("“{label}”：请填写日期（年-月-日）。"),
                    format!("{field}: enter a date."),
                )
            })
        };
        let starts_on = date("starts_on", "公示开始日期", &input.starts_on)?;
        let ends_on = date("ends_on", "公示结束日期", &input.ends_on)?;
        for (field, label, v) in [
            ("body", "公示内容", &input.body),
            ("address", "异议受理地址", &input.address),
            ("phone", "异议受理电话", &input.phone),
            ("email", "异议受理电子邮箱", &input.email),
        ] {
            if v.trim().is_empty() {
                return Err(Error::invalid(
                    field,
                    format!("“{label}”：请填写。"),
                    format!("{field}: required."),
                ));
            }
        }
        if !input.email.contains('@') {
            return Err(Error::invalid(
                "email",
                "“异议受理电子邮箱”：请填写有效的电子邮箱地址。",
                "Enter a valid email.",
            ));
        }
        let today = crate::today(now.as_microsecond());
        if let Err(r) = decide_notice(&d.rules, starts_on, ends_on, today) {
            return Err(self
                .refused(
                    NewEntry::award(who, "notice.publish.refused", "session", session_id)
                        .programme(pid),
                    r,
                    now,
                )
                .await);
        }
        let list = self.decided_list(session_id).await?;
        let mut tx = self.write(now).await?;
        let at = tx.now();
        sqlx::query("INSERT INTO public_notices (session_id, starts_on, ends_on, body, address, phone, email, published_at, published_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(session_id)
            .bind(starts_on.to_string())
            .bind(ends_on.to_string())
            .bind(input.body.trim())
            .bind(input.address.trim())
            .bind(input.phone.trim())
            .bind(input.email.trim())
            .bind(at)
            .bind(who.user_id)
            .execute(tx.conn())
            .await?;
        let names: Vec<&str> = list.iter().map(|e| e.organisation_name.as_str()).collect();
        tx.audit(
            NewEntry::award(who, "notice.publish", "session", session_id)
                .programme(pid)
                .article(d.rules.decision.notice_min_days.article, &d.rules.meta.name)
                .summary(format!(
                    "发布{}拟奖名单公示（{}至{}）：{}",
                    d.session.title,
                    qaward_core::clock::date_zh(starts_on),
                    qaward_core::clock::date_zh(ends_on),
                    if names.is_empty() { "本届空缺".to_owned() } else { names.join("、") }
                ))
                .detail(serde_json::json!({"starts_on": starts_on.to_string(), "ends_on": ends_on.to_string(), "min_days": d.rules.decision.notice_min_days.value}))
                .state("notice_published"),
        )
        .await?;
        tx.commit().await
    }

    /// End the notice ("结束公示"): only once its last day has come (Art. 18).
    pub async fn close_notice(
        &self,
        who: &Who,
        session_id: i64,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let d = self
            .decision_stage(who, session_id, Stage::PublicNotice, "结束公示", now)
            .await?;
        let pid = d.session.programme_id;
        let Some(n) = self.notice(session_id).await? else {
            return Err(Error::invalid(
                "starts_on",
                "本届公示尚未发布。",
                "The notice is not published.",
            ));
        };
        if n.closed_at.is_some() {
            return Ok(());
        }
        let today = crate::today(now.as_microsecond());
        if let Err(r) = decide_close_notice(&d.rules, n.ends_on, today) {
            return Err(self
                .refused(
                    NewEntry::award(who, "notice.close.refused", "session", session_id)
                        .programme(pid),
                    r,
                    now,
                )
                .await);
        }
        let mut tx = self.write(now).await?;
        let at = tx.now();
        sqlx::query(
            "UPDATE public_notices SET closed_at = $1, closed_by = $2 WHERE session_id = $3",
        )
        .bind(at)
        .bind(who.user_id)
        .bind(session_id)
        .execute(tx.conn())
        .await?;
        tx.audit(
            NewEntry::award(who, "notice.close", "session", session_id)
                .programme(pid)
                .article(d.rules.decision.notice_min_days.article, &d.rules.meta.name)
                .summary(format!(
                    "结束{}拟奖名单公示（公示期至{}）",
                    d.session.title,
                    qaward_core::clock::date_zh(n.ends_on)
                ))
                .state("notice_closed"),
        )
        .await?;
        tx.commit().await
    }

    /// What the stage gates need of the proposal, the meeting and the notice.
    pub async fn decision_facts(&self, session_id: i64) -> Result<DecisionFacts> {
        let proposal = self.proposal(session_id).await?;
        let meeting = self.meeting(session_id).await?;
        let notice = self.notice(session_id).await?;
        Ok(DecisionFacts {
            proposal_submitted: proposal.is_some_and(|p| p.submitted_at.is_some()),
            meeting_confirmed: meeting.as_ref().is_some_and(|m| m.confirmed_at.is_some()),
            meeting_quorum: meeting.is_some_and(|m| m.quorum.reached),
            notice: notice.map(|n| (n.starts_on, n.ends_on)),
        })
    }
}

fn ballot_code(b: Ballot) -> &'static str {
    match b {
        Ballot::Secret => "secret",
        Ballot::Open => "open",
    }
}

fn majority_zh(d: &SessionDetail) -> &'static str {
    match d.rules.decision.majority.value {
        qaward_core::rules::Majority::MoreThanHalfPresent => "同意票超过出席且未回避成员的半数",
        qaward_core::rules::Majority::TwoThirdsPresent => "同意票达到出席且未回避成员的三分之二",
    }
}
