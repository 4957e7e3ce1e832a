//! Sign-in throttling, decided without looking at whether the name exists.
//!
//! Failed sign-ins are counted three ways: per name *and* client address (a source that keeps
//! failing on one account is paused), per client address (a source that tries many names is
//! paused), and per name over every address (a distributed attack on one account pauses that
//! account, until the lock runs out or the security administrator lifts it). Every count is
//! kept for the name as typed, whether or not an account has it, so neither the answer nor its
//! timing tells which names exist. A pause never outlives `lock_minutes`, and the owner of an
//! account paused for one source signs in from any other.

/// What a counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// One name from one client address.
    Pair,
    /// One client address, whatever the name.
    Address,
    /// One name, from every address.
    Name,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 3] = [Scope::Pair, Scope::Address, Scope::Name];

    /// Code as stored.
    pub fn code(self) -> &'static str {
        match self {
            Scope::Pair => "pair",
            Scope::Address => "address",
            Scope::Name => "name",
        }
    }

    /// From the stored code.
    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.code() == s)
    }

    /// What a pause of this scope keeps out, in Chinese.
    pub fn name_zh(self) -> &'static str {
        match self {
            Scope::Pair => "该来源登录该账号",
            Scope::Address => "该来源登录任何账号",
            Scope::Name => "该账号（所有来源）",
        }
    }
}

/// The limits in force (the security administrator's settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failures of one name from one address before that source is paused for it.
    pub per_pair: i64,
    /// Failures from one address (any names) before the address is paused.
    pub per_address: i64,
    /// Failures of one name from all addresses before the account is paused.
    pub per_name: i64,
    /// How long a pause lasts, in minutes.
    pub lock_minutes: i64,
}

/// Failures are counted within this window (µs) from the first one.
pub const WINDOW_US: i64 = 3_600_000_000;

impl Limits {
    /// The limit of a scope.
    pub fn of(&self, s: Scope) -> i64 {
        match s {
            Scope::Pair => self.per_pair,
            Scope::Address => self.per_address,
            Scope::Name => self.per_name,
        }
    }
}

/// One counter as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counter {
    /// Failures in the window.
    pub failures: i64,
    /// When the window began (µs).
    pub window_start: i64,
    /// Paused until (µs), if it was paused.
    pub locked_until: Option<i64>,
}

impl Counter {
    /// Whether this counter pauses sign-in at `now`.
    pub fn blocks(&self, now: i64) -> bool {
        self.locked_until.is_some_and(|u| u > now)
    }

    /// The counter after one more failure at `now`; a window that has run out, or a pause
    /// that has ended, starts the count afresh. Reaching the limit pauses for `lock_minutes`.
    pub fn after_failure(self, scope: Scope, limits: &Limits, now: i64) -> Counter {
        let stale =
            now - self.window_start > WINDOW_US || self.locked_until.is_some_and(|u| u <= now);
        let (failures, window_start) = if stale || self.failures == 0 {
            (1, now)
        } else {
            (self.failures + 1, self.window_start)
        };
        let locked_until = if failures >= limits.of(scope) {
            Some(now + limits.lock_minutes * 60_000_000)
        } else {
            None
        };
        Counter {
            failures,
            window_start,
            locked_until,
        }
    }
}

/// The scopes whose counters pause an attempt at `now`, given the counters found.
pub fn paused_by(counters: &[(Scope, Counter)], now: i64) -> Vec<Scope> {
    counters
        .iter()
        .filter(|(_, c)| c.blocks(now))
        .map(|(s, _)| *s)
        .collect()
}

/// The name as counted: trimmed, and cut at 64 characters (no account name is longer), so a
/// huge name is not stored whole.
pub fn counted_name(name: &str) -> String {
    name.trim().chars().take(64).collect()
}

/// The one answer every failed sign-in gets, whatever the reason (unknown name, wrong
/// password, a pause): (Chinese, English).
pub const FAILED: (&str, &str) = (
    "用户名或密码不正确，或因登录失败次数过多已暂停登录。请核对后重试；如仍无法登录，请联系安全管理员。",
    "The user name or password is wrong, or sign-in is paused after too many failures. Check and try again; if you still cannot sign in, ask the security administrator.",
);

#[cfg(test)]
mod tests {
    use super::*;

    const L: Limits = Limits {
        per_pair: 5,
        per_address: 30,
        per_name: 100,
        lock_minutes: 15,
    };
    const MIN: i64 = 60_000_000;

    #[test]
    fn the_fifth_failure_pauses_for_the_lock_time_and_then_the_count_starts_afresh() {
        let mut c = Counter::default();
        for i in 1..=4 {
            c = c.after_failure(Scope::Pair, &L, i * MIN);
            assert_eq!(c.failures, i);
            assert!(!c.blocks(i * MIN));
        }
        c = c.after_failure(Scope::Pair, &L, 5 * MIN);
        assert!(c.blocks(5 * MIN));
        assert!(c.blocks(19 * MIN));
        assert!(!c.blocks(20 * MIN), "a pause never outlives the lock time");
        let c = c.after_failure(Scope::Pair, &L, 21 * MIN);
        assert_eq!(c.failures, 1);
        assert!(!c.blocks(21 * MIN));
    }

    #[test]
    fn failures_older_than_the_window_are_forgotten() {
        let mut c = Counter::default();
        for i in 0..4 {
            c = c.after_failure(Scope::Pair, &L, i * MIN);
        }
        let c = c.after_failure(Scope::Pair, &L, 61 * MIN);
        assert_eq!(c.failures, 1);
        assert!(!c.blocks(61 * MIN));
    }

    #[test]
    fn each_scope_has_its_own_limit() {
        let mut c = Counter::default();
        for i in 0..29 {
            c = c.after_failure(Scope::Address, &L, i);
        }
        assert!(!c.blocks(30));
        assert!(c.after_failure(Scope::Address, &L, 30).blocks(31));
        let found = [
            (Scope::Pair, Counter::default()),
            (
                Scope::Name,
                Counter {
                    failures: 100,
                    window_start: 0,
                    locked_until: Some(10),
                },
            ),
        ];
        assert_eq!(paused_by(&found, 5), vec![Scope::Name]);
        assert!(paused_by(&found, 10).is_empty());
    }

    #[test]
    fn a_huge_name_is_counted_by_its_first_64_characters() {
        assert_eq!(counted_name(&"x".repeat(5000)).len(), 64);
        assert_eq!(counted_name("  office "), "office");
        assert_eq!(Scope::parse("address"), Some(Scope::Address));
        assert_eq!(Scope::parse("other"), None);
    }
}
