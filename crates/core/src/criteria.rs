//! The evaluation criteria framework (GB/T 19580 with GB/Z 19579) as data:
//! categories, scored items, points, process/result kind, scoring bands and
//! the dimensions each kind is judged on.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::rulefile::{self, Problem, RulesError, Seg, Source};

/// Whether an item is judged as a process or as results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// Judged on approach, deployment, learning, integration (A-D-L-I).
    Process,
    /// Judged on levels, trends, comparisons, integration (Le-T-C-I).
    Result,
}

/// Identity of a criteria framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriteriaMeta {
    /// Stable id, e.g. `gbt19580-2012`.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Total points of all categories.
    pub total: u32,
    /// Step of item percentages.
    pub score_step_percent: u32,
    /// A note to show with the framework (e.g. that the table awaits confirmation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One dimension an item is judged on, e.g. 方法 Approach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    /// Short code, e.g. `A` or `Le`.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
}

/// The dimensions of each kind of item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimensions {
    /// Dimensions of process items (A-D-L-I).
    pub process: Vec<Dimension>,
    /// Dimensions of result items (Le-T-C-I).
    pub result: Vec<Dimension>,
}

/// A scoring band: the range of percentages a reviewer may give when an item fits its description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Band number, from 1.
    pub band: u32,
    /// Lowest percentage of the band.
    pub min_percent: u32,
    /// Highest percentage of the band.
    pub max_percent: u32,
    /// Description for process items (Chinese).
    pub process: String,
    /// Description for process items (English).
    pub process_en: String,
    /// Description for result items (Chinese).
    pub result: String,
    /// Description for result items (English).
    pub result_en: String,
}

impl Band {
    /// The Chinese description for items of `kind`.
    pub fn description(&self, kind: ItemKind) -> &str {
        match kind {
            ItemKind::Process => &self.process,
            ItemKind::Result => &self.result,
        }
    }

    /// The English description for items of `kind`.
    pub fn description_en(&self, kind: ItemKind) -> &str {
        match kind {
            ItemKind::Process => &self.process_en,
            ItemKind::Result => &self.result_en,
        }
    }

    /// Whether `percent` lies in this band.
    pub fn contains(&self, percent: u32) -> bool {
        self.min_percent <= percent && percent <= self.max_percent
    }
}

/// A scored item, e.g. 4.1.2 高层领导的作用.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// Clause id, e.g. `4.1.2`.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Points of the item.
    pub points: u32,
    /// Kind, inherited from the category.
    pub kind: ItemKind,
}

/// A category, e.g. 4.1 领导, with its scored items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Category {
    /// Clause id, e.g. `4.1`.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: String,
    /// Kind of all its items.
    pub kind: ItemKind,
    /// Points of the category (the sum of its items).
    pub points: u32,
    /// Scored items.
    pub items: Vec<Item>,
}

/// A complete criteria framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Criteria {
    /// Identity.
    pub meta: CriteriaMeta,
    /// Dimensions of each kind of item.
    pub dimensions: Dimensions,
    /// Scoring bands, lowest first.
    pub bands: Vec<Band>,
    /// Categories in clause order.
    pub categories: Vec<Category>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriteria {
    meta: CriteriaMeta,
    dimensions: Dimensions,
    bands: Vec<Band>,
    categories: Vec<RawCategory>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    id: String,
    name: String,
    name_en: String,
    kind: ItemKind,
    points: u32,
    items: Vec<RawItem>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: String,
    name: String,
    name_en: String,
    points: u32,
}

impl Criteria {
    /// Parses and checks the text of a criteria file; `file_name` is used in messages.
    pub fn parse(text: &str, file_name: &str) -> Result<Criteria, RulesError> {
        let source = Source::parse(text, file_name)?;
        Self::from_source(&source)
    }

    /// Reads, parses and checks a criteria file.
    pub fn load(path: &Path) -> Result<Criteria, RulesError> {
        let text = rulefile::read(path)?;
        Self::parse(&text, &path.display().to_string())
    }

    pub(crate) fn from_source(source: &Source<'_>) -> Result<Criteria, RulesError> {
        let raw: RawCriteria = source.deserialize()?;
        let criteria = Criteria {
            meta: raw.meta,
            dimensions: raw.dimensions,
            bands: raw.bands,
            categories: raw
                .categories
                .into_iter()
                .map(|c| Category {
                    items: c
                        .items
                        .into_iter()
                        .map(|i| Item {
                            id: i.id,
                            name: i.name,
                            name_en: i.name_en,
                            points: i.points,
                            kind: c.kind,
                        })
                        .collect(),
                    id: c.id,
                    name: c.name,
                    name_en: c.name_en,
                    kind: c.kind,
                    points: c.points,
                })
                .collect(),
        };
        let problems = criteria.check(source);
        if problems.is_empty() {
            Ok(criteria)
        } else {
            Err(RulesError { problems })
        }
    }

    fn check(&self, source: &Source<'_>) -> Vec<Problem> {
        use Seg::{Index, Key};
        let mut problems = Vec::new();
        let mut ids = HashSet::new();

        for (ci, cat) in self.categories.iter().enumerate() {
            let at = |key: &'static str| [Key("categories"), Index(ci), Key(key)];
            if !ids.insert(cat.id.as_str()) {
                problems.push(source.problem(&at("id"), format!("duplicate id `{}`", cat.id)));
            }
            if cat.items.is_empty() {
                problems.push(source.problem(
                    &at("items"),
                    format!("category {} has no scored items", cat.id),
                ));
            }
            for (ii, item) in cat.items.iter().enumerate() {
                let at = |key: &'static str| {
                    [
                        Key("categories"),
                        Index(ci),
                        Key("items"),
                        Index(ii),
                        Key(key),
                    ]
                };
                if !ids.insert(item.id.as_str()) {
                    problems.push(source.problem(&at("id"), format!("duplicate id `{}`", item.id)));
                }
                if !item.id.starts_with(&format!("{}.", cat.id)) {
                    problems.push(source.problem(
                        &at("id"),
                        format!(
                            "item id `{}` does not start with its category id `{}.`",
                            item.id, cat.id
                        ),
                    ));
                }
            }
            let sum: u32 = cat.items.iter().map(|i| i.points).sum();
            if sum != cat.points {
                problems.push(source.problem(
                    &at("points"),
                    format!(
                        "category {} has points = {} but its items sum to {sum}",
                        cat.id, cat.points
                    ),
                ));
            }
        }
        let sum: u32 = self.categories.iter().map(|c| c.points).sum();
        if sum != self.meta.total {
            problems.push(source.problem(
                &[Key("meta"), Key("total")],
                format!(
                    "meta.total = {} but the categories sum to {sum}",
                    self.meta.total
                ),
            ));
        }

        let step = self.meta.score_step_percent;
        if step == 0 || !100u32.is_multiple_of(step) {
            problems.push(source.problem(
                &[Key("meta"), Key("score_step_percent")],
                format!("meta.score_step_percent must divide 100, found {step}"),
            ));
            return problems;
        }
        if self.bands.is_empty() {
            problems.push(source.problem(&[Key("bands")], "no scoring bands"));
        }
        let mut expected_min = 0;
        for (bi, band) in self.bands.iter().enumerate() {
            let at = |key: &'static str| [Key("bands"), Index(bi), Key(key)];
            let number = bi as u32 + 1;
            if band.band != number {
                problems.push(source.problem(
                    &at("band"),
                    format!("band number {} out of order; expected {number}", band.band),
                ));
            }
            if band.min_percent != expected_min {
                problems.push(source.problem(
                    &at("min_percent"),
                    format!(
                        "band {} starts at {}% but must start at {expected_min}% to follow on from the previous band in steps of {step}%",
                        band.band, band.min_percent
                    ),
                ));
            }
            if band.max_percent < band.min_percent
                || band.max_percent > 100
                || !band.max_percent.is_multiple_of(step)
            {
                problems.push(source.problem(
                    &at("max_percent"),
                    format!(
                        "band {} ends at {}%, which must be a multiple of {step}% between {}% and 100%",
                        band.band, band.max_percent, band.min_percent
                    ),
                ));
            }
            expected_min = band.max_percent + step;
        }
        if let Some(last) = self.bands.last()
            && last.max_percent != 100
        {
            problems.push(source.problem(
                &[
                    Key("bands"),
                    Index(self.bands.len() - 1),
                    Key("max_percent"),
                ],
                format!(
                    "the last band must end at 100%, found {}%",
                    last.max_percent
                ),
            ));
        }
        for (kind, dims) in [
            ("process", &self.dimensions.process),
            ("result", &self.dimensions.result),
        ] {
            if dims.is_empty() {
                problems.push(source.problem(
                    &[Key("dimensions"), Key(kind)],
                    format!("no dimensions for {kind} items"),
                ));
            }
        }
        problems
    }

    /// All scored items, in clause order.
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.categories.iter().flat_map(|c| c.items.iter())
    }

    /// The scored item with clause id `id`.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items().find(|i| i.id == id)
    }

    /// The category with clause id `id`.
    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The dimensions items of `kind` are judged on.
    pub fn dimensions_for(&self, kind: ItemKind) -> &[Dimension] {
        match kind {
            ItemKind::Process => &self.dimensions.process,
            ItemKind::Result => &self.dimensions.result,
        }
    }

    /// The band that `percent` lies in; `None` for a percentage between bands
    /// (not on the step) or above 100.
    pub fn band_for(&self, percent: u32) -> Option<&Band> {
        self.bands.iter().find(|b| b.contains(percent))
    }

    /// Whether `percent` is a percentage a reviewer may give: on the step and at most 100.
    pub fn is_valid_percent(&self, percent: u32) -> bool {
        percent <= 100
            && self.meta.score_step_percent > 0
            && percent.is_multiple_of(self.meta.score_step_percent)
    }

    /// The score of an item of `item_points` points given `percent`, in tenths
    /// of a point, rounded half up: `item_points × percent / 100`.
    /// E.g. 50 points at 65 % → 325 (32.5 points); 15 points at 5 % → 8 (0.75 → 0.8).
    pub fn item_score_tenths(&self, item_points: u32, percent: u32) -> u32 {
        (item_points * percent + 5) / 10
    }

    /// The criteria as JSON (meta, dimensions, bands, categories with their items).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("criteria always serialize to JSON")
    }
}
