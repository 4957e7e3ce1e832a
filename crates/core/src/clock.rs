//! Time. Everything is stored in UTC and shown in Asia/Shanghai; "today" is the
//! Shanghai calendar day. The clock is injectable so tests can set "today".

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};
use std::sync::Mutex;

/// The zone every date of the measures is read in.
pub fn shanghai() -> TimeZone {
    TimeZone::get("Asia/Shanghai").unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(8)))
}

/// A source of the current instant.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Timestamp;
    /// The current calendar day in Asia/Shanghai.
    fn today(&self) -> Date {
        self.now().to_zoned_datetime(shanghai()).date()
    }
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// The machine's clock moved by whole days, so that a demonstration built for one day starts
/// on that day whatever day it runs, keeps the real time of day, and goes on from there.
#[derive(Debug, Clone, Copy)]
pub struct ShiftedClock {
    days: i64,
}

impl ShiftedClock {
    /// A clock whose today is `day` now (the machine's Shanghai day moved to `day`).
    pub fn starting_on(day: Date) -> Self {
        let today = SystemClock.today();
        Self {
            days: i64::from(today.until(day).map(|s| s.get_days()).unwrap_or(0)),
        }
    }
    /// By how many days it differs from the machine's clock (negative: behind).
    pub fn days(&self) -> i64 {
        self.days
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> Timestamp {
        let now = Timestamp::now();
        now.checked_add(jiff::SignedDuration::from_hours(self.days * 24))
            .unwrap_or(now)
    }
}

/// A clock that stands still until it is moved; for tests and for replaying history.
#[derive(Debug)]
pub struct FixedClock(Mutex<Timestamp>);

impl FixedClock {
    /// A clock standing at `at`.
    pub fn new(at: Timestamp) -> Self {
        Self(Mutex::new(at))
    }
    /// A clock standing at 09:00 Shanghai time on `day`.
    pub fn on(day: Date) -> Self {
        Self::new(at_shanghai(day, 9, 0))
    }
    /// Move the clock to `at`.
    pub fn set(&self, at: Timestamp) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }
    /// Move the clock to 09:00 Shanghai time on `day`.
    pub fn set_day(&self, day: Date) {
        self.set(at_shanghai(day, 9, 0));
    }
    /// Move the clock forward.
    pub fn advance(&self, by: jiff::SignedDuration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t = t.checked_add(by).unwrap_or(*t);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The instant of `hour:minute` on `day` in Shanghai.
pub fn at_shanghai(day: Date, hour: i8, minute: i8) -> Timestamp {
    day.at(hour, minute, 0, 0)
        .to_zoned_datetime(shanghai())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Microseconds since the Unix epoch, the form times take in the database.
pub fn to_micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

/// The instant stored as microseconds since the Unix epoch.
pub fn from_micros(us: i64) -> Timestamp {
    Timestamp::from_microsecond(us).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A stored instant in Shanghai time, as people read it: `2026-11-25 14:03`.
pub fn format_micros(us: i64) -> String {
    let z: ZonedDateTime = from_micros(us).to_zoned_datetime(shanghai());
    z.strftime("%Y-%m-%d %H:%M").to_string()
}

/// A day the Chinese way: `2026年11月25日`.
pub fn date_zh(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_shifted_clock_starts_on_its_day() {
        let c = ShiftedClock::starting_on(date(2026, 11, 25));
        assert_eq!(c.today(), date(2026, 11, 25));
    }

    #[test]
    fn today_is_the_shanghai_day() {
        // 2026-11-24 17:30 UTC is already 01:30 on the 25th in Shanghai.
        let t: Timestamp = "2026-11-24T17:30:00Z".parse().unwrap();
        assert_eq!(FixedClock::new(t).today(), date(2026, 11, 25));
        assert_eq!(format_micros(to_micros(t)), "2026-11-25 01:30");
    }

    #[test]
    fn fixed_clock_moves_only_when_told() {
        let c = FixedClock::on(date(2026, 3, 1));
        assert_eq!(c.today(), date(2026, 3, 1));
        c.set_day(date(2026, 3, 9));
        assert_eq!(c.today(), date(2026, 3, 9));
        assert_eq!(date_zh(c.today()), "2026年3月9日");
    }
}
