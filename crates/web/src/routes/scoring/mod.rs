//! Expert scoring (Art. 15, 25): the reviewer's desk, the declaration, the material under review,
//! the blind scorebook, the leader's consensus, and the review report as a page and a PDF. The
//! on-site pages of the same scorebooks are in `onsite::scoring`.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use crate::form::Block;
use crate::routes::application::{Loaded, load};
use crate::view::{FormErrors, PageCtx, download, form_error};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use qaward_core::authz::{Action, Actor, Role, Standing};
use qaward_core::criteria::{Criteria, ItemKind};
use qaward_core::scoring::Edit;
use qaward_core::session::Stage;
use qaward_store::assignment::{Team, TeamMember};
use qaward_store::experts::Expert;
use qaward_store::scoring::{
    Consensus, Phase, ScoreInput, ScoreItem, Scorebook, band_of, item_hundredths, points_text,
    spread_flags, total_hundredths,
};
use qaward_store::session::{AwardSession, SessionDetail};
use std::collections::HashMap;
use std::sync::Arc;

/// The impartiality and confidentiality declaration each reviewer signs per session (Art. 25).
pub const DECLARATION: &[&str] = &[
    "本人自愿参加本届市政府质量奖评审工作，严格遵守《清远市政府质量奖管理办法》及评审工作纪律，坚持公开、公平、公正，独立、客观地评审。",
    "本人与所评审的申报单位存在下列情形之一的，主动申请回避：现在或近三年内在该单位任职；近三年内为该单位提供咨询、培训服务；持有该单位股份或有其他投资关系；近亲属在该单位任职；本人所在单位与该单位存在竞争关系；其他可能影响公正评审的情形（第二十五条）。",
    "本人对评审中知悉的申报材料、商业秘密、评审意见和评审结果严格保密，不复制、不外传、不用于评审以外的任何目的。",
    "本人不接受申报单位的宴请、礼品、礼金及其他可能影响公正评审的利益，不以任何形式干预评审结果。",
    "如有违反，愿接受警告直至取消评审资格的处理（第二十四条），并承担相应责任。",
];

/// A reviewer's standing for an application: default for anyone who is not a reviewer.
pub async fn standing(st: &AppState, c: &Ctx, aid: i64) -> Result<Standing, AppError> {
    let Some(a) = c.actor() else {
        return Ok(Standing::default());
    };
    if !a.has(Role::Reviewer) {
        return Ok(Standing::default());
    }
    match st.store.reviewer_standing(a.user_id, aid, c.now).await {
        Ok((_, mut s, Some(e))) if s.member => {
            // A member reads the file only after signing the session's declaration (Art. 25),
            // whichever URL leads there.
            let app = st.store.application(aid).await?;
            if st
                .store
                .review_declaration(app.session_id, e.id)
                .await?
                .is_none()
            {
                s.member = false;
                s.leader = false;
            }
            Ok(s)
        }
        Ok((_, s, _)) => Ok(s),
        Err(qaward_store::Error::NotFound) => Ok(Standing::default()),
        Err(e) => Err(c.store_err(e)),
    }
}

/// One application on a reviewer's desk.
pub struct DeskApp {
    /// Application.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Industry.
    pub industry: String,
    /// Own items scored.
    pub scored: usize,
    /// Own book submitted.
    pub submitted: bool,
    /// Consensus submitted.
    pub consensus: bool,
    /// Members submitted / members.
    pub team_done: (usize, usize),
    /// On the on-site list: (own on-site book submitted, on-site consensus submitted).
    pub onsite: Option<(bool, bool)>,
}

/// One team of the reviewer.
pub struct DeskTeam {
    /// Session.
    pub session: AwardSession,
    /// Team.
    pub team: Team,
    /// Leader of it.
    pub leader: bool,
    /// Declaration signed (µs).
    pub signed: Option<i64>,
    /// Applications.
    pub apps: Vec<DeskApp>,
}

#[derive(Template, WebTemplate)]
#[template(path = "review_desk.html")]
struct DeskPage {
    c: PageCtx,
    teams: Vec<DeskTeam>,
    experts: Vec<Expert>,
    items: usize,
}

/// `GET /review`: the reviewer's desk: teams, declaration, applications and progress.
pub async fn desk(State(st): State<AppState>, c: Ctx) -> Result<impl IntoResponse, AppError> {
    c.authorize(Action::ReviewerHome)?;
    let uid = c.actor().map(|a| a.user_id).unwrap_or(-1);
    let experts = st.store.experts_of_user(uid).await?;
    let day = c.today();
    let mut teams = Vec::new();
    let mut items = 0;
    for e in experts.iter().filter(|e| e.removed_at.is_none()) {
        for (sid, tid) in st.store.teams_of_expert(e.id).await? {
            let d = st.store.session_detail(sid).await?;
            if d.session.stage == Stage::Closed {
                continue;
            }
            let crit = st.store.criteria(&d.rules.meta.criteria).await?;
            items = crit.items().count();
            let Some(team) = st
                .store
                .teams_on(sid, day)
                .await?
                .into_iter()
                .find(|t| t.id == tid && t.dissolved_at.is_none())
            else {
                continue;
            };
            let leader = team.members.iter().any(|m| m.expert_id == e.id && m.leader);
            let signed = st.store.review_declaration(sid, e.id).await?;
            let mut apps = Vec::new();
            for a in st.store.member_applications(tid, e.id).await? {
                let books = st.store.team_books(a.id, Phase::Material, day).await?;
                let own = books
                    .iter()
                    .find(|(m, _)| m.expert_id == e.id)
                    .map(|(_, b)| b.clone())
                    .unwrap_or_default();
                let cons = st.store.consensus(a.id, Phase::Material).await?;
                let onsite = if st.store.on_onsite_list(a.id).await? {
                    let own = st.store.scorebook(a.id, e.id, Phase::Onsite).await?;
                    let cons = st.store.consensus(a.id, Phase::Onsite).await?;
                    Some((own.submitted_at.is_some(), cons.submitted_at.is_some()))
                } else {
                    None
                };
                apps.push(DeskApp {
                    onsite,
                    id: a.id,
                    name: a.org.name.clone(),
                    industry: a
                        .values
                        .get("identity.industry")
                        .cloned()
                        .unwrap_or_default(),
                    scored: own.scored(),
                    submitted: own.submitted_at.is_some(),
                    consensus: cons.submitted_at.is_some(),
                    team_done: (
                        books
                            .iter()
                            .filter(|(_, b)| b.submitted_at.is_some())
                            .count(),
                        books.len(),
                    ),
                });
            }
            teams.push(DeskTeam {
                session: d.session,
                team,
                leader,
                signed,
                apps,
            });
        }
    }
    Ok(DeskPage {
        c: c.page(),
        teams,
        experts,
        items,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "review_declaration.html")]
struct DeclarationPage {
    c: PageCtx,
    session: AwardSession,
    paragraphs: Vec<&'static str>,
    signed: Option<i64>,
    next: String,
    errors: FormErrors,
}

async fn declaration_standing(
    st: &AppState,
    c: &Ctx,
    sid: i64,
) -> Result<(SessionDetail, Expert), AppError> {
    let d = c.found(
        st.store.session_detail(sid).await,
        Action::SignReviewDeclaration {
            programme_id: -1,
            standing: Standing::default(),
        },
    )?;
    let uid = c.actor().map(|a| a.user_id).unwrap_or(-1);
    let (pid, s, e) = st.store.reviewer_session_standing(uid, sid, c.now).await?;
    c.authorize(Action::SignReviewDeclaration {
        programme_id: pid,
        standing: s,
    })?;
    let e = e.ok_or_else(|| c.not_found())?;
    Ok((d, e))
}

/// `GET /review/sessions/{sid}/declaration`: the declaration to sign before any material.
pub async fn declaration_page(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    let (d, e) = declaration_standing(&st, &c, sid).await?;
    let signed = st.store.review_declaration(sid, e.id).await?;
    Ok(DeclarationPage {
        c: c.page(),
        session: d.session,
        paragraphs: DECLARATION.to_vec(),
        signed,
        next: safe_next(q.get("next")),
        errors: FormErrors::default(),
    })
}

fn safe_next(n: Option<&String>) -> String {
    n.and_then(|n| crate::view::safe_local_path(n))
        .filter(|n| n.starts_with("/review/"))
        .unwrap_or("/review")
        .to_owned()
}

/// `POST /review/sessions/{sid}/declaration`: sign it.
pub async fn declaration_sign(
    State(st): State<AppState>,
    c: Ctx,
    Path(sid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let (d, e) = declaration_standing(&st, &c, sid).await?;
    if f.get("agree") != "yes" {
        let mut errors = FormErrors::default();
        errors.push(
            "agree",
            c.page()
                .t("“承诺”：请阅读并勾选“本人已阅读并承诺遵守以上各项”后签署。"),
        );
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            DeclarationPage {
                c: c.page(),
                session: d.session,
                paragraphs: DECLARATION.to_vec(),
                signed: None,
                next: safe_next(Some(&f.get("next"))),
                errors,
            },
        )
            .into_response());
    }
    st.store
        .sign_review_declaration(
            &c.who(Role::Reviewer.code()),
            sid,
            &e,
            &DECLARATION.join("\n"),
            c.now,
        )
        .await?;
    Ok(Redirect::to(&safe_next(Some(&f.get("next")))).into_response())
}

/// Everything a reviewer page needs about one application.
pub(crate) struct ReviewCtx {
    pub(crate) phase: Phase,
    pub(crate) app: qaward_store::application::Application,
    pub(crate) d: SessionDetail,
    pub(crate) crit: Arc<Criteria>,
    pub(crate) expert: Expert,
    pub(crate) standing: Standing,
}

/// Authorize a reviewer on an application (conflicts and removal first, no override), and send
/// them to sign the declaration if they have not.
pub(crate) async fn reviewer_ctx(
    st: &AppState,
    c: &Ctx,
    aid: i64,
    lead: bool,
    phase: Phase,
) -> Result<Result<ReviewCtx, Response>, AppError> {
    let unknown = Action::ReviewApplication {
        programme_id: -1,
        standing: Standing::default(),
    };
    let uid = c.actor().map(|a| a.user_id).unwrap_or(-1);
    let (pid, s, e) = c.found(st.store.reviewer_standing(uid, aid, c.now).await, unknown)?;
    let action = if lead {
        Action::LeadConsensus {
            programme_id: pid,
            standing: s,
        }
    } else {
        Action::ReviewApplication {
            programme_id: pid,
            standing: s,
        }
    };
    c.authorize(match phase {
        Phase::Material => action,
        // On-site pages exist only for applicants on the on-site list (Art. 16).
        Phase::Onsite => Action::Onsite {
            on_list: st.store.on_onsite_list(aid).await?,
            inner: Box::new(action),
        },
    })?;
    let expert = e.ok_or_else(|| c.not_found())?;
    let app = st.store.application(aid).await?;
    if st
        .store
        .review_declaration(app.session_id, expert.id)
        .await?
        .is_none()
    {
        return Ok(Err(Redirect::to(&format!(
            "/review/sessions/{}/declaration?next={}",
            app.session_id,
            urlencoding::encode(&c.path)
        ))
        .into_response()));
    }
    let d = st.store.session_detail(app.session_id).await?;
    let crit = st.store.criteria(&d.rules.meta.criteria).await?;
    Ok(Ok(ReviewCtx {
        phase,
        app,
        d,
        crit,
        expert,
        standing: s,
    }))
}

macro_rules! reviewer {
    ($st:expr, $c:expr, $aid:expr, $lead:expr) => {
        reviewer!($st, $c, $aid, $lead, Phase::Material)
    };
    ($st:expr, $c:expr, $aid:expr, $lead:expr, $phase:expr) => {
        match reviewer_ctx($st, $c, $aid, $lead, $phase).await? {
            Ok(r) => r,
            Err(redirect) => return Ok(redirect),
        }
    };
}
pub(crate) use reviewer;

/// Where an application's pages of a phase live.
pub(crate) fn phase_base(aid: i64, phase: Phase) -> String {
    match phase {
        Phase::Material => format!("/review/applications/{aid}"),
        Phase::Onsite => format!("/review/applications/{aid}/onsite"),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "review_application.html")]
struct ReviewAppPage {
    c: PageCtx,
    l: Loaded,
    sections: Vec<(String, Vec<Block>)>,
    score: String,
    leader: bool,
    book: Scorebook,
    items: usize,
    errors: FormErrors,
    reason: String,
    editable: bool,
}

/// `GET /review/applications/{aid}`: the material under review, and the way to one's scorebook.
pub async fn application(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<Response, AppError> {
    let r = reviewer!(&st, &c, aid, false);
    application_view(&st, &c, r, FormErrors::default(), String::new()).await
}

async fn application_view(
    st: &AppState,
    c: &Ctx,
    r: ReviewCtx,
    errors: FormErrors,
    reason: String,
) -> Result<Response, AppError> {
    let l = load(st, c, r.app.id, false).await?;
    let page = c.page();
    let book = st
        .store
        .scorebook(r.app.id, r.expert.id, Phase::Material)
        .await?;
    let status = if errors.any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        ReviewAppPage {
            sections: l.all_blocks(page.lang),
            score: l.self_score(),
            c: page,
            l,
            leader: r.standing.leader,
            book,
            items: r.crit.items().count(),
            errors,
            reason,
            editable: false,
        },
    )
        .into_response())
}

/// `POST /review/applications/{aid}/conflict`: declare a conflict; access ends at once.
pub async fn declare_conflict(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    let r = reviewer!(&st, &c, aid, false);
    let reason = f.get("reason");
    match st
        .store
        .declare_conflict(
            &c.who(Role::Reviewer.code()),
            r.expert.id,
            aid,
            &reason,
            c.now,
        )
        .await
    {
        Ok(()) => Ok(Redirect::to("/review?declared=1").into_response()),
        Err(e) => {
            let errors = form_error(&c, e)?;
            application_view(&st, &c, r, errors, reason).await
        }
    }
}

/// One item of the scorebook form.
pub struct ItemRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Points.
    pub points: u32,
    /// Process or result.
    pub kind: &'static str,
    /// Category heading, on the first item of a category.
    pub category: Option<String>,
    /// Dimensions to judge on (A-D-L-I or Le-T-C-I).
    pub dims: String,
    /// The item as shown (typed or stored).
    pub v: ScoreItem,
    /// Percentage as text ("" for none).
    pub percent: String,
    /// Points earned as text.
    pub earned: String,
    /// Message for this item.
    pub error: String,
    /// Members' submitted percentages (consensus page).
    pub members: Vec<(String, Option<u32>)>,
    /// Mean of members' percentages.
    pub mean: String,
    /// Spread (max − min).
    pub spread: Option<u32>,
    /// Spread above the threshold.
    pub flagged: bool,
}

/// A band and its percentages, for the select.
pub struct BandOpt {
    /// Band.
    pub band: u32,
    /// Label.
    pub label: String,
    /// Percentages.
    pub percents: Vec<u32>,
}

fn band_options(crit: &Criteria, step: u32, zh: bool) -> Vec<BandOpt> {
    crit.bands
        .iter()
        .map(|b| BandOpt {
            band: b.band,
            label: if zh {
                format!("第{}档（{}%–{}%）", b.band, b.min_percent, b.max_percent)
            } else {
                format!("Band {} ({}–{}%)", b.band, b.min_percent, b.max_percent)
            },
            percents: (b.min_percent..=b.max_percent)
                .filter(|p| step == 0 || p % step == 0)
                .collect(),
        })
        .collect()
}

/// The items typed in a scorebook or consensus form (`percent.<item>` and its comments); the
/// store checks them against the criteria.
fn typed_inputs(f: &FormData) -> Vec<ScoreInput> {
    f.pairs()
        .iter()
        .filter_map(|(k, _)| k.strip_prefix("percent."))
        .map(|id| ScoreInput {
            item_id: id.to_owned(),
            percent: f.get(&format!("percent.{id}")),
            band: String::new(),
            strengths: f.raw(&format!("strengths.{id}")),
            opportunities: f.raw(&format!("opportunities.{id}")),
            verify_points: f.raw(&format!("verify.{id}")),
        })
        .collect()
}

fn item_rows(
    crit: &Criteria,
    stored: &std::collections::BTreeMap<String, ScoreItem>,
    f: Option<&FormData>,
    errors: &FormErrors,
    zh: bool,
) -> Vec<ItemRow> {
    let mut rows = Vec::new();
    for cat in &crit.categories {
        for (i, it) in cat.items.iter().enumerate() {
            let v = match f {
                Some(f) => ScoreItem {
                    percent: f.get(&format!("percent.{}", it.id)).parse().ok(),
                    strengths: f.raw(&format!("strengths.{}", it.id)),
                    opportunities: f.raw(&format!("opportunities.{}", it.id)),
                    verify_points: f.raw(&format!("verify.{}", it.id)),
                },
                None => stored.get(&it.id).cloned().unwrap_or_default(),
            };
            let dims = crit
                .dimensions_for(it.kind)
                .iter()
                .map(|d| {
                    if zh {
                        d.name.clone()
                    } else {
                        d.name_en.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" · ");
            rows.push(ItemRow {
                id: it.id.clone(),
                name: if zh {
                    it.name.clone()
                } else {
                    it.name_en.clone()
                },
                points: it.points,
                kind: match it.kind {
                    ItemKind::Process => "process",
                    ItemKind::Result => "result",
                },
                category: (i == 0).then(|| {
                    format!(
                        "{} {}（{}分）",
                        cat.id,
                        if zh { &cat.name } else { &cat.name_en },
                        cat.points
                    )
                }),
                dims,
                percent: v.percent.map(|p| p.to_string()).unwrap_or_default(),
                earned: v
                    .percent
                    .map(|p| points_text(item_hundredths(it.points, p)))
                    .unwrap_or_default(),
                v,
                error: errors.of(&format!("item.{}", it.id)),
                members: Vec::new(),
                mean: String::new(),
                spread: None,
                flagged: false,
            });
        }
    }
    rows
}

/// A store error about an item, placed beside that item.
#[derive(Template, WebTemplate)]
#[template(path = "scorebook.html")]
struct ScorebookPage {
    c: PageCtx,
    app: qaward_store::application::Application,
    session: AwardSession,
    expert: Expert,
    book: Scorebook,
    rows: Vec<ItemRow>,
    bands: Vec<BandOpt>,
    total: String,
    open: bool,
    errors: FormErrors,
    reason: String,
    saved: bool,
    base: String,
    onsite: bool,
}

fn scorebook_view(
    c: &Ctx,
    r: ReviewCtx,
    book: Scorebook,
    f: Option<&FormData>,
    errors: FormErrors,
    saved: bool,
) -> ScorebookPage {
    let page = c.page();
    let zh = page.zh();
    let step = r.d.rules.review.score_step_percent.value;
    let rows = item_rows(&r.crit, &book.items, f, &errors, zh);
    ScorebookPage {
        total: points_text(total_hundredths(&r.crit, &book.items)),
        bands: band_options(&r.crit, step, zh),
        open: r.d.session.stage == r.phase.stage(),
        reason: f.map(|f| f.get("reason")).unwrap_or_default(),
        base: phase_base(r.app.id, r.phase),
        onsite: r.phase == Phase::Onsite,
        c: page,
        app: r.app,
        session: r.d.session,
        expert: r.expert,
        book,
        rows,
        errors,
        saved,
    }
}

/// `GET /review/applications/{aid}/score`: one's own scorebook, blind to the others.
pub async fn scorebook(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    scorebook_in(st, c, aid, q, Phase::Material).await
}

pub(crate) async fn scorebook_in(
    st: AppState,
    c: Ctx,
    aid: i64,
    q: HashMap<String, String>,
    phase: Phase,
) -> Result<Response, AppError> {
    let r = reviewer!(&st, &c, aid, false, phase);
    let book = st.store.scorebook(aid, r.expert.id, phase).await?;
    Ok(scorebook_view(
        &c,
        r,
        book,
        None,
        FormErrors::default(),
        q.contains_key("saved"),
    )
    .into_response())
}

/// `POST /review/applications/{aid}/score`: save (a reason is needed once submitted).
pub async fn score_save(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    score_save_in(st, c, aid, f, Phase::Material).await
}

pub(crate) async fn score_save_in(
    st: AppState,
    c: Ctx,
    aid: i64,
    f: FormData,
    phase: Phase,
) -> Result<Response, AppError> {
    book_post(st, c, aid, f, phase, Edit::Save).await
}

/// The person's account, for a command that authorizes on the facts it reads (a visitor is
/// refused here, as any page of the review refuses them).
fn reviewer_account(c: &Ctx) -> Result<&Actor, AppError> {
    c.authorize(Action::ReviewerHome)?;
    c.actor().ok_or_else(|| c.not_found())
}

/// A store error of a scoring command, for a page: an unknown application is refused like
/// one of another programme (see `Ctx::found`); a missing declaration sends the reviewer to
/// sign it; a field's problem goes back to the form.
fn scoring_error(c: &Ctx, aid: i64, e: qaward_store::Error) -> Result<FormErrors, Box<Response>> {
    let unknown = Action::ReviewApplication {
        programme_id: -1,
        standing: Standing::default(),
    };
    let page = match e {
        qaward_store::Error::NotFound => c
            .found::<()>(Err(qaward_store::Error::NotFound), unknown)
            .unwrap_err()
            .into_response(),
        // There are no on-site pages for an applicant off the on-site list (Art. 16): the
        // refusal, recorded by the command, is shown as those pages show it.
        qaward_store::Error::Refused(r) if r.code == "not_onsite" => c
            .authorize(Action::Onsite {
                on_list: false,
                inner: Box::new(Action::ReviewerHome),
            })
            .err()
            .map(IntoResponse::into_response)
            .unwrap_or_else(|| c.not_found().into_response()),
        qaward_store::Error::Refused(r) if r.code == "declaration_missing" => {
            Redirect::to(&format!("/review/applications/{aid}")).into_response()
        }
        e => return form_error(c, e).map_err(|e| Box::new(e.into_response())),
    };
    Err(Box::new(page))
}

/// Save or submit one's own scorebook: one command that decides on what it reads inside its
/// transaction; the page is read again only to show a problem beside its field.
async fn book_post(
    st: AppState,
    c: Ctx,
    aid: i64,
    f: FormData,
    phase: Phase,
    edit: Edit,
) -> Result<Response, AppError> {
    let actor = reviewer_account(&c)?;
    let inputs = typed_inputs(&f);
    let res = st
        .store
        .edit_scorebook(
            &c.who(Role::Reviewer.code()),
            actor,
            aid,
            phase,
            &inputs,
            &f.get("reason"),
            edit,
            c.now,
        )
        .await;
    let errors = match res {
        Ok(_) => {
            let next = match edit {
                Edit::Save => format!("{}/score?saved=1", phase_base(aid, phase)),
                Edit::Submit => format!("{}/consensus", phase_base(aid, phase)),
            };
            return Ok(Redirect::to(&next).into_response());
        }
        Err(e) => match scoring_error(&c, aid, e) {
            Ok(errors) => errors,
            Err(resp) => return Ok(*resp),
        },
    };
    let r = reviewer!(&st, &c, aid, false, phase);
    let book = st.store.scorebook(aid, r.expert.id, phase).await?;
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        scorebook_view(&c, r, book, Some(&f), errors, false),
    )
        .into_response())
}

/// `POST /review/applications/{aid}/score/autosave`: the draft as it is typed.
pub async fn score_autosave(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    score_autosave_in(st, c, aid, f, Phase::Material).await
}

pub(crate) async fn score_autosave_in(
    st: AppState,
    c: Ctx,
    aid: i64,
    f: FormData,
    phase: Phase,
) -> Result<Response, AppError> {
    let actor = reviewer_account(&c)?;
    let page = c.page();
    let res = st
        .store
        .edit_scorebook(
            &c.who(Role::Reviewer.code()),
            actor,
            aid,
            phase,
            &typed_inputs(&f),
            &f.get("reason"),
            Edit::Save,
            c.now,
        )
        .await;
    let msg = match res {
        Ok(_) => {
            let t = qaward_core::clock::format_micros(c.now.as_microsecond());
            format!("{} {}", page.t("草稿已自动保存"), t.get(11..).unwrap_or(&t))
        }
        Err(e) => match scoring_error(&c, aid, e) {
            Ok(errors) => errors
                .0
                .into_iter()
                .map(|e| e.message)
                .collect::<Vec<_>>()
                .join(" "),
            Err(resp) => return Ok(*resp),
        },
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        msg,
    )
        .into_response())
}

/// `POST /review/applications/{aid}/score/submit`: submit one's independent scores.
pub async fn score_submit(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    score_submit_in(st, c, aid, f, Phase::Material).await
}

pub(crate) async fn score_submit_in(
    st: AppState,
    c: Ctx,
    aid: i64,
    f: FormData,
    phase: Phase,
) -> Result<Response, AppError> {
    book_post(st, c, aid, f, phase, Edit::Submit).await
}

#[derive(Template, WebTemplate)]
#[template(path = "consensus.html")]
struct ConsensusPage {
    c: PageCtx,
    app: qaward_store::application::Application,
    session: AwardSession,
    team: Option<Team>,
    leader: bool,
    own_submitted: bool,
    pending: Vec<String>,
    cons: Consensus,
    rows: Vec<ItemRow>,
    bands: Vec<BandOpt>,
    total: String,
    flag_points: u32,
    flagged: usize,
    open: bool,
    summary: String,
    suggestions: String,
    reason: String,
    versions: Vec<qaward_store::scoring::Version>,
    errors: FormErrors,
    base: String,
    onsite: bool,
}

async fn consensus_view(
    st: &AppState,
    c: &Ctx,
    r: ReviewCtx,
    f: Option<&FormData>,
    errors: FormErrors,
) -> Result<ConsensusPage, AppError> {
    let page = c.page();
    let zh = page.zh();
    let day = c.today();
    let aid = r.app.id;
    let phase = r.phase;
    let books = st.store.team_books(aid, phase, day).await?;
    let own_submitted = books
        .iter()
        .any(|(m, b)| m.expert_id == r.expert.id && b.submitted_at.is_some());
    let pending: Vec<String> = books
        .iter()
        .filter(|(_, b)| b.submitted_at.is_none())
        .map(|(m, _)| m.name.clone())
        .collect();
    let cons = st.store.consensus(aid, phase).await?;
    let flag = r.d.rules.review.spread_flag_points.value;
    let mut rows = item_rows(&r.crit, &cons.items, f, &errors, zh);
    // Members' scores are shown only to those who have submitted their own (blind review).
    let visible: Vec<&(TeamMember, Scorebook)> = if own_submitted {
        books
            .iter()
            .filter(|(_, b)| b.submitted_at.is_some())
            .collect()
    } else {
        Vec::new()
    };
    let submitted_books: Vec<Scorebook> = visible.iter().map(|(_, b)| b.clone()).collect();
    let flags = spread_flags(&r.crit, &submitted_books, flag);
    for row in &mut rows {
        row.members = visible
            .iter()
            .map(|(m, b)| (m.name.clone(), b.items.get(&row.id).and_then(|s| s.percent)))
            .collect();
        let ps: Vec<u32> = row.members.iter().filter_map(|(_, p)| *p).collect();
        if !ps.is_empty() {
            let sum: u32 = ps.iter().sum();
            row.mean = format!("{:.1}%", f64::from(sum) / ps.len() as f64);
            row.spread = Some(ps.iter().max().unwrap_or(&0) - ps.iter().min().unwrap_or(&0));
        }
        row.flagged = flags.contains(&row.id);
    }
    let team = st.store.team_of(aid, day).await?;
    Ok(ConsensusPage {
        total: points_text(total_hundredths(&r.crit, &cons.items)),
        bands: band_options(&r.crit, r.d.rules.review.score_step_percent.value, zh),
        flagged: flags.len(),
        flag_points: flag,
        open: r.d.session.stage == phase.stage(),
        base: phase_base(aid, phase),
        onsite: phase == Phase::Onsite,
        summary: f
            .map(|f| f.raw("summary"))
            .unwrap_or_else(|| cons.summary.clone()),
        suggestions: f
            .map(|f| f.raw("suggestions"))
            .unwrap_or_else(|| cons.suggestions.clone()),
        reason: f.map(|f| f.get("reason")).unwrap_or_default(),
        // Submitted versions carry members' scores: blind like the table above.
        versions: st
            .store
            .score_versions(aid, phase)
            .await?
            .into_iter()
            .filter(|v| own_submitted || v.expert_id.is_none_or(|x| x == r.expert.id))
            .collect(),
        leader: r.standing.leader,
        own_submitted,
        pending,
        cons,
        rows,
        team,
        c: page,
        app: r.app,
        session: r.d.session,
        errors,
    })
}

/// `GET /review/applications/{aid}/consensus`: every member's score (once one's own is
/// submitted), mean, spread and flags; the leader records the agreed score per item.
pub async fn consensus(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<Response, AppError> {
    consensus_in(st, c, aid, Phase::Material).await
}

pub(crate) async fn consensus_in(
    st: AppState,
    c: Ctx,
    aid: i64,
    phase: Phase,
) -> Result<Response, AppError> {
    let r = reviewer!(&st, &c, aid, false, phase);
    Ok(consensus_view(&st, &c, r, None, FormErrors::default())
        .await?
        .into_response())
}

/// `POST /review/applications/{aid}/consensus`: the leader saves the consensus.
pub async fn consensus_save(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
    f: FormData,
) -> Result<Response, AppError> {
    consensus_save_in(st, c, aid, f, Phase::Material).await
}

pub(crate) async fn consensus_save_in(
    st: AppState,
    c: Ctx,
    aid: i64,
    f: FormData,
    phase: Phase,
) -> Result<Response, AppError> {
    let actor = reviewer_account(&c)?;
    let edit = if f.get("submit") == "1" {
        Edit::Submit
    } else {
        Edit::Save
    };
    let res = st
        .store
        .edit_consensus(
            &c.who(Role::Reviewer.code()),
            actor,
            aid,
            phase,
            &typed_inputs(&f),
            Some((&f.raw("summary"), &f.raw("suggestions"))),
            &f.get("reason"),
            edit,
            c.now,
        )
        .await;
    let errors = match res {
        Ok(_) => {
            return Ok(
                Redirect::to(&format!("{}/consensus?saved=1", phase_base(aid, phase)))
                    .into_response(),
            );
        }
        Err(e) => match scoring_error(&c, aid, e) {
            Ok(errors) => errors,
            Err(resp) => return Ok(*resp),
        },
    };
    let r = reviewer!(&st, &c, aid, true, phase);
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        consensus_view(&st, &c, r, Some(&f), errors).await?,
    )
        .into_response())
}

/// One category of the report.
pub struct ReportCategory {
    /// Id and name.
    pub title: String,
    /// Points.
    pub points: u32,
    /// Score.
    pub score: String,
    /// Items.
    pub items: Vec<ItemRow>,
}

#[derive(Template, WebTemplate)]
#[template(path = "review_report.html")]
struct ReportPage {
    c: PageCtx,
    app: qaward_store::application::Application,
    session: AwardSession,
    team: Option<Team>,
    cons: Consensus,
    categories: Vec<ReportCategory>,
    total: String,
    outcome: Option<bool>,
    justification: String,
    base: String,
    onsite: bool,
}

/// Everything a review report shows of one application.
pub(crate) struct ReportData {
    phase: Phase,
    pub(crate) app: qaward_store::application::Application,
    d: Arc<SessionDetail>,
    crit: Arc<Criteria>,
    team: Option<Team>,
    cons: Consensus,
    outcome: Option<bool>,
    justification: String,
}

/// The session-wide parts of review reports, read once for any number of them.
pub(crate) struct ReportSession {
    /// The session with its rules.
    pub d: Arc<SessionDetail>,
    /// Its criteria.
    pub crit: Arc<Criteria>,
    /// Its on-site list, once decided.
    pub list: Option<qaward_store::onsite::OnsiteList>,
    /// The issuing office.
    pub office: String,
}

impl ReportSession {
    /// Read the session-wide parts of session `sid`'s reports.
    pub(crate) async fn load(st: &AppState, sid: i64) -> qaward_store::Result<ReportSession> {
        let d = st.store.session_detail(sid).await?;
        let crit = st.store.criteria(&d.rules.meta.criteria).await?;
        let list = st.store.onsite_list(sid).await?;
        let office = st
            .store
            .programme(d.session.programme_id)
            .await?
            .office_name;
        Ok(ReportSession {
            d: Arc::new(d),
            crit,
            list,
            office,
        })
    }

    /// The report data of `app` (of this session) in `phase`, with its team as on `today`.
    pub(crate) async fn report(
        &self,
        st: &AppState,
        app: qaward_store::application::Application,
        phase: Phase,
        today: jiff::civil::Date,
    ) -> qaward_store::Result<ReportData> {
        let aid = app.id;
        let cons = st.store.consensus(aid, phase).await?;
        let team = st.store.team_of(aid, today).await?;
        Ok(ReportData {
            phase,
            outcome: self
                .list
                .as_ref()
                .filter(|_| phase == Phase::Material)
                .map(|l| l.entries.iter().any(|(a, ..)| *a == aid)),
            justification: self
                .list
                .as_ref()
                .map(|l| l.justification.clone())
                .unwrap_or_default(),
            app,
            d: self.d.clone(),
            crit: self.crit.clone(),
            team,
            cons,
        })
    }
}

async fn report_data(
    st: &AppState,
    c: &Ctx,
    aid: i64,
    phase: Phase,
) -> Result<ReportData, AppError> {
    let unknown = Action::ViewReviewReport {
        programme_id: -1,
        organisation_id: -1,
        standing: Standing::default(),
        released: false,
    };
    let app = c.found(st.store.application(aid).await, unknown.clone())?;
    // A review report exists only for an application in review: any other is refused like
    // an unknown id, whoever asks.
    if app.status != qaward_store::application::Status::Eligible {
        return Err(match c.authorize(unknown) {
            Err(e) => e,
            Ok(()) => c.not_found(),
        });
    }
    let review = standing(st, c, aid).await?;
    let released = match phase {
        Phase::Material => st.store.feedback_released(aid).await,
        Phase::Onsite => st.store.onsite_released(aid).await.map(|r| r.is_some()),
    }?;
    let action = Action::ViewReviewReport {
        programme_id: app.programme_id,
        organisation_id: app.org.id,
        standing: review,
        released,
    };
    c.authorize(match phase {
        Phase::Material => action,
        Phase::Onsite => Action::Onsite {
            on_list: st.store.on_onsite_list(aid).await?,
            inner: Box::new(action),
        },
    })?;
    let rs = ReportSession::load(st, app.session_id).await?;
    rs.report(st, app, phase, c.today())
        .await
        .map_err(|e| c.store_err(e))
}

fn report_categories(r: &ReportData, zh: bool) -> Vec<ReportCategory> {
    let rows = item_rows(&r.crit, &r.cons.items, None, &FormErrors::default(), zh);
    r.crit
        .categories
        .iter()
        .map(|cat| {
            let items: Vec<ItemRow> = rows
                .iter()
                .filter(|x| cat.items.iter().any(|i| i.id == x.id))
                .map(|x| ItemRow {
                    category: None,
                    members: Vec::new(),
                    ..clone_row(x)
                })
                .collect();
            let score: i64 = cat
                .items
                .iter()
                .filter_map(|i| {
                    r.cons
                        .items
                        .get(&i.id)
                        .and_then(|s| s.percent)
                        .map(|p| item_hundredths(i.points, p))
                })
                .sum();
            ReportCategory {
                title: format!("{} {}", cat.id, if zh { &cat.name } else { &cat.name_en }),
                points: cat.points,
                score: points_text(score),
                items,
            }
        })
        .collect()
}

fn clone_row(x: &ItemRow) -> ItemRow {
    ItemRow {
        id: x.id.clone(),
        name: x.name.clone(),
        points: x.points,
        kind: x.kind,
        category: x.category.clone(),
        dims: x.dims.clone(),
        v: x.v.clone(),
        percent: x.percent.clone(),
        earned: x.earned.clone(),
        error: String::new(),
        members: Vec::new(),
        mean: String::new(),
        spread: None,
        flagged: false,
    }
}

/// `GET /review/applications/{aid}/report`: the material review report (Art. 15).
pub async fn report(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<Response, AppError> {
    report_in(st, c, aid, Phase::Material).await
}

pub(crate) async fn report_in(
    st: AppState,
    c: Ctx,
    aid: i64,
    phase: Phase,
) -> Result<Response, AppError> {
    let r = report_data(&st, &c, aid, phase).await?;
    let page = c.page();
    Ok(ReportPage {
        base: phase_base(aid, phase),
        onsite: phase == Phase::Onsite,
        categories: report_categories(&r, page.zh()),
        total: points_text(total_hundredths(&r.crit, &r.cons.items)),
        c: page,
        session: r.d.session.clone(),
        app: r.app,
        team: r.team,
        cons: r.cons,
        outcome: r.outcome,
        justification: r.justification,
    }
    .into_response())
}

/// `GET /review/applications/{aid}/report.pdf`: the same report as a PDF.
pub async fn report_pdf(
    State(st): State<AppState>,
    c: Ctx,
    Path(aid): Path<i64>,
) -> Result<Response, AppError> {
    report_pdf_in(st, c, aid, Phase::Material).await
}

pub(crate) async fn report_pdf_in(
    st: AppState,
    c: Ctx,
    aid: i64,
    phase: Phase,
) -> Result<Response, AppError> {
    let r = report_data(&st, &c, aid, phase).await?;
    let office = st
        .store
        .programme(r.d.session.programme_id)
        .await?
        .office_name;
    let (title, data) = report_pdf_data(&r, &office, c.now);
    let bytes = st
        .render_pdf(qaward_docs::Template::ReviewReport, data)
        .await?;
    Ok(download(
        bytes,
        "application/pdf",
        &format!("{}{title}.pdf", r.app.org.name),
    ))
}

/// The title of a review report and the data its PDF template reads, as generated at `now`
/// by `office`.
pub(crate) fn report_pdf_data(
    r: &ReportData,
    office: &str,
    now: jiff::Timestamp,
) -> (&'static str, serde_json::Value) {
    let onsite = r.phase == Phase::Onsite;
    let title = if onsite {
        "现场评审报告"
    } else {
        "资料评审报告"
    };
    let cats = report_categories(r, true);
    let team = r.team.as_ref();
    let data = serde_json::json!({
        "title": title,
        "programme_name": r.d.session.programme_name,
        "session_title": r.d.session.title,
        "demo": r.d.rules.meta.demo,
        "issuer": office,
        "report_no": format!("{}-{}-{:04}", r.d.session.year, if onsite { "OR" } else { "MR" }, r.app.id),
        "organisation": r.app.org.name,
        "credit_code": r.app.org.credit_code,
        "county": r.app.org.county_name.clone().unwrap_or_default(),
        "team": team.map(|t| t.name.clone()).unwrap_or_default(),
        "leader": team.map(|t| t.leader().to_owned()).unwrap_or_default(),
        "members": team.map(|t| t.members.iter().filter(|m| !m.leader).map(|m| m.name.clone()).collect::<Vec<_>>()).unwrap_or_default(),
        "submitted_at": r.cons.submitted_at.map(qaward_core::clock::format_micros).unwrap_or_default(),
        "total": points_text(total_hundredths(&r.crit, &r.cons.items)),
        "max_total": r.crit.meta.total,
        "criteria": r.crit.meta.name,
        "categories": cats.iter().zip(&r.crit.categories).map(|(rc, cat)| serde_json::json!({
            "id": cat.id, "name": cat.name, "points": cat.points, "score": rc.score,
            "items": rc.items.iter().map(|i| serde_json::json!({
                "id": i.id, "name": i.name, "points": i.points,
                "percent": i.v.percent, "band": i.v.percent.and_then(|p| band_of(&r.crit, p)),
                "score": i.earned, "strengths": i.v.strengths, "opportunities": i.v.opportunities, "verify_points": i.v.verify_points,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "summary": r.cons.summary,
        "suggestions": r.cons.suggestions,
        "outcome": r.outcome.map(|o| if o { "入选现场评审" } else { "未入选现场评审" }),
        "onsite_justification": (!r.justification.is_empty()).then_some(r.justification.clone()),
        "generated_at": qaward_core::clock::format_micros(now.as_microsecond()),
    });
    (title, data)
}

/// The routes of this part of the award, for [`super::router`].
pub fn router(_cfg: &crate::Config) -> super::Routes {
    super::Routes::new()
        .get("/review", desk)
        .get_post(
            "/review/sessions/{sid}/declaration",
            declaration_page,
            declaration_sign,
        )
        .get("/review/applications/{aid}", application)
        .post("/review/applications/{aid}/conflict", declare_conflict)
        .get_post("/review/applications/{aid}/score", scorebook, score_save)
        .post("/review/applications/{aid}/score/autosave", score_autosave)
        .post("/review/applications/{aid}/score/submit", score_submit)
        .get_post(
            "/review/applications/{aid}/consensus",
            consensus,
            consensus_save,
        )
        .get("/review/applications/{aid}/report", report)
        .get("/review/applications/{aid}/report.pdf", report_pdf)
}
