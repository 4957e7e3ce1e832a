//! Programmes (a city award, a county award per Art. 34), their counties and departments.

use crate::{Error, NewEntry, Result, Store, Tx, Who};
use sqlx::Row;

/// A programme.
#[derive(Debug, Clone)]
pub struct Programme {
    /// Id.
    pub id: i64,
    /// Short code used in addresses.
    pub code: String,
    /// Name, e.g. 清远市政府质量奖.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// city or county.
    pub level: String,
    /// Region, e.g. 清远市.
    pub region: String,
    /// The organising office.
    pub office_name: String,
}

/// A county-level division or a department of a programme.
#[derive(Debug, Clone)]
pub struct Unit {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// A new programme.
#[derive(Debug, Clone)]
pub struct NewProgramme {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// city or county.
    pub level: String,
    /// Region.
    pub region: String,
    /// Organising office.
    pub office_name: String,
    /// County-level divisions: (code, name).
    pub counties: Vec<(String, String)>,
    /// Departments asked for opinions: (code, name).
    pub departments: Vec<(String, String)>,
}

/// An organisation (法人) that applies or may apply.
#[derive(Debug, Clone)]
pub struct Organisation {
    /// Id.
    pub id: i64,
    /// Programme.
    pub programme_id: i64,
    /// Name.
    pub name: String,
    /// 统一社会信用代码.
    pub credit_code: String,
    /// County.
    pub county_id: Option<i64>,
    /// County name.
    pub county_name: Option<String>,
}

fn organisation_from(r: &sqlx::any::AnyRow) -> Organisation {
    Organisation {
        id: r.get("id"),
        programme_id: r.get("programme_id"),
        name: r.get("name"),
        credit_code: r.get("credit_code"),
        county_id: crate::opt_i64(r, "county_id"),
        county_name: crate::opt_str(r, "county_name"),
    }
}

fn programme_from(r: &sqlx::any::AnyRow) -> Programme {
    Programme {
        id: r.get("id"),
        code: r.get("code"),
        name: r.get("name"),
        name_en: r.get("name_en"),
        level: r.get("level"),
        region: r.get("region"),
        office_name: r.get("office_name"),
    }
}

impl Store {
    /// Create a programme in `tx`; the creator, if a person, becomes its city office.
    pub async fn insert_programme(tx: &mut Tx, who: &Who, p: &NewProgramme) -> Result<i64> {
        let code = p.code.trim();
        if code.is_empty()
            || code.len() > 40
            || !code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(Error::invalid(
                "code",
                "项目代码为小写字母、数字和连字符，不超过40位。",
                "The code is lower-case letters, digits and hyphens, at most 40.",
            ));
        }
        if p.name.trim().is_empty() {
            return Err(Error::invalid(
                "name",
                "请填写项目名称。",
                "Enter the programme's name.",
            ));
        }
        if p.region.trim().is_empty() {
            return Err(Error::invalid(
                "region",
                "请填写行政区域。",
                "Enter the region.",
            ));
        }
        if p.office_name.trim().is_empty() {
            return Err(Error::invalid(
                "office_name",
                "请填写组织实施机构。",
                "Enter the organising office.",
            ));
        }
        if !matches!(p.level.as_str(), "city" | "county") {
            return Err(Error::invalid(
                "level",
                "请选择项目级别。",
                "Choose the level.",
            ));
        }
        if p.level == "city" && p.counties.is_empty() {
            return Err(Error::invalid(
                "counties",
                "市级项目须列出所辖县（市、区）。",
                "A city programme lists its county-level divisions.",
            ));
        }
        if sqlx::query("SELECT id FROM programmes WHERE code = $1")
            .bind(code)
            .fetch_optional(tx.conn())
            .await?
            .is_some()
        {
            return Err(Error::invalid(
                "code",
                "该项目代码已被使用。",
                "That code is taken.",
            ));
        }
        let now = tx.now();
        let id: i64 = sqlx::query(
            "INSERT INTO programmes (code, name, name_en, level, region, office_name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(code)
        .bind(p.name.trim())
        .bind(p.name_en.trim())
        .bind(&p.level)
        .bind(p.region.trim())
        .bind(p.office_name.trim())
        .bind(now)
        .fetch_one(tx.conn())
        .await?
        .get(0);
        for (table, list) in [("counties", &p.counties), ("departments", &p.departments)] {
            for (c, n) in list {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO {table} (programme_id, code, name) VALUES ($1, $2, $3)"
                )))
                .bind(id)
                .bind(c)
                .bind(n)
                .execute(tx.conn())
                .await?;
            }
        }
        if let Some(uid) = who.user_id {
            sqlx::query("INSERT INTO role_grants (user_id, role, programme_id, created_at) VALUES ($1, 'city_office', $2, $3)")
                .bind(uid)
                .bind(id)
                .bind(now)
                .execute(tx.conn())
                .await?;
        }
        tx.audit(
            NewEntry::award(who, "programme.create", "programme", id)
                .programme(id)
                .article(Some(if p.level == "county" { 34 } else { 7 }), "清远市政府质量奖管理办法")
                .summary(format!("设立评选项目“{}”，辖{}个县（市、区）、{}个征求意见部门", p.name, p.counties.len(), p.departments.len()))
                .detail(serde_json::json!({"code": code, "level": p.level, "counties": p.counties, "departments": p.departments})),
        )
        .await?;
        Ok(id)
    }

    /// Create a programme in its own transaction.
    pub async fn create_programme(
        &self,
        who: &Who,
        p: &NewProgramme,
        now: jiff::Timestamp,
    ) -> Result<i64> {
        let mut tx = self.write(now).await?;
        let id = Store::insert_programme(&mut tx, who, p).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Every programme.
    pub async fn programmes(&self) -> Result<Vec<Programme>> {
        Ok(sqlx::query("SELECT id, code, name, name_en, level, region, office_name FROM programmes ORDER BY id")
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(programme_from)
            .collect())
    }

    /// One programme.
    pub async fn programme(&self, id: i64) -> Result<Programme> {
        sqlx::query("SELECT id, code, name, name_en, level, region, office_name FROM programmes WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| programme_from(&r))
            .ok_or(Error::NotFound)
    }

    /// A programme's county-level divisions.
    pub async fn counties(&self, programme_id: i64) -> Result<Vec<Unit>> {
        self.units("counties", programme_id).await
    }

    /// A programme's departments.
    pub async fn departments(&self, programme_id: i64) -> Result<Vec<Unit>> {
        self.units("departments", programme_id).await
    }

    async fn units(&self, table: &'static str, programme_id: i64) -> Result<Vec<Unit>> {
        Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, code, name FROM {table} WHERE programme_id = $1 ORDER BY id"
        )))
        .bind(programme_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Unit {
            id: r.get("id"),
            code: r.get("code"),
            name: r.get("name"),
        })
        .collect())
    }

    /// Create an organisation (the applicant side grows in the application stage).
    pub async fn insert_organisation(
        tx: &mut Tx,
        who: &Who,
        programme_id: i64,
        credit_code: &str,
        name: &str,
        county_id: Option<i64>,
    ) -> Result<i64> {
        let now = tx.now();
        let id: i64 = sqlx::query("INSERT INTO organisations (programme_id, credit_code, name, county_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(programme_id)
            .bind(credit_code)
            .bind(name)
            .bind(county_id)
            .bind(now)
            .fetch_one(tx.conn())
            .await?
            .get(0);
        tx.audit(
            NewEntry::award(who, "organisation.create", "organisation", id)
                .programme(programme_id)
                .summary(format!("登记申报单位“{name}”（{credit_code}）")),
        )
        .await?;
        Ok(id)
    }

    /// One organisation.
    pub async fn organisation(&self, id: i64) -> Result<Organisation> {
        sqlx::query("SELECT o.id, o.programme_id, o.name, o.credit_code, o.county_id, c.name AS county_name FROM organisations o LEFT JOIN counties c ON c.id = o.county_id WHERE o.id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .map(|r| organisation_from(&r))
            .ok_or(Error::NotFound)
    }

    /// The organisations registered in a county.
    pub async fn organisations_in_county(&self, county_id: i64) -> Result<Vec<Organisation>> {
        Ok(sqlx::query("SELECT o.id, o.programme_id, o.name, o.credit_code, o.county_id, c.name AS county_name FROM organisations o LEFT JOIN counties c ON c.id = o.county_id WHERE o.county_id = $1 ORDER BY o.name")
            .bind(county_id)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(organisation_from)
            .collect())
    }

    /// A county with its programme.
    pub async fn county(&self, id: i64) -> Result<(i64, Unit)> {
        self.unit("counties", id).await
    }

    /// A department with its programme.
    pub async fn department(&self, id: i64) -> Result<(i64, Unit)> {
        self.unit("departments", id).await
    }

    async fn unit(&self, table: &'static str, id: i64) -> Result<(i64, Unit)> {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id, programme_id, code, name FROM {table} WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(Error::NotFound)?;
        Ok((
            r.get("programme_id"),
            Unit {
                id: r.get("id"),
                code: r.get("code"),
                name: r.get("name"),
            },
        ))
    }
}
