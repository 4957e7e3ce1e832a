//! Who may do what: the one function that decides every request (R-Q-3).
//!
//! Handlers describe what they are about to do as an [`Action`] carrying the resource's scope
//! (its programme, county, organisation…), and [`authorize`] answers. Nothing else grants
//! access. Administrators (三员) hold no programme role, so no admin can read or change award
//! data.

use std::fmt;

/// The roles of REQUIREMENTS §1 that accounts can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// 申报企业或组织.
    Applicant,
    /// 质量强县（市、区）办, bound to one county.
    CountyOffice,
    /// 市强市办.
    CityOffice,
    /// 相关部门, bound to one department.
    Department,
    /// 评审员 (team leaders are reviewers who lead a team).
    Reviewer,
    /// 领导小组成员.
    Leadership,
    /// 纪检.
    Discipline,
    /// 系统管理员: accounts.
    SysAdmin,
    /// 安全管理员: security settings.
    SecAdmin,
    /// 安全审计员: reviews the administrators' actions.
    AuditAdmin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 10] = [
        Role::Applicant,
        Role::CountyOffice,
        Role::CityOffice,
        Role::Department,
        Role::Reviewer,
        Role::Leadership,
        Role::Discipline,
        Role::SysAdmin,
        Role::SecAdmin,
        Role::AuditAdmin,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Role::Applicant => "applicant",
            Role::CountyOffice => "county_office",
            Role::CityOffice => "city_office",
            Role::Department => "department",
            Role::Reviewer => "reviewer",
            Role::Leadership => "leadership",
            Role::Discipline => "discipline",
            Role::SysAdmin => "sys_admin",
            Role::SecAdmin => "sec_admin",
            Role::AuditAdmin => "audit_admin",
        }
    }

    /// The role stored under `code`.
    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Name in Chinese.
    pub fn name_zh(self) -> &'static str {
        match self {
            Role::Applicant => "申报单位",
            Role::CountyOffice => "县（市、区）质量强县办",
            Role::CityOffice => "市强市办",
            Role::Department => "相关部门",
            Role::Reviewer => "评审员",
            Role::Leadership => "领导小组成员",
            Role::Discipline => "纪检监督",
            Role::SysAdmin => "系统管理员",
            Role::SecAdmin => "安全管理员",
            Role::AuditAdmin => "安全审计员",
        }
    }

    /// Name in English.
    pub fn name_en(self) -> &'static str {
        match self {
            Role::Applicant => "Applicant",
            Role::CountyOffice => "County office",
            Role::CityOffice => "City office",
            Role::Department => "Department",
            Role::Reviewer => "Reviewer",
            Role::Leadership => "Leadership group",
            Role::Discipline => "Discipline inspection",
            Role::SysAdmin => "System administrator",
            Role::SecAdmin => "Security administrator",
            Role::AuditAdmin => "Audit administrator",
        }
    }

    /// The three administrators, who never touch award data.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::SysAdmin | Role::SecAdmin | Role::AuditAdmin)
    }

    /// Whether a grant of this role must name a programme.
    pub fn needs_programme(self) -> bool {
        !self.is_admin()
    }
}

/// One role held by an account, with its scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// The programme it applies to (none for administrators).
    pub programme_id: Option<i64>,
    /// For a county office: its county.
    pub county_id: Option<i64>,
    /// For a department user: its department.
    pub department_id: Option<i64>,
    /// For an applicant: its organisation.
    pub organisation_id: Option<i64>,
}

/// A signed-in person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Account id.
    pub user_id: i64,
    /// Name shown.
    pub display_name: String,
    /// What the account holds.
    pub grants: Vec<Grant>,
}

impl Actor {
    /// Whether the actor holds `role` at all.
    pub fn has(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// Whether the actor holds `role` in programme `p`.
    pub fn has_in(&self, role: Role, p: i64) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && g.programme_id == Some(p))
    }

    /// The programmes in which the actor holds `role`.
    pub fn programmes_as(&self, role: Role) -> Vec<i64> {
        let mut v: Vec<i64> = self
            .grants
            .iter()
            .filter(|g| g.role == role)
            .filter_map(|g| g.programme_id)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The roles the actor holds, once each, in a stable order.
    pub fn roles(&self) -> Vec<Role> {
        let mut v: Vec<Role> = self.grants.iter().map(|g| g.role).collect();
        v.sort();
        v.dedup();
        v
    }
}

/// What the data says of a reviewer and one application (or one session), computed by the
/// store from the expert pool, the teams and the conflicts of interest for every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// The account has an expert profile in the programme.
    pub expert: bool,
    /// The qualification was removed (Art. 24).
    pub removed: bool,
    /// A conflict of interest with the application (Art. 25), from data or declared.
    pub conflict: bool,
    /// On the team the application is assigned to (or, for a session, on any of its teams),
    /// and the team has not been dissolved.
    pub member: bool,
    /// Leader of that team.
    pub leader: bool,
    /// Qualified today (trained, assessed, within validity).
    pub qualified: bool,
}

/// What a request is about to do, with the scope of what it touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Read public pages: home, sessions, calls, notices.
    ViewPublic,
    /// See one's own dashboard and account.
    ViewOwnAccount,
    /// Change one's own password.
    ChangeOwnPassword,
    /// List the programmes one works in (office, leadership, discipline).
    ListOfficeProgrammes,
    /// Create a programme.
    CreateProgramme,
    /// Read a programme's office pages: rule sets, sessions, timeline.
    ViewProgrammeOffice {
        /// Programme.
        programme_id: i64,
    },
    /// Change a programme: load rule sets, open sessions, set dates, move stages.
    ManageProgramme {
        /// Programme.
        programme_id: i64,
    },
    /// Work on one county's applications.
    ViewCounty {
        /// Programme.
        programme_id: i64,
        /// County.
        county_id: i64,
    },
    /// Work on one department's opinion requests.
    ViewDepartment {
        /// Programme.
        programme_id: i64,
        /// Department.
        department_id: i64,
    },
    /// An organisation's own file.
    ViewOrganisation {
        /// Programme.
        programme_id: i64,
        /// Organisation.
        organisation_id: i64,
    },
    /// Fill in and submit one's own organisation's application.
    EditApplication {
        /// Programme.
        programme_id: i64,
        /// Organisation.
        organisation_id: i64,
    },
    /// Read an application: its organisation always; once submitted, the county office of its
    /// county, the city office and discipline of its programme; the reviewers of the team it is
    /// assigned to, unless removed or conflicted.
    ViewApplication {
        /// Programme.
        programme_id: i64,
        /// The organisation's county.
        county_id: Option<i64>,
        /// Organisation.
        organisation_id: i64,
        /// Submitted at least once.
        submitted: bool,
        /// The reader's standing as a reviewer of it (default when not a reviewer).
        review: Standing,
    },
    /// The county office's verification and recommendation of an application in its county.
    CountyReview {
        /// Programme.
        programme_id: i64,
        /// County.
        county_id: i64,
    },
    /// A reviewer's own review pages.
    ReviewerHome,
    /// Sign the session's impartiality and confidentiality declaration (Art. 25).
    SignReviewDeclaration {
        /// Programme.
        programme_id: i64,
        /// The reviewer's standing in the session (member of any team).
        standing: Standing,
    },
    /// Read an application under review and keep one's own scorebook (Art. 8, 15, 25).
    ReviewApplication {
        /// Programme.
        programme_id: i64,
        /// The reviewer's standing for this application.
        standing: Standing,
    },
    /// Form the team's consensus on an application: its team leader only.
    LeadConsensus {
        /// Programme.
        programme_id: i64,
        /// The reviewer's standing for this application.
        standing: Standing,
    },
    /// Read an application's review report: its team, the office, leadership and discipline;
    /// the applicant once its feedback is released (Art. 15).
    ViewReviewReport {
        /// Programme.
        programme_id: i64,
        /// Organisation.
        organisation_id: i64,
        /// The reader's standing as a reviewer (default when not a reviewer).
        standing: Standing,
        /// Feedback released to the applicant.
        released: bool,
    },
    /// An on-site review or comprehensive evaluation page of an application (Art. 16, 17):
    /// only for applicants on the session's on-site list, and then as `inner` allows.
    Onsite {
        /// On the on-site list.
        on_list: bool,
        /// What the page does once the applicant is on the list.
        inner: Box<Action>,
    },
    /// Read the award audit log of a programme (discipline, Art. 23–27).
    ReadAuditLog {
        /// Programme.
        programme_id: i64,
    },
    /// Read the proposal, the leadership group's meeting record, the decided list and the
    /// objection cases of a programme's sessions (office, leadership group, discipline; Art. 6,
    /// 18, 28). Changing them is [`Action::ManageProgramme`].
    ViewDecision {
        /// Programme.
        programme_id: i64,
    },
    /// Download a winner's certificate: the winning organisation itself, and the city office,
    /// leadership and discipline of its programme (Art. 19).
    DownloadCertificate {
        /// Programme.
        programme_id: i64,
        /// The winning organisation.
        organisation_id: i64,
    },
    /// Rate, after the on-site visit, a reviewer who visited the organisation (Art. 26): the
    /// organisation itself. Whether the reviewer visited is the store's to check.
    RateReviewer {
        /// Programme.
        programme_id: i64,
        /// The rating organisation.
        organisation_id: i64,
    },
    /// Rate, after the on-site visit, an applicant one visited (Art. 26): a reviewer with an
    /// expert profile in the programme. Whether the reviewer visited is the store's to check.
    RateApplicant {
        /// Programme.
        programme_id: i64,
        /// The account has an expert profile in the programme.
        expert: bool,
    },
    /// Read the two-way conduct feedback of a programme (Art. 26): discipline and the
    /// leadership group only, never the rated party nor the ordinary office staff.
    ViewConductFeedback {
        /// Programme.
        programme_id: i64,
    },
    /// File a complaint about office staff or a reviewer (Art. 23, 24, 27): applicants and
    /// reviewers, signed in.
    FileComplaint,
    /// Read one's own complaint and its handling: its complainant.
    ViewOwnComplaint {
        /// The account that filed it.
        complainant_id: i64,
    },
    /// Read a complaint's evidence files: its complainant and the programme's discipline.
    ReadComplaint {
        /// Programme.
        programme_id: i64,
        /// The account that filed it.
        complainant_id: i64,
    },
    /// Handle the complaints of a programme and read its sanctions history (Art. 23, 24):
    /// discipline.
    HandleComplaint {
        /// Programme.
        programme_id: i64,
    },
    /// Read a winner's annual performance reports and its page of duties after the award
    /// (Art. 30, 31): the winning organisation itself, the county office of its county, and the
    /// city office, leadership and discipline of its programme.
    ViewAnnualReport {
        /// Programme.
        programme_id: i64,
        /// The winner's county.
        county_id: Option<i64>,
        /// The winning organisation.
        organisation_id: i64,
    },
    /// Fill in and file one's own annual performance report (Art. 30): the winning
    /// organisation only.
    FileAnnualReport {
        /// Programme.
        programme_id: i64,
        /// The winning organisation.
        organisation_id: i64,
    },
    /// Record the office's work after the award: title misuse and forgery cases (Art. 31),
    /// winners' senior managers into the expert pool (Art. 29). The city office only.
    ManagePostAward {
        /// Programme.
        programme_id: i64,
    },
    /// Accounts and role grants (system administrator).
    ManageAccounts,
    /// Read the server's operational metrics (`/metrics`): a request from the server's own
    /// machine or carrying the metrics token (`trusted`), whoever is signed in.
    ReadMetrics {
        /// From the local address or with the token.
        trusted: bool,
    },
    /// See experts' identity-card and mobile numbers and email addresses unmasked (the city
    /// office of the programme only; the other readers of the pool see them masked).
    ViewExpertPersonalData {
        /// Programme.
        programme_id: i64,
    },
    /// Security settings and the security log (security administrator).
    ManageSecurity,
    /// The administrators' own audit trail (audit administrator).
    ReviewAdminAudit,
    /// Read the revocation cases of a programme and one case (Art. 32, 33): the city office,
    /// leadership and discipline of the programme; the organisation concerned only once the
    /// government has approved the revocation (`disclosed`), never while it is being prepared.
    ViewRevocation {
        /// Programme.
        programme_id: i64,
        /// The organisation concerned (none for the programme's list).
        organisation_id: Option<i64>,
        /// The revocation is approved.
        disclosed: bool,
    },
    /// Open, submit, decide and follow up a revocation case (Art. 32, 33): the city office of
    /// the programme only.
    ManageRevocation {
        /// Programme.
        programme_id: i64,
    },
    /// Name the substitute for a reviewer who recused from one application (Art. 25): the
    /// city office of the programme.
    ChooseSubstitute {
        /// Programme.
        programme_id: i64,
    },
}

/// A refusal of access: shown on a 403 page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    /// Why, in Chinese.
    pub zh: &'static str,
    /// Why, in English.
    pub en: &'static str,
    /// Whether signing in could help (anonymous visitor).
    pub sign_in: bool,
}

impl fmt::Display for Denied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.zh)
    }
}

const SIGN_IN: Denied = Denied {
    zh: "请先登录。",
    en: "Please sign in.",
    sign_in: true,
};

fn deny(zh: &'static str, en: &'static str) -> Result<(), Denied> {
    Err(Denied {
        zh,
        en,
        sign_in: false,
    })
}

/// The one authorization function.
pub fn authorize(actor: Option<&Actor>, action: &Action) -> Result<(), Denied> {
    if *action == Action::ViewPublic {
        return Ok(());
    }
    if let Action::ReadMetrics { trusted } = *action {
        return if trusted {
            Ok(())
        } else {
            Err(Denied {
                zh: "运行指标只对本机或持有指标令牌的监控系统开放。",
                en: "Metrics are open only to this machine or to a monitor holding the metrics token.",
                sign_in: false,
            })
        };
    }
    let Some(a) = actor else {
        return Err(SIGN_IN);
    };
    let any = |roles: &[Role]| roles.iter().any(|r| a.has(*r));
    let in_p = |roles: &[Role], p: i64| roles.iter().any(|r| a.has_in(*r, p));
    match *action {
        Action::ViewPublic | Action::ViewOwnAccount | Action::ChangeOwnPassword => Ok(()),
        Action::ListOfficeProgrammes => {
            if any(&[Role::CityOffice, Role::Leadership, Role::Discipline]) {
                Ok(())
            } else {
                deny(
                    "只有市强市办、领导小组和纪检人员可以查看评选项目管理页面。",
                    "Only the city office, the leadership group and discipline inspectors can see programme administration.",
                )
            }
        }
        Action::CreateProgramme => {
            if a.has(Role::CityOffice) {
                Ok(())
            } else {
                deny(
                    "只有市强市办可以设立评选项目。",
                    "Only a city office can create a programme.",
                )
            }
        }
        Action::ReadMetrics { .. } => Ok(()),
        Action::ViewExpertPersonalData { programme_id } => {
            if a.has_in(Role::CityOffice, programme_id) {
                Ok(())
            } else {
                deny(
                    "专家的身份证号、手机号和邮箱只对市强市办显示，其他人员看到的是遮蔽后的号码。",
                    "Experts' ID and mobile numbers and email addresses are shown to the city office only; others see them masked.",
                )
            }
        }
        Action::ViewProgrammeOffice { programme_id } => {
            if in_p(
                &[Role::CityOffice, Role::Leadership, Role::Discipline],
                programme_id,
            ) {
                Ok(())
            } else {
                deny(
                    "您在该评选项目中没有相应职责，不能查看此页面。",
                    "You hold no duty in this programme that allows this page.",
                )
            }
        }
        Action::ViewDecision { programme_id } => {
            if in_p(
                &[Role::CityOffice, Role::Leadership, Role::Discipline],
                programme_id,
            ) {
                Ok(())
            } else {
                deny(
                    "只有本项目的市强市办、领导小组成员和纪检人员可以查看获奖建议、审定和异议处理记录。",
                    "Only this programme's city office, leadership group and discipline inspectors can see the proposal, the decision and the objections.",
                )
            }
        }
        Action::ManageProgramme { programme_id } => {
            if a.has_in(Role::CityOffice, programme_id) {
                Ok(())
            } else {
                deny(
                    "只有本项目的市强市办可以进行此项操作。",
                    "Only this programme's city office can do this.",
                )
            }
        }
        Action::ViewCounty {
            programme_id,
            county_id,
        } => {
            let ok = a.grants.iter().any(|g| {
                g.role == Role::CountyOffice
                    && g.programme_id == Some(programme_id)
                    && g.county_id == Some(county_id)
            });
            if ok {
                Ok(())
            } else {
                deny(
                    "县（市、区）质量强县办只能查看本辖区的申报材料。",
                    "A county office sees only its own county's applications.",
                )
            }
        }
        Action::ViewDepartment {
            programme_id,
            department_id,
        } => {
            let ok = a.grants.iter().any(|g| {
                g.role == Role::Department
                    && g.programme_id == Some(programme_id)
                    && g.department_id == Some(department_id)
            });
            if ok {
                Ok(())
            } else {
                deny(
                    "相关部门只能查看发给本部门的征求意见函。",
                    "A department sees only the requests addressed to it.",
                )
            }
        }
        Action::ViewOrganisation {
            programme_id,
            organisation_id,
        } => {
            let ok = a.grants.iter().any(|g| {
                g.role == Role::Applicant
                    && g.programme_id == Some(programme_id)
                    && g.organisation_id == Some(organisation_id)
            });
            if ok {
                Ok(())
            } else {
                deny(
                    "申报单位只能查看本单位的材料。",
                    "An applicant sees only its own organisation's file.",
                )
            }
        }
        Action::EditApplication {
            programme_id,
            organisation_id,
        } => {
            let ok = a.grants.iter().any(|g| {
                g.role == Role::Applicant
                    && g.programme_id == Some(programme_id)
                    && g.organisation_id == Some(organisation_id)
            });
            if ok {
                Ok(())
            } else {
                deny(
                    "只有申报单位本身可以填写和提交本单位的申报材料。",
                    "Only the applicant itself fills in and submits its application.",
                )
            }
        }
        Action::ViewApplication {
            programme_id,
            county_id,
            organisation_id,
            submitted,
            review,
        } => {
            let as_reviewer = (review.expert && a.has(Role::Reviewer))
                .then(|| reviewer_gate(a, programme_id, review, false));
            if let Some(Ok(())) = as_reviewer {
                return Ok(());
            }
            let own = a.grants.iter().any(|g| {
                g.role == Role::Applicant
                    && g.programme_id == Some(programme_id)
                    && g.organisation_id == Some(organisation_id)
            });
            let county = submitted
                && county_id.is_some()
                && a.grants.iter().any(|g| {
                    g.role == Role::CountyOffice
                        && g.programme_id == Some(programme_id)
                        && g.county_id == county_id
                });
            let office = submitted && in_p(&[Role::CityOffice, Role::Discipline], programme_id);
            if own || county || office {
                Ok(())
            } else if let Some(refused) = as_reviewer {
                // A reviewer is told why (removal, conflict, not on the team), not only "no duty".
                refused
            } else if a.has(Role::Applicant) {
                deny(
                    "申报单位只能查看本单位的材料。",
                    "An applicant sees only its own organisation's file.",
                )
            } else if a.has(Role::CountyOffice) {
                deny(
                    "县（市、区）质量强县办只能查看本辖区已提交的申报材料。",
                    "A county office sees only submitted applications of its own county.",
                )
            } else {
                deny(
                    "您没有查看该申报材料的职责。",
                    "You hold no duty that allows reading this application.",
                )
            }
        }
        Action::CountyReview {
            programme_id,
            county_id,
        } => {
            let ok = a.grants.iter().any(|g| {
                g.role == Role::CountyOffice
                    && g.programme_id == Some(programme_id)
                    && g.county_id == Some(county_id)
            });
            if ok {
                Ok(())
            } else {
                deny(
                    "只有申报单位所在县（市、区）的质量强县办可以核实和推荐。",
                    "Only the applicant's own county office verifies and recommends.",
                )
            }
        }
        Action::ReviewerHome => {
            if a.has(Role::Reviewer) {
                Ok(())
            } else {
                deny(
                    "只有评审员可以进入评审工作台。",
                    "Only reviewers have a review desk.",
                )
            }
        }
        Action::SignReviewDeclaration {
            programme_id,
            standing,
        } => reviewer_gate(a, programme_id, standing, false),
        Action::ReviewApplication {
            programme_id,
            standing,
        } => reviewer_gate(a, programme_id, standing, false),
        Action::LeadConsensus {
            programme_id,
            standing,
        } => reviewer_gate(a, programme_id, standing, true),
        Action::ViewReviewReport {
            programme_id,
            organisation_id,
            standing,
            released,
        } => {
            if in_p(
                &[Role::CityOffice, Role::Leadership, Role::Discipline],
                programme_id,
            ) {
                return Ok(());
            }
            let own = a.grants.iter().any(|g| {
                g.role == Role::Applicant
                    && g.programme_id == Some(programme_id)
                    && g.organisation_id == Some(organisation_id)
            });
            if own {
                return if released {
                    Ok(())
                } else {
                    deny(
                        "评审反馈尚未发布，发布后可在此查看（《管理办法》第十五条）。",
                        "The review feedback has not been released yet (Art. 15).",
                    )
                };
            }
            reviewer_gate(a, programme_id, standing, false)
        }
        // Permission first, so a refusal never tells who is on the (unpublished) list.
        Action::Onsite { on_list, ref inner } => {
            authorize(actor, inner)?;
            if on_list {
                Ok(())
            } else {
                deny(
                    "该申报单位不在本届现场评审名单内，没有现场评审和综合评价页面（《管理办法》第十六条）。",
                    "This applicant is not on the session's on-site list, so it has no on-site review or comprehensive evaluation pages (Art. 16).",
                )
            }
        }
        Action::ReadAuditLog { programme_id } => {
            if a.has_in(Role::Discipline, programme_id) {
                Ok(())
            } else {
                deny(
                    "只有纪检人员可以查阅评选审计日志。",
                    "Only discipline inspectors can read the award audit log.",
                )
            }
        }
        Action::DownloadCertificate {
            programme_id,
            organisation_id,
        } => {
            let own = a.grants.iter().any(|g| {
                g.role == Role::Applicant
                    && g.programme_id == Some(programme_id)
                    && g.organisation_id == Some(organisation_id)
            });
            if own
                || in_p(
                    &[Role::CityOffice, Role::Leadership, Role::Discipline],
                    programme_id,
                )
            {
                Ok(())
            } else {
                deny(
                    "获奖证书只能由获奖单位本身下载。",
                    "Only the winning organisation itself can download its certificate.",
                )
            }
        }
        Action::ViewRevocation {
            programme_id,
            organisation_id,
            disclosed,
        } => {
            if in_p(
                &[Role::CityOffice, Role::Leadership, Role::Discipline],
                programme_id,
            ) {
                return Ok(());
            }
            let own = organisation_id.is_some()
                && a.grants.iter().any(|g| {
                    g.role == Role::Applicant
                        && g.programme_id == Some(programme_id)
                        && g.organisation_id == organisation_id
                });
            if own && disclosed {
                Ok(())
            } else {
                deny(
                    "撤销奖励案件只能由本项目的市强市办、领导小组成员和纪检人员查看；获奖单位在市政府批准撤销后可查看本单位的撤销决定。",
                    "Only this programme's city office, leadership group and discipline inspectors see revocation cases; the organisation concerned sees its own once the revocation is approved.",
                )
            }
        }
        Action::ManageRevocation { programme_id } => {
            if a.has_in(Role::CityOffice, programme_id) {
                Ok(())
            } else {
                deny(
                    "只有本项目的市强市办可以办理撤销奖励案件。",
                    "Only this programme's city office handles revocation cases.",
                )
            }
        }
        Action::RateReviewer {
            programme_id,
            organisation_id,
        } => {
            let own = a.grants.iter().any(|g| {
                g.role == Role::Applicant
                    && g.programme_id == Some(programme_id)
                    && g.organisation_id == Some(organisation_id)
            });
            if own {
                Ok(())
            } else {
                deny(
                    "只有接受现场评审的申报单位本身可以评价到访的评审人员（《管理办法》第二十六条）。",
                    "Only the visited applicant itself rates the reviewers who visited it (Art. 26).",
                )
            }
        }
        Action::RateApplicant {
            programme_id,
            expert,
        } => {
            if expert && a.has_in(Role::Reviewer, programme_id) {
                Ok(())
            } else {
                deny(
                    "只有到访现场评审的评审人员可以评价申报单位（《管理办法》第二十六条）。",
                    "Only the reviewers who visited rate the applicant (Art. 26).",
                )
            }
        }
        Action::ViewConductFeedback { programme_id } => {
            if in_p(&[Role::Discipline, Role::Leadership], programme_id) {
                Ok(())
            } else {
                deny(
                    "双向监督评价结果只反馈纪检人员和领导小组，被评价方和其他人员不能查看（《管理办法》第二十六条）。",
                    "Conduct feedback reaches discipline inspectors and the leadership group only, never the rated party (Art. 26).",
                )
            }
        }
        Action::FileComplaint => {
            if any(&[Role::Applicant, Role::Reviewer]) {
                Ok(())
            } else {
                deny(
                    "投诉表供申报单位和评审人员登录后使用。",
                    "The complaint form is for signed-in applicants and reviewers.",
                )
            }
        }
        Action::ViewOwnComplaint { complainant_id } => {
            if a.user_id == complainant_id {
                Ok(())
            } else {
                deny(
                    "只能查看本人提交的投诉。",
                    "You can see only the complaints you filed.",
                )
            }
        }
        Action::ReadComplaint {
            programme_id,
            complainant_id,
        } => {
            if a.user_id == complainant_id || a.has_in(Role::Discipline, programme_id) {
                Ok(())
            } else {
                deny(
                    "投诉的证据材料只有投诉人本人和本项目的纪检人员可以查看。",
                    "Only the complainant and this programme's discipline inspectors see a complaint's evidence.",
                )
            }
        }
        Action::HandleComplaint { programme_id } => {
            if a.has_in(Role::Discipline, programme_id) {
                Ok(())
            } else {
                deny(
                    "只有本项目的纪检人员可以办理投诉和查看评审人员处理记录。",
                    "Only this programme's discipline inspectors handle complaints and read the sanctions history.",
                )
            }
        }
        Action::ViewAnnualReport {
            programme_id,
            county_id,
            organisation_id,
        } => {
            let own = a.grants.iter().any(|g| {
                g.role == Role::Applicant
                    && g.programme_id == Some(programme_id)
                    && g.organisation_id == Some(organisation_id)
            });
            let county = county_id.is_some()
                && a.grants.iter().any(|g| {
                    g.role == Role::CountyOffice
                        && g.programme_id == Some(programme_id)
                        && g.county_id == county_id
                });
            if own
                || county
                || in_p(
                    &[Role::CityOffice, Role::Leadership, Role::Discipline],
                    programme_id,
                )
            {
                Ok(())
            } else if a.has(Role::CountyOffice) {
                deny(
                    "县（市、区）市场监管部门只能查看本辖区获奖单位的绩效报告（《管理办法》第三十条）。",
                    "A county office sees only its own county's winners' reports (Art. 30).",
                )
            } else {
                deny(
                    "获奖单位的绩效报告只报送市强市办及其所在县（市、区）市场监管部门（《管理办法》第三十条）。",
                    "A winner's reports go only to the city office and its own county (Art. 30).",
                )
            }
        }
        Action::FileAnnualReport {
            programme_id,
            organisation_id,
        } => {
            let own = a.grants.iter().any(|g| {
                g.role == Role::Applicant
                    && g.programme_id == Some(programme_id)
                    && g.organisation_id == Some(organisation_id)
            });
            if own {
                Ok(())
            } else {
                deny(
                    "只有获奖单位本身可以填写和报送本单位的绩效报告。",
                    "Only the winner itself files its annual report.",
                )
            }
        }
        Action::ManagePostAward { programme_id } => {
            if a.has_in(Role::CityOffice, programme_id) {
                Ok(())
            } else {
                deny(
                    "只有本项目的市强市办可以处理获奖后的称号使用、伪造举报和专家入库事项。",
                    "Only this programme's city office handles title use, forgery reports and managers joining the pool.",
                )
            }
        }
        Action::ManageAccounts => {
            if a.has(Role::SysAdmin) {
                Ok(())
            } else {
                deny(
                    "只有系统管理员可以管理账号。",
                    "Only the system administrator manages accounts.",
                )
            }
        }
        Action::ManageSecurity => {
            if a.has(Role::SecAdmin) {
                Ok(())
            } else {
                deny(
                    "只有安全管理员可以管理安全设置。",
                    "Only the security administrator manages security settings.",
                )
            }
        }
        Action::ReviewAdminAudit => {
            if a.has(Role::AuditAdmin) {
                Ok(())
            } else {
                deny(
                    "只有安全审计员可以审查管理员操作记录。",
                    "Only the audit administrator reviews the administrators' actions.",
                )
            }
        }
        Action::ChooseSubstitute { programme_id } => {
            if a.has_in(Role::CityOffice, programme_id) {
                Ok(())
            } else {
                deny(
                    "只有本项目的市强市办可以为回避的评审员指定替补（《管理办法》第二十五条）。",
                    "Only the programme's city office names a substitute for a recused reviewer (Art. 25).",
                )
            }
        }
    }
}

/// A reviewer's access to an application or a session: refused for a removed qualification
/// (Art. 24) and for a conflict of interest (Art. 25) before anything else, with no override.
fn reviewer_gate(a: &Actor, programme_id: i64, s: Standing, lead: bool) -> Result<(), Denied> {
    if !a.has_in(Role::Reviewer, programme_id) || !s.expert {
        return deny(
            "只有本项目评审专家库中的评审员可以查看评审材料。",
            "Only reviewers in this programme's expert pool can see review material.",
        );
    }
    if s.removed {
        return deny(
            "您的评审员资格已被取消（《管理办法》第二十四条），不能再参与评审。",
            "Your reviewer qualification has been removed (Art. 24); you can no longer take part in reviews.",
        );
    }
    if s.conflict {
        return deny(
            "您与该申报单位存在利益冲突，依《管理办法》第二十五条应当回避，不能查看或评审其材料。",
            "You have a conflict of interest with this applicant and must recuse yourself (Art. 25).",
        );
    }
    if !s.member {
        return deny(
            "您不在负责该申报单位的评审组中（或评审组已解散）。",
            "You are not on the team reviewing this applicant (or the team has been dissolved).",
        );
    }
    if !s.qualified {
        return deny(
            "您的评审员资格不在有效期内，请与市强市办联系（《管理办法》第八条）。",
            "Your reviewer qualification is not currently valid; contact the city office (Art. 8).",
        );
    }
    if lead && !s.leader {
        return deny(
            "只有评审组组长可以形成评审组合议意见。",
            "Only the team leader forms the team's consensus.",
        );
    }
    Ok(())
}

/// Whether a set of grants keeps the three administrator roles apart from each other and
/// from every award role (三员分立).
pub fn grants_separated(grants: &[Grant]) -> Result<(), &'static str> {
    let admins: Vec<Role> = {
        let mut v: Vec<Role> = grants
            .iter()
            .map(|g| g.role)
            .filter(|r| r.is_admin())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    if admins.len() > 1 {
        return Err("系统管理员、安全管理员、安全审计员须由不同账号担任（三员分立）。");
    }
    if !admins.is_empty() && grants.iter().any(|g| !g.role.is_admin()) {
        return Err("管理员账号不能同时担任评选业务角色。");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, p: Option<i64>) -> Actor {
        Actor {
            user_id: 1,
            display_name: "x".into(),
            grants: vec![Grant {
                role,
                programme_id: p,
                county_id: Some(3),
                department_id: Some(4),
                organisation_id: Some(5),
            }],
        }
    }

    #[test]
    fn anonymous_sees_only_public_pages() {
        assert!(authorize(None, &Action::ViewPublic).is_ok());
        assert!(
            authorize(None, &Action::ViewOwnAccount)
                .unwrap_err()
                .sign_in
        );
    }

    #[test]
    fn admins_never_reach_award_data() {
        for r in [Role::SysAdmin, Role::SecAdmin, Role::AuditAdmin] {
            let a = actor(r, None);
            assert!(authorize(Some(&a), &Action::ViewProgrammeOffice { programme_id: 1 }).is_err());
            assert!(authorize(Some(&a), &Action::ReadAuditLog { programme_id: 1 }).is_err());
            assert!(authorize(Some(&a), &Action::ListOfficeProgrammes).is_err());
        }
    }

    #[test]
    fn county_office_is_bound_to_its_county() {
        let a = actor(Role::CountyOffice, Some(1));
        assert!(
            authorize(
                Some(&a),
                &Action::ViewCounty {
                    programme_id: 1,
                    county_id: 3
                }
            )
            .is_ok()
        );
        assert!(
            authorize(
                Some(&a),
                &Action::ViewCounty {
                    programme_id: 1,
                    county_id: 9
                }
            )
            .is_err()
        );
        assert!(
            authorize(
                Some(&a),
                &Action::ViewCounty {
                    programme_id: 2,
                    county_id: 3
                }
            )
            .is_err()
        );
    }

    #[test]
    fn a_department_sees_only_its_own_requests() {
        let a = actor(Role::Department, Some(1));
        let dept = |programme_id, department_id| Action::ViewDepartment {
            programme_id,
            department_id,
        };
        assert!(authorize(Some(&a), &dept(1, 4)).is_ok());
        assert!(authorize(Some(&a), &dept(1, 5)).is_err());
        assert!(authorize(Some(&a), &dept(2, 4)).is_err());
        assert!(authorize(Some(&a), &dept(-1, 4)).is_err());
        assert!(authorize(Some(&a), &Action::ManageProgramme { programme_id: 1 }).is_err());
        let office = actor(Role::CityOffice, Some(1));
        assert!(authorize(Some(&office), &dept(1, 4)).is_err());
    }

    #[test]
    fn office_rights_are_per_programme() {
        let a = actor(Role::CityOffice, Some(1));
        assert!(authorize(Some(&a), &Action::ManageProgramme { programme_id: 1 }).is_ok());
        assert!(authorize(Some(&a), &Action::ManageProgramme { programme_id: 2 }).is_err());
        let l = actor(Role::Leadership, Some(1));
        assert!(authorize(Some(&l), &Action::ViewProgrammeOffice { programme_id: 1 }).is_ok());
        assert!(authorize(Some(&l), &Action::ManageProgramme { programme_id: 1 }).is_err());
    }

    #[test]
    fn reviewers_are_refused_for_removal_conflict_and_outside_their_team() {
        let r = actor(Role::Reviewer, Some(1));
        let ok = Standing {
            expert: true,
            member: true,
            qualified: true,
            ..Standing::default()
        };
        let act = |s: Standing| Action::ReviewApplication {
            programme_id: 1,
            standing: s,
        };
        assert!(authorize(Some(&r), &act(ok)).is_ok());
        let conflict = authorize(
            Some(&r),
            &act(Standing {
                conflict: true,
                ..ok
            }),
        )
        .unwrap_err();
        assert!(conflict.zh.contains("第二十五条"));
        let removed = authorize(
            Some(&r),
            &act(Standing {
                removed: true,
                conflict: true,
                ..ok
            }),
        )
        .unwrap_err();
        assert!(removed.zh.contains("第二十四条"));
        assert!(
            authorize(
                Some(&r),
                &act(Standing {
                    member: false,
                    ..ok
                })
            )
            .is_err()
        );
        assert!(
            authorize(
                Some(&r),
                &Action::ReviewApplication {
                    programme_id: 2,
                    standing: ok
                }
            )
            .is_err()
        );
        let lead = Action::LeadConsensus {
            programme_id: 1,
            standing: ok,
        };
        assert!(authorize(Some(&r), &lead).is_err());
        let lead = Action::LeadConsensus {
            programme_id: 1,
            standing: Standing { leader: true, ..ok },
        };
        assert!(authorize(Some(&r), &lead).is_ok());
        let office = actor(Role::CityOffice, Some(1));
        assert!(authorize(Some(&office), &act(ok)).is_err());

        // Reading an application: a reviewer off the team is told so; someone who is also the
        // city office keeps the office's access.
        let read = |s: Standing| Action::ViewApplication {
            programme_id: 1,
            county_id: Some(3),
            organisation_id: 9,
            submitted: true,
            review: s,
        };
        let off_team = Standing {
            member: false,
            ..ok
        };
        let refused = authorize(Some(&r), &read(off_team)).unwrap_err();
        assert!(refused.zh.contains("评审组"));
        let mut both = actor(Role::CityOffice, Some(1));
        both.grants.push(r.grants[0].clone());
        assert!(authorize(Some(&both), &read(off_team)).is_ok());
    }

    #[test]
    fn three_admins_kept_apart() {
        let g = |role| Grant {
            role,
            programme_id: None,
            county_id: None,
            department_id: None,
            organisation_id: None,
        };
        assert!(grants_separated(&[g(Role::SysAdmin)]).is_ok());
        assert!(grants_separated(&[g(Role::SysAdmin), g(Role::AuditAdmin)]).is_err());
        let mut office = g(Role::CityOffice);
        office.programme_id = Some(1);
        assert!(grants_separated(&[g(Role::SecAdmin), office]).is_err());
    }

    #[test]
    fn conduct_feedback_reaches_discipline_and_leadership_only() {
        let read = Action::ViewConductFeedback { programme_id: 1 };
        for role in [Role::Discipline, Role::Leadership] {
            assert!(authorize(Some(&actor(role, Some(1))), &read).is_ok());
            assert!(authorize(Some(&actor(role, Some(2))), &read).is_err());
        }
        for role in [
            Role::CityOffice,
            Role::Reviewer,
            Role::Applicant,
            Role::AuditAdmin,
        ] {
            assert!(authorize(Some(&actor(role, Some(1))), &read).is_err());
        }
        let rate = Action::RateReviewer {
            programme_id: 1,
            organisation_id: 5,
        };
        assert!(authorize(Some(&actor(Role::Applicant, Some(1))), &rate).is_ok());
        let other = Action::RateReviewer {
            programme_id: 1,
            organisation_id: 6,
        };
        assert!(authorize(Some(&actor(Role::Applicant, Some(1))), &other).is_err());
        let handle = Action::HandleComplaint { programme_id: 1 };
        assert!(authorize(Some(&actor(Role::Discipline, Some(1))), &handle).is_ok());
        assert!(authorize(Some(&actor(Role::Leadership, Some(1))), &handle).is_err());
        assert!(
            authorize(
                Some(&actor(Role::CityOffice, Some(1))),
                &Action::FileComplaint
            )
            .is_err()
        );
        assert!(
            authorize(
                Some(&actor(Role::Reviewer, Some(1))),
                &Action::FileComplaint
            )
            .is_ok()
        );
    }
}
