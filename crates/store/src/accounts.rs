//! Accounts, role grants, sign-in with lockout, server-side sessions, security settings.

use crate::{Error, NewEntry, Result, Store, Tx, Who, opt_i64};
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use qaward_core::authz::{Actor, Grant, Role, grants_separated};
use rand::Rng;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// Security settings the security administrator sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecuritySettings {
    /// Failed sign-ins of one account from one client address before that source is paused
    /// for that account.
    pub max_failed_logins: i64,
    /// How long a pause lasts.
    pub lockout_minutes: i64,
    /// Idle time after which a session ends.
    pub idle_timeout_minutes: i64,
    /// Failed sign-ins from one client address (any names) within an hour before that
    /// address is paused.
    pub address_max_failures: i64,
    /// Failed sign-ins of one account from every address within an hour before the account
    /// is paused for everyone (until the pause ends or the security administrator lifts it).
    pub account_max_failures: i64,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        Self {
            max_failed_logins: 5,
            lockout_minutes: 15,
            idle_timeout_minutes: 30,
            address_max_failures: 30,
            account_max_failures: 100,
        }
    }
}

impl SecuritySettings {
    /// The settings' keys, names and allowed ranges.
    pub const KEYS: [(&'static str, &'static str, i64, i64); 5] = [
        ("max_failed_logins", "同一来源连续登录失败暂停次数", 3, 10),
        ("lockout_minutes", "暂停时长（分钟）", 5, 1440),
        ("idle_timeout_minutes", "会话空闲超时（分钟）", 5, 120),
        (
            "address_max_failures",
            "同一来源地址每小时登录失败暂停次数",
            10,
            1000,
        ),
        (
            "account_max_failures",
            "同一账号每小时登录失败（所有来源）暂停次数",
            20,
            1000,
        ),
    ];

    fn set(&mut self, key: &str, v: i64) {
        match key {
            "max_failed_logins" => self.max_failed_logins = v,
            "lockout_minutes" => self.lockout_minutes = v,
            "idle_timeout_minutes" => self.idle_timeout_minutes = v,
            "address_max_failures" => self.address_max_failures = v,
            "account_max_failures" => self.account_max_failures = v,
            _ => {}
        }
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> i64 {
        match key {
            "max_failed_logins" => self.max_failed_logins,
            "lockout_minutes" => self.lockout_minutes,
            "address_max_failures" => self.address_max_failures,
            "account_max_failures" => self.account_max_failures,
            _ => self.idle_timeout_minutes,
        }
    }

    /// The sign-in throttle's limits.
    pub fn limits(&self) -> qaward_core::signin::Limits {
        qaward_core::signin::Limits {
            per_pair: self.max_failed_logins,
            per_address: self.address_max_failures,
            per_name: self.account_max_failures,
            lock_minutes: self.lockout_minutes,
        }
    }
}

/// A stored account, without its password hash.
#[derive(Debug, Clone)]
pub struct User {
    /// Id.
    pub id: i64,
    /// Sign-in name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// Email, if any.
    pub email: Option<String>,
    /// Enabled.
    pub active: bool,
    /// Consecutive failed sign-ins.
    pub failed_logins: i64,
    /// Locked until (microseconds), if locked.
    pub locked_until: Option<i64>,
    /// Roles.
    pub grants: Vec<Grant>,
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// Email.
    pub email: Option<String>,
    /// Password in clear (checked against the policy, then hashed).
    pub password: String,
    /// Roles.
    pub grants: Vec<Grant>,
}

/// How a sign-in went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginOutcome {
    /// Signed in: the session token (for the cookie).
    Ok {
        /// The cookie value.
        token: String,
        /// The user.
        user_id: i64,
    },
    /// Not signed in: unknown name, wrong password, or a pause. All three get the same
    /// answer ([`qaward_core::signin::FAILED`]), so the answer tells nothing of the name.
    Failed,
    /// The right password of a disabled account (only its owner learns it is disabled).
    Disabled,
}

/// A pause of sign-in in force (see [`qaward_core::signin`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInLock {
    /// What it pauses.
    pub scope: qaward_core::signin::Scope,
    /// The name as typed ('' for an address pause).
    pub name: String,
    /// The client address ('' for an account pause).
    pub address: String,
    /// Failures counted.
    pub failures: i64,
    /// Until (µs).
    pub until: i64,
}

/// A live session.
#[derive(Debug, Clone)]
pub struct WebSession {
    /// The person.
    pub actor: Actor,
    /// Sign-in name.
    pub username: String,
    /// The synchronizer token forms carry.
    pub csrf: String,
    /// Hash of the cookie token.
    pub token_hash: String,
}

/// A session as stored: what [`Store::session`] decides from, and what the cache keeps.
#[derive(Debug, Clone)]
struct SessionRow {
    session: WebSession,
    last_seen_at: i64,
    active: bool,
}

impl crate::cache::View<'_> {
    /// [`Store::session`] through the cache. Sign-in, sign-out, password changes, grants and
    /// deactivation are all writes, so a session kept at the same data version is as stored but
    /// for its idle clock, which this keeps up to date; a session that looks idle past the
    /// timeout is read again before it is refused (another server may have seen it since).
    pub async fn session(&self, token: &str, now: jiff::Timestamp) -> Result<Option<WebSession>> {
        let store = self.store();
        let settings = self
            .get_or("security_settings".into(), store.security_settings())
            .await?;
        let th = token_hash(token);
        let key = format!("web_session:{th}");
        let kept = self.get_or(key.clone(), store.session_row(&th)).await?;
        let Some(mut row) = (*kept).clone() else {
            return Ok(None);
        };
        if store.session_alive(&mut row, &settings, now).await? {
            self.keep(&key, Some(row.clone()));
            return Ok(Some(row.session));
        }
        let Some(mut row) = store.session_row(&th).await? else {
            return Ok(None);
        };
        let alive = store.session_alive(&mut row, &settings, now).await?;
        if alive {
            self.keep(&key, Some(row.clone()));
        }
        Ok(alive.then_some(row.session))
    }
}

/// Argon2 work areas kept for reuse: one per hashing or check running at once (see
/// [`password_work`]). Each run needs its whole memory cost (19 MiB with the default
/// parameters); allocating and freeing that much per sign-in leaves the allocator holding
/// freed areas in every thread's arena, so the server grew by tens of MB per sign-in.
static AREAS: std::sync::Mutex<Vec<Vec<Block>>> = std::sync::Mutex::new(Vec::new());

/// Run `f` with a work area of `blocks` Argon2 blocks taken from [`AREAS`].
fn with_area<T>(blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    let mut area = AREAS
        .lock()
        .ok()
        .and_then(|mut a| a.pop())
        .unwrap_or_default();
    if area.len() < blocks {
        area.resize(blocks, Block::default());
    }
    let r = f(&mut area[..blocks]);
    if let Ok(mut a) = AREAS.lock() {
        a.push(area);
    }
    r
}

/// Hash a password with Argon2id (slow: call from a blocking thread, see [`password_work`]).
pub fn hash_password(pw: &str) -> Result<String> {
    let fail = |e: String| Error::Other(format!("hash: {e}"));
    let mut salt = [0u8; 16];
    rand::rng().fill(&mut salt);
    let params = Params::default();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    with_area(params.block_count(), |area| {
        argon.hash_password_into_with_memory(pw.as_bytes(), &salt, &mut out, area)
    })
    .map_err(|e| fail(e.to_string()))?;
    let h = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).map_err(|e| fail(e.to_string()))?,
        salt: Some(Salt::new(&salt).map_err(|e| fail(e.to_string()))?),
        hash: Some(Output::new(&out).map_err(|e| fail(e.to_string()))?),
    };
    Ok(h.to_string())
}

/// Check a password against its stored hash (slow: call from a blocking thread, see
/// [`password_work`]).
pub fn verify_password(pw: &str, hash: &str) -> bool {
    let Ok(h) = PasswordHash::new(hash) else {
        return false;
    };
    let (Ok(alg), Ok(params), Some(salt), Some(expected)) = (
        Algorithm::try_from(h.algorithm.as_str()),
        Params::try_from(&h),
        h.salt.as_ref(),
        h.hash.as_ref(),
    ) else {
        return false;
    };
    let Ok(version) = h.version.map_or(Ok(Version::default()), Version::try_from) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(alg, version, params.clone());
    let done = with_area(params.block_count(), |area| {
        argon.hash_password_into_with_memory(pw.as_bytes(), salt.as_ref(), &mut out, area)
    });
    // Compared in full whatever differs, so the time does not tell how much matched.
    done.is_ok()
        && out
            .iter()
            .zip(expected.as_bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Run password hashing or checking (`f`) on a blocking thread, at most one per CPU at a
/// time. Each Argon2 run holds its whole memory cost (19 MiB with the default parameters)
/// until it ends, so a crowd signing in at once would otherwise hold that much per person;
/// the work is CPU-bound, so running more at once than there are CPUs gains no speed.
pub async fn password_work<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    static SLOTS: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    });
    let _slot = SLOTS
        .acquire()
        .await
        .map_err(|e| Error::Other(e.to_string()))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Other(e.to_string()))
}

/// A fresh random token, hex.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill(&mut b);
    hex::encode(b)
}

/// A hash of a random password, checked against when the user name is unknown.
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| hash_password(&random_token()).unwrap_or_default())
        .clone()
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn grant_from(r: &sqlx::any::AnyRow) -> Option<Grant> {
    Some(Grant {
        role: Role::parse(&r.get::<String, _>("role"))?,
        programme_id: opt_i64(r, "programme_id"),
        county_id: opt_i64(r, "county_id"),
        department_id: opt_i64(r, "department_id"),
        organisation_id: opt_i64(r, "organisation_id"),
    })
}

fn primary_role(grants: &[Grant]) -> String {
    grants
        .iter()
        .map(|g| g.role)
        .min()
        .map(|r| r.code().to_owned())
        .unwrap_or_else(|| "none".into())
}

impl Store {
    /// The security settings in force.
    pub async fn security_settings(&self) -> Result<SecuritySettings> {
        let mut s = SecuritySettings::default();
        for r in sqlx::query("SELECT key, value FROM security_settings")
            .fetch_all(self.pool())
            .await?
        {
            s.set(&r.get::<String, _>("key"), r.get("value"));
        }
        Ok(s)
    }

    /// Change a security setting (security administrator).
    pub async fn set_security_setting(
        &self,
        who: &Who,
        key: &str,
        value: i64,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let Some((k, name, lo, hi)) = SecuritySettings::KEYS
            .iter()
            .find(|(k, ..)| *k == key)
            .copied()
        else {
            return Err(Error::invalid("key", "未知的设置项。", "Unknown setting."));
        };
        if !(lo..=hi).contains(&value) {
            return Err(Error::invalid(
                k,
                format!("“{name}”须在{lo}至{hi}之间。"),
                format!("The value must be between {lo} and {hi}."),
            ));
        }
        let old = self.security_settings().await?.get(k);
        let mut tx = self.write(now).await?;
        sqlx::query(
            "INSERT INTO security_settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = $3",
        )
        .bind(k)
        .bind(value)
        .bind(tx.now())
        .execute(tx.conn())
        .await?;
        tx.audit(
            NewEntry::security(who, "security.setting", "setting", k)
                .summary(format!("将“{name}”由{old}改为{value}"))
                .detail(serde_json::json!({"key": k, "old": old, "new": value})),
        )
        .await?;
        tx.commit().await
    }

    /// Create an account in `tx`. The password is already hashed.
    pub async fn insert_user(tx: &mut Tx, who: &Who, u: &NewUser, hash: &str) -> Result<i64> {
        if let Err(m) = grants_separated(&u.grants) {
            return Err(Error::invalid(
                "role",
                m,
                "The three administrators and award roles must be held by different accounts.",
            ));
        }
        for g in &u.grants {
            if g.role.needs_programme() && g.programme_id.is_none() {
                return Err(Error::invalid(
                    "programme",
                    "该角色须指定评选项目。",
                    "This role needs a programme.",
                ));
            }
            if g.role == Role::CountyOffice && g.county_id.is_none() {
                return Err(Error::invalid(
                    "county",
                    "县级账号须指定所属县（市、区）。",
                    "A county office account needs its county.",
                ));
            }
            if g.role == Role::Department && g.department_id.is_none() {
                return Err(Error::invalid(
                    "department",
                    "部门账号须指定所属部门。",
                    "A department account needs its department.",
                ));
            }
            if g.role == Role::Applicant && g.organisation_id.is_none() {
                return Err(Error::invalid(
                    "organisation",
                    "申报单位账号须指定所属单位。",
                    "An applicant account needs its organisation.",
                ));
            }
        }
        let exists = sqlx::query("SELECT id FROM users WHERE username = $1")
            .bind(&u.username)
            .fetch_optional(tx.conn())
            .await?;
        if exists.is_some() {
            return Err(Error::invalid(
                "username",
                "该用户名已被使用。",
                "That user name is taken.",
            ));
        }
        let now = tx.now();
        let id: i64 = sqlx::query(
            "INSERT INTO users (username, display_name, email, password_hash, active, failed_logins, created_at, password_changed_at) VALUES ($1, $2, $3, $4, 1, 0, $5, $5) RETURNING id",
        )
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(&u.email)
        .bind(hash)
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .get(0);
        for g in &u.grants {
            sqlx::query(
                "INSERT INTO role_grants (user_id, role, programme_id, county_id, department_id, organisation_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(g.role.code())
            .bind(g.programme_id)
            .bind(g.county_id)
            .bind(g.department_id)
            .bind(g.organisation_id)
            .bind(now)
            .execute(tx.conn())
            .await?;
        }
        let roles: Vec<&str> = u.grants.iter().map(|g| g.role.name_zh()).collect();
        tx.audit(
            NewEntry::admin(who, "user.create", "user", id)
                .summary(format!(
                    "创建账号 {}（{}），角色：{}",
                    u.username,
                    u.display_name,
                    roles.join("、")
                ))
                .detail(serde_json::json!({
                    "username": u.username,
                    "grants": u.grants.iter().map(|g| serde_json::json!({
                        "role": g.role.code(), "programme": g.programme_id, "county": g.county_id,
                        "department": g.department_id, "organisation": g.organisation_id,
                    })).collect::<Vec<_>>(),
                }))
                .state("active"),
        )
        .await?;
        Ok(id)
    }

    /// Give an existing account one more role (the system administrator's act), in `tx`.
    pub async fn add_grant(tx: &mut Tx, who: &Who, user_id: i64, g: &Grant) -> Result<()> {
        let now = tx.now();
        sqlx::query(
            "INSERT INTO role_grants (user_id, role, programme_id, county_id, department_id, organisation_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(user_id)
        .bind(g.role.code())
        .bind(g.programme_id)
        .bind(g.county_id)
        .bind(g.department_id)
        .bind(g.organisation_id)
        .bind(now)
        .execute(tx.conn())
        .await?;
        tx.audit(
            NewEntry::admin(who, "user.grant", "user", user_id)
                .summary(format!(
                    "授予角色：{}（评选项目 {}）",
                    g.role.name_zh(),
                    g.programme_id.unwrap_or(0)
                ))
                .detail(serde_json::json!({"role": g.role.code(), "programme": g.programme_id})),
        )
        .await?;
        Ok(())
    }

    /// Create an account: policy check, hash, insert and audit in one transaction.
    pub async fn create_user(&self, who: &Who, u: NewUser, now: jiff::Timestamp) -> Result<i64> {
        let uname = u.username.trim();
        if uname.len() < 3
            || uname.len() > 40
            || !uname
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return Err(Error::invalid(
                "username",
                "用户名为3至40位字母、数字或 - _ .",
                "A user name is 3–40 letters, digits or - _ .",
            ));
        }
        if u.display_name.trim().is_empty() {
            return Err(Error::invalid(
                "display_name",
                "请填写姓名或单位名称。",
                "Enter a name.",
            ));
        }
        if let Err((zh, en)) = qaward_core::password::check(&u.password, uname) {
            return Err(Error::invalid("password", zh, en));
        }
        let pw = u.password.clone();
        let hash = password_work(move || hash_password(&pw)).await??;
        let mut tx = self.write(now).await?;
        let id = Store::insert_user(&mut tx, who, &u, &hash).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// All accounts with their roles, by user name.
    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query("SELECT id, username, display_name, email, active, failed_logins, locked_until FROM users ORDER BY username")
            .fetch_all(self.pool())
            .await?;
        let grants = sqlx::query("SELECT user_id, role, programme_id, county_id, department_id, organisation_id FROM role_grants ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let id: i64 = r.get("id");
                User {
                    id,
                    username: r.get("username"),
                    display_name: r.get("display_name"),
                    email: crate::opt_str(r, "email"),
                    active: r.get::<i64, _>("active") != 0,
                    failed_logins: r.get("failed_logins"),
                    locked_until: opt_i64(r, "locked_until"),
                    grants: grants
                        .iter()
                        .filter(|g| g.get::<i64, _>("user_id") == id)
                        .filter_map(grant_from)
                        .collect(),
                }
            })
            .collect())
    }

    /// One account.
    pub async fn user(&self, id: i64) -> Result<User> {
        self.users()
            .await?
            .into_iter()
            .find(|u| u.id == id)
            .ok_or(Error::NotFound)
    }

    /// Sign in from client address `source`. Any pause in force for the name, the address or
    /// the pair refuses at once (see [`qaward_core::signin`]); otherwise the password is
    /// checked off the lock, then the outcome, the counters and the audit entry are written
    /// in one transaction, deciding again on the counters read through it.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        source: &str,
        now: jiff::Timestamp,
    ) -> Result<LoginOutcome> {
        use qaward_core::signin::{Scope, counted_name, paused_by};
        let settings = self.security_settings().await?;
        let limits = settings.limits();
        let name = counted_name(username);
        let source: String = source.chars().take(64).collect();
        let now_us = now.as_microsecond();
        let found = throttle_counters(self.pool(), &name, &source).await?;
        if !paused_by(&found, now_us).is_empty() {
            return self.login_paused(&name, &source, now).await;
        }
        let row = sqlx::query(
            "SELECT id, display_name, password_hash, active FROM users WHERE username = $1",
        )
        .bind(&name)
        .fetch_optional(self.pool())
        .await?;
        let (hash, user) = match &row {
            Some(r) => (
                r.get::<String, _>("password_hash"),
                Some((
                    r.get::<i64, _>("id"),
                    r.get::<String, _>("display_name"),
                    r.get::<i64, _>("active") != 0,
                )),
            ),
            // Spend the same effort on unknown names, so timing does not reveal them.
            None => (dummy_hash(), None),
        };
        let pw = password.to_owned();
        let ok = password_work(move || verify_password(&pw, &hash)).await?;
        let mut tx = self.write(now).await?;
        let now_us = tx.now();
        let found = throttle_counters(tx.conn(), &name, &source).await?;
        let paused = paused_by(&found, now_us);
        if !paused.is_empty() {
            // Paused by another attempt while the password was being checked.
            drop(tx);
            return self.login_paused(&name, &source, now).await;
        }
        match (user, ok) {
            (Some((id, display, true)), true) => {
                let who = Who::user(id, &display, "self");
                sqlx::query("DELETE FROM login_throttle WHERE scope IN ('pair', 'name') AND name = $1 AND (scope = 'name' OR address = $2)")
                    .bind(&name)
                    .bind(&source)
                    .execute(tx.conn())
                    .await?;
                sqlx::query(
                    "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1",
                )
                .bind(id)
                .execute(tx.conn())
                .await?;
                let idle_cut = now_us - settings.idle_timeout_minutes * 60_000_000;
                sqlx::query("DELETE FROM web_sessions WHERE user_id = $1 AND last_seen_at < $2")
                    .bind(id)
                    .bind(idle_cut)
                    .execute(tx.conn())
                    .await?;
                let token = random_token();
                sqlx::query("INSERT INTO web_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)")
                    .bind(token_hash(&token))
                    .bind(id)
                    .bind(random_token())
                    .bind(now_us)
                    .execute(tx.conn())
                    .await?;
                tx.audit(
                    NewEntry::security(&who, "login.ok", "user", id)
                        .summary(format!("账号 {name} 登录（来源 {source}）")),
                )
                .await?;
                tx.commit().await?;
                Ok(LoginOutcome::Ok { token, user_id: id })
            }
            (Some((id, display, false)), true) => {
                tx.audit(
                    NewEntry::security(
                        &Who::user(id, &display, "self"),
                        "login.refused_disabled",
                        "user",
                        id,
                    )
                    .summary(format!("账号 {name} 已停用，拒绝登录（来源 {source}）")),
                )
                .await?;
                tx.commit().await?;
                Ok(LoginOutcome::Disabled)
            }
            (user, _) => {
                let mut newly = Vec::new();
                for (scope, c) in &found {
                    let next = c.after_failure(*scope, &limits, now_us);
                    if next.locked_until.is_some() {
                        newly.push(*scope);
                    }
                    let (n, a) = scope_key(*scope, &name, &source);
                    sqlx::query("INSERT INTO login_throttle (scope, name, address, failures, window_start, locked_until) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope, name, address) DO UPDATE SET failures = $4, window_start = $5, locked_until = $6")
                        .bind(scope.code())
                        .bind(n)
                        .bind(a)
                        .bind(next.failures)
                        .bind(next.window_start)
                        .bind(next.locked_until)
                        .execute(tx.conn())
                        .await?;
                }
                let (who, subject) = match &user {
                    Some((id, display, _)) => (Who::user(*id, display, "self"), id.to_string()),
                    None => (Who::anonymous(&name), name.clone()),
                };
                let pair = found
                    .iter()
                    .find(|(s, _)| *s == Scope::Pair)
                    .map_or(0, |(_, c)| {
                        c.after_failure(Scope::Pair, &limits, now_us).failures
                    });
                let mut summary = match &user {
                    Some(_) => format!("账号 {name} 密码错误（来源 {source}，第{pair}次）"),
                    None => format!("以不存在的用户名“{name}”登录失败（来源 {source}）"),
                };
                if !newly.is_empty() {
                    let what: Vec<&str> = newly.iter().map(|s| s.name_zh()).collect();
                    summary.push_str(&format!(
                        "；暂停{}{}分钟",
                        what.join("、"),
                        settings.lockout_minutes
                    ));
                }
                let action = if newly.is_empty() {
                    "login.failed"
                } else {
                    "login.locked"
                };
                let mut e = NewEntry::security(&who, action, "user", subject)
                    .summary(summary)
                    .detail(serde_json::json!({
                        "source": source,
                        "paused": newly.iter().map(|s| s.code()).collect::<Vec<_>>(),
                    }));
                if !newly.is_empty() {
                    e = e.state("locked");
                }
                tx.audit(e).await?;
                tx.commit().await?;
                Ok(LoginOutcome::Failed)
            }
        }
    }

    /// A sign-in refused because a pause is in force: recorded, and answered like any failure.
    async fn login_paused(
        &self,
        name: &str,
        source: &str,
        now: jiff::Timestamp,
    ) -> Result<LoginOutcome> {
        let mut tx = self.write(now).await?;
        tx.audit(
            NewEntry::security(&Who::anonymous(name), "login.refused_locked", "user", name)
                .summary(format!(
                    "用户名“{name}”登录暂停中，拒绝登录（来源 {source}）"
                ))
                .detail(serde_json::json!({"source": source})),
        )
        .await?;
        tx.commit().await?;
        Ok(LoginOutcome::Failed)
    }

    /// Whether client address `source` is paused (too many failed sign-ins, or registrations
    /// that hit a name or credit code already taken) at `now`.
    pub async fn address_paused(&self, source: &str, now: jiff::Timestamp) -> Result<bool> {
        let found = throttle_counters(self.pool(), "", source).await?;
        Ok(found.iter().any(|(s, c)| {
            *s == qaward_core::signin::Scope::Address && c.blocks(now.as_microsecond())
        }))
    }

    /// Count a registration from `source` that hit a user name or credit code already taken
    /// as a failure of that address (so the form cannot be used to look names up in bulk),
    /// with its audit entry.
    pub async fn count_taken_registration(
        &self,
        source: &str,
        field: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        use qaward_core::signin::Scope;
        let limits = self.security_settings().await?.limits();
        let source: String = source.chars().take(64).collect();
        let mut tx = self.write(now).await?;
        let now_us = tx.now();
        let found = throttle_counters(tx.conn(), "", &source).await?;
        let c = found
            .iter()
            .find(|(s, _)| *s == Scope::Address)
            .map(|(_, c)| *c)
            .unwrap_or_default()
            .after_failure(Scope::Address, &limits, now_us);
        sqlx::query("INSERT INTO login_throttle (scope, name, address, failures, window_start, locked_until) VALUES ('address', '', $1, $2, $3, $4) ON CONFLICT (scope, name, address) DO UPDATE SET failures = $2, window_start = $3, locked_until = $4")
            .bind(&source)
            .bind(c.failures)
            .bind(c.window_start)
            .bind(c.locked_until)
            .execute(tx.conn())
            .await?;
        tx.audit(
            NewEntry::security(
                &Who::anonymous("访客"),
                "register.taken",
                "address",
                &source,
            )
            .summary(format!("来源 {source} 注册时填写的{field}已被使用"))
            .detail(serde_json::json!({"source": source, "field": field})),
        )
        .await?;
        tx.commit().await
    }

    /// The sign-in pauses in force at `now`, longest first.
    pub async fn sign_in_locks(&self, now: jiff::Timestamp) -> Result<Vec<SignInLock>> {
        let rows = sqlx::query("SELECT scope, name, address, failures, locked_until FROM login_throttle WHERE locked_until > $1 ORDER BY locked_until DESC, scope, name, address")
            .bind(now.as_microsecond())
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some(SignInLock {
                    scope: qaward_core::signin::Scope::parse(&r.get::<String, _>("scope"))?,
                    name: r.get("name"),
                    address: r.get("address"),
                    failures: r.get("failures"),
                    until: opt_i64(r, "locked_until")?,
                })
            })
            .collect())
    }

    /// Lift the sign-in pauses of account name `name` (every source), or of client address
    /// `address` when `name` is empty; recorded by `who`. Returns how many were lifted.
    pub async fn lift_sign_in_locks(
        &self,
        who: &Who,
        name: &str,
        address: &str,
        now: jiff::Timestamp,
    ) -> Result<u64> {
        let mut tx = self.write(now).await?;
        let n = lift_locks(&mut tx, name, address).await?;
        let (subject, summary) = if name.is_empty() {
            (
                address.to_owned(),
                format!("解除来源地址 {address} 的登录暂停（{n}项）"),
            )
        } else {
            (
                name.to_owned(),
                format!("解除账号 {name} 的登录暂停（{n}项）"),
            )
        };
        tx.audit(
            NewEntry::security(who, "login.unlock", "user", subject)
                .summary(summary)
                .detail(serde_json::json!({"name": name, "address": address, "lifted": n})),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The session behind a cookie token, if it is alive; refreshes its idle clock.
    pub async fn session(&self, token: &str, now: jiff::Timestamp) -> Result<Option<WebSession>> {
        let settings = self.security_settings().await?;
        let Some(mut row) = self.session_row(&token_hash(token)).await? else {
            return Ok(None);
        };
        Ok(self
            .session_alive(&mut row, &settings, now)
            .await?
            .then_some(row.session))
    }

    /// Account `user_id` as the authorization rules see it: its name and grants.
    pub async fn actor(&self, user_id: i64) -> Result<Actor> {
        let r = sqlx::query("SELECT display_name FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(Error::NotFound)?;
        let grants = sqlx::query("SELECT role, programme_id, county_id, department_id, organisation_id FROM role_grants WHERE user_id = $1 ORDER BY id")
            .bind(user_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .filter_map(grant_from)
            .collect();
        Ok(Actor {
            user_id,
            display_name: r.get("display_name"),
            grants,
        })
    }

    /// A session as stored, with its person's grants.
    async fn session_row(&self, th: &str) -> Result<Option<SessionRow>> {
        let Some(r) = sqlx::query(
            "SELECT s.user_id, s.csrf_token, s.last_seen_at, u.display_name, u.username, u.active FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
        )
        .bind(th)
        .fetch_optional(self.pool())
        .await?
        else {
            return Ok(None);
        };
        let user_id: i64 = r.get("user_id");
        let grants = sqlx::query("SELECT role, programme_id, county_id, department_id, organisation_id FROM role_grants WHERE user_id = $1 ORDER BY id")
            .bind(user_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .filter_map(grant_from)
            .collect();
        Ok(Some(SessionRow {
            session: WebSession {
                actor: Actor {
                    user_id,
                    display_name: r.get("display_name"),
                    grants,
                },
                username: r.get("username"),
                csrf: r.get("csrf_token"),
                token_hash: th.to_owned(),
            },
            last_seen_at: r.get("last_seen_at"),
            active: r.get::<i64, _>("active") != 0,
        }))
    }

    /// Whether a stored session is alive at `now` (its person active, not idle past the
    /// timeout); a live one seen more than 30 seconds ago is marked seen now.
    async fn session_alive(
        &self,
        row: &mut SessionRow,
        settings: &SecuritySettings,
        now: jiff::Timestamp,
    ) -> Result<bool> {
        let now_us = now.as_microsecond();
        if now_us - row.last_seen_at > settings.idle_timeout_minutes * 60_000_000 || !row.active {
            return Ok(false);
        }
        if now_us - row.last_seen_at > 30_000_000 {
            sqlx::query("UPDATE web_sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(now_us)
                .bind(&row.session.token_hash)
                .execute(self.pool())
                .await?;
            row.last_seen_at = now_us;
        }
        Ok(true)
    }

    /// Sign out: the session ends, with its audit entry.
    pub async fn logout(&self, s: &WebSession, now: jiff::Timestamp) -> Result<()> {
        let mut tx = self.write(now).await?;
        sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
            .bind(&s.token_hash)
            .execute(tx.conn())
            .await?;
        let who = Who::user(
            s.actor.user_id,
            &s.actor.display_name,
            &primary_role(&s.actor.grants),
        );
        tx.audit(
            NewEntry::security(&who, "logout", "user", s.actor.user_id)
                .summary(format!("账号 {} 退出登录", s.username)),
        )
        .await?;
        tx.commit().await
    }

    /// Change one's own password; every other session of the account ends.
    pub async fn change_password(
        &self,
        s: &WebSession,
        current: &str,
        new: &str,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1")
            .bind(s.actor.user_id)
            .fetch_one(self.pool())
            .await?;
        let hash: String = row.get(0);
        let cur = current.to_owned();
        if !password_work(move || verify_password(&cur, &hash)).await? {
            return Err(Error::invalid(
                "current",
                "当前密码不正确。",
                "The current password is wrong.",
            ));
        }
        if let Err((zh, en)) = qaward_core::password::check(new, &s.username) {
            return Err(Error::invalid("new", zh, en));
        }
        let pw = new.to_owned();
        let hash = password_work(move || hash_password(&pw)).await??;
        let mut tx = self.write(now).await?;
        let n = tx.now();
        sqlx::query("UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3")
            .bind(hash)
            .bind(n)
            .bind(s.actor.user_id)
            .execute(tx.conn())
            .await?;
        sqlx::query("DELETE FROM web_sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(s.actor.user_id)
            .bind(&s.token_hash)
            .execute(tx.conn())
            .await?;
        let who = Who::user(
            s.actor.user_id,
            &s.actor.display_name,
            &primary_role(&s.actor.grants),
        );
        tx.audit(
            NewEntry::security(&who, "password.change", "user", s.actor.user_id)
                .summary(format!("账号 {} 修改密码", s.username)),
        )
        .await?;
        tx.commit().await
    }

    /// Unlock an account or enable/disable it (system administrator).
    pub async fn set_user_state(
        &self,
        who: &Who,
        user_id: i64,
        active: bool,
        now: jiff::Timestamp,
    ) -> Result<()> {
        let u = self.user(user_id).await?;
        let mut tx = self.write(now).await?;
        sqlx::query(
            "UPDATE users SET active = $1, failed_logins = 0, locked_until = NULL WHERE id = $2",
        )
        .bind(i64::from(active))
        .bind(user_id)
        .execute(tx.conn())
        .await?;
        if active {
            lift_locks(&mut tx, &u.username, "").await?;
        }
        if !active {
            sqlx::query("DELETE FROM web_sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(tx.conn())
                .await?;
        }
        let (action, zh, state) = if active {
            ("user.enable", "启用并解锁", "active")
        } else {
            ("user.disable", "停用", "disabled")
        };
        tx.audit(
            NewEntry::admin(who, action, "user", user_id)
                .summary(format!("{zh}账号 {}", u.username))
                .state(state),
        )
        .await?;
        tx.commit().await
    }
}

/// The (name, address) columns of a scope's counter.
fn scope_key<'a>(
    scope: qaward_core::signin::Scope,
    name: &'a str,
    source: &'a str,
) -> (&'a str, &'a str) {
    use qaward_core::signin::Scope;
    match scope {
        Scope::Pair => (name, source),
        Scope::Address => ("", source),
        Scope::Name => (name, ""),
    }
}

/// The three counters of an attempt by `name` from `source` (a missing one is zero).
async fn throttle_counters<'c, E>(
    conn: E,
    name: &str,
    source: &str,
) -> Result<Vec<(qaward_core::signin::Scope, qaward_core::signin::Counter)>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    use qaward_core::signin::{Counter, Scope};
    let rows = sqlx::query("SELECT scope, failures, window_start, locked_until FROM login_throttle WHERE (scope = 'pair' AND name = $1 AND address = $2) OR (scope = 'address' AND name = '' AND address = $2) OR (scope = 'name' AND name = $1 AND address = '')")
        .bind(name)
        .bind(source)
        .fetch_all(conn)
        .await?;
    Ok(Scope::ALL
        .into_iter()
        .map(|s| {
            let c = rows
                .iter()
                .find(|r| r.get::<String, _>("scope") == s.code())
                .map(|r| Counter {
                    failures: r.get("failures"),
                    window_start: r.get("window_start"),
                    locked_until: opt_i64(r, "locked_until"),
                })
                .unwrap_or_default();
            (s, c)
        })
        .collect())
}

/// Remove the counters of `name` (every source), or of `address` when `name` is empty.
async fn lift_locks(tx: &mut Tx, name: &str, address: &str) -> Result<u64> {
    let r = if name.is_empty() {
        sqlx::query("DELETE FROM login_throttle WHERE scope = 'address' AND address = $1")
            .bind(address)
            .execute(tx.conn())
            .await?
    } else {
        sqlx::query("DELETE FROM login_throttle WHERE scope IN ('pair', 'name') AND name = $1")
            .bind(name)
            .execute(tx.conn())
            .await?
    };
    Ok(r.rows_affected())
}

#[cfg(test)]
mod password_tests {
    use super::{hash_password, verify_password};
    use argon2::password_hash::phc::PasswordHash;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    #[test]
    fn hashes_stored_earlier_still_verify_and_new_ones_are_standard() {
        let earlier = argon2::Argon2::default()
            .hash_password(b"Qingyuan-2026")
            .map(|h| h.to_string())
            .unwrap_or_default();
        assert!(verify_password("Qingyuan-2026", &earlier));
        assert!(!verify_password("Qingyuan-2025", &earlier));
        let new = hash_password("Qingyuan-2026").unwrap_or_default();
        assert!(new.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{new}");
        assert!(verify_password("Qingyuan-2026", &new));
        assert!(!verify_password("qingyuan-2026", &new));
        assert!(!verify_password("Qingyuan-2026", "not a hash"));
        let parsed = PasswordHash::new(&new);
        assert!(parsed.is_ok_and(|h| {
            argon2::Argon2::default()
                .verify_password(b"Qingyuan-2026", &h)
                .is_ok()
        }));
    }
}
