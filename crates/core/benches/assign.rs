//! Timing of the team assignment optimiser on seeded random instances.
//!
//! Run with `cargo bench -p qaward-core --bench assign`.

use std::collections::HashSet;
use std::time::Instant;

use qaward_core::assignment::{AppNode, Member, Problem, SplitMix64, TeamNode, certify, propose};

/// One instance shape.
struct Shape {
    apps: usize,
    teams: usize,
    experts: usize,
    team_size: usize,
    load_max: u32,
    /// Conflicts per 10,000 expert–application pairs.
    conflict_per_10k: u64,
}

const SECTIONS: &[u8] = b"ABCDEFGHIJKLMNOPQRST";

fn instance(s: &Shape, seed: u64) -> Problem {
    let mut rng = SplitMix64::new(seed);
    let experts: Vec<Member> = (0..s.experts)
        .map(|e| {
            let k = 1 + rng.below(3) as usize;
            Member {
                expert_id: 10_000 + e as i64,
                industries: (0..k)
                    .map(|_| SECTIONS[rng.below(SECTIONS.len() as u64) as usize] as char)
                    .collect(),
                qualified: rng.below(1000) >= 5,
            }
        })
        .collect();
    let mut ids: Vec<usize> = (0..s.experts).collect();
    let teams = (0..s.teams)
        .map(|t| {
            rng.shuffle(&mut ids);
            TeamNode {
                team_id: 1 + t as i64,
                members: ids[..s.team_size]
                    .iter()
                    .map(|&i| experts[i].clone())
                    .collect(),
            }
        })
        .collect();
    let applications: Vec<AppNode> = (0..s.apps)
        .map(|a| AppNode {
            application_id: 100_000 + a as i64,
            industry: (rng.below(100) >= 3)
                .then(|| SECTIONS[rng.below(SECTIONS.len() as u64) as usize] as char),
        })
        .collect();
    let mut conflicts = HashSet::new();
    for a in &applications {
        for e in &experts {
            if rng.below(10_000) < s.conflict_per_10k {
                conflicts.insert((a.application_id, e.expert_id));
            }
        }
    }
    Problem {
        applications,
        teams,
        conflicts,
        load_max: s.load_max,
        match_weight: 10,
        seed,
    }
}

fn main() {
    let shapes = [
        Shape {
            apps: 300,
            teams: 60,
            experts: 300,
            team_size: 5,
            load_max: 8,
            conflict_per_10k: 100,
        },
        Shape {
            apps: 2_000,
            teams: 200,
            experts: 1_000,
            team_size: 5,
            load_max: 15,
            conflict_per_10k: 100,
        },
        Shape {
            apps: 10_000,
            teams: 600,
            experts: 3_000,
            team_size: 5,
            load_max: 20,
            conflict_per_10k: 100,
        },
        // Five times the conflicts.
        Shape {
            apps: 10_000,
            teams: 600,
            experts: 3_000,
            team_size: 5,
            load_max: 20,
            conflict_per_10k: 500,
        },
        // Capacity short of demand (1,600 and 8,000 places).
        Shape {
            apps: 2_000,
            teams: 80,
            experts: 400,
            team_size: 5,
            load_max: 20,
            conflict_per_10k: 100,
        },
        Shape {
            apps: 10_000,
            teams: 400,
            experts: 2_000,
            team_size: 5,
            load_max: 20,
            conflict_per_10k: 100,
        },
    ];
    println!(
        "{:>6} {:>6} {:>9} {:>6} {:>9} {:>10} {:>10} {:>9}",
        "apps", "teams", "conflicts", "placed", "cost", "propose ms", "certify ms", "certified"
    );
    for (i, s) in shapes.iter().enumerate() {
        for run in 0..3u64 {
            let p = instance(s, 1 + 100 * i as u64 + run);
            let t0 = Instant::now();
            let prop = propose(&p);
            let propose_ms = t0.elapsed().as_secs_f64() * 1e3;
            let t1 = Instant::now();
            let ok = certify(&p, &prop);
            let certify_ms = t1.elapsed().as_secs_f64() * 1e3;
            println!(
                "{:>6} {:>6} {:>9} {:>6} {:>9} {:>10.1} {:>10.1} {:>9}",
                s.apps,
                s.teams,
                p.conflicts.len(),
                prop.assignments.len(),
                prop.cost,
                propose_ms,
                certify_ms,
                if ok.is_ok() { "yes" } else { "NO" }
            );
            if let Err(e) = ok {
                println!("  {e}");
            }
        }
    }
}
