//! Rule-set versions and criteria files, stored with their source text and SHA-256 so the
//! exact rules a session ran under are always on file (R-PRG-2).

use crate::{Error, NewEntry, Result, Store, Tx, Who, opt_i64};
use qaward_core::criteria::Criteria;
use qaward_core::rules::RuleSet;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::sync::Arc;

/// A stored rule-set version.
#[derive(Debug, Clone)]
pub struct StoredRuleSet {
    /// Id.
    pub id: i64,
    /// Programme.
    pub programme_id: i64,
    /// SHA-256 of the source.
    pub sha256: String,
    /// When loaded (µs).
    pub loaded_at: i64,
    /// Who loaded it.
    pub loaded_by: Option<i64>,
    /// The source text.
    pub source: String,
    /// The parsed rules.
    pub rules: Arc<RuleSet>,
}

fn sha(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

impl Store {
    /// Store a criteria file (once per code; the same code with other content is refused).
    pub async fn insert_criteria(tx: &mut Tx, who: &Who, source: &str) -> Result<String> {
        let c = Criteria::parse(source, "criteria").map_err(|e| {
            Error::invalid(
                "source",
                format!("评审标准文件有误：{e}"),
                format!("The criteria file is invalid: {e}"),
            )
        })?;
        let digest = sha(source);
        if let Some(r) = sqlx::query("SELECT sha256 FROM criteria_sets WHERE code = $1")
            .bind(&c.meta.id)
            .fetch_optional(tx.conn())
            .await?
        {
            if r.get::<String, _>(0) != digest {
                return Err(Error::invalid(
                    "source",
                    format!(
                        "已有代码为 {} 的评审标准，内容不同；新版本请使用新的代码。",
                        c.meta.id
                    ),
                    "A criteria file with that id exists with other content; give a new version a new id.",
                ));
            }
            return Ok(c.meta.id.clone());
        }
        let now = tx.now();
        sqlx::query("INSERT INTO criteria_sets (code, name, source, sha256, loaded_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&c.meta.id)
            .bind(&c.meta.name)
            .bind(source)
            .bind(&digest)
            .bind(now)
            .execute(tx.conn())
            .await?;
        tx.audit(
            NewEntry::award(who, "criteria.load", "criteria", &c.meta.id)
                .article(Some(5), "清远市政府质量奖管理办法")
                .summary(format!(
                    "载入评审标准“{}”（{}个评分条款，共{}分）",
                    c.meta.name,
                    c.items().count(),
                    c.meta.total
                ))
                .detail(serde_json::json!({"sha256": digest})),
        )
        .await?;
        Ok(c.meta.id.clone())
    }

    /// Load a rule-set version into a programme. Its criteria file must already be stored.
    pub async fn insert_rule_set(
        tx: &mut Tx,
        who: &Who,
        programme_id: i64,
        source: &str,
    ) -> Result<i64> {
        let rules = RuleSet::parse(source, "rule-set").map_err(|e| {
            Error::invalid(
                "source",
                format!("管理办法规则文件有误：{e}"),
                format!("The rule-set file is invalid: {e}"),
            )
        })?;
        if sqlx::query("SELECT id FROM criteria_sets WHERE code = $1")
            .bind(&rules.meta.criteria)
            .fetch_optional(tx.conn())
            .await?
            .is_none()
        {
            return Err(Error::invalid(
                "source",
                format!("规则文件引用的评审标准 {} 尚未载入。", rules.meta.criteria),
                format!(
                    "The criteria {} the rule set uses is not loaded.",
                    rules.meta.criteria
                ),
            ));
        }
        let dup = sqlx::query(
            "SELECT id FROM rule_sets WHERE programme_id = $1 AND code = $2 AND version = $3",
        )
        .bind(programme_id)
        .bind(&rules.meta.id)
        .bind(i64::from(rules.meta.version))
        .fetch_optional(tx.conn())
        .await?;
        if dup.is_some() {
            return Err(Error::invalid(
                "source",
                format!(
                    "本项目已载入 {} 第{}版；修订请提高版本号。",
                    rules.meta.id, rules.meta.version
                ),
                "This version is already loaded; raise the version for a revision.",
            ));
        }
        let digest = sha(source);
        let now = tx.now();
        let id: i64 = sqlx::query(
            "INSERT INTO rule_sets (programme_id, code, version, name, document_number, valid_from, valid_to, is_demo, criteria_code, source, sha256, loaded_at, loaded_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id",
        )
        .bind(programme_id)
        .bind(&rules.meta.id)
        .bind(i64::from(rules.meta.version))
        .bind(&rules.meta.name)
        .bind(&rules.meta.document_number)
        .bind(rules.validity.from.value.to_string())
        .bind(rules.validity.to.value.to_string())
        .bind(i64::from(rules.meta.demo))
        .bind(&rules.meta.criteria)
        .bind(source)
        .bind(&digest)
        .bind(now)
        .bind(who.user_id)
        .fetch_one(tx.conn())
        .await?
        .get(0);
        tx.audit(
            NewEntry::award(who, "ruleset.load", "rule_set", id)
                .programme(programme_id)
                .article(rules.validity.from.article, &rules.meta.name)
                .summary(format!(
                    "载入《{}》{}（{}，有效期{}至{}）{}",
                    rules.meta.name,
                    format_args!("第{}版", rules.meta.version),
                    rules.meta.document_number,
                    rules.validity.from.value,
                    rules.validity.to.value,
                    if rules.meta.demo { "，演示副本" } else { "" }
                ))
                .detail(serde_json::json!({"sha256": digest, "code": rules.meta.id, "version": rules.meta.version})),
        )
        .await?;
        Ok(id)
    }

    /// Load a rule set in its own transaction.
    pub async fn load_rule_set(
        &self,
        who: &Who,
        programme_id: i64,
        source: &str,
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let mut tx = self.write(now).await?;
        let id = Store::insert_rule_set(&mut tx, who, programme_id, source).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A programme's rule-set versions, newest first.
    pub async fn rule_sets(&self, programme_id: i64) -> Result<Vec<StoredRuleSet>> {
        let rows = sqlx::query("SELECT id, programme_id, sha256, loaded_at, loaded_by, source FROM rule_sets WHERE programme_id = $1 ORDER BY id DESC")
            .bind(programme_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(stored_from).collect()
    }

    /// One rule-set version.
    pub async fn rule_set(&self, id: i64) -> Result<StoredRuleSet> {
        if let Some(rs) = self.caches.rule_set(id) {
            return Ok(rs);
        }
        let r = sqlx::query("SELECT id, programme_id, sha256, loaded_at, loaded_by, source FROM rule_sets WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(Error::NotFound)?;
        let rs = stored_from(&r)?;
        // A stored version is never altered (a new one gets a new id): keep it parsed.
        self.caches.keep_rule_set(&rs);
        Ok(rs)
    }

    /// A stored criteria file.
    pub async fn criteria(&self, code: &str) -> Result<Arc<Criteria>> {
        if let Some(c) = self.caches.criteria(code) {
            return Ok(c);
        }
        let r = sqlx::query("SELECT source FROM criteria_sets WHERE code = $1")
            .bind(code)
            .fetch_optional(self.pool())
            .await?
            .ok_or(Error::NotFound)?;
        let src: String = r.get(0);
        let c = Criteria::parse(&src, code)
            .map(Arc::new)
            .map_err(|e| Error::Other(e.to_string()))?;
        // A code's content never changes (other content under the same code is refused).
        self.caches.keep_criteria(code, &c);
        Ok(c)
    }
}

fn stored_from(r: &sqlx::any::AnyRow) -> Result<StoredRuleSet> {
    let source: String = r.get("source");
    let rules =
        RuleSet::parse(&source, "stored rule set").map_err(|e| Error::Other(e.to_string()))?;
    Ok(StoredRuleSet {
        id: r.get("id"),
        programme_id: r.get("programme_id"),
        sha256: r.get("sha256"),
        loaded_at: r.get("loaded_at"),
        loaded_by: opt_i64(r, "loaded_by"),
        source,
        rules: Arc::new(rules),
    })
}
