//! The system's proposal of which review team takes which application (Art. 8: the city
//! office forms review teams and assigns the applications to them).
//!
//! The proposal is an exact optimum of a min-cost max-flow problem:
//!
//! * hard constraints: an application may go to a team only when the team has at least one
//!   member, every member is qualified and no member has a conflict of interest with the
//!   application (Art. 25); a team takes at most `load_max` applications; an application goes
//!   to at most one team;
//! * objective, lexicographic: first place as many applications as possible, then minimise
//!   `match_cost + load_cost`, where a team member lacking the application's industry section
//!   costs `match_weight` and a team with `k` applications costs `k²` (the `k`-th application
//!   on a team costs `2k − 1`, which spreads the work);
//! * among equally good plans the one returned depends only on the problem's content and the
//!   recorded seed: inputs are put in id order, then the working order of teams and
//!   applications is shuffled with [`SplitMix64`] seeded by [`Problem::seed`].
//!
//! The optimiser is the successive-shortest-path method with Dijkstra and node prices, run in
//! "team space": an application on a team can move to any team it is allowed to join, and the
//! cost of such a move depends only on the application's industry section and the two teams,
//! so a shortest-path search touches teams (hundreds) rather than application–team pairs
//! (millions). Within one search, once an application of some industry section has been
//! relaxed from a settled team, a later application of the same section with a larger label
//! only needs the few teams the first one is conflicted with; the search stops as soon as no
//! queued team is closer than the best way found to the sink. Every feasible pair is
//! considered, so no pricing round is needed. Placing as many applications as possible comes
//! first through a "not placed" node whose cost exceeds any possible difference in the rest
//! of the cost.
//!
//! [`certify`] checks a proposal independently of the optimiser: hard constraints, the recorded
//! costs, that no further application can be placed (no augmenting path), and that no cheaper
//! plan with the same number of placed applications exists (Bellman–Ford finds node potentials
//! under which no arc of the full residual graph has a negative reduced cost).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

/// The article under which the office forms teams and assigns applications.
pub const ARTICLE_ASSIGN: u32 = 8;

/// The article on recusal for a conflict of interest.
pub const ARTICLE_RECUSAL: u32 = 25;

/// A small seeded pseudo-random generator (splitmix64): the same seed gives the same sequence
/// on every platform, so a proposal can be reproduced from its recorded seed.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`; returns 0 for `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Shuffles `items` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

/// A member of a review team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Expert id.
    pub expert_id: i64,
    /// GB/T 4754 sections (letters A–T) of the expert's expertise.
    pub industries: Vec<char>,
    /// Qualified to review today.
    pub qualified: bool,
}

/// A review team as formed by the office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamNode {
    /// Team id.
    pub team_id: i64,
    /// Members.
    pub members: Vec<Member>,
}

/// An application waiting for a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppNode {
    /// Application id.
    pub application_id: i64,
    /// GB/T 4754 section of the applicant, when known.
    pub industry: Option<char>,
}

/// Everything the proposal depends on. Ids are expected to be unique; when an id repeats, the
/// entry that comes first in (id, content) order is used, so the result never depends on the
/// order of the vectors.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Problem {
    /// Applications to assign.
    pub applications: Vec<AppNode>,
    /// Teams available.
    pub teams: Vec<TeamNode>,
    /// Conflicts of interest as (application id, expert id).
    pub conflicts: HashSet<(i64, i64)>,
    /// Most applications per team.
    pub load_max: u32,
    /// Cost per team member lacking the application's industry section; expected to be
    /// modest (say up to 10⁶), as costs are summed in `i64`.
    pub match_weight: i64,
    /// The seed that breaks ties among equally good plans; record it with the proposal.
    pub seed: u64,
}

/// Why an application may not go to a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    /// A member has a conflict of interest with the application (Art. 25).
    Conflict {
        /// The conflicted member.
        expert_id: i64,
    },
    /// A member is not qualified to review.
    Unqualified {
        /// The member.
        expert_id: i64,
    },
    /// The team already has its most applications.
    Full {
        /// The limit.
        load_max: u32,
    },
    /// The team has no members.
    EmptyTeam,
    /// No team with this id.
    UnknownTeam,
    /// No application with this id.
    UnknownApplication,
    /// The plan gives the application to a second team.
    AssignedTwice {
        /// The team it was given to first.
        team_id: i64,
    },
}

impl Blocker {
    /// The reason in Chinese.
    pub fn zh(&self) -> String {
        match self {
            Blocker::Conflict { expert_id } => {
                format!("评审专家（编号 {expert_id}）与该申报存在利益冲突，应当回避")
            }
            Blocker::Unqualified { expert_id } => {
                format!("评审专家（编号 {expert_id}）不具备评审资格")
            }
            Blocker::Full { load_max } => {
                format!("评审组承接的申报已达上限（每组至多 {load_max} 个）")
            }
            Blocker::EmptyTeam => "评审组没有成员".to_owned(),
            Blocker::UnknownTeam => "评审组不存在".to_owned(),
            Blocker::UnknownApplication => "申报不存在".to_owned(),
            Blocker::AssignedTwice { team_id } => {
                format!("该申报已分配给评审组（编号 {team_id}），每个申报只能由一个评审组评审")
            }
        }
    }

    /// The reason in English.
    pub fn en(&self) -> String {
        match self {
            Blocker::Conflict { expert_id } => format!(
                "Expert {expert_id} has a conflict of interest with the application and must recuse"
            ),
            Blocker::Unqualified { expert_id } => {
                format!("Expert {expert_id} is not qualified to review")
            }
            Blocker::Full { load_max } => {
                format!("The team has reached its limit of {load_max} applications")
            }
            Blocker::EmptyTeam => "The team has no members".to_owned(),
            Blocker::UnknownTeam => "No such review team".to_owned(),
            Blocker::UnknownApplication => "No such application".to_owned(),
            Blocker::AssignedTwice { team_id } => format!(
                "The application is already assigned to team {team_id}; each application goes to one team only"
            ),
        }
    }

    /// The article of the measures the blocker rests on: recusal (25) for a conflict, team
    /// forming and assignment (8) otherwise.
    pub fn article(&self) -> u32 {
        match self {
            Blocker::Conflict { .. } => ARTICLE_RECUSAL,
            _ => ARTICLE_ASSIGN,
        }
    }
}

/// An application the proposal leaves without a team, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unplaced {
    /// Application id.
    pub application_id: i64,
    /// Why, in Chinese.
    pub reason_zh: String,
    /// Why, in English.
    pub reason_en: String,
    /// The article the reason rests on (25 when every team is conflicted, otherwise 8).
    pub article: u32,
}

/// The proposal: an optimal plan and its cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// (application id, team id), sorted by application id.
    pub assignments: Vec<(i64, i64)>,
    /// Applications left without a team, sorted by application id.
    pub unplaced: Vec<Unplaced>,
    /// Σ match_weight × members lacking the application's industry.
    pub match_cost: i64,
    /// Σ over teams of (applications on the team)².
    pub load_cost: i64,
    /// `match_cost + load_cost`.
    pub cost: i64,
    /// The seed the tie-break used.
    pub seed: u64,
}

// ---------------------------------------------------------------------------------------
// The problem in canonical form (id order, duplicates dropped).

/// A team in canonical form: members sorted, each member's industries sorted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Team {
    id: i64,
    /// (expert id, industries, qualified).
    members: Vec<(i64, Vec<char>, bool)>,
}

impl Team {
    fn usable(&self) -> bool {
        !self.members.is_empty() && self.members.iter().all(|m| m.2)
    }

    /// Members lacking `industry` (none when the industry is unknown).
    fn lacking(&self, industry: Option<char>) -> i64 {
        match industry {
            None => 0,
            Some(c) => self
                .members
                .iter()
                .filter(|m| m.1.binary_search(&c).is_err())
                .count() as i64,
        }
    }
}

/// Applications as (id, industry) in id order.
fn canon_apps(p: &Problem) -> Vec<(i64, Option<char>)> {
    let mut apps: Vec<(i64, Option<char>)> = p
        .applications
        .iter()
        .map(|a| (a.application_id, a.industry))
        .collect();
    apps.sort_unstable();
    apps.dedup_by_key(|a| a.0);
    apps
}

/// Teams in id order.
fn canon_teams(p: &Problem) -> Vec<Team> {
    let mut teams: Vec<Team> = p
        .teams
        .iter()
        .map(|t| {
            let mut members: Vec<(i64, Vec<char>, bool)> = t
                .members
                .iter()
                .map(|m| {
                    let mut ind = m.industries.clone();
                    ind.sort_unstable();
                    ind.dedup();
                    (m.expert_id, ind, m.qualified)
                })
                .collect();
            members.sort();
            members.dedup();
            Team {
                id: t.team_id,
                members,
            }
        })
        .collect();
    teams.sort();
    teams.dedup_by_key(|t| t.id);
    teams
}

fn find_app(apps: &[(i64, Option<char>)], id: i64) -> Option<Option<char>> {
    apps.binary_search_by_key(&id, |a| a.0)
        .ok()
        .map(|i| apps[i].1)
}

fn find_team(teams: &[Team], id: i64) -> Option<&Team> {
    teams
        .binary_search_by_key(&id, |t| t.id)
        .ok()
        .map(|i| &teams[i])
}

fn feasible_in(
    p: &Problem,
    apps: &[(i64, Option<char>)],
    teams: &[Team],
    application_id: i64,
    team_id: i64,
) -> Result<(), Vec<Blocker>> {
    let mut blockers = Vec::new();
    if find_app(apps, application_id).is_none() {
        blockers.push(Blocker::UnknownApplication);
    }
    let team = find_team(teams, team_id);
    if team.is_none() {
        blockers.push(Blocker::UnknownTeam);
    }
    let Some(team) = team else {
        return Err(blockers);
    };
    if !blockers.is_empty() {
        return Err(blockers);
    }
    if team.members.is_empty() {
        blockers.push(Blocker::EmptyTeam);
    }
    for (expert_id, _, qualified) in &team.members {
        if p.conflicts.contains(&(application_id, *expert_id)) {
            blockers.push(Blocker::Conflict {
                expert_id: *expert_id,
            });
        }
        if !qualified {
            blockers.push(Blocker::Unqualified {
                expert_id: *expert_id,
            });
        }
    }
    blockers.dedup();
    if blockers.is_empty() {
        Ok(())
    } else {
        Err(blockers)
    }
}

/// Whether `application_id` may go to `team_id` on static grounds: both exist, the team has
/// members, every member is qualified and none has a conflict with the application. Load is
/// not considered here (see [`check_assignment`]).
pub fn feasible(p: &Problem, application_id: i64, team_id: i64) -> Result<(), Vec<Blocker>> {
    feasible_in(p, &canon_apps(p), &canon_teams(p), application_id, team_id)
}

/// Checks a whole plan: every pair as in [`feasible`], an application given twice, and a team
/// beyond `load_max` (each application beyond the limit, in plan order, is reported as
/// [`Blocker::Full`]). Empty when the plan keeps every hard constraint.
pub fn check_assignment(p: &Problem, assignments: &[(i64, i64)]) -> Vec<(i64, Blocker)> {
    let apps = canon_apps(p);
    let teams = canon_teams(p);
    let mut out = Vec::new();
    let mut first_team: HashMap<i64, i64> = HashMap::new();
    let mut load: HashMap<i64, u32> = HashMap::new();
    for &(a, t) in assignments {
        if let Err(blockers) = feasible_in(p, &apps, &teams, a, t) {
            out.extend(blockers.into_iter().map(|b| (a, b)));
        }
        match first_team.get(&a) {
            Some(&t0) => out.push((a, Blocker::AssignedTwice { team_id: t0 })),
            None => {
                first_team.insert(a, t);
            }
        }
        if find_team(&teams, t).is_some() {
            let n = load.entry(t).or_insert(0);
            *n += 1;
            if *n > p.load_max {
                out.push((
                    a,
                    Blocker::Full {
                        load_max: p.load_max,
                    },
                ));
            }
        }
    }
    out
}

/// The cost of a plan as (match cost, load cost). Pairs naming an unknown application or team
/// are ignored; hard constraints are not checked.
pub fn cost_of(p: &Problem, assignments: &[(i64, i64)]) -> (i64, i64) {
    let apps = canon_apps(p);
    let teams = canon_teams(p);
    let mut match_cost = 0i64;
    let mut load: HashMap<i64, i64> = HashMap::new();
    for &(a, t) in assignments {
        let (Some(industry), Some(team)) = (find_app(&apps, a), find_team(&teams, t)) else {
            continue;
        };
        match_cost += p.match_weight.saturating_mul(team.lacking(industry));
        *load.entry(t).or_insert(0) += 1;
    }
    let load_cost = load.values().map(|n| n * n).sum();
    (match_cost, load_cost)
}

/// A lower bound on the cost (`match_cost + load_cost`) of any plan that places `placed`
/// applications, from a relaxation that uncouples the applications from the teams: each
/// application at the cheapest team it may join ([`feasible`]), the `placed` cheapest of
/// those, plus the load cost of `placed` applications spread as evenly as the usable teams
/// allow. `None` when no plan can place that many (fewer placeable applications, or not
/// enough room on the usable teams).
///
/// It is a check independent of the optimiser and of [`certify`]'s flow model: a plan that
/// places the most applications and whose cost equals this bound is optimal.
pub fn lower_bound(p: &Problem, placed: usize) -> Option<i64> {
    let apps = canon_apps(p);
    let teams: Vec<Team> = canon_teams(p).into_iter().filter(|t| t.usable()).collect();
    let room = teams.len().checked_mul(p.load_max as usize)?;
    if placed > room {
        return None;
    }
    // Per industry, the usable teams cheapest first; an application takes the first one none
    // of whose members it conflicts with.
    let mut by_industry: HashMap<Option<char>, Vec<(i64, usize)>> = HashMap::new();
    let mut cheapest = Vec::with_capacity(apps.len());
    for &(a, industry) in &apps {
        let order = by_industry.entry(industry).or_insert_with(|| {
            let mut v: Vec<(i64, usize)> = teams
                .iter()
                .enumerate()
                .map(|(i, t)| (p.match_weight.saturating_mul(t.lacking(industry)), i))
                .collect();
            v.sort_unstable();
            v
        });
        let first = order.iter().find(|&&(_, i)| {
            teams[i]
                .members
                .iter()
                .all(|m| !p.conflicts.contains(&(a, m.0)))
        });
        if let Some(&(c, _)) = first {
            cheapest.push(c);
        }
    }
    if placed > cheapest.len() {
        return None;
    }
    cheapest.sort_unstable();
    let matched: i64 = cheapest[..placed].iter().sum();
    // Σ k² over the teams with Σ k = placed is least when the loads differ by at most one.
    let (q, r) = if teams.is_empty() {
        (0, 0)
    } else {
        (placed / teams.len(), placed % teams.len())
    };
    let (q, r, n) = (q as i64, r as i64, teams.len() as i64);
    Some(matched + r * (q + 1) * (q + 1) + (n - r) * q * q)
}

// ---------------------------------------------------------------------------------------
// The model the optimiser and the certificate work on.

/// The penalty for leaving an application without a team is capped here so that path lengths
/// stay far from `i64` overflow; below the cap it is exact (see [`Model::big`]).
const BIG_CAP: i128 = 1 << 50;

/// Marks an application not yet handled, or one with no usable team at all.
const NONE: u32 = u32::MAX;

struct Model {
    /// Application ids in id order.
    app_ids: Vec<i64>,
    /// Industry class of each application (index into the rows of `cost`).
    app_class: Vec<u32>,
    /// Ids of the usable teams, in working order.
    team_ids: Vec<i64>,
    /// Teams that are not usable (no members, or a member not qualified).
    unusable_teams: usize,
    /// Number of industry classes (distinct industries of the applications, unknown included).
    classes: usize,
    /// `cost[k * m + t]`: match cost of an application of class `k` on team `t`.
    cost: Vec<i64>,
    /// For each application, the usable teams (working index) it conflicts with, ascending.
    conf: Vec<Vec<u32>>,
    load_max: u32,
    /// Penalty per application left without a team; larger than any difference in the rest
    /// of the cost between two plans (2·n·|w|·size + n² + 1), unless capped at 2⁵⁰.
    big: i64,
}

impl Model {
    /// The model with teams in id order, or shuffled by `rng` when given.
    fn new(p: &Problem, rng: Option<&mut SplitMix64>) -> Model {
        let apps = canon_apps(p);
        let all_teams = canon_teams(p);
        let unusable_teams = all_teams.iter().filter(|t| !t.usable()).count();
        let mut teams: Vec<Team> = all_teams.into_iter().filter(Team::usable).collect();
        if let Some(rng) = rng {
            rng.shuffle(&mut teams);
        }
        let m = teams.len();

        let mut classes: Vec<Option<char>> = apps.iter().map(|a| a.1).collect();
        classes.sort_unstable();
        classes.dedup();
        let app_class = apps
            .iter()
            .map(|a| classes.binary_search(&a.1).unwrap_or(0) as u32)
            .collect();
        let mut cost = Vec::with_capacity(classes.len() * m);
        for &class in &classes {
            cost.extend(
                teams
                    .iter()
                    .map(|t| p.match_weight.saturating_mul(t.lacking(class))),
            );
        }

        let mut teams_of: HashMap<i64, Vec<u32>> = HashMap::new();
        for (ti, t) in teams.iter().enumerate() {
            for (expert_id, _, _) in &t.members {
                teams_of.entry(*expert_id).or_default().push(ti as u32);
            }
        }
        let mut conf: Vec<Vec<u32>> = vec![Vec::new(); apps.len()];
        for (app_id, expert_id) in &p.conflicts {
            if let (Ok(ai), Some(ts)) = (
                apps.binary_search_by_key(app_id, |a| a.0),
                teams_of.get(expert_id),
            ) {
                conf[ai].extend_from_slice(ts);
            }
        }
        for c in &mut conf {
            c.sort_unstable();
            c.dedup();
        }

        let n = apps.len() as i128;
        let size = teams.iter().map(|t| t.members.len()).max().unwrap_or(0) as i128;
        let w = i128::from(p.match_weight).abs();
        let big = (2 * n * w * size + n * n + 1).min(BIG_CAP) as i64;

        Model {
            app_ids: apps.iter().map(|a| a.0).collect(),
            app_class,
            team_ids: teams.iter().map(|t| t.id).collect(),
            unusable_teams,
            classes: classes.len(),
            cost,
            conf,
            load_max: p.load_max,
            big,
        }
    }

    fn m(&self) -> usize {
        self.team_ids.len()
    }

    fn row(&self, class: u32) -> &[i64] {
        let m = self.m();
        &self.cost[class as usize * m..(class as usize + 1) * m]
    }

    fn allowed(&self, app: u32, team: u32) -> bool {
        self.conf[app as usize].binary_search(&team).is_err()
    }

    /// Usable teams `app` may join.
    fn allowed_count(&self, app: u32) -> usize {
        self.m() - self.conf[app as usize].len()
    }

    /// Why `app` is left without a team in an optimal plan.
    fn reason(&self, app: u32) -> Unplaced {
        let m = self.m();
        let conflicted = self.conf[app as usize].len();
        let (reason_zh, reason_en, article) = if m == 0 && self.unusable_teams == 0 {
            (
                "没有可供分配的评审组".to_owned(),
                "There are no review teams to assign".to_owned(),
                ARTICLE_ASSIGN,
            )
        } else if m == 0 {
            (
                format!(
                    "全部 {} 个评审组均不可用（没有成员，或有成员不具备评审资格）",
                    self.unusable_teams
                ),
                format!(
                    "All {} review teams are unusable (no members, or a member is not qualified)",
                    self.unusable_teams
                ),
                ARTICLE_ASSIGN,
            )
        } else if conflicted == m {
            (
                format!("全部 {m} 个可用评审组均有成员与该申报存在利益冲突，须回避"),
                format!(
                    "Every one of the {m} usable review teams has a member with a conflict of interest with this application"
                ),
                ARTICLE_RECUSAL,
            )
        } else {
            let open = m - conflicted;
            let (mut zh, mut en) = (
                format!(
                    "可承接该申报的 {open} 个评审组均已满额（每组至多 {} 个申报）",
                    self.load_max
                ),
                format!(
                    "All {open} review teams that may take this application are full (at most {} applications per team)",
                    self.load_max
                ),
            );
            if conflicted > 0 {
                zh.push_str(&format!("；另有 {conflicted} 个评审组因成员利益冲突须回避"));
                en.push_str(&format!(
                    "; {conflicted} more teams have a member with a conflict of interest"
                ));
            }
            (zh, en, ARTICLE_ASSIGN)
        };
        Unplaced {
            application_id: self.app_ids[app as usize],
            reason_zh,
            reason_en,
            article,
        }
    }
}

// ---------------------------------------------------------------------------------------
// The optimiser.

/// Successive shortest paths in team space. Nodes are the usable teams `0..m` and the
/// "not placed" node `U = m`; the sink is implicit. Prices `y` are dual values: an
/// application held by node `h` pays `v = cost(a, h) + y[h]` (with `cost(a, U) = big`), and
/// the invariants are
///
/// * `v ≤ cost(a, t) + y[t]` for every team `t` the application may join, and `v ≤ big + y[U]`;
/// * `2·load(t) − 1 ≤ y[t]` when the team holds something, `y[t] ≤ 2·load(t) + 1` unless full;
/// * `y[U] ≤ 0`, and `y[U] = 0` while some application is not placed.
///
/// They make every reduced cost non-negative, so each search is a Dijkstra, and when every
/// application has been routed they prove the plan optimal.
struct Solver<'a> {
    md: &'a Model,
    m: usize,
    /// Prices, `m + 1` entries.
    y: Vec<i64>,
    /// Reduced cost of leaving each node for the sink: `2·load + 1 − y` for a team with room
    /// (`INF` when full), `−y[U]` for the "not placed" node.
    exit: Vec<i64>,
    /// Applications held by each node, `m + 1` lists.
    held: Vec<Vec<u32>>,
    /// The node holding each application, or [`NONE`].
    holder: Vec<u32>,
    // Per search:
    dist: Vec<i64>,
    pred: Vec<u32>,
    settled: Vec<bool>,
    settled_list: Vec<u32>,
    heap: BinaryHeap<Reverse<(i64, u32)>>,
    /// The shortest distance to the sink found so far, and the node it leaves from.
    best: i64,
    end: u32,
    /// Per industry class: the least `dist[h] − v` over the applications of the class held
    /// by settled nodes, and that application. An application of the class with a larger
    /// value can only improve a label where the hub's application may not go.
    hub: Vec<(i64, u32)>,
    moves: Vec<(u32, u32)>,
}

const INF: i64 = i64::MAX / 4;

impl<'a> Solver<'a> {
    fn new(md: &'a Model) -> Self {
        let m = md.m();
        let mut s = Solver {
            md,
            m,
            y: vec![0; m + 1],
            exit: vec![INF; m + 1],
            held: vec![Vec::new(); m + 1],
            holder: vec![NONE; md.app_ids.len()],
            dist: vec![INF; m + 1],
            pred: vec![NONE; m + 1],
            settled: vec![false; m + 1],
            settled_list: Vec::new(),
            heap: BinaryHeap::new(),
            best: INF,
            end: NONE,
            hub: vec![(INF, NONE); md.classes],
            moves: Vec::new(),
        };
        for v in 0..=m {
            s.exit[v] = s.exit_of(v);
        }
        s
    }

    fn exit_of(&self, v: usize) -> i64 {
        if v == self.m {
            -self.y[v]
        } else {
            let load = self.held[v].len();
            if load < self.md.load_max as usize {
                2 * load as i64 + 1 - self.y[v]
            } else {
                INF
            }
        }
    }

    /// `dist[t] = min(dist[t], base + row[t] + y[t])` over the teams `app` may join.
    fn relax_row(&mut self, base: i64, class: u32, app: u32) {
        let md = self.md;
        let m = self.m;
        let row = md.row(class);
        let conf = &md.conf[app as usize];
        let best = self.best;
        let mut start = 0usize;
        for end in conf.iter().map(|&c| c as usize).chain(std::iter::once(m)) {
            let span = start..end;
            for (t, (((&c, &y), d), pr)) in row[span.clone()]
                .iter()
                .zip(&self.y[span.clone()])
                .zip(&mut self.dist[span.clone()])
                .zip(&mut self.pred[span])
                .enumerate()
            {
                let nd = base + c + y;
                if nd < *d {
                    *d = nd;
                    *pr = app;
                    if nd < best {
                        self.heap.push(Reverse((nd, (start + t) as u32)));
                    }
                }
            }
            start = end + 1;
        }
    }

    /// Relaxes the moves of `app` to the teams `blocked` may not join.
    fn relax_conflicted(&mut self, base: i64, class: u32, blocked: u32, app: u32) {
        let md = self.md;
        let row = md.row(class);
        for &t in &md.conf[blocked as usize] {
            let tu = t as usize;
            let nd = base + row[tu] + self.y[tu];
            if nd < self.dist[tu] && md.allowed(app, t) {
                self.dist[tu] = nd;
                self.pred[tu] = app;
                if nd < self.best {
                    self.heap.push(Reverse((nd, t)));
                }
            }
        }
    }

    /// Relaxes every move of an application held by the settled node `h`.
    fn relax(&mut self, h: usize) {
        let md = self.md;
        let m = self.m;
        let dh = self.dist[h];
        let list = std::mem::take(&mut self.held[h]);
        for &a in &list {
            let class = md.app_class[a as usize];
            let v = if h < m {
                md.row(class)[h] + self.y[h]
            } else {
                md.big + self.y[m]
            };
            let base = dh - v;
            let (hub_base, hub_app) = self.hub[class as usize];
            if base < hub_base {
                self.hub[class as usize] = (base, a);
                self.relax_row(base, class, a);
                if h < m {
                    let nd = base + md.big + self.y[m];
                    if nd < self.dist[m] {
                        self.dist[m] = nd;
                        self.pred[m] = a;
                        if nd < self.best {
                            self.heap.push(Reverse((nd, m as u32)));
                        }
                    }
                }
            } else {
                // Wherever the hub's application may go, it is at least as good.
                self.relax_conflicted(base, class, hub_app, a);
            }
        }
        self.held[h] = list;
    }

    /// Routes application `a0` along a shortest augmenting path and updates the prices.
    fn place(&mut self, a0: u32) {
        let md = self.md;
        let m = self.m;
        let u = m;
        if md.allowed_count(a0) == 0 {
            return; // no usable team at all: stays outside the flow
        }
        self.dist.fill(INF);
        self.settled.fill(false);
        self.settled_list.clear();
        self.heap.clear();
        self.hub.fill((INF, NONE));
        self.best = INF;
        self.end = NONE;

        // First arcs, from `a0` (their costs are reduced by the least of them, `v0`).
        let class = md.app_class[a0 as usize];
        let mut v0 = md.big + self.y[u];
        {
            let row = md.row(class);
            let conf = &md.conf[a0 as usize];
            let mut k = 0;
            for (t, (&c, &y)) in row.iter().zip(&self.y[..m]).enumerate() {
                if k < conf.len() && conf[k] as usize == t {
                    k += 1;
                    continue;
                }
                v0 = v0.min(c + y);
            }
        }
        self.dist[u] = md.big + self.y[u] - v0;
        self.pred[u] = a0;
        self.best = i64::MIN; // nothing is queued while the first labels are set
        self.relax_row(-v0, class, a0);
        self.best = INF;
        for (v, (&d, &e)) in self.dist.iter().zip(&self.exit).enumerate() {
            if d < INF && d + e < self.best {
                self.best = d + e;
                self.end = v as u32;
            }
        }
        for (v, &d) in self.dist.iter().enumerate() {
            if d < self.best {
                self.heap.push(Reverse((d, v as u32)));
            }
        }

        while let Some(Reverse((d, node))) = self.heap.pop() {
            if d >= self.best {
                break;
            }
            let v = node as usize;
            if self.settled[v] || d != self.dist[v] {
                continue;
            }
            self.settled[v] = true;
            self.settled_list.push(node);
            if d + self.exit[v] < self.best {
                self.best = d + self.exit[v];
                self.end = node;
            }
            self.relax(v);
        }
        let best = self.best;
        let end = self.end;
        debug_assert!(end != NONE);

        for &v in &self.settled_list {
            let v = v as usize;
            let raise = best - self.dist[v];
            self.y[v] += raise;
            if self.exit[v] < INF {
                self.exit[v] -= raise;
            }
        }

        // Walk the path back from its end to `a0`, then move the applications along it.
        self.moves.clear();
        let mut node = end;
        for _ in 0..=m + 1 {
            let a = self.pred[node as usize];
            self.moves.push((a, node));
            if a == a0 {
                break;
            }
            node = self.holder[a as usize];
        }
        debug_assert_eq!(self.moves.last().map(|x| x.0), Some(a0));
        let moves = std::mem::take(&mut self.moves);
        for &(a, to) in &moves {
            let from = self.holder[a as usize];
            if from != NONE {
                let list = &mut self.held[from as usize];
                if let Some(pos) = list.iter().position(|&x| x == a) {
                    list.swap_remove(pos);
                }
            }
            self.held[to as usize].push(a);
            self.holder[a as usize] = to;
        }
        self.moves = moves;
        self.exit[end as usize] = self.exit_of(end as usize);
    }
}

/// Proposes an optimal plan: as many applications placed as the hard constraints allow, then
/// the least `match_cost + load_cost`; ties are broken by `p.seed`, so the same problem and seed
/// always give the same proposal, whatever the order of the input vectors.
pub fn propose(p: &Problem) -> Proposal {
    let mut rng = SplitMix64::new(p.seed);
    let md = Model::new(p, Some(&mut rng));
    let n = md.app_ids.len();
    let mut order: Vec<u32> = (0..n as u32).collect();
    rng.shuffle(&mut order);

    let mut solver = Solver::new(&md);
    if md.load_max > 0 {
        for &a in &order {
            solver.place(a);
        }
    }

    let mut assignments = Vec::new();
    let mut unplaced = Vec::new();
    for (a, &h) in solver.holder.iter().enumerate() {
        if h != NONE && (h as usize) < md.m() {
            assignments.push((md.app_ids[a], md.team_ids[h as usize]));
        } else {
            unplaced.push(md.reason(a as u32));
        }
    }
    let (match_cost, load_cost) = cost_of(p, &assignments);
    Proposal {
        assignments,
        unplaced,
        match_cost,
        load_cost,
        cost: match_cost + load_cost,
        seed: p.seed,
    }
}

// ---------------------------------------------------------------------------------------
// The certificate.

fn both(zh: &str, en: &str) -> String {
    format!("{zh} / {en}")
}

/// Verifies a proposal independently of the optimiser ("proof of optimality"):
///
/// 1. the plan keeps every hard constraint ([`check_assignment`]), is sorted by application
///    id, and lists exactly the other applications as not placed;
/// 2. the recorded costs are those of the plan ([`cost_of`]);
/// 3. no more applications can be placed: from no unplaced application is there an
///    augmenting path to a team with room (breadth-first search over all feasible pairs);
/// 4. no plan placing as many applications is cheaper: Bellman–Ford over the full residual
///    graph (every feasible application–team pair, each unit of team load, and swaps of an
///    unplaced application for a placed one) finds node potentials, and every arc is then
///    checked to have a non-negative reduced cost.
pub fn certify(p: &Problem, prop: &Proposal) -> Result<(), String> {
    if let Some((a, b)) = check_assignment(p, &prop.assignments).first() {
        return Err(both(
            &format!("申报（编号 {a}）：{}", b.zh()),
            &format!("application {a}: {}", b.en()),
        ));
    }
    if !prop.assignments.windows(2).all(|w| w[0].0 < w[1].0) {
        return Err(both(
            "分配方案未按申报编号排序",
            "the assignments are not sorted by application id",
        ));
    }
    let md = Model::new(p, None);
    let n = md.app_ids.len();
    let m = md.m();
    let team_index: HashMap<i64, u32> = md
        .team_ids
        .iter()
        .enumerate()
        .map(|(i, &t)| (t, i as u32))
        .collect();
    // holder: team index, or NONE when not placed.
    let mut holder = vec![NONE; n];
    for &(a, t) in &prop.assignments {
        let ai = md.app_ids.binary_search(&a).map_err(|_| {
            both(
                &format!("申报（编号 {a}）不存在"),
                &format!("application {a} does not exist"),
            )
        })?;
        holder[ai] = team_index[&t];
    }
    let expected: Vec<i64> = (0..n)
        .filter(|&a| holder[a] == NONE)
        .map(|a| md.app_ids[a])
        .collect();
    let listed: Vec<i64> = prop.unplaced.iter().map(|u| u.application_id).collect();
    if expected != listed {
        return Err(both(
            "未分配申报清单与方案不一致",
            "the list of unplaced applications does not match the plan",
        ));
    }
    let (mc, lc) = cost_of(p, &prop.assignments);
    if (mc, lc, mc + lc) != (prop.match_cost, prop.load_cost, prop.cost) {
        return Err(both(
            &format!(
                "记录的成本（{}，{}，{}）与方案计算值（{mc}，{lc}，{}）不符",
                prop.match_cost,
                prop.load_cost,
                prop.cost,
                mc + lc
            ),
            &format!(
                "recorded costs ({}, {}, {}) differ from the plan's ({mc}, {lc}, {})",
                prop.match_cost,
                prop.load_cost,
                prop.cost,
                mc + lc
            ),
        ));
    }

    let mut held: Vec<Vec<u32>> = vec![Vec::new(); m];
    for (a, &h) in holder.iter().enumerate() {
        if h != NONE {
            held[h as usize].push(a as u32);
        }
    }
    let load_max = md.load_max as usize;
    let allowed_teams = |a: u32| {
        let conf = &md.conf[a as usize];
        (0..m as u32).filter(move |t| conf.binary_search(t).is_err())
    };

    // 3. Maximum number placed: no augmenting path.
    let mut seen = vec![false; m];
    let mut queue: Vec<u32> = Vec::new();
    for a in (0..n as u32).filter(|&a| holder[a as usize] == NONE) {
        for t in allowed_teams(a) {
            if !seen[t as usize] {
                seen[t as usize] = true;
                queue.push(t);
            }
        }
    }
    while let Some(t) = queue.pop() {
        if held[t as usize].len() < load_max {
            return Err(both(
                &format!(
                    "还可以多分配一个申报（可经评审组（编号 {}）调整）",
                    md.team_ids[t as usize]
                ),
                &format!(
                    "one more application can be placed (through team {})",
                    md.team_ids[t as usize]
                ),
            ));
        }
        for &b in &held[t as usize] {
            for t2 in allowed_teams(b) {
                if !seen[t2 as usize] {
                    seen[t2 as usize] = true;
                    queue.push(t2);
                }
            }
        }
    }

    // 4. Least cost among plans placing as many: no negative cycle in the residual graph.
    // Nodes: teams 0..m, S = m (unplaced pool: swaps keep the number placed), T = m + 1.
    let s = m;
    let sink = m + 1;
    let mut arcs: Vec<(u32, u32, i64)> = Vec::new();
    let mut best = vec![INF; m];
    let unplaced_apps: Vec<u32> = (0..n as u32)
        .filter(|&a| holder[a as usize] == NONE)
        .collect();
    for (h, apps) in held
        .iter()
        .chain(std::iter::once(&unplaced_apps))
        .enumerate()
    {
        best.fill(INF);
        let mut to_s = INF;
        for &a in apps {
            let row = md.row(md.app_class[a as usize]);
            let out = if h < m { row[h] } else { 0 };
            for t in allowed_teams(a) {
                let c = row[t as usize] - out;
                if c < best[t as usize] {
                    best[t as usize] = c;
                }
            }
            if h < m {
                to_s = to_s.min(-out);
            }
        }
        for (t, &c) in best.iter().enumerate() {
            if c < INF && t != h {
                arcs.push((h as u32, t as u32, c));
            }
        }
        if to_s < INF {
            arcs.push((h as u32, s as u32, to_s));
        }
    }
    for (t, list) in held.iter().enumerate() {
        let load = list.len() as i64;
        if list.len() < load_max {
            arcs.push((t as u32, sink as u32, 2 * load + 1));
        }
        if load > 0 {
            arcs.push((sink as u32, t as u32, -(2 * load - 1)));
        }
    }
    let nodes = m + 2;
    let mut pot = vec![0i64; nodes];
    let mut stable = false;
    for _ in 0..=nodes {
        let mut changed = false;
        for &(a, b, c) in &arcs {
            let nd = pot[a as usize].saturating_add(c);
            if nd < pot[b as usize] {
                pot[b as usize] = nd;
                changed = true;
            }
        }
        if !changed {
            stable = true;
            break;
        }
    }
    if !stable {
        return Err(both(
            "存在成本更低的方案（残量图中有负环）",
            "a cheaper plan exists (negative cycle in the residual graph)",
        ));
    }
    if let Some(&(a, b, c)) = arcs
        .iter()
        .find(|&&(a, b, c)| pot[a as usize] + c - pot[b as usize] < 0)
    {
        return Err(both(
            &format!("节点势不满足弧 {a}→{b}（成本 {c}）"),
            &format!("the potentials fail on arc {a}→{b} (cost {c})"),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// A substitute for a member who recused from one application (Art. 25).

/// An expert of the pool who might replace a member who recused from one application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Expert id.
    pub expert_id: i64,
    /// GB/T 4754 sections of the expert's expertise.
    pub industries: Vec<char>,
    /// Qualified to review today.
    pub qualified: bool,
    /// Applications of the session the expert already reviews.
    pub load: u32,
}

/// A candidate the rules allow, with the cost that ranks it and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    /// Expert id.
    pub expert_id: i64,
    /// Match cost plus load cost: lower is better.
    pub cost: i64,
    /// Knows the application's industry section (true when the section is unknown).
    pub industry_match: bool,
    /// Applications of the session the expert would review with this one.
    pub load_after: u32,
    /// Why, in Chinese.
    pub reason_zh: String,
    /// Why, in English.
    pub reason_en: String,
}

/// The substitutes the optimiser's rules allow for `application_id` on `team_id` once
/// `leaving` has recused, best first. A candidate is offered only when it is qualified, has no
/// conflict with the application (from `p.conflicts`), is not already on the team, and stays
/// within `p.load_max` applications; it costs `match_weight` when it lacks the application's
/// industry section, plus the load it would carry (which spreads the work), as the proposal
/// does. Ties go to the lower expert id.
pub fn replacements(
    p: &Problem,
    application_id: i64,
    team_id: i64,
    leaving: i64,
    candidates: &[Candidate],
) -> Vec<Replacement> {
    let on_team: HashSet<i64> = p
        .teams
        .iter()
        .filter(|t| t.team_id == team_id)
        .flat_map(|t| t.members.iter().map(|m| m.expert_id))
        .collect();
    let industry = p
        .applications
        .iter()
        .find(|a| a.application_id == application_id)
        .and_then(|a| a.industry);
    let mut out = Vec::new();
    for c in candidates {
        if c.expert_id == leaving || on_team.contains(&c.expert_id) {
            continue;
        }
        if c.load >= p.load_max {
            continue;
        }
        // The candidate alone as a team: the same static checks as the proposal (qualified,
        // no conflict with the application) and the same match cost.
        let solo = Problem {
            applications: vec![AppNode {
                application_id,
                industry,
            }],
            teams: vec![TeamNode {
                team_id,
                members: vec![Member {
                    expert_id: c.expert_id,
                    industries: c.industries.clone(),
                    qualified: c.qualified,
                }],
            }],
            conflicts: p
                .conflicts
                .iter()
                .filter(|(a, e)| *a == application_id && *e == c.expert_id)
                .copied()
                .collect(),
            load_max: p.load_max,
            match_weight: p.match_weight,
            seed: p.seed,
        };
        if feasible(&solo, application_id, team_id).is_err() {
            continue;
        }
        let (match_cost, _) = cost_of(&solo, &[(application_id, team_id)]);
        let load_after = c.load + 1;
        let industry_match = match_cost == 0;
        let (ind_zh, ind_en) = match industry {
            None => (
                "申报单位行业门类未知".to_owned(),
                "the applicant's section is unknown".to_owned(),
            ),
            Some(s) if industry_match => (
                format!("熟悉申报单位所属行业门类{s}"),
                format!("knows the applicant's section {s}"),
            ),
            Some(s) => (
                format!("不熟悉申报单位所属行业门类{s}"),
                format!("does not know the applicant's section {s}"),
            ),
        };
        out.push(Replacement {
            expert_id: c.expert_id,
            cost: match_cost + i64::from(load_after),
            industry_match,
            load_after,
            reason_zh: format!(
                "具备评审资格，与该申报无利益冲突；{ind_zh}；替补后本届承担{load_after}个申报（上限{}个）",
                p.load_max
            ),
            reason_en: format!(
                "qualified, no conflict with the application; {ind_en}; {load_after} application(s) this session after joining (limit {})",
                p.load_max
            ),
        });
    }
    out.sort_by_key(|r| (r.cost, r.expert_id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(expert_id: i64, industries: &str) -> Member {
        Member {
            expert_id,
            industries: industries.chars().collect(),
            qualified: true,
        }
    }

    fn team(team_id: i64, members: Vec<Member>) -> TeamNode {
        TeamNode { team_id, members }
    }

    fn app(application_id: i64, industry: Option<char>) -> AppNode {
        AppNode {
            application_id,
            industry,
        }
    }

    fn problem(applications: Vec<AppNode>, teams: Vec<TeamNode>) -> Problem {
        Problem {
            applications,
            teams,
            conflicts: HashSet::new(),
            load_max: 5,
            match_weight: 10,
            seed: 7,
        }
    }

    // ---- random instances -------------------------------------------------------------

    fn random_problem(
        rng: &mut SplitMix64,
        max_apps: u64,
        max_teams: u64,
        max_size: u64,
    ) -> Problem {
        let letters = ['A', 'C', 'E', 'F'];
        let pool = 2 + max_teams * max_size;
        let experts: Vec<Member> = (0..pool)
            .map(|e| Member {
                expert_id: 500 + e as i64 * 3,
                industries: letters
                    .iter()
                    .copied()
                    .filter(|_| rng.below(3) == 0)
                    .collect(),
                qualified: rng.below(25) != 0,
            })
            .collect();
        let n_teams = if rng.below(10) == 0 {
            0
        } else {
            1 + rng.below(max_teams)
        };
        let mut teams = Vec::new();
        for t in 0..n_teams {
            let size = if rng.below(10) == 0 {
                0
            } else {
                1 + rng.below(max_size)
            };
            let mut ids: Vec<usize> = (0..experts.len()).collect();
            rng.shuffle(&mut ids);
            let members = ids[..size as usize]
                .iter()
                .map(|&i| experts[i].clone())
                .collect();
            teams.push(team(40 - 7 * t as i64, members));
        }
        let n_apps = if rng.below(10) == 0 {
            rng.below(max_apps + 1)
        } else {
            max_apps / 2 + rng.below(max_apps - max_apps / 2 + 1)
        };
        let applications: Vec<AppNode> = (0..n_apps)
            .map(|i| {
                let industry = match rng.below(5) {
                    4 => None,
                    k => Some(letters[k as usize]),
                };
                app(1000 - 13 * i as i64, industry)
            })
            .collect();
        let mut conflicts = HashSet::new();
        for a in &applications {
            for e in &experts {
                if rng.below(10) == 0 {
                    conflicts.insert((a.application_id, e.expert_id));
                }
            }
        }
        Problem {
            applications,
            teams,
            conflicts,
            load_max: 1 + rng.below(4) as u32,
            match_weight: rng.below(6) as i64,
            seed: rng.next_u64(),
        }
    }

    /// (most placed, least cost among those) by trying every plan.
    fn brute_force(p: &Problem) -> (usize, i64) {
        let apps = canon_apps(p);
        let teams = canon_teams(p);
        let options: Vec<Vec<(usize, i64)>> = apps
            .iter()
            .map(|&(a, _)| {
                teams
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| feasible(p, a, t.id).is_ok())
                    .map(|(ti, t)| (ti, cost_of(p, &[(a, t.id)]).0))
                    .collect()
            })
            .collect();
        fn go(
            i: usize,
            options: &[Vec<(usize, i64)>],
            load: &mut [u32],
            load_max: u32,
            placed: usize,
            matched: i64,
            best: &mut (usize, i64),
        ) {
            if i == options.len() {
                let cost = matched + load.iter().map(|&l| i64::from(l * l)).sum::<i64>();
                if placed > best.0 || (placed == best.0 && cost < best.1) {
                    *best = (placed, cost);
                }
                return;
            }
            go(i + 1, options, load, load_max, placed, matched, best);
            for &(t, c) in &options[i] {
                if load[t] < load_max {
                    load[t] += 1;
                    go(
                        i + 1,
                        options,
                        load,
                        load_max,
                        placed + 1,
                        matched + c,
                        best,
                    );
                    load[t] -= 1;
                }
            }
        }
        let mut best = (0, i64::MAX);
        let mut load = vec![0; teams.len()];
        go(0, &options, &mut load, p.load_max, 0, 0, &mut best);
        best
    }

    /// The same problem with every vector in a different order.
    fn permuted(p: &Problem, rng: &mut SplitMix64) -> Problem {
        let mut q = p.clone();
        rng.shuffle(&mut q.applications);
        rng.shuffle(&mut q.teams);
        for t in &mut q.teams {
            rng.shuffle(&mut t.members);
            for m in &mut t.members {
                rng.shuffle(&mut m.industries);
            }
        }
        q
    }

    fn assert_sound(p: &Problem, prop: &Proposal) {
        assert!(check_assignment(p, &prop.assignments).is_empty());
        for &(a, t) in &prop.assignments {
            assert_eq!(feasible(p, a, t), Ok(()));
        }
        let mut load: HashMap<i64, u32> = HashMap::new();
        for &(_, t) in &prop.assignments {
            *load.entry(t).or_default() += 1;
        }
        assert!(load.values().all(|&l| l <= p.load_max));
        assert_eq!(
            prop.assignments.len() + prop.unplaced.len(),
            canon_apps(p).len()
        );
        assert_eq!(certify(p, prop), Ok(()));
    }

    #[test]
    fn small_instances_match_brute_force() {
        let mut rng = SplitMix64::new(2024);
        for _ in 0..400 {
            let p = random_problem(&mut rng, 7, 3, 3);
            let prop = propose(&p);
            assert_sound(&p, &prop);
            let (placed, cost) = brute_force(&p);
            assert_eq!(prop.assignments.len(), placed, "{p:?}");
            assert_eq!(prop.cost, cost, "{p:?}");
        }
    }

    #[test]
    fn the_lower_bound_never_exceeds_the_optimum_and_is_met_when_the_relaxation_is_exact() {
        let mut rng = SplitMix64::new(4754);
        for _ in 0..300 {
            let p = random_problem(&mut rng, 7, 3, 3);
            let (placed, cost) = brute_force(&p);
            let bound = lower_bound(&p, placed).expect("the optimum places that many");
            assert!(bound <= cost, "{bound} > {cost}: {p:?}");
            assert_eq!(lower_bound(&p, canon_apps(&p).len() + 100), None);
        }
        // Every team covers every industry and nothing conflicts: the even spread is reachable.
        let teams = (1..=4)
            .map(|t| team(t, vec![member(10 * t, "AC"), member(10 * t + 1, "AC")]))
            .collect();
        let apps = (1..=10)
            .map(|i| app(100 + i, Some(if i % 2 == 0 { 'A' } else { 'C' })))
            .collect();
        let p = problem(apps, teams);
        let prop = propose(&p);
        assert_eq!(lower_bound(&p, prop.assignments.len()), Some(prop.cost));
        assert_eq!(prop.cost, 3 * 3 + 3 * 3 + 2 * 2 + 2 * 2);
    }

    #[test]
    fn medium_instances_are_sound_and_certified() {
        let mut rng = SplitMix64::new(99);
        for _ in 0..60 {
            let p = random_problem(&mut rng, 60, 10, 4);
            assert_sound(&p, &propose(&p));
        }
    }

    #[test]
    fn larger_instances_are_certified() {
        // Teams of five from a shared pool, about 1% conflicts; ample and short capacity.
        let mut rng = SplitMix64::new(31);
        for (apps, teams, load_max) in [(400, 40, 12), (400, 25, 12)] {
            let experts: Vec<Member> = (0..200)
                .map(|e| Member {
                    expert_id: e,
                    industries: (0..1 + rng.below(3))
                        .map(|_| (b'A' + rng.below(20) as u8) as char)
                        .collect(),
                    qualified: rng.below(100) != 0,
                })
                .collect();
            let mut ids: Vec<usize> = (0..experts.len()).collect();
            let teams = (0..teams)
                .map(|t| {
                    rng.shuffle(&mut ids);
                    team(t, ids[..5].iter().map(|&i| experts[i].clone()).collect())
                })
                .collect();
            let applications: Vec<AppNode> = (0..apps)
                .map(|a| app(a, Some((b'A' + rng.below(20) as u8) as char)))
                .collect();
            let mut p = problem(applications, teams);
            p.load_max = load_max;
            for a in 0..apps {
                for e in 0..200 {
                    if rng.below(100) == 0 {
                        p.conflicts.insert((a, e));
                    }
                }
            }
            let prop = propose(&p);
            assert_sound(&p, &prop);
        }
    }

    #[test]
    fn the_model_agrees_with_feasible() {
        let mut rng = SplitMix64::new(77);
        for _ in 0..100 {
            let p = random_problem(&mut rng, 12, 5, 3);
            let md = Model::new(&p, Some(&mut SplitMix64::new(p.seed)));
            for (ai, &a) in md.app_ids.iter().enumerate() {
                for t in canon_teams(&p) {
                    let modelled = md
                        .team_ids
                        .iter()
                        .position(|&id| id == t.id)
                        .is_some_and(|ti| md.allowed(ai as u32, ti as u32));
                    assert_eq!(feasible(&p, a, t.id).is_ok(), modelled);
                }
            }
        }
    }

    #[test]
    fn same_seed_same_proposal_whatever_the_order() {
        let mut rng = SplitMix64::new(5);
        for _ in 0..80 {
            let p = random_problem(&mut rng, 30, 6, 3);
            let first = propose(&p);
            assert_eq!(propose(&p), first);
            let q = permuted(&p, &mut rng);
            assert_eq!(propose(&q), first);
        }
    }

    #[test]
    fn seed_breaks_ties_between_equal_optima() {
        let teams = (1..=4).map(|t| team(t, vec![member(t, "C")])).collect();
        let apps = (1..=4).map(|a| app(a, Some('C'))).collect();
        let mut p = problem(apps, teams);
        p.load_max = 1;
        let mut plans = HashSet::new();
        for seed in 0..32 {
            p.seed = seed;
            let prop = propose(&p);
            assert_eq!(prop.cost, 4);
            assert_eq!(prop.seed, seed);
            assert_sound(&p, &prop);
            plans.insert(prop.assignments);
        }
        assert!(plans.len() > 1);
    }

    #[test]
    fn certify_rejects_worse_and_invalid_plans() {
        let teams = vec![
            team(1, vec![member(10, "C")]),
            team(2, vec![member(20, "F")]),
        ];
        let mut p = problem(vec![app(1, Some('C')), app(2, Some('F'))], teams);
        p.conflicts.insert((2, 10));
        let good = propose(&p);
        assert_eq!(good.assignments, vec![(1, 1), (2, 2)]);
        assert_eq!(certify(&p, &good), Ok(()));

        // Both on team 2: allowed, but dearer.
        let plan = vec![(1, 2), (2, 2)];
        let (mc, lc) = cost_of(&p, &plan);
        let worse = Proposal {
            assignments: plan,
            match_cost: mc,
            load_cost: lc,
            cost: mc + lc,
            ..good.clone()
        };
        assert!(certify(&p, &worse).is_err());

        // One left out though it fits.
        let (mc, lc) = cost_of(&p, &[(1, 1)]);
        let fewer = Proposal {
            assignments: vec![(1, 1)],
            unplaced: vec![Model::new(&p, None).reason(1)],
            match_cost: mc,
            load_cost: lc,
            cost: mc + lc,
            seed: 7,
        };
        assert!(certify(&p, &fewer).is_err());

        // A conflicted pair.
        let bad = Proposal {
            assignments: vec![(1, 2), (2, 1)],
            ..good.clone()
        };
        assert!(certify(&p, &bad).is_err());

        // Wrong recorded cost.
        let lying = Proposal {
            cost: good.cost - 1,
            ..good
        };
        assert!(certify(&p, &lying).is_err());
    }

    // ---- unit tests -------------------------------------------------------------------

    #[test]
    fn a_conflict_steers_to_the_other_team() {
        // Team 1 matches the industry, team 2 does not; a conflict rules team 1 out.
        let teams = vec![
            team(1, vec![member(10, "C")]),
            team(2, vec![member(20, "F")]),
        ];
        let mut p = problem(vec![app(7, Some('C'))], teams);
        assert_eq!(propose(&p).assignments, vec![(7, 1)]);
        p.conflicts.insert((7, 10));
        let prop = propose(&p);
        assert_eq!(prop.assignments, vec![(7, 2)]);
        assert_eq!((prop.match_cost, prop.load_cost, prop.cost), (10, 1, 11));
        assert_eq!(
            feasible(&p, 7, 1),
            Err(vec![Blocker::Conflict { expert_id: 10 }])
        );
        assert_sound(&p, &prop);
    }

    #[test]
    fn an_unqualified_member_blocks_the_team() {
        let mut trainee = member(11, "C");
        trainee.qualified = false;
        let teams = vec![
            team(1, vec![member(10, "C"), trainee]),
            team(2, vec![member(20, "F")]),
        ];
        let p = problem(vec![app(7, Some('C'))], teams);
        assert_eq!(
            feasible(&p, 7, 1),
            Err(vec![Blocker::Unqualified { expert_id: 11 }])
        );
        let prop = propose(&p);
        assert_eq!(prop.assignments, vec![(7, 2)]);
        assert_sound(&p, &prop);

        let only = Problem {
            teams: p.teams[..1].to_vec(),
            ..p.clone()
        };
        let prop = propose(&only);
        assert!(prop.assignments.is_empty());
        assert_eq!(prop.unplaced.len(), 1);
        assert!(prop.unplaced[0].reason_zh.contains("不具备评审资格"));
        assert_sound(&only, &prop);
    }

    #[test]
    fn load_is_balanced() {
        let teams = vec![
            team(1, vec![member(10, "C")]),
            team(2, vec![member(20, "C")]),
        ];
        let apps = (1..=4).map(|a| app(a, Some('C'))).collect();
        let p = problem(apps, teams);
        for seed in 0..8 {
            let prop = propose(&Problem { seed, ..p.clone() });
            let on_1 = prop.assignments.iter().filter(|x| x.1 == 1).count();
            assert_eq!(on_1, 2);
            assert_eq!((prop.match_cost, prop.load_cost), (0, 8));
        }
    }

    #[test]
    fn industry_match_is_preferred_when_loads_are_equal() {
        let teams = vec![
            team(1, vec![member(10, "C"), member(11, "CG")]),
            team(2, vec![member(20, "F"), member(21, "AF")]),
        ];
        let apps = vec![app(1, Some('F')), app(2, Some('C')), app(3, None)];
        let mut p = problem(apps, teams);
        p.load_max = 1;
        p.teams.push(team(3, vec![member(30, "Q")]));
        let prop = propose(&p);
        assert_eq!(prop.assignments, vec![(1, 2), (2, 1), (3, 3)]);
        assert_eq!((prop.match_cost, prop.load_cost), (0, 3));
        assert_sound(&p, &prop);
    }

    #[test]
    fn an_application_that_cannot_be_placed_gets_a_reason() {
        let teams = vec![
            team(1, vec![member(10, "C")]),
            team(2, vec![member(20, "C")]),
        ];
        let mut p = problem(vec![app(1, Some('C')), app(2, Some('C'))], teams);
        p.conflicts.insert((1, 10));
        p.conflicts.insert((1, 20));
        let prop = propose(&p);
        assert_eq!(prop.assignments.len(), 1);
        let u = &prop.unplaced[0];
        assert_eq!(u.application_id, 1);
        assert!(u.reason_zh.contains("全部 2 个可用评审组"));
        assert!(u.reason_zh.contains("利益冲突"));
        assert!(u.reason_en.contains("conflict of interest"));
        assert_eq!(u.article, 25);
        assert_sound(&p, &prop);

        // Capacity: three applications, two teams of one place each.
        let mut p = problem(
            (1..=3).map(|a| app(a, Some('C'))).collect(),
            vec![
                team(1, vec![member(10, "C")]),
                team(2, vec![member(20, "F")]),
            ],
        );
        p.load_max = 1;
        p.conflicts.insert((3, 20));
        let prop = propose(&p);
        assert_eq!(prop.assignments.len(), 2);
        assert_eq!(prop.unplaced.len(), 1);
        let u = &prop.unplaced[0];
        assert!(u.reason_zh.contains("均已满额"), "{}", u.reason_zh);
        assert_eq!(u.article, 8);
        assert_sound(&p, &prop);

        // No teams at all.
        let p = problem(vec![app(1, None)], Vec::new());
        let prop = propose(&p);
        assert_eq!(prop.unplaced[0].reason_zh, "没有可供分配的评审组");
        assert_sound(&p, &prop);
    }

    #[test]
    fn placing_more_beats_a_cheaper_match() {
        // Application 1 fits only team 1; application 2 fits both and matches team 1 better.
        let teams = vec![
            team(1, vec![member(10, "C")]),
            team(2, vec![member(20, "F")]),
        ];
        let mut p = problem(vec![app(1, Some('F')), app(2, Some('C'))], teams);
        p.load_max = 1;
        p.match_weight = 1000;
        p.conflicts.insert((1, 20));
        let prop = propose(&p);
        assert_eq!(prop.assignments, vec![(1, 1), (2, 2)]);
        assert_sound(&p, &prop);
    }

    #[test]
    fn check_assignment_reports_each_application_beyond_the_limit() {
        let teams = vec![team(1, vec![member(10, "C")])];
        let mut p = problem((1..=4).map(|a| app(a, None)).collect(), teams);
        p.load_max = 2;
        let plan = [(1, 1), (2, 1), (3, 1), (4, 1), (4, 1), (9, 1), (1, 8)];
        let found = check_assignment(&p, &plan);
        assert_eq!(
            found,
            vec![
                (3, Blocker::Full { load_max: 2 }),
                (4, Blocker::Full { load_max: 2 }),
                (4, Blocker::AssignedTwice { team_id: 1 }),
                (4, Blocker::Full { load_max: 2 }),
                (9, Blocker::UnknownApplication),
                (9, Blocker::Full { load_max: 2 }),
                (1, Blocker::UnknownTeam),
                (1, Blocker::AssignedTwice { team_id: 1 }),
            ]
        );
        assert_eq!(feasible(&p, 1, 1), Ok(()));
        assert_eq!(
            feasible(&p, 9, 8),
            Err(vec![Blocker::UnknownApplication, Blocker::UnknownTeam])
        );
        let empty = problem(vec![app(1, None)], vec![team(5, Vec::new())]);
        assert_eq!(feasible(&empty, 1, 5), Err(vec![Blocker::EmptyTeam]));
    }

    #[test]
    fn blockers_speak_both_languages_and_cite_the_article() {
        let all = [
            Blocker::Conflict { expert_id: 3 },
            Blocker::Unqualified { expert_id: 3 },
            Blocker::Full { load_max: 20 },
            Blocker::EmptyTeam,
            Blocker::UnknownTeam,
            Blocker::UnknownApplication,
            Blocker::AssignedTwice { team_id: 4 },
        ];
        for b in &all {
            assert!(!b.zh().is_empty() && !b.en().is_empty());
            assert!(b.zh().chars().any(|c| c > '\u{2e80}'));
        }
        assert_eq!(all[0].article(), 25);
        assert!(all[1..].iter().all(|b| b.article() == 8));
        assert!(all[2].zh().contains("20"));
    }

    #[test]
    fn cost_of_counts_members_lacking_the_industry_and_squares_loads() {
        let teams = vec![team(
            1,
            vec![member(10, "C"), member(11, "F"), member(12, "")],
        )];
        let mut p = problem(
            vec![app(1, Some('C')), app(2, None), app(3, Some('Z'))],
            teams,
        );
        p.match_weight = 4;
        assert_eq!(cost_of(&p, &[(1, 1), (2, 1), (3, 1)]), (8 + 12, 9));
        assert_eq!(cost_of(&p, &[(1, 1), (7, 1)]), (8, 1));
    }

    #[test]
    fn splitmix64_is_the_reference_sequence() {
        let mut r = SplitMix64::new(1234567);
        assert_eq!(r.next_u64(), 6457827717110365317);
        assert_eq!(r.next_u64(), 3203168211198807973);
    }

    #[test]
    fn replacements_skip_conflicted_full_and_team_members_and_rank_by_match_then_load() {
        let p = Problem {
            applications: vec![AppNode {
                application_id: 1,
                industry: Some('C'),
            }],
            teams: vec![TeamNode {
                team_id: 10,
                members: vec![
                    Member {
                        expert_id: 100,
                        industries: vec!['C'],
                        qualified: true,
                    },
                    Member {
                        expert_id: 101,
                        industries: vec!['C'],
                        qualified: true,
                    },
                ],
            }],
            conflicts: [(1, 202)].into_iter().collect(),
            load_max: 3,
            match_weight: 10,
            seed: 0,
        };
        let c = |id: i64, ind: &[char], qualified: bool, load: u32| Candidate {
            expert_id: id,
            industries: ind.to_vec(),
            qualified,
            load,
        };
        let cands = [
            c(100, &['C'], true, 0),
            c(101, &['C'], true, 0),
            c(200, &['E'], true, 0),
            c(201, &['C'], true, 2),
            c(202, &['C'], true, 0),
            c(203, &['C'], false, 0),
            c(204, &['C'], true, 3),
            c(205, &['C'], true, 1),
        ];
        let r = replacements(&p, 1, 10, 100, &cands);
        let ids: Vec<i64> = r.iter().map(|x| x.expert_id).collect();
        assert_eq!(ids, vec![205, 201, 200]);
        assert!(r[0].industry_match && !r[2].industry_match);
        assert_eq!(r[1].load_after, 3);
        assert!(r[0].reason_zh.contains("行业门类C"), "{}", r[0].reason_zh);
    }
}
