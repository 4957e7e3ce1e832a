//! The expert pool (Art. 7, 8, 24): an expert's facts as data, and whether they are qualified
//! to review or to lead a team today.

use jiff::civil::Date;

/// 评审员级别 (PRACTICE: trainee → reviewer → senior reviewer → leader-eligible).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// 见习评审员: may not sit on a team.
    Trainee,
    /// 评审员.
    Reviewer,
    /// 高级评审员.
    Senior,
    /// 可任组长.
    Leader,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 4] = [Level::Trainee, Level::Reviewer, Level::Senior, Level::Leader];
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Level::Trainee => "trainee",
            Level::Reviewer => "reviewer",
            Level::Senior => "senior",
            Level::Leader => "leader",
        }
    }
    /// From the stored code.
    pub fn parse(code: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.code() == code)
    }
    /// From the Chinese name (Excel import) or the code.
    pub fn parse_zh(text: &str) -> Option<Level> {
        let t = text.trim();
        Level::ALL
            .into_iter()
            .find(|l| l.zh() == t || l.code() == t)
    }
    /// In Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Level::Trainee => "见习评审员",
            Level::Reviewer => "评审员",
            Level::Senior => "高级评审员",
            Level::Leader => "评审组长",
        }
    }
    /// In English.
    pub fn en(self) -> &'static str {
        match self {
            Level::Trainee => "Trainee",
            Level::Reviewer => "Reviewer",
            Level::Senior => "Senior reviewer",
            Level::Leader => "Leader-eligible",
        }
    }
}

/// A party an expert is or was tied to: matched by credit code when both sides have one,
/// otherwise by name with spaces and bracket forms normalised.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Party {
    /// Name.
    pub name: String,
    /// 统一社会信用代码, when known.
    pub credit_code: Option<String>,
}

/// A dated period; `None` ends are open (an open end means "still").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Period {
    /// First day, when known.
    pub start: Option<Date>,
    /// Last day; `None` while it lasts.
    pub end: Option<Date>,
}

/// One job in the employment history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employment {
    /// Employer.
    pub employer: Party,
    /// Position held.
    pub position: String,
    /// When.
    pub period: Period,
}

/// The kinds of declared tie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TieKind {
    /// 咨询服务客户.
    Consulting,
    /// 培训服务客户.
    Training,
    /// 持股或投资.
    Shareholding,
    /// 近亲属任职单位.
    Relative,
}

impl TieKind {
    /// Every kind.
    pub const ALL: [TieKind; 4] = [
        TieKind::Consulting,
        TieKind::Training,
        TieKind::Shareholding,
        TieKind::Relative,
    ];
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            TieKind::Consulting => "consulting",
            TieKind::Training => "training",
            TieKind::Shareholding => "shareholding",
            TieKind::Relative => "relative",
        }
    }
    /// From the stored code.
    pub fn parse(code: &str) -> Option<TieKind> {
        TieKind::ALL.into_iter().find(|k| k.code() == code)
    }
    /// From the Chinese name (Excel import) or the code.
    pub fn parse_zh(text: &str) -> Option<TieKind> {
        let t = text.trim();
        TieKind::ALL
            .into_iter()
            .find(|k| k.zh() == t || k.code() == t)
    }
    /// In Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            TieKind::Consulting => "咨询服务客户",
            TieKind::Training => "培训服务客户",
            TieKind::Shareholding => "持股或投资",
            TieKind::Relative => "近亲属任职单位",
        }
    }
    /// In English.
    pub fn en(self) -> &'static str {
        match self {
            TieKind::Consulting => "Consulting client",
            TieKind::Training => "Training client",
            TieKind::Shareholding => "Shareholding or investment",
            TieKind::Relative => "A close relative's employer",
        }
    }
}

/// A declared tie: a client, a shareholding, a relative's employer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tie {
    /// What kind.
    pub kind: TieKind,
    /// With whom.
    pub party: Party,
    /// For a relative: who (配偶, 父母, 子女…); otherwise free text or empty.
    pub relation: String,
    /// When.
    pub period: Period,
}

/// A training course or an assessment, with the issuing association.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Training {
    /// An assessment (考核) rather than a course (培训).
    pub assessment: bool,
    /// Course or assessment name.
    pub course: String,
    /// Issuing association.
    pub association: String,
    /// Date.
    pub on: Date,
    /// Passed.
    pub passed: bool,
}

/// The reviewer's own declaration of a conflict with an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredConflict {
    /// Application.
    pub application_id: i64,
    /// Why, in the reviewer's words.
    pub reason: String,
    /// When declared.
    pub declared_on: Date,
}

/// Everything the core needs about one expert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpertFacts {
    /// Expert id.
    pub expert_id: i64,
    /// Level.
    pub level: Level,
    /// Qualification removed (Art. 24).
    pub removed: bool,
    /// Qualification valid from.
    pub qualified_from: Option<Date>,
    /// Qualification valid until (inclusive).
    pub qualified_until: Option<Date>,
    /// Training and assessment records.
    pub training: Vec<Training>,
    /// Employment history.
    pub employment: Vec<Employment>,
    /// Declared ties.
    pub ties: Vec<Tie>,
    /// Own declarations of conflict.
    pub declared: Vec<DeclaredConflict>,
    /// GB/T 4754 sections (letters A–T) of expertise.
    pub industries: Vec<char>,
}
