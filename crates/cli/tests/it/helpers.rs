//! Spawning the app on a fresh database, and acting as its users.

use qaward::demo::{DEMO_PASSWORD, Demo};
use qaward_core::clock::FixedClock;
use qaward_core::scoring::Edit;
use qaward_store::Store;
use std::sync::Arc;

/// Which backend this run tests.
pub fn backend_is_postgres() -> bool {
    std::env::var("QAWARD_TEST_BACKEND").is_ok_and(|b| b == "postgres")
}

/// A fresh, migrated database on the backend under test. The guard keeps a temp dir alive.
pub async fn fresh_store() -> (Store, Option<tempfile::TempDir>) {
    if backend_is_postgres() {
        let admin = std::env::var("QAWARD_TEST_PG")
            .expect("QAWARD_TEST_PG names the PostgreSQL server for tests");
        (fresh_pg(&admin).await, None)
    } else {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open_dir(dir.path()).await.expect("open sqlite");
        store.migrate().await.expect("migrate");
        (store, Some(dir))
    }
}

/// A new database on the PostgreSQL server at `admin` (its URL to the `postgres` database).
pub async fn fresh_pg(admin: &str) -> Store {
    let name = format!("qaward_test_{}", rand::random::<u64>());
    let a = Store::connect(admin)
        .await
        .expect("connect to the test PostgreSQL server");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(a.pool())
        .await
        .expect("create database");
    a.close().await;
    let url = match admin.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("QAWARD_TEST_PG must end in /database"),
    };
    let store = Store::connect(&url)
        .await
        .expect("connect to test database");
    store.migrate().await.expect("migrate");
    store
}

/// A running app.
pub struct TestApp {
    /// Base URL.
    pub base: String,
    /// The database.
    pub store: Store,
    /// The clock the app reads.
    pub clock: Arc<FixedClock>,
    /// The demo data.
    pub demo: Demo,
    _dir: Option<tempfile::TempDir>,
    _files: tempfile::TempDir,
}

/// Start the app with the demo data, the clock at 2026-11-25 10:00 Shanghai, the review
/// demonstration still in material review (one applicant being scored), so each test can take
/// the later stages itself.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(qaward::demo::Options {
        review_onsite: false,
    })
    .await
}

/// Start the app with the demo data as `opts` says (`Options::default()` is the demo as
/// `qaward demo` shows it).
pub async fn spawn_app_with(opts: qaward::demo::Options) -> TestApp {
    spawn_app_configured(opts, |_| {}).await
}

/// Start the app as [`spawn_app_with`] does, with its settings changed by `set`.
pub async fn spawn_app_configured(
    opts: qaward::demo::Options,
    set: impl FnOnce(&mut qaward_web::Config),
) -> TestApp {
    let (store, dir) = fresh_store().await;
    let files = tempfile::tempdir().expect("files dir");
    let demo = qaward::demo::build_with(&store, files.path(), opts)
        .await
        .expect("demo data");
    let clock = Arc::new(FixedClock::new(qaward_core::clock::at_shanghai(
        jiff::civil::date(2026, 11, 25),
        10,
        0,
    )));
    let mut config = qaward_web::Config::new(files.path().to_owned());
    set(&mut config);
    let state = qaward_web::AppState::new(store.clone(), clock.clone(), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = qaward_web::serve(listener, state).await;
    });
    TestApp {
        base,
        store,
        clock,
        demo,
        _dir: dir,
        _files: files,
    }
}

/// A browser-like client: its own cookies, no automatic redirects.
#[derive(Clone)]
pub struct User {
    /// HTTP client.
    pub http: reqwest::Client,
    /// Base URL.
    pub base: String,
}

/// A response read whole.
pub struct Page {
    /// Status.
    pub status: u16,
    /// Body as text.
    pub body: String,
    /// Location header, if any.
    pub location: Option<String>,
}

impl Page {
    /// The hidden CSRF token in the page.
    pub fn csrf(&self) -> String {
        let re = regex::Regex::new(r#"name="csrf" value="([0-9a-f]{64})""#).expect("regex");
        re.captures(&self.body)
            .map(|c| c[1].to_owned())
            .unwrap_or_default()
    }
}

impl TestApp {
    /// The instant the app's clock shows.
    pub fn now_ts(&self) -> jiff::Timestamp {
        use qaward_core::clock::Clock;
        self.clock.now()
    }

    /// A visitor with no account whose connections come from `ip` (another loopback address,
    /// such as 127.0.0.2: another client as the server sees it).
    pub fn visitor_from(&self, ip: &str) -> User {
        User {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .local_address(ip.parse::<std::net::IpAddr>().ok())
                .build()
                .expect("client"),
            base: self.base.clone(),
        }
    }

    /// The files directory of the app.
    pub fn files_dir(&self) -> &std::path::Path {
        self._files.path()
    }

    /// A visitor with no account.
    pub fn visitor(&self) -> User {
        User {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: self.base.clone(),
        }
    }

    /// A demo user, signed in.
    pub async fn signed_in(&self, username: &str) -> User {
        let u = self.visitor();
        let p = u.login(username, DEMO_PASSWORD).await;
        assert_eq!(p.status, 303, "{username} signs in: {}", p.body);
        u
    }
}

impl User {
    /// GET.
    pub async fn get(&self, path: &str) -> Page {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        read(r).await
    }

    /// GET, raw bytes.
    pub async fn get_bytes(&self, path: &str) -> (u16, Vec<u8>, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (
            r.status().as_u16(),
            r.bytes().await.expect("body").to_vec(),
            ct,
        )
    }

    /// A CSRF token valid for this user (from a page they can see).
    pub async fn csrf(&self) -> String {
        let p = self.get("/login").await;
        p.csrf()
    }

    /// POST a form with this user's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf().await;
        let mut form: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        form.push(("csrf".into(), token));
        self.post_raw(path, &form).await
    }

    /// POST exactly these fields (no token added).
    pub async fn post_raw(&self, path: &str, form: &[(String, String)]) -> Page {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .expect("POST");
        read(r).await
    }

    /// Sign in.
    pub async fn login(&self, username: &str, password: &str) -> Page {
        self.post(
            "/login",
            &[
                ("username", username),
                ("password", password),
                ("next", "/dashboard"),
            ],
        )
        .await
    }
}

async fn read(r: reqwest::Response) -> Page {
    let status = r.status().as_u16();
    let location = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Page {
        status,
        body: r.text().await.unwrap_or_default(),
        location,
    }
}

/// The `qaward` binary built with this test.
pub fn qaward_bin() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_qaward"))
}

/// The repository root.
pub fn repo() -> std::path::PathBuf {
    // Read when the test runs, so a binary built from another checkout finds this one.
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into())
        .join("../..")
}

/// The text of a PDF, through poppler's pdftotext (required by the test script).
pub fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp");
    let f = dir.path().join("doc.pdf");
    std::fs::write(&f, pdf).expect("write pdf");
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&f)
        .arg("-")
        .output()
        .expect("pdftotext is installed (scripts/test installs poppler-utils)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl User {
    /// POST a multipart form (token first, then `fields`, then the file), as the upload forms do.
    pub async fn post_file(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, Vec<u8>)>,
    ) -> Page {
        let token = self.csrf().await;
        let mut form = reqwest::multipart::Form::new().text("csrf", token);
        for (k, v) in fields {
            form = form.text((*k).to_owned(), (*v).to_owned());
        }
        if let Some((name, bytes)) = file {
            form = form.part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
            );
        }
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .multipart(form)
            .send()
            .await
            .expect("POST multipart");
        read(r).await
    }
}

/// An expert of the demo pool with a job still open: (expert id, employment row id). Adds one
/// (with its job) when the pool has none, so routes that need an expert can be walked.
pub async fn pool_expert(app: &TestApp) -> (i64, i64) {
    use qaward_store::experts::{ExpertForm, HistoryForm, HistoryKind};
    let pid = app.demo.programme_id;
    let open = |e: &qaward_store::experts::Expert| {
        e.employment
            .iter()
            .find(|j| j.end_on.is_none())
            .map(|j| (e.id, j.id))
    };
    if let Some(found) = app.store.experts(pid).await.unwrap().iter().find_map(open) {
        return found;
    }
    let who = qaward_store::Who::system();
    let id = app
        .store
        .save_expert(
            &who,
            pid,
            None,
            &ExpertForm {
                name: "路由测试专家".into(),
                id_number: "44180219700101002X".into(),
                level: "reviewer".into(),
                industries: "C".into(),
                ..ExpertForm::default()
            },
            app.now_ts(),
        )
        .await
        .unwrap();
    app.store
        .add_expert_history(
            &who,
            id,
            &HistoryForm {
                kind: HistoryKind::Employment.code(),
                name: "清远市某质量咨询有限公司".into(),
                detail: "咨询师".into(),
                start_on: "2020-01-01".into(),
                ..HistoryForm::default()
            },
            app.now_ts(),
        )
        .await
        .unwrap();
    open(&app.store.expert(id).await.unwrap()).unwrap()
}

/// The review demo's application on its on-site list: the pending application completed, the
/// five best chosen by the office, the session moved to on-site review. Returns them in list
/// order.
pub async fn start_onsite(app: &TestApp) -> Vec<i64> {
    use qaward_core::session::Stage;
    use qaward_store::scoring::Phase;
    let r = &app.demo.review;
    let now = app.now_ts();
    let today = now.to_zoned_datetime(qaward_core::clock::shanghai()).date();
    // The pending application: every member scores and submits, the leader agrees.
    score_phase(app, r.pending, Phase::Material, 60, now).await;
    let office = office_who(app).await;
    let mut rows = app
        .store
        .review_rows(r.session_id, Phase::Material, today)
        .await
        .unwrap();
    rows.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then(a.application_id.cmp(&b.application_id))
    });
    let chosen: Vec<i64> = rows.iter().take(5).map(|r| r.application_id).collect();
    app.store
        .decide_onsite_list(&office, r.session_id, &chosen, "", now)
        .await
        .unwrap();
    for s in [Stage::OnsiteSelection, Stage::OnsiteReview] {
        app.store
            .advance_session(&office, r.session_id, s, now)
            .await
            .unwrap();
    }
    app.store.onsite_applications(r.session_id).await.unwrap()
}

/// The office account as the audit records it.
pub async fn office_who(app: &TestApp) -> qaward_store::Who {
    let u = app
        .store
        .users()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == "office")
        .unwrap();
    qaward_store::Who::user(u.id, &u.display_name, "city_office")
}

/// Every member of the application's team scores every item at `percent` and submits; the
/// leader forms and submits the consensus (store functions only).
pub async fn score_phase(
    app: &TestApp,
    aid: i64,
    phase: qaward_store::scoring::Phase,
    percent: u32,
    now: jiff::Timestamp,
) {
    use qaward_store::scoring::ScoreInput;
    let today = now.to_zoned_datetime(qaward_core::clock::shanghai()).date();
    let a = app.store.application(aid).await.unwrap();
    let d = app.store.session_detail(a.session_id).await.unwrap();
    let c = app.store.criteria(&d.rules.meta.criteria).await.unwrap();
    let items: Vec<ScoreInput> = c
        .items()
        .map(|it| ScoreInput {
            item_id: it.id.clone(),
            percent: percent.to_string(),
            band: String::new(),
            strengths: format!("{}：现场评审测试评语。", it.name),
            opportunities: String::new(),
            verify_points: String::new(),
        })
        .collect();
    let experts = app.store.experts(a.programme_id).await.unwrap();
    let team = app.store.team_of(aid, today).await.unwrap().unwrap();
    let mut lead = None;
    for m in &team.members {
        let e = experts
            .iter()
            .find(|e| e.id == m.expert_id)
            .unwrap()
            .clone();
        let w = qaward_store::Who::user(e.user_id.unwrap(), &e.name, "reviewer");
        let book = app.store.scorebook(aid, e.id, phase).await.unwrap();
        if book.submitted_at.is_none() {
            app.store
                .edit_scorebook_as(&w, aid, phase, &items, "", Edit::Save, now)
                .await
                .unwrap();
            app.store
                .edit_scorebook_as(&w, aid, phase, &[], "", Edit::Submit, now)
                .await
                .unwrap();
        }
        if m.leader {
            lead = Some((e, w));
        }
    }
    let (_, w) = lead.unwrap();
    if app
        .store
        .consensus(aid, phase)
        .await
        .unwrap()
        .submitted_at
        .is_none()
    {
        app.store
            .edit_consensus_as(
                &w,
                aid,
                phase,
                &items,
                Some(("测试总体评价。", "")),
                "",
                Edit::Save,
                now,
            )
            .await
            .unwrap();
        app.store
            .edit_consensus_as(&w, aid, phase, &[], None, "", Edit::Submit, now)
            .await
            .unwrap();
    }
}

/// The leader of an application's team, as an expert and as the audit records them.
pub async fn leader_of(
    app: &TestApp,
    aid: i64,
) -> (qaward_store::experts::Expert, qaward_store::Who) {
    let a = app.store.application(aid).await.unwrap();
    let today = app
        .now_ts()
        .to_zoned_datetime(qaward_core::clock::shanghai())
        .date();
    let team = app.store.team_of(aid, today).await.unwrap().unwrap();
    let l = team.members.iter().find(|m| m.leader).unwrap();
    let e = app
        .store
        .experts(a.programme_id)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.id == l.expert_id)
        .unwrap();
    let w = qaward_store::Who::user(e.user_id.unwrap(), &e.name, "reviewer");
    (e, w)
}

/// Through store functions: every on-site applicant's on-site scorebooks, consensus and
/// comprehensive evaluation completed, and the review demo's session advanced to Proposal.
/// Starts the on-site review first if the on-site list is not decided yet.
pub async fn finish_onsite(app: &TestApp) {
    use qaward_core::session::Stage;
    use qaward_store::onsite::Practice;
    use qaward_store::scoring::Phase;
    let r = &app.demo.review;
    let mut ids = app.store.onsite_applications(r.session_id).await.unwrap();
    if ids.is_empty() {
        ids = start_onsite(app).await;
    }
    let now = app.now_ts();
    for (i, aid) in ids.iter().enumerate() {
        score_phase(app, *aid, Phase::Onsite, 80 - 5 * i as u32, now).await;
        if app
            .store
            .evaluation(*aid)
            .await
            .unwrap()
            .submitted_at
            .is_none()
        {
            let (_, w) = leader_of(app, *aid).await;
            let practices = vec![Practice {
                title: "全员质量改进小组".into(),
                item_id: "4.1.2".into(),
                text: "以质量改进小组推动全员参与。".into(),
                ..Practice::default()
            }];
            app.store
                .save_evaluation(&w, *aid, "测试综合分析。", &practices, true, now)
                .await
                .unwrap();
        }
    }
    let office = office_who(app).await;
    for s in [Stage::ComprehensiveEvaluation, Stage::Proposal] {
        if app
            .store
            .session_detail(r.session_id)
            .await
            .unwrap()
            .session
            .stage
            < s
        {
            app.store
                .advance_session(&office, r.session_id, s, now)
                .await
                .unwrap();
        }
    }
}
