//! Read caches that stay correct without being told.
//!
//! Two kinds of entry:
//! - rows that never change once written (a rule-set version, a criteria file: both are
//!   refused rather than altered), kept once parsed;
//! - anything else, kept together with the **data version** it was read at
//!   ([`Store::data_version`]). The version moves on every writing transaction this process
//!   commits ([`crate::Tx::commit`]), and whenever the database's own write count
//!   (`audit_head.writes`, which every writing transaction adds one to inside the
//!   transaction) is found to have moved — written by another process sharing the database
//!   (another server on PostgreSQL, a command-line tool on SQLite). That count is read at most
//!   every [`REMOTE_POLL`], so another process's writes reach this process's cached pages
//!   within that time; this process's own writes, at once.
//!
//! Entries read at an older version than the newest one kept are never stored, so an entry
//! is never older than the version it is filed under.

use crate::Store;
use crate::rulesets::StoredRuleSet;
use qaward_core::criteria::Criteria;
use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often the database's write count is read to see other processes' writes.
pub const REMOTE_POLL: Duration = Duration::from_millis(250);

/// Most entries kept at one version; beyond it the cache starts again.
const MAX_ENTRIES: usize = 4096;

/// The caches a [`Store`] and its clones share.
pub(crate) struct Caches {
    rule_sets: Mutex<HashMap<i64, StoredRuleSet>>,
    criteria: Mutex<HashMap<String, Arc<Criteria>>>,
    counted: Mutex<Counted>,
    /// The data version.
    version: AtomicI64,
    /// The database's write count when last read (-1: never).
    db_writes: AtomicI64,
    /// When it was last read, in milliseconds since `started` (-1: never).
    polled_at: AtomicI64,
    started: Instant,
}

impl Default for Caches {
    fn default() -> Self {
        Caches {
            rule_sets: Mutex::default(),
            criteria: Mutex::default(),
            counted: Mutex::default(),
            version: AtomicI64::new(0),
            db_writes: AtomicI64::new(-1),
            polled_at: AtomicI64::new(-1),
            started: Instant::now(),
        }
    }
}

/// A value kept at one version, or the place where the first reader to miss it is reading it:
/// readers that miss the same entry at the same version wait for that one read instead of all
/// reading the database at once (after every write, every page's entries miss together).
type Slot = Arc<tokio::sync::OnceCell<Arc<dyn Any + Send + Sync>>>;

#[derive(Default)]
struct Counted {
    version: i64,
    entries: HashMap<String, Slot>,
}

impl Counted {
    /// Make room for an entry at `version`: none is kept for an older version than the newest
    /// one seen; a newer version, or a full cache, starts again.
    fn admit(&mut self, version: i64, key: &str) -> bool {
        if version < self.version {
            return false;
        }
        if version > self.version
            || (self.entries.len() >= MAX_ENTRIES && !self.entries.contains_key(key))
        {
            self.entries.clear();
            self.version = version;
        }
        true
    }
}

impl std::fmt::Debug for Caches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.counted.lock().map(|c| c.entries.len()).unwrap_or(0);
        f.debug_struct("Caches").field("entries", &n).finish()
    }
}

impl Caches {
    /// This process committed a writing transaction, the database's `writes`-th. Writers are
    /// ordered (see [`Store::write`]), so every write counted before it was committed before
    /// it, and whatever is read from the version this moves to sees them all: the next poll of
    /// the write count need not move the version again for them (it would empty the caches a
    /// second time for the same write).
    pub(crate) fn written(&self, writes: i64) {
        self.version.fetch_add(1, Ordering::SeqCst);
        self.db_writes.fetch_max(writes, Ordering::SeqCst);
    }

    pub(crate) fn rule_set(&self, id: i64) -> Option<StoredRuleSet> {
        self.rule_sets.lock().ok()?.get(&id).cloned()
    }

    pub(crate) fn keep_rule_set(&self, rs: &StoredRuleSet) {
        if let Ok(mut m) = self.rule_sets.lock() {
            m.insert(rs.id, rs.clone());
        }
    }

    pub(crate) fn criteria(&self, code: &str) -> Option<Arc<Criteria>> {
        self.criteria.lock().ok()?.get(code).cloned()
    }

    pub(crate) fn keep_criteria(&self, code: &str, c: &Arc<Criteria>) {
        if let Ok(mut m) = self.criteria.lock() {
            m.insert(code.to_owned(), c.clone());
        }
    }

    fn keep<T: Send + Sync + 'static>(&self, version: i64, key: String, value: Arc<T>) {
        let Ok(mut c) = self.counted.lock() else {
            return;
        };
        if c.admit(version, &key) {
            let value: Arc<dyn Any + Send + Sync> = value;
            c.entries
                .insert(key, Arc::new(tokio::sync::OnceCell::new_with(Some(value))));
        }
    }

    /// The slot of `key` at `version`, made empty if there is none; `None` when `version` is
    /// older than the newest one seen (what is read then is not kept).
    fn slot(&self, version: i64, key: &str) -> Option<Slot> {
        let mut c = self.counted.lock().ok()?;
        if !c.admit(version, key) {
            return None;
        }
        if let Some(slot) = c.entries.get(key) {
            return Some(slot.clone());
        }
        let slot = Slot::default();
        c.entries.insert(key.to_owned(), slot.clone());
        Some(slot)
    }
}

/// The key of an entry of type `T`: the type is part of it, so an entry always holds the type
/// asked for.
fn typed<T>(key: &str) -> String {
    format!("{key}@{}", std::any::type_name::<T>())
}

/// The database as of one data version: reads through it use what was read before at the
/// same version and read the database otherwise. For pages that only read; a handler that
/// writes reads its own writes from the [`Store`] itself.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    store: &'a Store,
    version: i64,
}

impl Store {
    /// A number that moves whenever the data may have changed (see the module's
    /// documentation): read it before reading, and read through [`Store::view_at`] with it.
    pub async fn data_version(&self) -> crate::Result<i64> {
        use sqlx::Row;
        let c = &self.caches;
        let now = i64::try_from(c.started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let last = c.polled_at.load(Ordering::SeqCst);
        let due = last < 0 || now - last >= i64::try_from(REMOTE_POLL.as_millis()).unwrap_or(0);
        if due
            && c.polled_at
                .compare_exchange(last, now, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            let writes: i64 = sqlx::query("SELECT writes FROM audit_head WHERE id = 1")
                .fetch_optional(self.pool())
                .await?
                .map(|r| r.get(0))
                .unwrap_or(0);
            if c.db_writes.swap(writes, Ordering::SeqCst) != writes {
                c.version.fetch_add(1, Ordering::SeqCst);
            }
        }
        Ok(c.version.load(Ordering::SeqCst))
    }

    /// The database as of the given data version (see [`Store::data_version`]).
    pub fn view_at(&self, version: i64) -> View<'_> {
        View {
            store: self,
            version,
        }
    }
}

impl<'a> View<'a> {
    /// The data version this view reads at.
    pub fn version(&self) -> i64 {
        self.version
    }

    /// The store behind the view.
    pub fn store(&self) -> &'a Store {
        self.store
    }

    /// `load` unless an entry of `key` was kept at this view's version; while another reader
    /// is loading the same entry at the same version, its result. Shared, so a hit copies
    /// nothing. Only for what `load` reads from the database alone: nothing that depends on
    /// the clock, the reader or the language. A failed load is not kept: the next reader
    /// tries again.
    pub async fn get_or<T, F>(&self, key: String, load: F) -> crate::Result<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: std::future::Future<Output = crate::Result<T>>,
    {
        let key = typed::<T>(&key);
        let Some(slot) = self.store.caches.slot(self.version, &key) else {
            return Ok(Arc::new(load.await?));
        };
        let v = slot
            .get_or_try_init(|| async {
                let v: Arc<dyn Any + Send + Sync> = Arc::new(load.await?);
                Ok::<_, crate::Error>(v)
            })
            .await?;
        v.clone()
            .downcast::<T>()
            .map_err(|_| crate::Error::Other(format!("cache entry {key} holds another type")))
    }

    /// Keep `value` under `key` at this view's version.
    pub(crate) fn keep<T: Send + Sync + 'static>(&self, key: &str, value: T) {
        self.store
            .caches
            .keep(self.version, typed::<T>(key), Arc::new(value));
    }

    /// [`Store::session_detail`] through the cache.
    pub async fn session_detail(
        &self,
        id: i64,
    ) -> crate::Result<Arc<crate::session::SessionDetail>> {
        self.get_or(
            format!("session_detail:{id}"),
            self.store.session_detail(id),
        )
        .await
    }

    /// [`Store::counties`] through the cache.
    pub async fn counties(
        &self,
        programme_id: i64,
    ) -> crate::Result<Arc<Vec<crate::programme::Unit>>> {
        self.get_or(
            format!("counties:{programme_id}"),
            self.store.counties(programme_id),
        )
        .await
    }
}
