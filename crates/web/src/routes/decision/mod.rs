//! The office's proposal of winners, the leadership group's meeting record and decided list, and the
//! public notice (Art. 3, 6, 18). The leadership group and discipline read what the office records;
//! only the office changes it.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::view::{FormErrors, PageCtx};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::{Action, Role};
use qaward_core::decision::{Vote, earliest_notice_end};
use qaward_core::refusal::Refusal;
use qaward_core::rules::Ballot;
use qaward_store::decision::{
    ApplicantVotes, DecidedEntry, Meeting, MeetingInput, MemberInput, Notice, NoticeInput,
    Proposal, ProposalInput, RankRow,
};
use qaward_store::session::SessionDetail;
use std::collections::HashMap;

/// The stage in which the proposal is drafted.
pub const PROPOSAL: qaward_core::session::Stage = qaward_core::session::Stage::Proposal;
/// The stage in which the meeting is recorded.
pub const LEADERSHIP: qaward_core::session::Stage = qaward_core::session::Stage::LeadershipDecision;
/// The stage in which the notice is published.
pub const NOTICE: qaward_core::session::Stage = qaward_core::session::Stage::PublicNotice;

/// A refusal as a page shows it: the reason, then the citation.
pub struct RefusalView {
    /// The reason.
    pub message: String,
    /// "依据《…》第十八条", or "".
    pub citation: String,
}

/// A refusal in the reader's language.
pub fn refusal_view(c: &PageCtx, r: &Refusal) -> RefusalView {
    if c.zh() {
        RefusalView {
            message: r.zh.clone(),
            citation: r.citation_zh().unwrap_or_default(),
        }
    } else {
        RefusalView {
            message: r.en.clone(),
            citation: r.citation_en().unwrap_or_default(),
        }
    }
}

/// An applicant of the ranking with what the office ticked and typed.
pub struct RankView {
    /// The row.
    pub row: RankRow,
    /// Proposed.
    pub picked: bool,
    /// Reason typed.
    pub reason: String,
}

/// A member row of the meeting form.
pub struct MemberRow {
    /// Row index.
    pub i: usize,
    /// Account id ("" for a member without an account).
    pub user_id: String,
    /// Name.
    pub name: String,
    /// Present.
    pub present: bool,
    /// Has an account (the name is fixed).
    pub account: bool,
}

/// One member's line for one applicant in the votes form.
pub struct MemberVote {
    /// Member row id.
    pub member_id: i64,
    /// Name.
    pub name: String,
    /// Present.
    pub present: bool,
    /// Recused.
    pub recused: bool,
    /// Recusal reason.
    pub reason: String,
    /// Vote code ("" if none).
    pub vote: String,
}

/// The votes on one proposed applicant.
pub struct VoteBlock {
    /// Application.
    pub application_id: i64,
    /// Organisation name.
    pub name: String,
    /// Members.
    pub members: Vec<MemberVote>,
    /// Secret ballot: agree.
    pub agree: String,
    /// Secret ballot: disagree.
    pub disagree: String,
    /// Secret ballot: abstain.
    pub abstain: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "office_decision.html")]
struct DecisionPage {
    c: PageCtx,
    d: SessionDetail,
    manage: bool,
    ranking: Vec<RankView>,
    proposal: Option<Proposal>,
    proposal_editable: bool,
    meeting_editable: bool,
    empty_reason: String,
    meeting: Option<Meeting>,
    member_rows: Vec<MemberRow>,
    held_on: String,
    place: String,
    vote_blocks: Vec<VoteBlock>,
    ballot_open: bool,
    decided: Vec<DecidedEntry>,
    notice: Option<Notice>,
    notice_form: NoticeInput,
    earliest_end: String,
    today: String,
    objections: usize,
    open_objections: u32,
    errors: FormErrors,
    refusal: Option<RefusalView>,
    saved: String,
}

pub(crate) async fn session_for(
    st: &AppState,
    c: &Ctx,
    sid: i64,
) -> Result<SessionDetail, AppError> {
    let d = c
        .session_for(st, sid, |programme_id| Action::ViewDecision {
            programme_id,
        })
        .await?;
    Ok(d)
}

fn vote_code(v: Vote) -> String {
    v.code().to_owned()
}

#[allow(clippy::too_many_lines)]
async fn decision_view(
    st: &AppState,
    c: &Ctx,
    sid: i64,
    f: Option<(&str, &FormData)>,
    errors: FormErrors,
    refusal: Option<RefusalView>,
    saved: String,
) -> Result<DecisionPage, AppError> {
    let d = session_for(st, c, sid).await?;
    let pid = d.session.programme_id;
    let manage = c
        .authorize(Action::ManageProgramme { programme_id: pid })
        .is_ok();
    let e = |e| c.store_err(e);
    let ranking_rows = st.store.proposal_ranking(sid).await.map_err(e)?;
    let proposal = st.store.proposal(sid).await.map_err(e)?;
    let meeting = st.store.meeting(sid).await.map_err(e)?;
    let decided = st.store.decided_list(sid).await.map_err(e)?;
    let notice = st.store.notice(sid).await.map_err(e)?;
    let accounts = st.store.leadership_accounts(pid).await.map_err(e)?;
    let objections = st.store.objections(sid).await.map_err(e)?;
    let open_objections = st.store.open_objections(sid).await.map_err(e)?;
    let form = |section: &str| f.filter(|(s, _)| *s == section).map(|(_, f)| f);

    // Proposal.
    let pf = form("proposal");
    let picks: Vec<i64> = pf
        .map(|f| {
            f.all("pick")
                .iter()
                .filter_map(|v| v.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let ranking = ranking_rows
        .into_iter()
        .map(|row| {
            let saved = proposal.as_ref().and_then(|p| {
                p.entries
                    .iter()
                    .find(|e| e.application_id == row.application_id)
            });
            let (picked, reason) = match pf {
                Some(f) => (
                    picks.contains(&row.application_id),
                    f.get(&format!("reason.{}", row.application_id)),
                ),
                None => (
                    saved.is_some(),
                    saved.map(|e| e.reason.clone()).unwrap_or_default(),
                ),
            };
            RankView {
                row,
                picked,
                reason,
            }
        })
        .collect();
    let empty_reason = match pf {
        Some(f) => f.get("empty_reason"),
        None => proposal
            .as_ref()
            .map(|p| p.empty_reason.clone())
            .unwrap_or_default(),
    };

    // Meeting.
    let mf = form("meeting");
    let mut member_rows = Vec::new();
    if let Some(f) = mf {
        let mut i = 0;
        while f.pairs().iter().any(|(k, _)| k == &format!("m{i}.name")) {
            let user_id = f.get(&format!("m{i}.user"));
            member_rows.push(MemberRow {
                i,
                account: !user_id.is_empty(),
                user_id,
                name: f.get(&format!("m{i}.name")),
                present: f.get(&format!("m{i}.present")) == "1",
            });
            i += 1;
        }
    } else {
        let saved_members = meeting
            .as_ref()
            .map(|m| m.members.clone())
            .unwrap_or_default();
        for (uid, name) in &accounts {
            let s = saved_members.iter().find(|m| m.user_id == Some(*uid));
            member_rows.push(MemberRow {
                i: member_rows.len(),
                user_id: uid.to_string(),
                name: s.map(|m| m.name.clone()).unwrap_or_else(|| name.clone()),
                present: s.is_some_and(|m| m.present),
                account: true,
            });
        }
        for m in saved_members.iter().filter(|m| m.user_id.is_none()) {
            member_rows.push(MemberRow {
                i: member_rows.len(),
                user_id: String::new(),
                name: m.name.clone(),
                present: m.present,
                account: false,
            });
        }
        for _ in 0..4 {
            member_rows.push(MemberRow {
                i: member_rows.len(),
                user_id: String::new(),
                name: String::new(),
                present: false,
                account: false,
            });
        }
    }
    let (held_on, place) = match mf {
        Some(f) => (f.get("held_on"), f.get("place")),
        None => meeting
            .as_ref()
            .map(|m| (m.held_on.to_string(), m.place.clone()))
            .unwrap_or_default(),
    };

    // Votes.
    let vf = form("votes");
    let mut vote_blocks = Vec::new();
    if let (Some(m), Some(p)) = (&meeting, &proposal) {
        for pe in &p.entries {
            let aid = pe.application_id;
            let res = m.results.iter().find(|r| r.application_id == aid);
            let members = m
                .members
                .iter()
                .map(|mm| {
                    let key = format!("{aid}.{}", mm.id);
                    let saved_rec = m.recusals.iter().find(|(x, a, _)| *x == mm.id && *a == aid);
                    match vf {
                        Some(f) => MemberVote {
                            member_id: mm.id,
                            name: mm.name.clone(),
                            present: mm.present,
                            recused: f.get(&format!("recuse.{key}")) == "1",
                            reason: f.get(&format!("recuse_reason.{key}")),
                            vote: f.get(&format!("vote.{key}")),
                        },
                        None => MemberVote {
                            member_id: mm.id,
                            name: mm.name.clone(),
                            present: mm.present,
                            recused: saved_rec.is_some(),
                            reason: saved_rec.map(|r| r.2.clone()).unwrap_or_default(),
                            vote: m
                                .votes
                                .iter()
                                .find(|(x, a, _)| *x == mm.id && *a == aid)
                                .map(|v| vote_code(v.2))
                                .unwrap_or_default(),
                        },
                    }
                })
                .collect();
            let count = |name: &str, v: Option<u32>| match vf {
                Some(f) => f.get(&format!("{name}.{aid}")),
                None => v.map(|n| n.to_string()).unwrap_or_default(),
            };
            vote_blocks.push(VoteBlock {
                application_id: aid,
                name: pe.organisation_name.clone(),
                members,
                agree: count("agree", res.map(|r| r.tally.agree)),
                disagree: count("disagree", res.map(|r| r.tally.disagree)),
                abstain: count("abstain", res.map(|r| r.tally.abstain)),
            });
        }
    }

    // Notice.
    let today_d = c
        .now
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date();
    let nf = form("notice");
    let default_end = earliest_notice_end(&d.rules, today_d);
    let office_name = st
        .store
        .programme(pid)
        .await
        .map(|p| p.office_name)
        .unwrap_or_default();
    let notice_form = match nf {
        Some(f) => NoticeInput {
            starts_on: f.get("starts_on"),
            ends_on: f.get("ends_on"),
            body: f.get("body"),
            address: f.get("address"),
            phone: f.get("phone"),
            email: f.get("email"),
        },
        None => NoticeInput {
            starts_on: today_d.to_string(),
            ends_on: default_end.to_string(),
            body: format!(
                "根据《{}》第十八条，经评审组评审、市强市办提出建议名单、市质量强市工作领导小组审定，{}拟奖名单如下，现予以公示。公示期间，任何单位或者个人对公示名单有异议的，可实名向{}提出，并提供必要的证明材料（第二十八条）。",
                d.rules.meta.name, d.session.title, office_name
            ),
            address: office_name.clone(),
            phone: String::new(),
            email: String::new(),
        },
    };
    let page = c.page();
    Ok(DecisionPage {
        earliest_end: page.date(default_end),
        today: page.date(today_d),
        c: page,
        manage,
        ranking,
        proposal_editable: manage
            && d.session.stage == PROPOSAL
            && proposal.as_ref().is_none_or(|p| p.submitted_at.is_none()),
        meeting_editable: meeting.as_ref().is_none_or(|m| m.confirmed_at.is_none()),
        proposal,
        empty_reason,
        ballot_open: d.rules.decision.ballot.value == Ballot::Open,
        meeting,
        member_rows,
        held_on,
        place,
        vote_blocks,
        decided,
        notice,
        notice_form,
        objections: objections.len(),
        open_objections,
        errors,
        refusal,
        saved,
        d,
    })
}

/// `GET /office/sessions/{sid}/decision`: proposal, meeting, decided list and notice.
pub async fn page(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    let saved = q.get("saved").cloned().unwrap_or_default();
    decision_view(&st, &c, sid, None, FormErrors::default(), None, saved).await
}

/// The office may change this session's decision records.
pub(crate) async fn manage(st: &AppState, c: &Ctx, sid: i64) -> Result<SessionDetail, AppError> {
    let d = c
        .session_for(st, sid, |programme_id| Action::ManageProgramme {
            programme_id,
        })
        .await?;
    Ok(d)
}

/// The answer to a POST of the decision page: back to the page on success; the page again with
/// what was typed and the message on a bad field (422) or a refusal (409).
async fn answer(
    st: &AppState,
    c: &Ctx,
    sid: i64,
    section: &str,
    f: &FormData,
    r: qaward_store::Result<()>,
) -> Result<Response, AppError> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!(
            "/office/sessions/{sid}/decision?saved={section}#{section}"
        ))
        .into_response()),
        Err(qaward_store::Error::Refused(r)) => {
            let page = c.page();
            let rv = refusal_view(&page, &r);
            Ok((
                StatusCode::CONFLICT,
                decision_view(
                    st,
                    c,
                    sid,
                    Some((section, f)),
                    FormErrors::default(),
                    Some(rv),
                    String::new(),
                )
                .await?,
            )
                .into_response())
        }
        Err(e) => {
            let errors = crate::view::form_error(c, e)?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                decision_view(st, c, sid, Some((section, f)), errors, None, String::new()).await?,
            )
                .into_response())
        }
    }
}

pub(crate) fn who(c: &Ctx) -> qaward_store::Who {
    c.who(Role::CityOffice.code())
}

/// `POST /office/sessions/{sid}/proposal`: save the draft proposal.
pub async fn save_proposal(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    manage(&st, &c, sid).await?;
    let ranking = st.store.proposal_ranking(sid).await?;
    let picks: Vec<i64> = f
        .all("pick")
        .iter()
        .filter_map(|v| v.parse().ok())
        .collect();
    let mut entries: Vec<(i64, String)> = ranking
        .iter()
        .filter(|r| picks.contains(&r.application_id))
        .map(|r| {
            (
                r.application_id,
                f.get(&format!("reason.{}", r.application_id)),
            )
        })
        .collect();
    // Anything ticked that is not on the ranking goes to the store, which refuses it.
    for p in &picks {
        if !entries.iter().any(|(a, _)| a == p) {
            entries.push((*p, f.get(&format!("reason.{p}"))));
        }
    }
    let input = ProposalInput {
        entries,
        empty_reason: f.get("empty_reason"),
    };
    let r = st.store.save_proposal(&who(&c), sid, &input, c.now).await;
    answer(&st, &c, sid, "proposal", &f, r).await
}

/// `POST /office/sessions/{sid}/proposal/submit`: submit (lock) the proposal.
pub async fn submit_proposal(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    manage(&st, &c, sid).await?;
    let r = st.store.submit_proposal(&who(&c), sid, c.now).await;
    answer(&st, &c, sid, "proposal", &f, r).await
}

/// `POST /office/sessions/{sid}/meeting`: the meeting's day, place, members and attendance.
pub async fn save_meeting(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let d = manage(&st, &c, sid).await?;
    let accounts = st.store.leadership_accounts(d.session.programme_id).await?;
    let mut members = Vec::new();
    let mut i = 0;
    while f.pairs().iter().any(|(k, _)| k == &format!("m{i}.name")) {
        let uid: Option<i64> = f.get(&format!("m{i}.user")).parse().ok();
        // An account must hold the leadership role in this programme; its name is the account's.
        let (user_id, name) = match uid.and_then(|u| accounts.iter().find(|(id, _)| *id == u)) {
            Some((id, name)) => (Some(*id), name.clone()),
            None => (None, f.get(&format!("m{i}.name"))),
        };
        members.push(MemberInput {
            user_id,
            name,
            present: f.get(&format!("m{i}.present")) == "1",
        });
        i += 1;
    }
    let input = MeetingInput {
        held_on: f.get("held_on"),
        place: f.get("place"),
        members,
    };
    let r = st
        .store
        .save_meeting(&who(&c), sid, &input, c.now)
        .await
        .map(|_| ());
    answer(&st, &c, sid, "meeting", &f, r).await
}

/// `POST /office/sessions/{sid}/meeting/votes`: recusals and votes per proposed applicant.
pub async fn save_votes(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    manage(&st, &c, sid).await?;
    let e = |e| c.store_err(e);
    let proposal = st.store.proposal(sid).await.map_err(e)?;
    let meeting = st.store.meeting(sid).await.map_err(e)?;
    let mut input = Vec::new();
    if let (Some(p), Some(m)) = (proposal, meeting) {
        for pe in &p.entries {
            let aid = pe.application_id;
            let mut v = ApplicantVotes {
                application_id: aid,
                ..Default::default()
            };
            for mm in &m.members {
                let key = format!("{aid}.{}", mm.id);
                if f.get(&format!("recuse.{key}")) == "1" {
                    v.recusals
                        .push((mm.id, f.get(&format!("recuse_reason.{key}"))));
                }
                if let Some(vote) = Vote::parse(&f.get(&format!("vote.{key}"))) {
                    v.votes.push((mm.id, vote));
                }
            }
            let n = |name: &str| f.get(&format!("{name}.{aid}")).parse::<u32>().unwrap_or(0);
            v.counts = Some((n("agree"), n("disagree"), n("abstain")));
            input.push(v);
        }
    }
    let r = st.store.record_votes(&who(&c), sid, &input, c.now).await;
    answer(&st, &c, sid, "votes", &f, r).await
}

/// `POST /office/sessions/{sid}/meeting/confirm`: confirm the decided list.
pub async fn confirm_meeting(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    manage(&st, &c, sid).await?;
    let r = st.store.confirm_meeting(&who(&c), sid, c.now).await;
    answer(&st, &c, sid, "votes", &f, r).await
}

/// `POST /office/sessions/{sid}/notice`: publish the notice.
pub async fn publish_notice(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    manage(&st, &c, sid).await?;
    let input = NoticeInput {
        starts_on: f.get("starts_on"),
        ends_on: f.get("ends_on"),
        body: f.get("body"),
        address: f.get("address"),
        phone: f.get("phone"),
        email: f.get("email"),
    };
    let r = st.store.publish_notice(&who(&c), sid, &input, c.now).await;
    answer(&st, &c, sid, "notice", &f, r).await
}

/// `POST /office/sessions/{sid}/notice/close`: end the notice ("结束公示").
pub async fn close_notice(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    manage(&st, &c, sid).await?;
    let r = st.store.close_notice(&who(&c), sid, c.now).await;
    answer(&st, &c, sid, "notice", &f, r).await
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(_cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get("/sessions/{id}/notice", notice::notice_page)
        .get("/office/sessions/{sid}/decision", page)
        .post("/office/sessions/{sid}/proposal", save_proposal)
        .post("/office/sessions/{sid}/proposal/submit", submit_proposal)
        .post("/office/sessions/{sid}/meeting", save_meeting)
        .post("/office/sessions/{sid}/meeting/votes", save_votes)
        .post("/office/sessions/{sid}/meeting/confirm", confirm_meeting)
        .post("/office/sessions/{sid}/notice", publish_notice)
        .post("/office/sessions/{sid}/notice/close", close_notice)
}

pub mod notice;
