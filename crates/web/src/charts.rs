//! Pictures drawn on the server as SVG, no script: each one readable without colour (shapes,
//! patterns and words carry the meaning), with its numbers written beside the marks and in its
//! title for screen readers.

use std::fmt::Write as _;

/// Escape text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A hatching pattern, its id made unique from `key`.
fn hatch(key: &str) -> (String, String) {
    let id: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let id = format!("hatch-{id}");
    (
        format!(
            r##"<defs><pattern id="{id}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#eef3fa"/><line x1="0" y1="0" x2="0" y2="6" stroke="#6f8fb3" stroke-width="2"/></pattern></defs>"##
        ),
        format!("url(#{id})"),
    )
}

/// The marks told apart by shape: circle, square, triangle, diamond, cross, then again.
fn marker(i: usize, x: f64, y: f64) -> String {
    match i % 5 {
        0 => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="5" class="m"/>"#),
        1 => format!(
            r#"<rect x="{:.1}" y="{:.1}" width="9" height="9" class="m"/>"#,
            x - 4.5,
            y - 4.5
        ),
        2 => format!(
            r#"<path d="M{x:.1} {:.1} L{:.1} {:.1} L{:.1} {:.1} Z" class="m"/>"#,
            y - 5.5,
            x + 5.5,
            y + 4.5,
            x - 5.5,
            y + 4.5
        ),
        3 => format!(
            r#"<path d="M{x:.1} {:.1} L{:.1} {y:.1} L{x:.1} {:.1} L{:.1} {y:.1} Z" class="m hollow"/>"#,
            y - 6.0,
            x + 6.0,
            y + 6.0,
            x - 6.0
        ),
        _ => format!(
            r#"<path d="M{:.1} {:.1} L{:.1} {:.1} M{:.1} {:.1} L{:.1} {:.1}" class="m cross"/>"#,
            x - 5.0,
            y - 5.0,
            x + 5.0,
            y + 5.0,
            x - 5.0,
            y + 5.0,
            x + 5.0,
            y - 5.0
        ),
    }
}

/// One item of a consensus: each member's percentage on a 0–100 strip, one line per member
/// with the number beside it, the spread shaded from lowest to highest, the mean dashed and
/// the agreed percentage (when there is one) as a bold bar.
pub fn consensus_strip(
    item: &str,
    members: &[(String, Option<u32>)],
    agreed: &str,
    zh: bool,
) -> String {
    let scored: Vec<(usize, &str, u32)> = members
        .iter()
        .enumerate()
        .filter_map(|(i, (n, p))| p.map(|p| (i, n.as_str(), p)))
        .collect();
    if scored.is_empty() {
        return String::new();
    }
    let (left, right, w) = (130.0, 56.0, 500.0);
    let span = w - left - right;
    let x = |p: f64| left + span * p / 100.0;
    let row = 18.0;
    let h = 24.0 + row * scored.len() as f64 + 22.0;
    let min = scored.iter().map(|s| s.2).min().unwrap_or(0);
    let max = scored.iter().map(|s| s.2).max().unwrap_or(0);
    #[allow(clippy::cast_precision_loss)]
    let mean = scored.iter().map(|s| f64::from(s.2)).sum::<f64>() / scored.len() as f64;
    let parts: Vec<String> = scored.iter().map(|(_, n, p)| format!("{n} {p}%")).collect();
    let title = if zh {
        format!(
            "{item} 各组员得分率：{}；平均 {mean:.1}%，分差 {}{}",
            parts.join("、"),
            max - min,
            if agreed.is_empty() {
                String::new()
            } else {
                format!("，合议 {agreed}%")
            }
        )
    } else {
        format!(
            "{item}, members' percentages: {}; mean {mean:.1}%, spread {}{}",
            parts.join(", "),
            max - min,
            if agreed.is_empty() {
                String::new()
            } else {
                format!(", agreed {agreed}%")
            }
        )
    };
    let mut s = format!(
        r#"<svg class="chart strip" viewBox="0 0 {w} {h}" role="img" aria-label="{}" preserveAspectRatio="xMinYMin meet"><title>{}</title>"#,
        esc(&title),
        esc(&title)
    );
    let top = 16.0;
    let bottom = top + row * scored.len() as f64;
    // The spread, hatched.
    let (defs, fill) = hatch(&format!("strip-{item}"));
    s.push_str(&defs);
    let _ = write!(
        s,
        r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" class="spread" fill="{fill}"/>"#,
        x(f64::from(min)),
        top - 4.0,
        (x(f64::from(max)) - x(f64::from(min))).max(1.0),
        bottom - top + 4.0
    );
    for t in [0, 25, 50, 75, 100] {
        let xt = x(f64::from(t));
        let _ = write!(
            s,
            r#"<line x1="{xt:.1}" y1="{:.1}" x2="{xt:.1}" y2="{bottom:.1}" class="grid"/><text x="{xt:.1}" y="{:.1}" class="tick" text-anchor="middle">{t}%</text>"#,
            top - 6.0,
            bottom + 14.0
        );
    }
    for (k, (i, name, p)) in scored.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let y = top + row * k as f64 + row / 2.0 - 2.0;
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" class="label" text-anchor="end">{}</text><line x1="{left:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" class="axis"/>{}<text x="{:.1}" y="{:.1}" class="value">{p}%</text>"#,
            left - 6.0,
            y + 4.0,
            esc(name),
            w - right,
            marker(*i, x(f64::from(*p)), y),
            w - right + 8.0,
            y + 4.0
        );
    }
    let xm = x(mean);
    let _ = write!(
        s,
        r#"<line x1="{xm:.1}" y1="{:.1}" x2="{xm:.1}" y2="{bottom:.1}" class="mean"/>"#,
        top - 4.0
    );
    if let Ok(a) = agreed.parse::<f64>() {
        let xa = x(a);
        let _ = write!(
            s,
            r#"<line x1="{xa:.1}" y1="{:.1}" x2="{xa:.1}" y2="{bottom:.1}" class="agreed"/>"#,
            top - 6.0
        );
    }
    s.push_str("</svg>");
    s
}

/// The legend under the strips.
pub fn strip_legend(zh: bool) -> String {
    let (spread, mean, agreed) = if zh {
        (
            "斜线区域：组内分差（最低至最高）",
            "虚线：平均",
            "粗线：合议得分率",
        )
    } else {
        (
            "Hatched: the spread (lowest to highest)",
            "Dashed: the mean",
            "Bold: the agreed percentage",
        )
    };
    format!(
        r#"<p class="chart-legend"><span class="key key-spread" aria-hidden="true"></span>{spread} <span class="key key-mean" aria-hidden="true"></span>{mean} <span class="key key-agreed" aria-hidden="true"></span>{agreed}</p>"#
    )
}

/// How scores are spread: one mark per applicant on a 0–1000 axis (its rank written above
/// it) and the count in each band of 100 points as bars below, each band's count beside it.
pub fn score_distribution(scores: &[(usize, f64)], max_points: f64, zh: bool) -> String {
    if scores.is_empty() {
        return String::new();
    }
    let (left, right, w) = (36.0, 20.0, 640.0);
    let span = w - left - right;
    let x = |p: f64| left + span * (p / max_points).clamp(0.0, 1.0);
    let bands = 10usize;
    let mut counts = vec![0usize; bands];
    for (_, p) in scores {
        let b = ((p / max_points) * bands as f64).floor() as usize;
        counts[b.min(bands - 1)] += 1;
    }
    let most = counts.iter().copied().max().unwrap_or(1).max(1);
    let list: Vec<String> = scores
        .iter()
        .map(|(r, p)| {
            if zh {
                format!("第{r}名 {p:.1}分")
            } else {
                format!("#{r} {p:.1}")
            }
        })
        .collect();
    let title = if zh {
        format!(
            "资料评审合议得分分布（满分{max_points:.0}）：{}",
            list.join("、")
        )
    } else {
        format!(
            "Material review consensus scores (of {max_points:.0}): {}",
            list.join(", ")
        )
    };
    let bar_h = 60.0;
    let h = 40.0 + bar_h + 54.0;
    let mut s = format!(
        r#"<svg class="chart distribution" viewBox="0 0 {w} {h}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(&title),
        esc(&title)
    );
    let axis_y = 30.0;
    let _ = write!(
        s,
        r#"<line x1="{left}" y1="{axis_y}" x2="{:.1}" y2="{axis_y}" class="axis"/>"#,
        w - right
    );
    // Marks on the axis, ranks above them, raised when two sit close.
    let mut last_x = -100.0;
    let mut lift = 0.0;
    let mut sorted: Vec<&(usize, f64)> = scores.iter().collect();
    sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (r, p) in sorted {
        let xp = x(*p);
        lift = if xp - last_x < 14.0 { lift + 9.0 } else { 0.0 };
        last_x = xp;
        let _ = write!(
            s,
            r#"<circle cx="{xp:.1}" cy="{axis_y}" r="4" class="m"/><text x="{xp:.1}" y="{:.1}" class="tick" text-anchor="middle">{r}</text>"#,
            axis_y - 8.0 - lift
        );
    }
    let base = axis_y + 26.0 + bar_h;
    let bw = span / bands as f64;
    for (b, n) in counts.iter().enumerate() {
        let x0 = left + bw * b as f64;
        let hgt = bar_h * (*n as f64) / (most as f64);
        if *n > 0 {
            let _ = write!(
                s,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{hgt:.1}" class="bar"/><text x="{:.1}" y="{:.1}" class="value" text-anchor="middle">{n}</text>"#,
                x0 + 2.0,
                base - hgt,
                bw - 4.0,
                x0 + bw / 2.0,
                base - hgt - 3.0
            );
        }
        let lo = max_points / bands as f64 * b as f64;
        let _ = write!(
            s,
            r#"<text x="{x0:.1}" y="{:.1}" class="tick" text-anchor="middle">{lo:.0}</text>"#,
            base + 14.0
        );
    }
    let _ = write!(
        s,
        r#"<text x="{:.1}" y="{:.1}" class="tick" text-anchor="middle">{max_points:.0}</text><line x1="{left}" y1="{base}" x2="{:.1}" y2="{base}" class="axis"/>"#,
        w - right,
        base + 14.0,
        w - right
    );
    s.push_str("</svg>");
    s
}

/// Progress of a session's work: one bar per step, done of all, hatched part for what is
/// done, the numbers written beside each bar.
pub fn progress_bars(steps: &[(String, usize, usize)], zh: bool) -> String {
    let steps: Vec<&(String, usize, usize)> = steps.iter().filter(|s| s.2 > 0).collect();
    if steps.is_empty() {
        return String::new();
    }
    let (left, right, w, row) = (112.0, 64.0, 400.0, 24.0);
    let span = w - left - right;
    let h = row * steps.len() as f64 + 8.0;
    let list: Vec<String> = steps
        .iter()
        .map(|(n, d, t)| format!("{n} {d}/{t}"))
        .collect();
    let title = if zh {
        format!("工作进度：{}", list.join("、"))
    } else {
        format!("Progress: {}", list.join(", "))
    };
    let mut s = format!(
        r#"<svg class="chart progress" viewBox="0 0 {w} {h}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(&title),
        esc(&title)
    );
    let (defs, fill) = hatch("progress");
    s.push_str(&defs);
    for (k, (name, done, total)) in steps.iter().enumerate() {
        let y = 4.0 + row * k as f64;
        let fw = span * (*done as f64) / (*total as f64);
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" class="label" text-anchor="end">{}</text><rect x="{left}" y="{y:.1}" width="{span:.1}" height="14" class="track"/><rect x="{left}" y="{y:.1}" width="{fw:.1}" height="14" class="done" fill="{fill}"/><text x="{:.1}" y="{:.1}" class="value">{done} / {total}</text>"#,
            left - 8.0,
            y + 12.0,
            esc(name),
            left + span + 8.0,
            y + 12.0
        );
    }
    s.push_str("</svg>");
    s
}

/// The stages of a session along the calendar: a bar per stage from its planned start to its
/// end, the stages done solid, the current one outlined bold, today a dashed line.
pub fn stage_timeline(
    stages: &[(String, jiff::civil::Date, jiff::civil::Date, i8)],
    today: jiff::civil::Date,
    zh: bool,
) -> String {
    if stages.is_empty() {
        return String::new();
    }
    let first = stages.iter().map(|s| s.1).min().unwrap_or(today).min(today);
    let last = stages.iter().map(|s| s.2).max().unwrap_or(today).max(today);
    let days = |d: jiff::civil::Date| f64::from(first.until(d).map(|s| s.get_days()).unwrap_or(0));
    let total = days(last).max(1.0);
    let (left, right, w, row) = (150.0, 16.0, 640.0, 18.0);
    let span = w - left - right;
    let x = |d: jiff::civil::Date| left + span * days(d) / total;
    let h = 22.0 + row * stages.len() as f64 + 20.0;
    let list: Vec<String> = stages
        .iter()
        .map(|(n, a, b, st)| {
            let state = match (st, zh) {
                (1, true) => "已完成",
                (0, true) => "进行中",
                (_, true) => "未开始",
                (1, false) => "done",
                (0, false) => "current",
                (_, false) => "to come",
            };
            format!("{n} {a}–{b} {state}")
        })
        .collect();
    let title = if zh {
        format!("阶段时间表（今天 {today}）：{}", list.join("；"))
    } else {
        format!("Stage calendar (today {today}): {}", list.join("; "))
    };
    let mut s = format!(
        r#"<svg class="chart timeline" viewBox="0 0 {w} {h}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(&title),
        esc(&title)
    );
    for (k, (name, a, b, st)) in stages.iter().enumerate() {
        let y = 16.0 + row * k as f64;
        let (x0, x1) = (x(*a), x(*b).max(x(*a) + 3.0));
        let class = match st {
            1 => "done",
            0 => "current",
            _ => "future",
        };
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" class="label{}" text-anchor="end">{}</text><rect x="{x0:.1}" y="{y:.1}" width="{:.1}" height="12" class="stage {class}"/>"#,
            left - 8.0,
            y + 10.0,
            if *st == 0 { " bold" } else { "" },
            esc(name),
            x1 - x0
        );
    }
    let bottom = 16.0 + row * stages.len() as f64;
    let xt = x(today);
    let _ = write!(
        s,
        r#"<line x1="{xt:.1}" y1="8" x2="{xt:.1}" y2="{bottom:.1}" class="today"/><text x="{xt:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"#,
        bottom + 14.0,
        if zh {
            format!("今天 {}", today.strftime("%m-%d"))
        } else {
            format!("today {}", today.strftime("%m-%d"))
        }
    );
    let _ = write!(
        s,
        r#"<text x="{left}" y="10" class="tick">{first}</text><text x="{:.1}" y="10" class="tick" text-anchor="end">{last}</text>"#,
        w - right
    );
    s.push_str("</svg>");
    s
}

/// The days late of a winner's annual reports, year by year (0 on time); a report not yet due
/// is left out, one overdue and unfiled is a hatched bar to today.
pub fn report_years(years: &[(String, Option<i64>, bool)], zh: bool) -> String {
    if years.is_empty() {
        return String::new();
    }
    let most = years.iter().filter_map(|y| y.1).max().unwrap_or(0).max(30) as f64;
    let (left, right, w, row) = (120.0, 110.0, 520.0, 24.0);
    let span = w - left - right;
    let h = row * years.len() as f64 + 8.0;
    let words = |late: Option<i64>, open: bool| -> String {
        match (late, open, zh) {
            (Some(0), false, true) => "按期报送".into(),
            (Some(0), false, false) => "on time".into(),
            (Some(n), false, true) => format!("逾期{n}天报送"),
            (Some(n), false, false) => format!("filed {n} days late"),
            (Some(n), true, true) => format!("逾期{n}天未报"),
            (Some(n), true, false) => format!("{n} days overdue"),
            (None, _, true) => "未到期".into(),
            (None, _, false) => "not yet due".into(),
        }
    };
    let list: Vec<String> = years
        .iter()
        .map(|(n, l, o)| format!("{n} {}", words(*l, *o)))
        .collect();
    let title = if zh {
        format!("各年度绩效报告报送情况：{}", list.join("、"))
    } else {
        format!("Annual reports by year: {}", list.join(", "))
    };
    let mut s = format!(
        r#"<svg class="chart reports" viewBox="0 0 {w} {h}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(&title),
        esc(&title)
    );
    for (k, (name, late, open)) in years.iter().enumerate() {
        let y = 4.0 + row * k as f64;
        let n = late.unwrap_or(0) as f64;
        let bw = (span * n / most).max(if late.is_some() { 2.0 } else { 0.0 });
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" class="label" text-anchor="end">{}</text><rect x="{left}" y="{y:.1}" width="{bw:.1}" height="14" class="{}"/><text x="{:.1}" y="{:.1}" class="value">{}</text>"#,
            left - 8.0,
            y + 12.0,
            esc(name),
            if *open { "late open" } else { "late" },
            left + bw + 6.0,
            y + 12.0,
            esc(&words(*late, *open))
        );
    }
    s.push_str("</svg>");
    s
}

/// The two pictures of a session page: its stages along the calendar, and the progress of
/// its work.
pub fn session_pictures(
    page: &crate::view::PageCtx,
    d: &qaward_store::session::SessionDetail,
    p: &qaward_store::todo::Progress,
    today: jiff::civil::Date,
) -> (String, String) {
    use qaward_core::session::Stage;
    let current = d.session.stage;
    let stages: Vec<(String, jiff::civil::Date, jiff::civil::Date, i8)> = Stage::ALL
        .iter()
        .filter_map(|s| {
            let w = d.windows.get(s)?;
            let (a, b) = (w.starts_on?, w.ends_on?);
            let state = match s.cmp(&current) {
                std::cmp::Ordering::Less => 1,
                std::cmp::Ordering::Equal => 0,
                std::cmp::Ordering::Greater => 2,
            };
            Some((page.stage(*s).to_owned(), a, b, state))
        })
        .collect();
    let steps = [
        ("已提交申报", p.submitted),
        ("县级已核实", p.county),
        ("资格审查已决定", p.eligibility),
        ("资料评分已提交", p.scored),
        ("资料评审已合议", p.consensus),
        ("现场评审已记录", p.visited),
        ("综合评价已提交", p.evaluated),
        ("获奖单位已确定", p.decided),
    ]
    .iter()
    .map(|(n, (done, total))| (page.t(n), *done, *total))
    .collect::<Vec<_>>();
    (
        stage_timeline(&stages, today, page.zh()),
        progress_bars(&steps, page.zh()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_strip_writes_every_number_and_its_spread() {
        let s = consensus_strip(
            "1.1",
            &[
                ("甲".into(), Some(60)),
                ("乙".into(), Some(80)),
                ("丙".into(), None),
            ],
            "70",
            true,
        );
        assert!(s.starts_with("<svg"));
        assert!(s.contains("甲 60%、乙 80%"));
        assert!(s.contains("分差 20"));
        assert!(s.contains(">60%<") && s.contains(">80%<"));
        assert!(s.contains(r#"class="agreed""#));
        assert_eq!(consensus_strip("1.1", &[("甲".into(), None)], "", true), "");
    }

    #[test]
    fn names_are_escaped() {
        let s = consensus_strip("x", &[("<b>".into(), Some(5))], "", false);
        assert!(!s.contains("<b>"));
    }

    #[test]
    fn the_distribution_counts_each_band() {
        let s = score_distribution(&[(1, 812.5), (2, 790.0), (3, 455.0)], 1000.0, true);
        assert!(s.contains("第1名 812.5分"));
        assert!(s.contains(r#"text-anchor="middle">2</text>"#));
    }
}
