//! Browser journeys in real Chromium through chromedriver.

use crate::helpers::{repo, spawn_app};
use qaward::demo::DEMO_PASSWORD;
use std::process::{Child, Command, Stdio};
use thirtyfour::prelude::*;

/// chromedriver on a free port, stopped when dropped.
pub struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start chromedriver, or say why not (a skip outside CI; a failure when QAWARD_E2E is set).
async fn chromedriver() -> Option<Driver> {
    let bin =
        std::env::var("QAWARD_CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    if !std::path::Path::new(&bin).exists() {
        assert!(
            std::env::var("QAWARD_E2E").is_err(),
            "QAWARD_E2E is set but {bin} is missing"
        );
        eprintln!("browser test skipped: no {bin} (scripts/test installs chromium-driver)");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Some(Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    })
}

/// A headless Chromium session.
pub async fn browser(d: &Driver) -> WebDriver {
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary(
        &std::env::var("QAWARD_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
    )
    .unwrap();
    for a in [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--lang=zh-CN",
    ] {
        caps.add_arg(a).unwrap();
    }
    WebDriver::new(&d.url, caps).await.expect("start chromium")
}

/// Where screenshots go: e2e/screenshots in the repository.
pub fn shot(name: &str) -> std::path::PathBuf {
    let dir = repo().join("e2e/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[tokio::test]
async fn the_city_office_signs_in_and_opens_the_session_page() {
    let Some(d) = chromedriver().await else {
        return;
    };
    let app = spawn_app().await;
    let b = browser(&d).await;
    let run = async {
        b.goto(format!("{}/", app.base)).await?;
        assert!(b.source().await?.contains("清远市政府质量奖"));
        b.screenshot(&shot("home.png")).await?;
        b.goto(format!("{}/login", app.base)).await?;
        b.find(By::Id("username"))
            .await?
            .send_keys("office")
            .await?;
        b.find(By::Id("password"))
            .await?
            .send_keys(DEMO_PASSWORD)
            .await?;
        b.find(By::Css("form.form button[type=submit]"))
            .await?
            .click()
            .await?;
        b.find(By::XPath("//h1[contains(., '我的工作台')]")).await?;
        b.screenshot(&shot("dashboard-office.png")).await?;
        b.find(By::Css(format!(
            "a[href='/office/sessions/{}']",
            app.demo.session_2026
        )))
        .await?
        .click()
        .await?;
        let h1 = b.find(By::Tag("h1")).await?.text().await?;
        assert!(h1.contains("2026年度清远市政府质量奖"), "{h1}");
        let src = b.source().await?;
        assert!(
            src.contains("aria-current=\"step\""),
            "the timeline marks the current stage"
        );
        assert!(src.contains("企业申报"));
        b.screenshot(&shot("office-session.png")).await?;
        // The check page before moving on names the article that holds it back.
        b.find(By::Css("a.button[href*='advance']"))
            .await?
            .click()
            .await?;
        let src = b.source().await?;
        assert!(
            src.contains("第十二条"),
            "refusal cites Art. 12 before the deadline"
        );
        b.screenshot(&shot("office-advance-refused.png")).await?;
        Ok::<(), WebDriverError>(())
    }
    .await;
    b.quit().await.ok();
    run.expect("browser journey");
}
