//! Placeholder of the team-assignment optimiser's interface (replaced by the exact optimiser).
#![allow(missing_docs)]

use std::collections::HashSet;

pub struct Member {
    pub expert_id: i64,
    pub industries: Vec<char>,
    pub qualified: bool,
}
pub struct TeamNode {
    pub team_id: i64,
    pub members: Vec<Member>,
}
pub struct AppNode {
    pub application_id: i64,
    pub industry: Option<char>,
}
pub struct Problem {
    pub applications: Vec<AppNode>,
    pub teams: Vec<TeamNode>,
    pub conflicts: HashSet<(i64, i64)>,
    pub load_max: u32,
    pub match_weight: i64,
    pub seed: u64,
}
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    Conflict { expert_id: i64 },
    Unqualified { expert_id: i64 },
    Full { load_max: u32 },
    EmptyTeam,
    UnknownTeam,
    UnknownApplication,
}
impl Blocker {
    pub fn zh(&self) -> String {
        format!("{self:?}")
    }
    pub fn en(&self) -> String {
        format!("{self:?}")
    }
    pub fn article(&self) -> u32 {
        match self {
            Blocker::Conflict { .. } => 25,
            _ => 8,
        }
    }
}
pub struct Unplaced {
    pub application_id: i64,
    pub reason_zh: String,
    pub reason_en: String,
}
pub struct Proposal {
    pub assignments: Vec<(i64, i64)>,
    pub unplaced: Vec<Unplaced>,
    pub match_cost: i64,
    pub load_cost: i64,
    pub cost: i64,
    pub seed: u64,
}
pub fn feasible(p: &Problem, application_id: i64, team_id: i64) -> Result<(), Vec<Blocker>> {
    let Some(t) = p.teams.iter().find(|t| t.team_id == team_id) else {
        return Err(vec![Blocker::UnknownTeam]);
    };
    let mut b = Vec::new();
    for m in &t.members {
        if p.conflicts.contains(&(application_id, m.expert_id)) {
            b.push(Blocker::Conflict { expert_id: m.expert_id });
        }
        if !m.qualified {
            b.push(Blocker::Unqualified { expert_id: m.expert_id });
        }
    }
    if b.is_empty() { Ok(()) } else { Err(b) }
}
pub fn check_assignment(p: &Problem, assignments: &[(i64, i64)]) -> Vec<(i64, Blocker)> {
    let mut out = Vec::new();
    for (a, t) in assignments {
        if let Err(b) = feasible(p, *a, *t) {
            out.extend(b.into_iter().map(|b| (*a, b)));
        }
    }
    out
}
pub fn propose(p: &Problem) -> Proposal {
    let mut load = vec![0u32; p.teams.len()];
    let mut assignments = Vec::new();
    let mut unplaced = Vec::new();
    for a in &p.applications {
        let best = (0..p.teams.len())
            .filter(|i| load[*i] < p.load_max && feasible(p, a.application_id, p.teams[*i].team_id).is_ok())
            .min_by_key(|i| load[*i]);
        match best {
            Some(i) => {
                load[i] += 1;
                assignments.push((a.application_id, p.teams[i].team_id));
            }
            None => unplaced.push(Unplaced { application_id: a.application_id, reason_zh: String::new(), reason_en: String::new() }),
        }
    }
    Proposal { assignments, unplaced, match_cost: 0, load_cost: 0, cost: 0, seed: p.seed }
}
