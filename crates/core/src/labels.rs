//! The one place where every code a person can see gets its words: roles, stages, statuses,
//! decisions, file kinds, form sections, audit actions and subjects, rule keys and rule values.
//! Pages, messages and exports ask here; a test walks every role's pages and fails on any code
//! of these tables shown as text.

use crate::authz::Role;
use crate::session::Stage;

/// What kind of code it is (the same code can mean different things in two families).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// A role (`city_office`).
    Role,
    /// A stage of a session (`onsite_review`).
    Stage,
    /// An application's status (`not_recommended`).
    Status,
    /// A county office's opinion (`recommended`, `returned`).
    CountyDecision,
    /// The eligibility result (`eligible`).
    Eligibility,
    /// A kind of evidence file (`business_licence`).
    Attachment,
    /// A section of the application form (`identity`).
    Section,
    /// What an audit entry is about (`opinion_request`).
    Subject,
    /// A rule of a rule set (`application.overview_max_chars`).
    Rule,
    /// A coded value of a rule (`next_year_start`).
    RuleValue,
    /// Any other state word an audit entry records (`investigating`, `filed_late`).
    State,
    /// A condition of the eligibility check (`no_loss`, `spot_checks`).
    Condition,
}

/// A code's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    /// Chinese.
    pub zh: &'static str,
    /// English.
    pub en: &'static str,
}

impl Label {
    /// In the reader's language.
    pub fn text(&self, zh: bool) -> &'static str {
        if zh { self.zh } else { self.en }
    }
}

type Row = (&'static str, &'static str, &'static str);

const STATUS: &[Row] = &[
    ("draft", "草稿", "Draft"),
    (
        "submitted",
        "已提交，待县级推荐",
        "Submitted, awaiting the county",
    ),
    ("returned", "退回修改", "Returned for correction"),
    ("recommended", "县级已推荐", "Recommended by the county"),
    (
        "forwarded",
        "已报送市强市办",
        "Forwarded to the city office",
    ),
    (
        "not_recommended",
        "县级不予推荐",
        "Not recommended by the county",
    ),
    ("eligible", "资格审查通过", "Eligible"),
    ("ineligible", "资格审查未通过", "Not eligible"),
    ("withdrawn", "已撤回", "Withdrawn"),
    // Where a recommended or eligible application stands as the award goes on
    // (`application_progress`).
    (
        "awaiting_forward",
        "县级已推荐（待报送）",
        "Recommended by the county, not yet forwarded",
    ),
    ("in_material_review", "资料评审中", "In material review"),
    (
        "awaiting_onsite_list",
        "资料评审完成，待确定现场评审名单",
        "Material review done; on-site list not yet decided",
    ),
    ("onsite_listed", "已列入现场评审名单", "On the on-site list"),
    (
        "not_on_onsite_list",
        "未进入现场评审",
        "Not selected for on-site review",
    ),
    ("in_onsite_review", "现场评审中", "In on-site review"),
    (
        "in_comprehensive_evaluation",
        "综合评价中",
        "In comprehensive evaluation",
    ),
    ("evaluated", "综合评价完成", "Comprehensive evaluation done"),
];

/// The name of a county-level division's office: the measures' “质量强县（市、区）办” (Art. 12)
/// in the form that fits the division — 清城区质量强区办, 英德市质量强市办, 佛冈县质量强县办.
pub fn county_office_name(county: &str) -> String {
    let kind = match county.chars().next_back() {
        Some('区') => '区',
        Some('市') => '市',
        _ => '县',
    };
    format!("{county}质量强{kind}办")
}

/// Where an application stands as people read it (its badge), as a code of
/// [`Family::Status`]: its status, and for a recommended or eligible one how far the award has
/// taken it — whether the county office has forwarded it to the city office (Art. 13), then the
/// session's stage and whether it is on the on-site list (Art. 15–17). `onsite` is `None` while
/// the session has no on-site list, else whether the application is on it.
pub fn application_progress(
    status: &'static str,
    forwarded: bool,
    stage: Stage,
    onsite: Option<bool>,
) -> &'static str {
    match status {
        "recommended" if forwarded => "forwarded",
        "recommended" => "awaiting_forward",
        "eligible" if stage < Stage::MaterialReview => "eligible",
        "eligible" => match onsite {
            None if stage == Stage::MaterialReview => "in_material_review",
            None => "awaiting_onsite_list",
            Some(false) => "not_on_onsite_list",
            Some(true) => match stage {
                Stage::OnsiteReview => "in_onsite_review",
                Stage::ComprehensiveEvaluation => "in_comprehensive_evaluation",
                s if s > Stage::ComprehensiveEvaluation => "evaluated",
                _ => "onsite_listed",
            },
        },
        s => s,
    }
}

const COUNTY_DECISION: &[Row] = &[
    ("recommended", "推荐", "Recommended"),
    ("not_recommended", "不予推荐", "Not recommended"),
    ("returned", "退回修改", "Returned for correction"),
];

const ELIGIBILITY: &[Row] = &[
    ("eligible", "资格审查通过", "Eligible"),
    ("ineligible", "资格审查未通过", "Not eligible"),
];

const ATTACHMENT: &[Row] = &[
    ("business_licence", "营业执照", "Business licence"),
    (
        "financial",
        "近三年财务审计报告",
        "Audited financial statements",
    ),
    (
        "certification",
        "管理体系认证证书",
        "Management-system certificates",
    ),
    (
        "spot_check",
        "质量监督抽查报告",
        "Quality spot-check reports",
    ),
    ("honours", "荣誉证书", "Honours"),
    ("credit", "信用报告", "Credit report"),
    (
        "internal_notice",
        "单位内部公示证明",
        "Proof of the internal notice",
    ),
    ("other", "其他证明材料", "Other evidence"),
    (
        "county_letter",
        "县级推荐函（盖章）",
        "County's sealed letter",
    ),
];

const SUBJECT: &[Row] = &[
    ("annual_report", "绩效报告", "Annual report"),
    ("application", "申报", "Application"),
    ("assignment_run", "分配方案", "Assignment proposal"),
    ("complaint", "投诉", "Complaint"),
    ("criteria", "评审标准", "Criteria"),
    ("expert", "评审专家", "Expert"),
    ("job", "后台任务", "Background job"),
    ("objection", "异议", "Objection"),
    ("opinion_request", "征求意见函", "Opinion request"),
    ("organisation", "申报单位", "Organisation"),
    ("programme", "评选项目", "Programme"),
    ("review_team", "评审组", "Review team"),
    ("revocation", "撤销奖励案件", "Revocation case"),
    ("rule_set", "管理办法版本", "Rule-set version"),
    ("session", "届次", "Session"),
    ("title_case", "称号使用案件", "Title-use case"),
    ("winner", "获奖单位", "Winner"),
    ("user", "账号", "Account"),
    ("security_setting", "安全设置", "Security setting"),
    ("meeting", "领导小组会议", "Leadership meeting"),
    ("proposal", "获奖建议名单", "Proposal"),
    ("notice", "公示", "Public notice"),
    ("rating", "双向评价", "Conduct rating"),
    ("conduct_rating", "双向评价", "Conduct rating"),
];

const RULE: &[Row] = &[
    ("validity.from", "有效期起", "Valid from"),
    ("validity.to", "有效期止", "Valid until"),
    ("session.cycle_years", "评选周期（年）", "Cycle (years)"),
    (
        "session.max_winners",
        "每届获奖单位上限",
        "Most winners per session",
    ),
    (
        "session.winners_may_be_empty",
        "获奖名额可以空缺",
        "Winners may be none",
    ),
    (
        "eligibility.min_operating_years",
        "依法经营最少年限",
        "Fewest years operating",
    ),
    (
        "eligibility.clean_record_years",
        "无质量、安全、环境事故的年限",
        "Clean-record years",
    ),
    (
        "eligibility.no_loss_years",
        "连续不亏损的年限",
        "Years without a loss",
    ),
    (
        "eligibility.policy_loss_excepted",
        "政策性亏损除外",
        "Policy losses excepted",
    ),
    (
        "eligibility.min_excellence_practice_months",
        "推行卓越绩效模式最少月数",
        "Fewest months of the excellence model",
    ),
    (
        "eligibility.rewin_bar_years",
        "获奖后不得再申报的年限",
        "Years before a winner may apply again",
    ),
    (
        "eligibility.registered_in_city",
        "须在本市登记注册",
        "Registered in the city",
    ),
    (
        "eligibility.ban_years",
        "撤销奖励后禁止申报年限",
        "Ban after revocation (years)",
    ),
    (
        "review.onsite_max",
        "现场评审单位数上限（原则上）",
        "On-site list, most in principle",
    ),
    ("review.team_size", "每组评审员人数", "Reviewers per team"),
    (
        "review.score_step_percent",
        "评分百分比步长（%）",
        "Score step (%)",
    ),
    (
        "review.spread_flag_points",
        "评分差异提示阈值（分）",
        "Spread that flags an item (points)",
    ),
    (
        "review.conflict_lookback_years",
        "利益冲突回溯年限",
        "Conflict look-back (years)",
    ),
    (
        "review.team_load_max",
        "每组最多评审单位数",
        "Most applications per team",
    ),
    (
        "review.assign_match_weight",
        "分配时行业匹配权重",
        "Weight of industry match",
    ),
    ("review.final_score", "最终得分取值", "Final score"),
    (
        "review.onsite_min_members",
        "现场评审最少人数",
        "Fewest reviewers on site",
    ),
    (
        "review.blind_until_submitted",
        "提交前互不可见评分",
        "Scores blind until submitted",
    ),
    (
        "application.overview_max_chars",
        "组织概述字数上限",
        "Overview, most characters",
    ),
    (
        "application.self_evaluation_max_chars",
        "自评报告字数上限",
        "Self-evaluation, most characters",
    ),
    (
        "application.max_file_mb",
        "单个文件大小上限（MB）",
        "Largest file (MB)",
    ),
    (
        "application.max_total_mb",
        "证明材料总大小上限（MB）",
        "Largest total of files (MB)",
    ),
    (
        "decision.notice_min_days",
        "公示期最少天数",
        "Fewest days of public notice",
    ),
    (
        "decision.notice_day_kind",
        "公示期天数计算方式",
        "Notice days counted as",
    ),
    ("decision.quorum_fraction", "领导小组会议到会比例", "Quorum"),
    ("decision.majority", "表决通过规则", "Majority"),
    ("decision.ballot", "表决方式", "Ballot"),
    (
        "objection.real_name_required",
        "异议须实名",
        "Objections by real name",
    ),
    (
        "objection.verify_working_days",
        "异议核实期限（工作日）",
        "Working days to verify an objection",
    ),
    (
        "award.bonus_cny",
        "每家获奖单位奖金（元）",
        "Prize per winner (CNY)",
    ),
    ("award.bonus_paid", "奖金发放时间", "Prize paid"),
    (
        "post_award.report_years",
        "获奖后报送绩效报告年数",
        "Years of annual reports",
    ),
    (
        "post_award.report_due",
        "绩效报告报送期限",
        "Annual report due",
    ),
    (
        "post_award.reminder_days_before",
        "提前提醒天数",
        "Reminder, days before",
    ),
    (
        "post_award.title_wording",
        "称号规范表述",
        "Wording of the title",
    ),
    (
        "revocation.accident_window_years",
        "获奖后发生重大事故可撤销的年限",
        "Accident window (years)",
    ),
    (
        "revocation.ban_years",
        "撤销奖励后禁止申报年限",
        "Ban after revocation (years)",
    ),
    (
        "conduct.low_grade",
        "低分提示阈值（等级）",
        "Low rating (grade)",
    ),
];

const RULE_VALUE: &[Row] = &[
    (
        "next_year_start",
        "次年年初",
        "At the start of the next year",
    ),
    (
        "onsite_consensus",
        "现场评审合议得分",
        "The on-site consensus score",
    ),
    (
        "material_consensus",
        "资料评审合议得分",
        "The material review consensus score",
    ),
    (
        "mean_of_phases",
        "资料与现场合议得分的平均",
        "The mean of both consensus scores",
    ),
    ("calendar", "自然日", "Calendar days"),
    ("working", "工作日", "Working days"),
    (
        "more_than_half_present",
        "超过到会人数的一半",
        "More than half of those present",
    ),
    (
        "two_thirds_present",
        "到会人数的三分之二以上",
        "Two thirds of those present",
    ),
    (
        "more_than_half_members",
        "超过全体成员的一半",
        "More than half of all members",
    ),
    ("secret", "无记名投票", "Secret ballot"),
    ("open", "记名表决", "Named votes"),
    (
        "award_anniversary",
        "表彰之日起每满一年",
        "Each anniversary of the commendation",
    ),
    ("true", "是", "Yes"),
    ("false", "否", "No"),
];

const CONDITION: &[Row] = &[
    ("registered", "在本市依法登记注册", "Registered in the city"),
    (
        "operating_years",
        "依法经营满规定年限",
        "Operating for the years required",
    ),
    (
        "no_loss",
        "近年无亏损（政策性亏损除外）",
        "No loss in the years required",
    ),
    (
        "spot_checks",
        "质量监督抽查合格",
        "Quality spot checks passed",
    ),
    (
        "excellence",
        "推行卓越绩效模式满规定月数",
        "Excellence model practised long enough",
    ),
    (
        "rewin_bar",
        "获奖后再次申报的年限",
        "Years since a previous award",
    ),
    (
        "revocation_ban",
        "撤销奖励后禁止申报期",
        "Ban after a revoked award",
    ),
    (
        "policy_compliance",
        "符合国家产业政策和环保政策",
        "Complies with industrial and environmental policy",
    ),
    (
        "industry_leading",
        "质量管理水平在行业内领先",
        "Leading quality management in its industry",
    ),
    (
        "no_major_accident",
        "无重大质量、安全、环境事故",
        "No major quality, safety or environmental accident",
    ),
    ("no_major_complaint", "无重大投诉", "No major complaint"),
    (
        "no_penalty",
        "无违法违规受处罚记录",
        "No penalty for breaking the law",
    ),
    (
        "quality_system",
        "建立并有效运行质量管理体系",
        "A working quality management system",
    ),
];

const STATE: &[Row] = &[
    ("warned", "已警告", "Warned"),
    ("removed", "已取消资格", "Removed"),
    ("formed", "已组建", "Formed"),
    ("consensus", "已形成合议", "Consensus formed"),
    ("onsite_list", "已确定现场评审名单", "On-site list decided"),
    ("recused", "已回避", "Recused"),
    (
        "proposal_submitted",
        "获奖建议名单已提交",
        "Proposal submitted",
    ),
    ("notice_published", "已公示", "Notice published"),
    (
        "winner_manager",
        "获奖企业高层管理人员",
        "Winner's senior manager",
    ),
    ("system", "系统", "System"),
    ("anonymous", "公众（未登录）", "The public (not signed in)"),
    ("self", "本人", "Self"),
    ("registered", "已登记", "Registered"),
    ("investigating", "调查核实中", "Being investigated"),
    ("decided", "已作出决定", "Decided"),
    ("closed", "已办结", "Closed"),
    ("upheld", "异议成立", "Upheld"),
    ("not_upheld", "异议不成立", "Not upheld"),
    ("received", "已收到", "Received"),
    ("no_objection", "无异议", "No objection"),
    ("objection", "有异议", "Objection"),
    ("agree", "同意", "Agree"),
    ("disagree", "不同意", "Disagree"),
    ("abstain", "弃权", "Abstain"),
    ("warning", "警告", "Warning"),
    ("removal", "取消评审资格", "Qualification removed"),
    ("none", "不建议处理", "No sanction"),
    ("pending", "待报送", "Due"),
    ("not_due", "未到期", "Not yet due"),
    ("filed", "已报送", "Filed"),
    ("filed_late", "逾期报送", "Filed late"),
    ("overdue", "逾期未报", "Overdue"),
    ("open", "处理中", "Open"),
    ("ordered", "已责令改正", "Ordered to correct"),
    ("resolved", "已改正", "Corrected"),
    (
        "approved",
        "市政府已批准",
        "Approved by the city government",
    ),
    ("rejected", "市政府未批准", "Not approved"),
    ("false_materials", "提供虚假材料", "False materials"),
    ("major_accident", "发生重大事故", "Major accident"),
    ("products", "用于产品", "On products"),
    ("packaging", "用于包装", "On packaging"),
    ("no_year", "未注明获奖年度", "Without the award year"),
    ("forgery", "伪造证书或称号", "Forgery"),
    ("material", "资料评审", "Material review"),
    ("onsite", "现场评审", "On-site review"),
    ("queued", "排队中", "Queued"),
    ("running", "进行中", "Running"),
    ("done", "已完成", "Done"),
    ("failed", "失败", "Failed"),
    ("interrupted", "已中断", "Interrupted"),
    ("trainee", "见习评审员", "Trainee"),
    ("senior", "高级评审员", "Senior reviewer"),
    ("leader", "可任组长", "Leader-eligible"),
    ("person", "个人", "Person"),
    ("work", "工作经费", "Work budget"),
    ("award", "奖励经费", "Award budget"),
    ("consulting", "咨询服务", "Consulting"),
    ("training", "培训服务", "Training"),
    ("shareholding", "持股", "Shareholding"),
    ("relative", "近亲属任职", "Relative employed"),
    ("active", "正常", "Active"),
    ("disabled", "已停用", "Disabled"),
    ("locked", "已锁定", "Locked"),
];

fn table(f: Family) -> &'static [Row] {
    match f {
        Family::Status => STATUS,
        Family::CountyDecision => COUNTY_DECISION,
        Family::Eligibility => ELIGIBILITY,
        Family::Attachment => ATTACHMENT,
        Family::Subject => SUBJECT,
        Family::Rule => RULE,
        Family::RuleValue => RULE_VALUE,
        Family::State => STATE,
        Family::Condition => CONDITION,
        Family::Role | Family::Stage | Family::Section => &[],
    }
}

/// The words of `code` in `family`, when it has any.
pub fn get(family: Family, code: &str) -> Option<Label> {
    match family {
        Family::Role => Role::parse(code).map(|r| Label {
            zh: r.name_zh(),
            en: r.name_en(),
        }),
        Family::Stage => Stage::parse(code).map(|s| Label {
            zh: s.name_zh(),
            en: s.name_en(),
        }),
        Family::Section => crate::application::section(code).map(|s| Label { zh: s.zh, en: s.en }),
        f => table(f)
            .iter()
            .find(|(c, ..)| *c == code)
            .map(|(_, zh, en)| Label { zh, en }),
    }
}

/// The words of `code` in `family`, or the code itself when it has none (never empty).
pub fn text(family: Family, code: &str, zh: bool) -> String {
    get(family, code).map_or_else(|| code.to_owned(), |l| l.text(zh).to_owned())
}

/// A state word recorded without its family (an audit entry's new state): the application's
/// and the session's first, then the others.
pub fn state(code: &str) -> Option<Label> {
    [
        Family::Status,
        Family::Stage,
        Family::CountyDecision,
        Family::State,
        Family::Role,
    ]
    .into_iter()
    .find_map(|f| get(f, code))
}

/// A role recorded in the audit log: a role's code, or `system`, `anonymous`, `self`.
pub fn actor_role(code: &str) -> Option<Label> {
    get(Family::Role, code).or_else(|| get(Family::State, code))
}

const ACTIONS: &[Row] = &[
    ("meeting", "领导小组会议", "Leadership meeting"),
    ("decision", "获奖审定", "Decision"),
    ("review", "评审", "Review"),
    ("review.team", "评审组", "Review team"),
    ("review.assign", "评审分配", "Assignment"),
    ("review.consensus", "合议评分", "Consensus"),
    ("review.onsite", "现场评审名单", "On-site list"),
    ("onsite", "现场评审", "On-site review"),
    ("evaluation", "综合评价", "Comprehensive evaluation"),
    ("objection", "异议处理", "Objection"),
    ("complaint", "投诉", "Complaint"),
    ("revocation.decide", "市政府撤销决定", "Revocation decision"),
    ("programme.create", "设立评选项目", "Programme created"),
    ("ruleset.load", "载入管理办法版本", "Rule set loaded"),
    ("criteria.load", "载入评审标准", "Criteria loaded"),
    ("session.create", "设立届次", "Session created"),
    ("session.windows", "设定阶段时间", "Stage dates set"),
    ("session.advance", "推进阶段", "Stage moved on"),
    (
        "organisation.create",
        "申报单位注册",
        "Organisation registered",
    ),
    ("application.start", "开始申报", "Application started"),
    ("application.save", "保存申报材料", "Application saved"),
    ("application.submit", "提交申报", "Application submitted"),
    ("application.withdraw", "撤回申报", "Application withdrawn"),
    ("attachment.add", "上传证明材料", "Evidence uploaded"),
    ("attachment.remove", "删除证明材料", "Evidence removed"),
    ("county.decide", "县级核实推荐", "County decision"),
    (
        "county.forward",
        "县级报送市强市办",
        "Forwarded by the county",
    ),
    ("county.letter", "上传县级推荐函", "County letter uploaded"),
    ("eligibility.decide", "资格审查决定", "Eligibility decided"),
    ("opinion.request", "发出征求意见函", "Opinion requested"),
    ("opinion.remind", "催办征求意见", "Opinion request reminded"),
    ("opinion.answer", "部门答复意见", "Department answered"),
    ("expert.add", "专家入库", "Expert added"),
    ("expert.update", "修改专家信息", "Expert updated"),
    ("expert.import", "批量导入专家", "Experts imported"),
    ("expert.history", "记录专家履历", "Expert history recorded"),
    (
        "expert.history.end",
        "结束专家任职记录",
        "Expert employment ended",
    ),
    ("expert.sanction", "处理评审专家", "Expert sanctioned"),
    (
        "expert.conflict.declare",
        "申报利益冲突",
        "Conflict declared",
    ),
    ("review.team.create", "组建评审组", "Team formed"),
    ("review.team.remove", "撤销评审组", "Team removed"),
    ("review.team.publish", "公布评审组组成", "Teams published"),
    (
        "review.assign.propose",
        "生成分配方案",
        "Assignment proposed",
    ),
    (
        "review.assign.accept",
        "采用分配方案",
        "Assignment accepted",
    ),
    ("review.assign.manual", "调整分配", "Assignment adjusted"),
    (
        "review.declaration.sign",
        "签署公正保密承诺",
        "Declaration signed",
    ),
    ("review.score.save", "保存评分", "Scores saved"),
    ("review.score.submit", "提交评分", "Scores submitted"),
    ("review.score.revise", "修改已提交的评分", "Scores revised"),
    ("review.consensus.save", "保存合议评分", "Consensus saved"),
    (
        "review.consensus.submit",
        "提交合议评分",
        "Consensus submitted",
    ),
    (
        "review.consensus.revise",
        "修改合议评分",
        "Consensus revised",
    ),
    (
        "review.onsite.decide",
        "确定现场评审名单",
        "On-site list decided",
    ),
    ("review.recusal", "评审员回避", "Reviewer recused"),
    (
        "review.recusal.substitute",
        "指定替补评审员",
        "Substitute named",
    ),
    ("onsite.plan.save", "保存现场评审计划", "On-site plan saved"),
    ("onsite.plan.send", "发送现场评审计划", "On-site plan sent"),
    (
        "onsite.visit.save",
        "保存现场评审记录",
        "Visit record saved",
    ),
    (
        "onsite.visit.submit",
        "提交现场评审记录",
        "Visit record submitted",
    ),
    (
        "onsite.report.release",
        "发送现场评审报告",
        "On-site report released",
    ),
    ("evaluation.save", "保存综合评价", "Evaluation saved"),
    ("evaluation.submit", "提交综合评价", "Evaluation submitted"),
    (
        "evaluation.practice.secret",
        "标记先进经验为商业秘密",
        "Practice marked as a trade secret",
    ),
    ("proposal.save", "保存获奖建议名单", "Proposal saved"),
    ("proposal.submit", "提交获奖建议名单", "Proposal submitted"),
    ("meeting.record", "记录领导小组会议", "Meeting recorded"),
    ("meeting.votes", "记录表决结果", "Votes recorded"),
    ("meeting.confirm", "确认审定名单", "Decided list confirmed"),
    ("notice.publish", "发布公示", "Notice published"),
    ("notice.close", "结束公示", "Notice closed"),
    ("objection.file", "受理异议", "Objection filed"),
    ("objection.assign", "指定异议调查人", "Investigator named"),
    ("objection.findings", "记录调查结果", "Findings recorded"),
    ("objection.decide", "作出异议处理决定", "Objection decided"),
    ("objection.reply", "书面答复异议人", "Objector answered"),
    ("objection.close", "异议办结", "Objection closed"),
    ("award.approval", "记录市政府批准", "Approval recorded"),
    (
        "award.commendation",
        "记录表彰决定",
        "Commendation recorded",
    ),
    ("award.certificates", "颁发证书", "Certificates issued"),
    ("award.plaque", "记录奖牌交接", "Plaque handed over"),
    ("award.payment", "记录奖金发放", "Prize paid"),
    ("award.budget", "记录经费预算", "Budget line added"),
    ("portal.announcement", "保存公告", "Announcement saved"),
    (
        "portal.announcement.publish",
        "发布公告",
        "Announcement published",
    ),
    (
        "post_award.report.save",
        "保存绩效报告",
        "Annual report saved",
    ),
    (
        "post_award.report.submit",
        "报送绩效报告",
        "Annual report filed",
    ),
    (
        "post_award.report.reminder",
        "发送绩效报告提醒",
        "Report reminder sent",
    ),
    (
        "post_award.case.open",
        "立案：称号使用",
        "Title-use case opened",
    ),
    (
        "post_award.case.step",
        "称号使用案件办理",
        "Title-use case step",
    ),
    (
        "post_award.forgery.report",
        "收到伪造举报",
        "Forgery reported",
    ),
    (
        "post_award.manager.add",
        "获奖企业高管入库",
        "Winner's manager added to the pool",
    ),
    ("revocation.open", "撤销奖励立案", "Revocation case opened"),
    (
        "revocation.submit",
        "报请市政府撤销",
        "Revocation submitted",
    ),
    (
        "revocation.approved",
        "市政府批准撤销",
        "Revocation approved",
    ),
    (
        "revocation.rejected",
        "市政府不予撤销",
        "Revocation not approved",
    ),
    ("revocation.publish", "发布撤销公告", "Revocation announced"),
    ("revocation.return", "记录证书奖牌收回", "Return recorded"),
    ("conduct.rating", "双向评价", "Conduct rating"),
    ("complaint.file", "提出投诉", "Complaint filed"),
    ("complaint.step", "投诉办理", "Complaint handled"),
    (
        "job.reports.start",
        "开始批量生成评审报告",
        "Report job started",
    ),
    (
        "job.reports.done",
        "批量生成评审报告完成",
        "Report job finished",
    ),
    (
        "job.reports.interrupted",
        "批量生成评审报告中断",
        "Report job interrupted",
    ),
    ("user.create", "创建账号", "Account created"),
    ("user.grant", "授予角色", "Role granted"),
    ("user.enable", "启用账号", "Account enabled"),
    ("user.disable", "停用账号", "Account disabled"),
    ("user.password", "修改密码", "Password changed"),
    (
        "security.setting",
        "修改安全设置",
        "Security setting changed",
    ),
    ("login", "登录", "Signed in"),
    ("login.ok", "登录", "Signed in"),
    (
        "conduct.rating.submit",
        "提交双向评价",
        "Conduct rating submitted",
    ),
    ("complaint.assign", "指定投诉调查人", "Complaint assigned"),
    (
        "complaint.findings",
        "记录投诉调查结果",
        "Complaint findings recorded",
    ),
    (
        "complaint.outcome",
        "作出投诉处理结论",
        "Complaint outcome decided",
    ),
    ("complaint.reply", "书面答复投诉人", "Complainant answered"),
    ("complaint.close", "投诉办结", "Complaint closed"),
    ("login.failed", "登录失败", "Sign-in failed"),
    ("login.locked", "账号被锁定", "Account locked"),
    ("logout", "退出登录", "Signed out"),
];

/// An audit action's words. An action refused (`….refused`) reads "…（被拒绝）"; an action
/// of a known family whose own code is not listed reads as its family's words.
pub fn action(code: &str) -> (String, String) {
    let find = |c: &str| {
        ACTIONS
            .iter()
            .find(|(a, ..)| *a == c)
            .map(|(_, z, e)| (*z, *e))
    };
    if let Some((z, e)) = find(code) {
        return (z.to_owned(), e.to_owned());
    }
    if let Some(base) = code.strip_suffix(".refused") {
        let (z, e) = action(base);
        return (format!("{z}（被拒绝）"), format!("{e} (refused)"));
    }
    // The longest listed prefix: `review.consensus.x` → the consensus's words.
    let mut parts: Vec<&str> = code.split('.').collect();
    while parts.len() > 1 {
        parts.pop();
        if let Some((z, e)) = find(&parts.join(".")) {
            return (z.to_owned(), e.to_owned());
        }
    }
    (code.to_owned(), code.to_owned())
}

/// Whether an audit action has words of its own (not only the code).
pub fn action_known(code: &str) -> bool {
    action(code).0 != code
}

/// Every code of the tables that looks like a code (it has `_` or `.`), for the test that no
/// page shows one as text.
pub fn code_like() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = [
        STATUS,
        COUNTY_DECISION,
        ELIGIBILITY,
        ATTACHMENT,
        SUBJECT,
        RULE,
        RULE_VALUE,
        STATE,
        CONDITION,
        ACTIONS,
    ]
    .iter()
    .flat_map(|t| t.iter().map(|(c, ..)| *c))
    .chain(Role::ALL.iter().map(|r| r.code()))
    .chain(Stage::ALL.iter().map(|s| s.code()))
    .filter(|c| c.contains('_') || c.contains('.'))
    .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Replace every code of the tables that stands as a word in `text` (a message written
/// before the words were looked up) by its words.
pub fn words_for_codes(text: &str, zh: bool) -> String {
    let mut out = text.to_owned();
    for code in code_like() {
        if !out.contains(code) {
            continue;
        }
        let words = [
            Family::Status,
            Family::CountyDecision,
            Family::Attachment,
            Family::Role,
            Family::Stage,
            Family::Condition,
            Family::State,
            Family::Subject,
            Family::Rule,
            Family::RuleValue,
        ]
        .into_iter()
        .find_map(|f| get(f, code))
        .map(|l| l.text(zh).to_owned())
        .or_else(|| action_known(code).then(|| if zh { action(code).0 } else { action(code).1 }));
        if let Some(w) = words {
            out = replace_word(&out, code, &w);
        }
    }
    out
}

/// Replace `code` where it stands alone (not inside a longer name).
fn replace_word(text: &str, code: &str, with: &str) -> String {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(code) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + code.len()..].chars().next();
        let alone = !before.is_some_and(word) && !after.is_some_and(|c| word(c) && c != '.');
        out.push_str(&rest[..i]);
        out.push_str(if alone { with } else { code });
        rest = &rest[i + code.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_speaks_chinese_and_english() {
        assert_eq!(get(Family::Role, "city_office").unwrap().zh, "市强市办");
        assert_eq!(
            get(Family::Stage, "onsite_review").unwrap().en,
            "On-site review"
        );
        assert_eq!(get(Family::Section, "identity").unwrap().zh, "基本信息");
        assert_eq!(
            get(Family::Attachment, "business_licence").unwrap().zh,
            "营业执照"
        );
        assert_eq!(
            get(Family::RuleValue, "next_year_start").unwrap().zh,
            "次年年初"
        );
        assert_eq!(text(Family::Status, "unknown_code", true), "unknown_code");
    }

    #[test]
    fn an_application_reads_as_far_as_the_award_has_taken_it() {
        let p = |status, fwd, stage, onsite| {
            get(
                Family::Status,
                application_progress(status, fwd, stage, onsite),
            )
            .unwrap()
            .zh
        };
        let r = "recommended";
        assert_eq!(
            p(r, false, Stage::CountyRecommendation, None),
            "县级已推荐（待报送）"
        );
        assert_eq!(
            p(r, true, Stage::CountyRecommendation, None),
            "已报送市强市办"
        );
        let e = "eligible";
        assert_eq!(p(e, true, Stage::EligibilityReview, None), "资格审查通过");
        assert_eq!(p(e, true, Stage::MaterialReview, None), "资料评审中");
        assert_eq!(
            p(e, true, Stage::MaterialReview, Some(true)),
            "已列入现场评审名单"
        );
        assert_eq!(p(e, true, Stage::OnsiteReview, Some(true)), "现场评审中");
        assert_eq!(
            p(e, true, Stage::OnsiteReview, Some(false)),
            "未进入现场评审"
        );
        assert_eq!(p(e, true, Stage::Proposal, Some(true)), "综合评价完成");
        assert_eq!(p("withdrawn", true, Stage::OnsiteReview, None), "已撤回");
    }

    #[test]
    fn a_county_office_is_named_for_its_kind_of_division() {
        assert_eq!(county_office_name("英德市"), "英德市质量强市办");
        assert_eq!(county_office_name("清城区"), "清城区质量强区办");
        assert_eq!(county_office_name("佛冈县"), "佛冈县质量强县办");
        assert_eq!(
            county_office_name("连山壮族瑶族自治县"),
            "连山壮族瑶族自治县质量强县办"
        );
    }

    #[test]
    fn refused_actions_read_as_refusals() {
        assert_eq!(action("eligibility.decide").0, "资格审查决定");
        assert_eq!(action("county.decide.refused").0, "县级核实推荐（被拒绝）");
        assert_eq!(action("meeting.refused").0, "领导小组会议（被拒绝）");
    }

    #[test]
    fn codes_in_old_messages_become_words() {
        assert_eq!(
            words_for_codes("县级意见：not_recommended；材料 business_licence。", true),
            "县级意见：县级不予推荐；材料 营业执照。"
        );
        // Inside a longer name a code stays.
        assert_eq!(words_for_codes("x_recommended_y", true), "x_recommended_y");
    }
}
