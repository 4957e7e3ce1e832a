//! The application form (申报表) as data: sections, their fields, validation that names the
//! field, and completeness (未开始 / 填写中 / 已完成). Values are kept as the applicant typed
//! them, keyed `section.field`, `section.YEAR.field` or `section.ROW.field`, so nothing typed
//! is ever lost to a validation error (R-APP-2, R-APP-3, R-Q-2; fields after PRACTICE.md).

use std::collections::BTreeMap;

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One line of text, at most this many characters.
    Text(usize),
    /// Several lines, at most this many characters (0: the rule set decides).
    Long(usize),
    /// A calendar day, YYYY-MM-DD.
    Date,
    /// A whole number ≥ 0.
    Count,
    /// An amount in 万元 (may be negative: a loss), two decimals at most.
    Wan,
    /// A percentage 0–100, one decimal at most.
    Percent,
    /// A year.
    Year,
    /// One of the options.
    Choice(&'static [(&'static str, &'static str, &'static str)]),
    /// Ticked or not.
    Tick,
    /// A telephone number.
    Phone,
    /// An email address.
    Email,
}

/// A field of the form.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Key within its section (and row or year).
    pub key: &'static str,
    /// Label in Chinese.
    pub zh: &'static str,
    /// Label in English.
    pub en: &'static str,
    /// Kind.
    pub kind: Kind,
    /// Must be filled for the section to be complete.
    pub required: bool,
}

const fn f(
    key: &'static str,
    zh: &'static str,
    en: &'static str,
    kind: Kind,
    required: bool,
) -> Field {
    Field {
        key,
        zh,
        en,
        kind,
        required,
    }
}

/// How a section lays out its fields.
#[derive(Debug, Clone, Copy)]
pub enum Layout {
    /// Plain fields.
    Fields(&'static [Field]),
    /// The same fields for each of the three years before the call, then plain fields.
    Years(&'static [Field], &'static [Field]),
    /// Up to `max` rows of the same fields (at least `min` filled), then plain fields.
    Rows {
        /// Most rows.
        max: usize,
        /// Fewest filled rows for completeness.
        min: usize,
        /// Columns.
        cols: &'static [Field],
        /// Plain fields after the rows.
        after: &'static [Field],
    },
    /// The self-evaluation: one report and one percentage per criteria item.
    SelfEvaluation,
    /// The pledges of the eligibility self-check.
    Declarations,
}

/// A section of the form.
#[derive(Debug, Clone, Copy)]
pub struct Section {
    /// Key.
    pub key: &'static str,
    /// Title in Chinese.
    pub zh: &'static str,
    /// Title in English.
    pub en: &'static str,
    /// A line of guidance in Chinese.
    pub hint_zh: &'static str,
    /// Its fields.
    pub layout: Layout,
}

const ECONOMIC_TYPES: &[(&str, &str, &str)] = &[
    ("state", "国有", "State-owned"),
    ("collective", "集体", "Collective"),
    ("private", "私营", "Private"),
    ("hmt", "港澳台投资", "Hong Kong, Macao or Taiwan invested"),
    ("foreign", "外商投资", "Foreign invested"),
    ("other", "其他", "Other"),
];
const SIZES: &[(&str, &str, &str)] = &[
    ("large", "大型", "Large"),
    ("medium", "中型", "Medium"),
    ("small", "小型", "Small"),
    ("micro", "微型", "Micro"),
];
const SYSTEMS: &[(&str, &str, &str)] = &[
    ("qms", "质量管理体系", "Quality management system"),
    ("ems", "环境管理体系", "Environmental management system"),
    (
        "ohsms",
        "职业健康安全管理体系",
        "Occupational health and safety system",
    ),
    ("other", "其他管理体系", "Other system"),
];
const SYSTEM_STATUS: &[(&str, &str, &str)] = &[
    ("established", "已建立", "Established"),
    ("certified", "已认证", "Certified"),
];
const LEVELS: &[(&str, &str, &str)] = &[
    ("national", "国家级", "National"),
    ("provincial", "省级", "Provincial"),
    ("city", "市级", "City"),
    ("other", "其他", "Other"),
];
const CHECK_LEVELS: &[(&str, &str, &str)] = &[
    ("national", "国家级", "National"),
    ("provincial", "省级", "Provincial"),
    ("city", "市级", "City"),
];
const RESULTS: &[(&str, &str, &str)] =
    &[("passed", "合格", "Passed"), ("failed", "不合格", "Failed")];
const CREDIT: &[(&str, &str, &str)] = &[
    ("good", "良好，无失信记录", "Good, no record of bad faith"),
    (
        "abnormal",
        "列入经营异常名录",
        "On the abnormal-operations list",
    ),
    (
        "dishonest",
        "列入失信名单",
        "On the list of dishonest entities",
    ),
];

/// The sections, in order.
pub const SECTIONS: &[Section] = &[
    Section {
        key: "identity",
        zh: "基本信息",
        en: "Organisation",
        hint_zh: "单位名称、统一社会信用代码和所在县（市、区）取自注册信息。",
        layout: Layout::Fields(&[
            f(
                "registration_date",
                "成立（登记）日期",
                "Registration date",
                Kind::Date,
                true,
            ),
            f(
                "registered_address",
                "注册地址",
                "Registered address",
                Kind::Text(200),
                true,
            ),
            f(
                "operating_address",
                "经营地址",
                "Operating address",
                Kind::Text(200),
                false,
            ),
            f(
                "economic_type",
                "经济类型",
                "Economic type",
                Kind::Choice(ECONOMIC_TYPES),
                true,
            ),
            f(
                "industry",
                "所属行业（GB/T 4754 代码及名称）",
                "Industry (GB/T 4754 code and name)",
                Kind::Text(80),
                true,
            ),
            f("size", "企业规模", "Size", Kind::Choice(SIZES), true),
            f(
                "competitors",
                "主要竞争对手（评审回避用，每行一个单位名称或统一社会信用代码）",
                "Main competitors (for reviewer recusal: one name or credit code per line)",
                Kind::Long(1000),
                false,
            ),
            f(
                "legal_rep",
                "法定代表人",
                "Legal representative",
                Kind::Text(40),
                true,
            ),
            f(
                "top_manager",
                "最高管理者",
                "Top manager",
                Kind::Text(40),
                true,
            ),
            f(
                "quality_head",
                "质量负责人",
                "Head of quality",
                Kind::Text(40),
                true,
            ),
            f(
                "contact_name",
                "联系人",
                "Contact person",
                Kind::Text(40),
                true,
            ),
            f("contact_phone", "联系电话", "Telephone", Kind::Phone, true),
            f("contact_mobile", "手机", "Mobile", Kind::Phone, false),
            f("contact_email", "电子邮箱", "Email", Kind::Email, true),
        ]),
    },
    Section {
        key: "staff",
        zh: "人员情况",
        en: "Staff",
        hint_zh: "申报通知发布前三个年度的年末人数。",
        layout: Layout::Years(
            &[
                f("total", "从业人员总数", "Total staff", Kind::Count, true),
                f("managers", "管理人员", "Managers", Kind::Count, true),
                f(
                    "quality",
                    "质量管理人员",
                    "Quality staff",
                    Kind::Count,
                    true,
                ),
                f(
                    "technical",
                    "专业技术人员",
                    "Technical staff",
                    Kind::Count,
                    true,
                ),
            ],
            &[],
        ),
    },
    Section {
        key: "economics",
        zh: "经营情况",
        en: "Economics",
        hint_zh: "单位：万元。亏损年度请勾选“亏损”；属政策性亏损的，请写明原因（《管理办法》第十条）。",
        layout: Layout::Years(
            &[
                f("assets", "资产总额", "Total assets", Kind::Wan, true),
                f("revenue", "营业收入", "Revenue", Kind::Wan, true),
                f("profit", "利润总额", "Profit", Kind::Wan, true),
                f("loss", "亏损", "Loss", Kind::Tick, false),
                f(
                    "policy_loss_reason",
                    "政策性亏损原因",
                    "Reason for a policy-driven loss",
                    Kind::Text(200),
                    false,
                ),
                f("tax", "纳税额", "Tax paid", Kind::Wan, true),
                f("exports", "出口额", "Exports", Kind::Wan, false),
            ],
            &[
                f(
                    "industry_rank",
                    "在本市同行业中的排名",
                    "Rank in the city's industry",
                    Kind::Text(100),
                    true,
                ),
                f(
                    "rank_evidence",
                    "排名依据",
                    "Evidence of the rank",
                    Kind::Long(500),
                    true,
                ),
            ],
        ),
    },
    Section {
        key: "quality",
        zh: "质量与市场",
        en: "Quality and market",
        hint_zh: "最多填写3种主要产品或服务，以及近三个年度的质量与市场指标。",
        layout: Layout::Rows {
            max: 3,
            min: 1,
            cols: &[
                f(
                    "product",
                    "主要产品或服务",
                    "Main product or service",
                    Kind::Text(100),
                    true,
                ),
                f(
                    "share",
                    "市场占有率（%）",
                    "Market share (%)",
                    Kind::Percent,
                    false,
                ),
            ],
            after: &[
                f(
                    "satisfaction",
                    "顾客满意度（%，最近年度）",
                    "Customer satisfaction (%, latest year)",
                    Kind::Percent,
                    true,
                ),
                f(
                    "loyalty",
                    "顾客忠诚度（%，最近年度）",
                    "Customer loyalty (%, latest year)",
                    Kind::Percent,
                    false,
                ),
                f(
                    "quality_loss_rate",
                    "质量损失率（%，最近年度）",
                    "Quality-loss rate (%, latest year)",
                    Kind::Percent,
                    true,
                ),
                f(
                    "energy",
                    "万元产值综合能耗（吨标准煤）",
                    "Energy per 10,000 CNY of output (tce)",
                    Kind::Text(40),
                    false,
                ),
            ],
        },
    },
    Section {
        key: "systems",
        zh: "管理体系",
        en: "Management systems",
        hint_zh: "已建立或已认证的管理体系，以及开始推行卓越绩效管理模式的日期（须满半年，《管理办法》第十条）。",
        layout: Layout::Rows {
            max: 5,
            min: 1,
            cols: &[
                f("system", "体系", "System", Kind::Choice(SYSTEMS), true),
                f(
                    "status",
                    "状态",
                    "Status",
                    Kind::Choice(SYSTEM_STATUS),
                    true,
                ),
                f("certifier", "认证机构", "Certifier", Kind::Text(100), false),
                f(
                    "cert_no",
                    "证书编号",
                    "Certificate number",
                    Kind::Text(60),
                    false,
                ),
                f("cert_date", "发证日期", "Date issued", Kind::Date, false),
            ],
            after: &[f(
                "excellence_since",
                "开始推行卓越绩效管理模式的日期",
                "Date excellence-model practice began",
                Kind::Date,
                true,
            )],
        },
    },
    Section {
        key: "honours",
        zh: "荣誉",
        en: "Honours",
        hint_zh: "近年获得的质量、品牌等荣誉，没有可不填。",
        layout: Layout::Rows {
            max: 5,
            min: 0,
            cols: &[
                f("award", "荣誉名称", "Honour", Kind::Text(100), true),
                f("level", "级别", "Level", Kind::Choice(LEVELS), true),
                f("year", "年度", "Year", Kind::Year, true),
            ],
            after: &[],
        },
    },
    Section {
        key: "compliance",
        zh: "合规情况",
        en: "Compliance",
        hint_zh: "近三年国家级、省级、市级质量监督抽查情况（没有被抽查可不填），以及事故、投诉、处罚和信用情况（《管理办法》第十条）。",
        layout: Layout::Rows {
            max: 6,
            min: 0,
            cols: &[
                f("date", "抽查日期", "Date", Kind::Date, true),
                f("product", "抽查产品", "Product", Kind::Text(100), true),
                f("body", "抽查机关", "Inspecting body", Kind::Text(100), true),
                f("level", "级别", "Level", Kind::Choice(CHECK_LEVELS), true),
                f("result", "结果", "Result", Kind::Choice(RESULTS), true),
            ],
            after: &[
                f(
                    "accidents",
                    "近三年重大质量、安全、环境等事故",
                    "Major accidents in the last three years",
                    Kind::Long(500),
                    true,
                ),
                f(
                    "complaints",
                    "近三年重大质量投诉",
                    "Major quality complaints in the last three years",
                    Kind::Long(500),
                    true,
                ),
                f(
                    "penalties",
                    "近三年行政或刑事处罚",
                    "Administrative or criminal penalties in the last three years",
                    Kind::Long(500),
                    true,
                ),
                f(
                    "credit",
                    "信用状况",
                    "Credit status",
                    Kind::Choice(CREDIT),
                    true,
                ),
                f("note", "其他说明", "Other remarks", Kind::Long(1000), false),
            ],
        },
    },
    Section {
        key: "overview",
        zh: "组织概述",
        en: "Organisational overview",
        hint_zh: "按 GB/Z 19579 附录B 的要求概述组织的环境、关系与挑战。",
        layout: Layout::Fields(&[f(
            "text",
            "组织概述",
            "Organisational overview",
            Kind::Long(0),
            true,
        )]),
    },
    Section {
        key: "self",
        zh: "自我评价",
        en: "Self-evaluation",
        hint_zh: "对照 GB/T 19580 逐条撰写自评报告，并按5%的步长自评得分百分比（《管理办法》第十二条）。",
        layout: Layout::SelfEvaluation,
    },
    Section {
        key: "declare",
        zh: "申报条件与承诺",
        en: "Conditions and pledge",
        hint_zh: "系统能够根据填报数据判定的条件自动判定；其余条件请逐项确认并承诺真实。",
        layout: Layout::Declarations,
    },
];

/// A section by key.
pub fn section(key: &str) -> Option<&'static Section> {
    SECTIONS.iter().find(|s| s.key == key)
}

/// How far a section is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// 未开始.
    NotStarted,
    /// 填写中.
    InProgress,
    /// 已完成.
    Done,
}

impl Progress {
    /// In Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Progress::NotStarted => "未开始",
            Progress::InProgress => "填写中",
            Progress::Done => "已完成",
        }
    }
    /// In English.
    pub fn en(self) -> &'static str {
        match self {
            Progress::NotStarted => "Not started",
            Progress::InProgress => "In progress",
            Progress::Done => "Completed",
        }
    }
    /// CSS class.
    pub fn code(self) -> &'static str {
        match self {
            Progress::NotStarted => "not-started",
            Progress::InProgress => "in-progress",
            Progress::Done => "done",
        }
    }
}

/// A problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The full key (`section.field`, `section.2025.field`, `section.1.field`).
    pub key: String,
    /// Message in Chinese, naming the field.
    pub zh: String,
    /// Message in English.
    pub en: String,
}

/// The values typed, by full key.
pub type Values = BTreeMap<String, String>;

/// What depends on the session and the rule set.
#[derive(Debug, Clone)]
pub struct Context {
    /// The three years reported on (the years before the call year), oldest first.
    pub years: [i32; 3],
    /// Overview length limit.
    pub overview_max: usize,
    /// Self-evaluation total length limit.
    pub self_max: usize,
    /// Percent step.
    pub step: u32,
    /// The criteria items: (id, name, points).
    pub items: Vec<(String, String, u32)>,
    /// Declaration codes required.
    pub declarations: Vec<&'static str>,
}

impl Context {
    /// From the call year and the rules.
    pub fn new(
        call_year: i32,
        rules: &crate::rules::RuleSet,
        criteria: &crate::criteria::Criteria,
        declarations: Vec<&'static str>,
    ) -> Self {
        Context {
            years: [call_year - 3, call_year - 2, call_year - 1],
            overview_max: usize::try_from(rules.application.overview_max_chars.value)
                .unwrap_or(3000),
            self_max: usize::try_from(rules.application.self_evaluation_max_chars.value)
                .unwrap_or(50_000),
            step: criteria.meta.score_step_percent,
            items: criteria
                .items()
                .map(|i| (i.id.clone(), i.name.clone(), i.points))
                .collect(),
            declarations,
        }
    }
}

/// Every (full key, field) of a section, as it appears on the page.
pub fn keys(s: &Section, cx: &Context) -> Vec<(String, Field)> {
    let mut out = Vec::new();
    match s.layout {
        Layout::Fields(fs) => out.extend(fs.iter().map(|x| (format!("{}.{}", s.key, x.key), *x))),
        Layout::Years(per, after) => {
            for y in cx.years {
                out.extend(per.iter().map(|x| (format!("{}.{y}.{}", s.key, x.key), *x)));
            }
            out.extend(after.iter().map(|x| (format!("{}.{}", s.key, x.key), *x)));
        }
        Layout::Rows {
            max, cols, after, ..
        } => {
            for r in 1..=max {
                out.extend(
                    cols.iter()
                        .map(|x| (format!("{}.{r}.{}", s.key, x.key), *x)),
                );
            }
            out.extend(after.iter().map(|x| (format!("{}.{}", s.key, x.key), *x)));
        }
        Layout::SelfEvaluation => {
            for (id, _, _) in &cx.items {
                out.push((
                    format!("self.{id}.text"),
                    f(
                        "text",
                        "自评报告",
                        "Self-evaluation report",
                        Kind::Long(0),
                        true,
                    ),
                ));
                out.push((
                    format!("self.{id}.percent"),
                    f(
                        "percent",
                        "自评得分百分比",
                        "Self-assessed percentage",
                        Kind::Percent,
                        true,
                    ),
                ));
            }
        }
        Layout::Declarations => {
            for d in &cx.declarations {
                out.push((
                    format!("declare.{d}"),
                    f("tick", "承诺", "Pledge", Kind::Tick, true),
                ));
            }
        }
    }
    out
}

fn filled(v: Option<&String>) -> bool {
    v.is_some_and(|s| !s.trim().is_empty())
}

fn check_value(
    full: &str,
    label: (&str, &str),
    kind: Kind,
    v: &str,
    cx: &Context,
) -> Option<(String, String)> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    let (zh, en) = label;
    let bad = |z: String, e: String| Some((z, e));
    match kind {
        Kind::Text(max) | Kind::Long(max) => {
            let max = if max == 0 {
                if full.starts_with("overview") {
                    cx.overview_max
                } else {
                    usize::MAX
                }
            } else {
                max
            };
            let n = v.chars().count();
            if n > max {
                return bad(
                    format!("“{zh}”不能超过{max}字，现为{n}字。"),
                    format!("“{en}” is limited to {max} characters; it has {n}."),
                );
            }
        }
        Kind::Date => match v.parse::<jiff::civil::Date>() {
            Err(_) => {
                return bad(
                    format!("“{zh}”应为日期，格式为 年-月-日，例如 2020-03-01。"),
                    format!("“{en}” is a date written YYYY-MM-DD."),
                );
            }
            // Every date of an application is in the past of its call year's end.
            Ok(d) if i32::from(d.year()) > cx.years[2] + 1 => {
                let call = cx.years[2] + 1;
                return bad(
                    format!("“{zh}”不能晚于申报年度（{call}年），请核对。"),
                    format!("“{en}” cannot be after the call year ({call})."),
                );
            }
            Ok(_) => {}
        },
        Kind::Count => {
            if v.parse::<u64>().is_err() {
                return bad(
                    format!("“{zh}”应为不小于0的整数。"),
                    format!("“{en}” is a whole number, 0 or more."),
                );
            }
        }
        Kind::Year => {
            if !v.parse::<i32>().is_ok_and(|y| (1949..=2100).contains(&y)) {
                return bad(
                    format!("“{zh}”应为四位年份。"),
                    format!("“{en}” is a four-digit year."),
                );
            }
        }
        Kind::Wan => {
            let ok = v
                .parse::<f64>()
                .is_ok_and(|x| x.is_finite() && x.abs() < 1e12)
                && v.split('.').nth(1).is_none_or(|d| d.len() <= 2);
            if !ok {
                return bad(
                    format!("“{zh}”应为金额（万元），最多两位小数；亏损填负数。"),
                    format!(
                        "“{en}” is an amount in 10,000 CNY with at most two decimals; a loss is negative."
                    ),
                );
            }
        }
        Kind::Percent => {
            let p = v.parse::<f64>();
            let ok = p.as_ref().is_ok_and(|x| (0.0..=100.0).contains(x));
            if !ok {
                return bad(
                    format!("“{zh}”应为0到100之间的数。"),
                    format!("“{en}” is a number from 0 to 100."),
                );
            }
            if full.starts_with("self.") {
                let step = f64::from(cx.step.max(1));
                let x = p.unwrap_or(0.0);
                if (x / step).fract() != 0.0 {
                    return bad(
                        format!(
                            "自评得分百分比应为{}%的整数倍，例如 0、5、10……100。",
                            cx.step
                        ),
                        format!("Self-assessed percentages go in steps of {}%.", cx.step),
                    );
                }
            }
        }
        Kind::Choice(opts) => {
            if !opts.iter().any(|(c, ..)| *c == v) {
                return bad(
                    format!("请从列表中选择“{zh}”。"),
                    format!("Choose “{en}” from the list."),
                );
            }
        }
        Kind::Tick => {}
        Kind::Phone => {
            if v.len() < 7
                || v.len() > 20
                || !v.chars().all(|c| c.is_ascii_digit() || "-+ ()".contains(c))
            {
                return bad(
                    format!("“{zh}”应为电话号码，例如 0763-3388888 或 13800000000。"),
                    format!("“{en}” is a telephone number."),
                );
            }
        }
        Kind::Email => {
            let ok = v.split_once('@').is_some_and(|(a, b)| {
                !a.is_empty() && b.contains('.') && !b.starts_with('.') && !b.ends_with('.')
            }) && !v.contains(' ');
            if !ok {
                return bad(
                    format!("“{zh}”格式不正确，例如 name@example.com。"),
                    format!("“{en}” is not an email address."),
                );
            }
        }
    }
    None
}

/// Problems in a section's values. Empty required fields are not errors here (a draft may be
/// incomplete); they only keep the section from being complete.
pub fn validate(s: &Section, v: &Values, cx: &Context) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (key, field) in keys(s, cx) {
        if let Some(val) = v.get(&key)
            && let Some((zh, en)) = check_value(&key, (field.zh, field.en), field.kind, val, cx)
        {
            let (zh, en) = qualify(s, &key, zh, en);
            errs.push(FieldError { key, zh, en });
        }
    }
    if matches!(s.layout, Layout::SelfEvaluation) {
        let total: usize = v
            .iter()
            .filter(|(k, _)| k.starts_with("self.") && k.ends_with(".text"))
            .map(|(_, t)| t.chars().count())
            .sum();
        if total > cx.self_max {
            errs.push(FieldError {
                key: "self".into(),
                zh: format!("自评报告合计不能超过{}字，现为{total}字。", cx.self_max),
                en: format!("The self-evaluation report is limited to {} characters in all; it has {total}.", cx.self_max),
            });
        }
    }
    if s.key == "economics" {
        for y in cx.years {
            let loss = v
                .get(&format!("economics.{y}.loss"))
                .is_some_and(|t| t == "1");
            let profit_neg = v
                .get(&format!("economics.{y}.profit"))
                .and_then(|p| p.trim().parse::<f64>().ok())
                .is_some_and(|p| p < 0.0);
            if profit_neg && !loss {
                errs.push(FieldError {
                    key: format!("economics.{y}.loss"),
                    zh: format!("{y}年度利润为负数，请勾选“亏损”。"),
                    en: format!("The {y} profit is negative: tick “Loss”."),
                });
            }
        }
    }
    errs
}

fn qualify(s: &Section, key: &str, zh: String, en: String) -> (String, String) {
    let parts: Vec<&str> = key.split('.').collect();
    match (s.layout, parts.get(1)) {
        (Layout::Years(..), Some(y)) if y.parse::<i32>().is_ok() => {
            (format!("{y}年度：{zh}"), format!("{y}: {en}"))
        }
        (Layout::Rows { .. }, Some(r)) if r.parse::<usize>().is_ok() => {
            (format!("第{r}行：{zh}"), format!("Row {r}: {en}"))
        }
        (Layout::SelfEvaluation, Some(item)) => (format!("{item}：{zh}"), format!("{item}: {en}")),
        _ => (zh, en),
    }
}

/// The required fields of a section that are still empty, each named as on the page ("2025年度：
/// 请填写“营业收入”。"). In a table of rows, only rows begun count, and the first rows up to the
/// fewest the section needs.
pub fn missing(s: &Section, v: &Values, cx: &Context) -> Vec<FieldError> {
    let mut out = Vec::new();
    let need = |key: String, zh: &str, en: &str| {
        (!filled(v.get(&key))).then(|| {
            let (z, e) = qualify(s, &key, format!("请填写“{zh}”。"), format!("Enter “{en}”."));
            FieldError { key, zh: z, en: e }
        })
    };
    match s.layout {
        Layout::Fields(_) | Layout::Years(..) | Layout::SelfEvaluation => {
            for (key, f) in keys(s, cx) {
                if f.required {
                    out.extend(need(key, f.zh, f.en));
                }
            }
        }
        Layout::Declarations => {
            for (key, _) in keys(s, cx) {
                if v.get(&key).is_none_or(|t| t != "1") {
                    out.push(FieldError {
                        key,
                        zh: "请勾选确认本项承诺。".into(),
                        en: "Tick to give this pledge.".into(),
                    });
                }
            }
        }
        Layout::Rows {
            max,
            min,
            cols,
            after,
        } => {
            let begun = |r: usize| {
                cols.iter()
                    .any(|c| filled(v.get(&format!("{}.{r}.{}", s.key, c.key))))
            };
            let mut short = min.saturating_sub((1..=max).filter(|r| begun(*r)).count());
            for r in 1..=max {
                let mark = if begun(r) {
                    true
                } else if short > 0 {
                    short -= 1;
                    true
                } else {
                    false
                };
                if mark {
                    for c in cols.iter().filter(|c| c.required) {
                        out.extend(need(format!("{}.{r}.{}", s.key, c.key), c.zh, c.en));
                    }
                }
            }
            for x in after.iter().filter(|x| x.required) {
                out.extend(need(format!("{}.{}", s.key, x.key), x.zh, x.en));
            }
        }
    }
    out
}

/// How far a section is: complete when every required field is filled and valid.
pub fn progress(s: &Section, v: &Values, cx: &Context) -> Progress {
    let ks = keys(s, cx);
    let any = ks.iter().any(|(k, _)| filled(v.get(k)));
    if !any {
        return Progress::NotStarted;
    }
    if !validate(s, v, cx).is_empty() {
        return Progress::InProgress;
    }
    let complete = match s.layout {
        Layout::Fields(_) | Layout::Years(..) | Layout::SelfEvaluation => ks
            .iter()
            .filter(|(_, f)| f.required)
            .all(|(k, _)| filled(v.get(k))),
        Layout::Declarations => ks.iter().all(|(k, _)| v.get(k).is_some_and(|t| t == "1")),
        Layout::Rows {
            max,
            min,
            cols,
            after,
        } => {
            let rows_ok = (1..=max)
                .map(|r| {
                    let row: Vec<bool> = cols
                        .iter()
                        .map(|c| filled(v.get(&format!("{}.{r}.{}", s.key, c.key))))
                        .collect();
                    let any = row.iter().any(|b| *b);
                    let all_req = cols
                        .iter()
                        .zip(&row)
                        .filter(|(c, _)| c.required)
                        .all(|(_, b)| *b);
                    (any, all_req)
                })
                .collect::<Vec<_>>();
            let filled_rows = rows_ok.iter().filter(|(a, _)| *a).count();
            let rows_complete = rows_ok.iter().all(|(a, ok)| !a || *ok);
            let after_ok = after
                .iter()
                .filter(|x| x.required)
                .all(|x| filled(v.get(&format!("{}.{}", s.key, x.key))));
            filled_rows >= min && rows_complete && after_ok
        }
    };
    if complete {
        Progress::Done
    } else {
        Progress::InProgress
    }
}

/// The self-assessed score in tenths of a point, and per item.
pub fn self_score(v: &Values, cx: &Context) -> (u32, Vec<(String, Option<u32>)>) {
    let mut total = 0;
    let mut per = Vec::new();
    for (id, _, points) in &cx.items {
        let pct = v
            .get(&format!("self.{id}.percent"))
            .and_then(|p| p.trim().parse::<u32>().ok())
            .filter(|p| *p <= 100 && p % cx.step.max(1) == 0);
        let tenths = pct.map(|p| (points * p + 5) / 10);
        total += tenths.unwrap_or(0);
        per.push((id.clone(), tenths));
    }
    (total, per)
}

/// Keep only the keys that belong to `s`, from what a form sent.
pub fn take(s: &Section, sent: &[(String, String)], cx: &Context) -> Values {
    let ks = keys(s, cx);
    let mut out = Values::new();
    for (k, f) in &ks {
        let v = sent
            .iter()
            .rev()
            .find(|(sk, _)| sk == k)
            .map(|(_, v)| v.clone());
        match (f.kind, v) {
            (Kind::Tick, Some(v)) => {
                out.insert(
                    k.clone(),
                    if v == "1" || v == "on" {
                        "1".into()
                    } else {
                        String::new()
                    },
                );
            }
            (Kind::Tick, None) => {
                out.insert(k.clone(), String::new());
            }
            (_, Some(v)) => {
                out.insert(k.clone(), v.replace("\r\n", "\n"));
            }
            (_, None) => {}
        }
    }
    out
}

/// The facts of the eligibility self-check (Art. 10, 11, 32, 33) as the form gives them.
pub fn facts(
    v: &Values,
    cx: &Context,
    call_date: jiff::civil::Date,
    registered_in_programme: bool,
    past_wins: Vec<i32>,
    revocations: Vec<jiff::civil::Date>,
) -> crate::eligibility::Facts {
    let date = |k: &str| {
        v.get(k)
            .and_then(|d| d.trim().parse::<jiff::civil::Date>().ok())
    };
    let text = |k: &str| {
        v.get(k)
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let years = cx
        .years
        .iter()
        .filter_map(|y| {
            let profit = v
                .get(&format!("economics.{y}.profit"))
                .and_then(|p| p.trim().parse::<f64>().ok());
            let loss = v
                .get(&format!("economics.{y}.loss"))
                .is_some_and(|t| t == "1");
            let reason = text(&format!("economics.{y}.policy_loss_reason"));
            (profit.is_some() || loss).then_some(crate::eligibility::YearFigures {
                year: *y,
                profit_wan: profit,
                loss,
                policy_loss_reason: reason,
            })
        })
        .collect();
    let mut spot_checks = Vec::new();
    if let Some(Section {
        layout: Layout::Rows { max, .. },
        ..
    }) = section("compliance")
    {
        for r in 1..=*max {
            if let (Some(d), Some(level), Some(result)) = (
                date(&format!("compliance.{r}.date")),
                text(&format!("compliance.{r}.level")),
                text(&format!("compliance.{r}.result")),
            ) {
                spot_checks.push(crate::eligibility::SpotCheck {
                    date: d,
                    level,
                    passed: result == "passed",
                    product: text(&format!("compliance.{r}.product")).unwrap_or_default(),
                });
            }
        }
    }
    crate::eligibility::Facts {
        call_date,
        registered_in_programme,
        registration_date: date("identity.registration_date"),
        years,
        spot_checks,
        excellence_since: date("systems.excellence_since"),
        past_wins,
        revocations,
        declarations: cx
            .declarations
            .iter()
            .map(|d| {
                (
                    (*d).to_owned(),
                    v.get(&format!("declare.{d}")).is_some_and(|t| t == "1"),
                )
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> Context {
        let rules =
            crate::rules::RuleSet::parse(include_str!("../../../rules/qingyuan-2020.toml"), "r")
                .unwrap();
        let crit = crate::criteria::Criteria::parse(
            include_str!("../../../rules/gbt19580-2012.toml"),
            "c",
        )
        .unwrap();
        Context::new(2026, &rules, &crit, vec!["truthful"])
    }

    #[test]
    fn a_date_after_the_call_year_is_refused_naming_the_field() {
        let cx = cx();
        let s = section("identity").unwrap();
        let mut v = Values::new();
        v.insert("identity.registration_date".into(), "2099-01-01".into());
        let e = validate(s, &v, &cx);
        assert!(
            e.iter().any(|e| e
                .zh
                .contains("“成立（登记）日期”不能晚于申报年度（2026年）")),
            "{e:?}"
        );
        v.insert("identity.registration_date".into(), "2015-06-01".into());
        assert!(
            !validate(s, &v, &cx)
                .iter()
                .any(|e| e.zh.contains("成立（登记）日期"))
        );
    }

    #[test]
    fn a_bad_value_is_named_and_kept() {
        let cx = cx();
        let s = section("identity").unwrap();
        let mut v = Values::new();
        v.insert("identity.registration_date".into(), "2020-13-01".into());
        v.insert("identity.contact_email".into(), "not-an-email".into());
        let e = validate(s, &v, &cx);
        assert_eq!(e.len(), 2);
        assert!(e[0].zh.contains("成立（登记）日期"));
        assert_eq!(progress(s, &v, &cx), Progress::InProgress);
        assert_eq!(v["identity.registration_date"], "2020-13-01");
    }

    #[test]
    fn years_are_the_three_before_the_call_and_named_in_errors() {
        let cx = cx();
        assert_eq!(cx.years, [2023, 2024, 2025]);
        let s = section("economics").unwrap();
        let mut v = Values::new();
        v.insert("economics.2024.profit".into(), "-12.5".into());
        let e = validate(s, &v, &cx);
        assert!(e.iter().any(|e| e.zh.contains("2024年度利润为负数")));
        v.insert("economics.2024.revenue".into(), "abc".into());
        assert!(
            validate(s, &v, &cx)
                .iter()
                .any(|e| e.zh.starts_with("2024年度：“营业收入”"))
        );
    }

    #[test]
    fn self_score_uses_points_and_five_percent_steps() {
        let cx = cx();
        let mut v = Values::new();
        v.insert("self.4.1.2.percent".into(), "60".into()); // 50 points × 60% = 30.0
        v.insert("self.4.7.2.percent".into(), "55".into()); // 80 × 55% = 44.0
        let (total, _) = self_score(&v, &cx);
        assert_eq!(total, 740);
        v.insert("self.4.2.2.percent".into(), "62".into());
        let s = section("self").unwrap();
        assert!(
            validate(s, &v, &cx)
                .iter()
                .any(|e| e.zh.contains("5%的整数倍"))
        );
    }

    #[test]
    fn overview_length_comes_from_the_rule_set() {
        let cx = cx();
        let s = section("overview").unwrap();
        let mut v = Values::new();
        v.insert("overview.text".into(), "字".repeat(3001));
        let e = validate(s, &v, &cx);
        assert!(e[0].zh.contains("不能超过3000字"), "{}", e[0].zh);
    }

    #[test]
    fn rows_complete_when_filled_rows_are_whole() {
        let cx = cx();
        let s = section("systems").unwrap();
        let mut v = Values::new();
        v.insert("systems.1.system".into(), "qms".into());
        assert_eq!(progress(s, &v, &cx), Progress::InProgress);
        v.insert("systems.1.status".into(), "certified".into());
        v.insert("systems.excellence_since".into(), "2024-01-01".into());
        assert_eq!(progress(s, &v, &cx), Progress::Done);
        // Honours may be empty.
        let h = section("honours").unwrap();
        assert_eq!(progress(h, &Values::new(), &cx), Progress::NotStarted);
    }
}
