//! The expert pool (专家库) as an Excel workbook: exported for editing and
//! read back, with errors that name the sheet, row and column.
//!
//! The workbook has one sheet per kind of record ([`SHEET_EXPERTS`],
//! [`SHEET_EMPLOYMENT`], [`SHEET_TRAINING`], [`SHEET_TIES`],
//! [`SHEET_SANCTIONS`]), each with its column headers in row 1, plus a sheet of
//! instructions ([`SHEET_INSTRUCTIONS`]) that the reader ignores. Records of the
//! other sheets belong to an expert through the 身份证号 column.
//!
//! The reader finds sheets by name and columns by header text, so columns may
//! be reordered and extra columns are ignored. All values are strings; dates are
//! normalised to `YYYY-MM-DD`, empty cells become empty strings.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, ExcelDateTime, ExcelDateTimeType, Range, Reader};
use rust_xlsxwriter::{DataValidation, Format, FormatAlign, FormatBorder, Workbook};

use crate::DocsError;
use crate::xlsx::{add_table_sheet, col_num, display_width, row_num};

/// Sheet of the experts themselves, one row per expert.
pub const SHEET_EXPERTS: &str = "专家";
/// Sheet of employment history.
pub const SHEET_EMPLOYMENT: &str = "工作经历";
/// Sheet of training courses and assessments.
pub const SHEET_TRAINING: &str = "培训考核";
/// Sheet of declared ties (clients, shareholdings, relatives' employers).
pub const SHEET_TIES: &str = "利益关联申报";
/// Sheet of sanctions (warnings, removal of the qualification).
pub const SHEET_SANCTIONS: &str = "处分记录";
/// Sheet of instructions for whoever fills in the workbook; not read back.
pub const SHEET_INSTRUCTIONS: &str = "填写说明";

/// 身份证号: identifies the expert on every sheet.
pub const COL_ID_NUMBER: &str = "身份证号";
/// 姓名: required on the experts sheet; on the other sheets only a check
/// against the experts sheet (optional there).
pub const COL_NAME: &str = "姓名";
/// 性别.
pub const COL_GENDER: &str = "性别";
/// 手机号码.
pub const COL_PHONE: &str = "手机号码";
/// 电子邮箱.
pub const COL_EMAIL: &str = "电子邮箱";
/// 职称.
pub const COL_TITLE: &str = "职称";
/// 学历.
pub const COL_EDUCATION: &str = "学历";
/// 级别, one of [`LEVELS`].
pub const COL_LEVEL: &str = "级别";
/// 擅长行业: GB/T 4754 section letters separated by 、.
pub const COL_INDUSTRIES: &str = "擅长行业";
/// 资格证书编号.
pub const COL_QUALIFICATION_NO: &str = "资格证书编号";
/// First day of the qualification.
pub const COL_QUALIFIED_FROM: &str = "资格有效期起";
/// Last day of the qualification.
pub const COL_QUALIFIED_UNTIL: &str = "资格有效期止";
/// Whether the expert is a manager of a past winner, one of [`YES_NO`].
pub const COL_WINNER_MANAGER: &str = "获奖组织管理人员";
/// 状态, one of [`EXPERT_STATUSES`].
pub const COL_STATUS: &str = "状态";
/// 备注.
pub const COL_NOTE: &str = "备注";
/// Employer name.
pub const COL_EMPLOYER_NAME: &str = "工作单位";
/// Employer's unified social credit code.
pub const COL_EMPLOYER_CREDIT_CODE: &str = "工作单位统一社会信用代码";
/// Position held.
pub const COL_POSITION: &str = "职务";
/// First day of an employment or a tie.
pub const COL_START_ON: &str = "开始日期";
/// Last day of an employment or a tie; empty (or 至今) while it lasts.
pub const COL_END_ON: &str = "结束日期";
/// Training or assessment, one of [`TRAINING_KINDS`].
pub const COL_TRAINING_KIND: &str = "培训或考核";
/// Course or assessment name.
pub const COL_COURSE: &str = "课程或考核名称";
/// Issuing association.
pub const COL_ASSOCIATION: &str = "颁发机构（协会）";
/// Date of the course or assessment.
pub const COL_HELD_ON: &str = "培训考核日期";
/// Result, one of [`TRAINING_RESULTS`].
pub const COL_RESULT: &str = "结果";
/// Certificate number.
pub const COL_CERTIFICATE_NO: &str = "证书编号";
/// Kind of tie, one of [`TIE_KINDS`].
pub const COL_TIE_KIND: &str = "关联类别";
/// The other party of a tie.
pub const COL_PARTY_NAME: &str = "关联方名称";
/// The other party's unified social credit code.
pub const COL_PARTY_CREDIT_CODE: &str = "关联方统一社会信用代码";
/// Relation, e.g. 配偶 for a relative's employer.
pub const COL_RELATION: &str = "关系";
/// Date the tie was declared.
pub const COL_DECLARED_ON: &str = "申报日期";
/// Kind of sanction, one of [`SANCTION_KINDS`].
pub const COL_SANCTION_KIND: &str = "处分类别";
/// Reason of a sanction.
pub const COL_REASON: &str = "事由";
/// Date of the decision on a sanction.
pub const COL_DECIDED_ON: &str = "决定日期";

/// Values of [`COL_GENDER`].
pub const GENDERS: [&str; 2] = ["男", "女"];
/// Values of [`COL_LEVEL`], lowest first.
pub const LEVELS: [&str; 4] = ["见习评审员", "评审员", "高级评审员", "评审组长"];
/// Values of [`COL_WINNER_MANAGER`].
pub const YES_NO: [&str; 2] = ["是", "否"];
/// Values of [`COL_STATUS`].
pub const EXPERT_STATUSES: [&str; 2] = ["在库", "已取消资格"];
/// Values of [`COL_TRAINING_KIND`].
pub const TRAINING_KINDS: [&str; 2] = ["培训", "考核"];
/// Values of [`COL_RESULT`].
pub const TRAINING_RESULTS: [&str; 2] = ["合格", "不合格"];
/// Values of [`COL_TIE_KIND`].
pub const TIE_KINDS: [&str; 4] = [
    "咨询服务客户",
    "培训服务客户",
    "持股或投资",
    "近亲属任职单位",
];
/// Values of [`COL_SANCTION_KIND`].
pub const SANCTION_KINDS: [&str; 2] = ["警告", "取消资格"];

/// Columns of [`SHEET_EXPERTS`], in the order written.
pub const EXPERT_HEADERS: [&str; 15] = headers(&EXPERT_COLUMNS);
/// Columns of [`SHEET_EMPLOYMENT`], in the order written.
pub const EMPLOYMENT_HEADERS: [&str; 7] = headers(&EMPLOYMENT_COLUMNS);
/// Columns of [`SHEET_TRAINING`], in the order written.
pub const TRAINING_HEADERS: [&str; 8] = headers(&TRAINING_COLUMNS);
/// Columns of [`SHEET_TIES`], in the order written.
pub const TIE_HEADERS: [&str; 9] = headers(&TIE_COLUMNS);
/// Columns of [`SHEET_SANCTIONS`], in the order written.
pub const SANCTION_HEADERS: [&str; 5] = headers(&SANCTION_COLUMNS);

/// The whole expert pool as kept in the workbook.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExpertBook {
    /// Sheet [`SHEET_EXPERTS`].
    pub experts: Vec<ExpertRow>,
    /// Sheet [`SHEET_EMPLOYMENT`].
    pub employment: Vec<EmploymentRow>,
    /// Sheet [`SHEET_TRAINING`].
    pub training: Vec<TrainingRow>,
    /// Sheet [`SHEET_TIES`].
    pub ties: Vec<TieRow>,
    /// Sheet [`SHEET_SANCTIONS`].
    pub sanctions: Vec<SanctionRow>,
}

/// One expert. Dates are `YYYY-MM-DD` or empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ExpertRow {
    /// 身份证号 (required, unique in the sheet).
    pub id_number: String,
    /// 姓名 (required).
    pub name: String,
    /// 性别, one of [`GENDERS`] or empty.
    pub gender: String,
    /// 手机号码.
    pub phone: String,
    /// 电子邮箱.
    pub email: String,
    /// 职称.
    pub title: String,
    /// 学历.
    pub education: String,
    /// 级别, one of [`LEVELS`] or empty.
    pub level: String,
    /// 擅长行业, GB/T 4754 section letters such as `C、M`.
    pub industries: String,
    /// 资格证书编号.
    pub qualification_no: String,
    /// First day of the qualification.
    pub qualified_from: String,
    /// Last day of the qualification.
    pub qualified_until: String,
    /// Manager of a past winner: one of [`YES_NO`] or empty.
    pub winner_manager: String,
    /// 状态, one of [`EXPERT_STATUSES`] or empty.
    pub status: String,
    /// 备注.
    pub note: String,
}

/// One job of an expert.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EmploymentRow {
    /// The expert's 身份证号.
    pub id_number: String,
    /// Employer.
    pub employer_name: String,
    /// Employer's unified social credit code.
    pub employer_credit_code: String,
    /// Position held.
    pub position: String,
    /// First day.
    pub start_on: String,
    /// Last day; empty while the job lasts (至今).
    pub end_on: String,
}

/// One training course or assessment of an expert.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrainingRow {
    /// The expert's 身份证号.
    pub id_number: String,
    /// One of [`TRAINING_KINDS`] or empty.
    pub kind: String,
    /// Course or assessment name.
    pub course: String,
    /// Issuing association.
    pub association: String,
    /// Date.
    pub held_on: String,
    /// One of [`TRAINING_RESULTS`] or empty.
    pub result: String,
    /// Certificate number.
    pub certificate_no: String,
}

/// One declared tie of an expert.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TieRow {
    /// The expert's 身份证号.
    pub id_number: String,
    /// One of [`TIE_KINDS`] or empty.
    pub kind: String,
    /// The other party.
    pub party_name: String,
    /// The other party's unified social credit code.
    pub party_credit_code: String,
    /// Relation, e.g. 配偶.
    pub relation: String,
    /// First day.
    pub start_on: String,
    /// Last day; empty while the tie lasts.
    pub end_on: String,
    /// Date of the declaration.
    pub declared_on: String,
}

/// One sanction of an expert.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SanctionRow {
    /// The expert's 身份证号.
    pub id_number: String,
    /// One of [`SANCTION_KINDS`] or empty.
    pub kind: String,
    /// Reason.
    pub reason: String,
    /// Date of the decision.
    pub decided_on: String,
}

/// A problem found while reading a workbook, in Chinese for the person who
/// filled it in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SheetError {
    /// Sheet name; empty when the file itself could not be read.
    pub sheet: String,
    /// 1-based Excel row; 0 when the problem concerns the whole sheet.
    pub row: usize,
    /// Column header text; empty when the problem concerns the whole row.
    pub column: String,
    /// What is wrong, in Chinese.
    pub message: String,
}

impl std::fmt::Display for SheetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.sheet.is_empty() {
            write!(f, "“{}”工作表", self.sheet)?;
        }
        if self.row > 0 {
            write!(f, "第{}行", self.row)?;
        }
        if !self.column.is_empty() {
            write!(f, "“{}”列", self.column)?;
        }
        if !self.sheet.is_empty() || self.row > 0 || !self.column.is_empty() {
            f.write_str("：")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for SheetError {}

/// How the values of a column are read.
#[derive(Clone, Copy)]
enum Kind {
    /// Any text.
    Text,
    /// An identity card number: upper case, no digits lost to Excel.
    Id,
    /// A date.
    Date,
    /// A date, or empty / 至今 while something lasts.
    OpenEnd,
    /// One of a fixed list of values.
    Choice(&'static [&'static str]),
}

/// A column of a sheet.
#[derive(Clone, Copy)]
struct Column {
    header: &'static str,
    kind: Kind,
    /// The value may not be empty.
    required: bool,
    /// The column itself may be missing.
    optional: bool,
}

const fn col(header: &'static str, kind: Kind) -> Column {
    Column {
        header,
        kind,
        required: false,
        optional: false,
    }
}

const fn required(header: &'static str, kind: Kind) -> Column {
    Column {
        header,
        kind,
        required: true,
        optional: false,
    }
}

/// The name column of the sheets other than the experts sheet: a check only.
const NAME_CHECK: Column = Column {
    header: COL_NAME,
    kind: Kind::Text,
    required: false,
    optional: true,
};

const fn headers<const N: usize>(columns: &[Column; N]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = columns[i].header;
        i += 1;
    }
    out
}

const EXPERT_COLUMNS: [Column; 15] = [
    required(COL_ID_NUMBER, Kind::Id),
    required(COL_NAME, Kind::Text),
    col(COL_GENDER, Kind::Choice(&GENDERS)),
    col(COL_PHONE, Kind::Text),
    col(COL_EMAIL, Kind::Text),
    col(COL_TITLE, Kind::Text),
    col(COL_EDUCATION, Kind::Text),
    col(COL_LEVEL, Kind::Choice(&LEVELS)),
    col(COL_INDUSTRIES, Kind::Text),
    col(COL_QUALIFICATION_NO, Kind::Text),
    col(COL_QUALIFIED_FROM, Kind::Date),
    col(COL_QUALIFIED_UNTIL, Kind::Date),
    col(COL_WINNER_MANAGER, Kind::Choice(&YES_NO)),
    col(COL_STATUS, Kind::Choice(&EXPERT_STATUSES)),
    col(COL_NOTE, Kind::Text),
];

const EMPLOYMENT_COLUMNS: [Column; 7] = [
    required(COL_ID_NUMBER, Kind::Id),
    NAME_CHECK,
    col(COL_EMPLOYER_NAME, Kind::Text),
    col(COL_EMPLOYER_CREDIT_CODE, Kind::Text),
    col(COL_POSITION, Kind::Text),
    col(COL_START_ON, Kind::Date),
    col(COL_END_ON, Kind::OpenEnd),
];

const TRAINING_COLUMNS: [Column; 8] = [
    required(COL_ID_NUMBER, Kind::Id),
    NAME_CHECK,
    col(COL_TRAINING_KIND, Kind::Choice(&TRAINING_KINDS)),
    col(COL_COURSE, Kind::Text),
    col(COL_ASSOCIATION, Kind::Text),
    col(COL_HELD_ON, Kind::Date),
    col(COL_RESULT, Kind::Choice(&TRAINING_RESULTS)),
    col(COL_CERTIFICATE_NO, Kind::Text),
];

const TIE_COLUMNS: [Column; 9] = [
    required(COL_ID_NUMBER, Kind::Id),
    NAME_CHECK,
    col(COL_TIE_KIND, Kind::Choice(&TIE_KINDS)),
    col(COL_PARTY_NAME, Kind::Text),
    col(COL_PARTY_CREDIT_CODE, Kind::Text),
    col(COL_RELATION, Kind::Text),
    col(COL_START_ON, Kind::Date),
    col(COL_END_ON, Kind::OpenEnd),
    col(COL_DECLARED_ON, Kind::Date),
];

const SANCTION_COLUMNS: [Column; 5] = [
    required(COL_ID_NUMBER, Kind::Id),
    NAME_CHECK,
    col(COL_SANCTION_KIND, Kind::Choice(&SANCTION_KINDS)),
    col(COL_REASON, Kind::Text),
    col(COL_DECIDED_ON, Kind::Date),
];

/// Rows that get a drop-down list on columns with fixed values.
const VALIDATED_ROWS: u32 = 5000;

/// Writes the expert pool as a workbook with the sheets [`SHEET_EXPERTS`],
/// [`SHEET_EMPLOYMENT`], [`SHEET_TRAINING`], [`SHEET_TIES`],
/// [`SHEET_SANCTIONS`] and [`SHEET_INSTRUCTIONS`].
///
/// Each data sheet has a bold, frozen header row; every cell, including those
/// of empty rows, is formatted as text so that identity card numbers keep all
/// their digits, and columns with fixed values offer a drop-down list. The
/// sheets other than the experts sheet repeat the expert's name next to the
/// identity card number for the reader's convenience. An empty book gives a
/// blank form to fill in. [`read_experts_xlsx`] reads the result back.
pub fn experts_xlsx(book: &ExpertBook) -> Result<Vec<u8>, DocsError> {
    let mut names: HashMap<&str, &str> = HashMap::new();
    for expert in &book.experts {
        names.entry(&expert.id_number).or_insert(&expert.name);
    }
    let name_of = |id: &str| names.get(id).copied().unwrap_or_default().to_owned();

    let mut workbook = Workbook::new();
    let experts: Vec<Vec<String>> = book.experts.iter().map(expert_cells).collect();
    add_sheet(&mut workbook, SHEET_EXPERTS, &EXPERT_COLUMNS, &experts)?;
    let employment: Vec<Vec<String>> = book
        .employment
        .iter()
        .map(|r| {
            vec![
                r.id_number.clone(),
                name_of(&r.id_number),
                r.employer_name.clone(),
                r.employer_credit_code.clone(),
                r.position.clone(),
                r.start_on.clone(),
                r.end_on.clone(),
            ]
        })
        .collect();
    add_sheet(
        &mut workbook,
        SHEET_EMPLOYMENT,
        &EMPLOYMENT_COLUMNS,
        &employment,
    )?;
    let training: Vec<Vec<String>> = book
        .training
        .iter()
        .map(|r| {
            vec![
                r.id_number.clone(),
                name_of(&r.id_number),
                r.kind.clone(),
                r.course.clone(),
                r.association.clone(),
                r.held_on.clone(),
                r.result.clone(),
                r.certificate_no.clone(),
            ]
        })
        .collect();
    add_sheet(&mut workbook, SHEET_TRAINING, &TRAINING_COLUMNS, &training)?;
    let ties: Vec<Vec<String>> = book
        .ties
        .iter()
        .map(|r| {
            vec![
                r.id_number.clone(),
                name_of(&r.id_number),
                r.kind.clone(),
                r.party_name.clone(),
                r.party_credit_code.clone(),
                r.relation.clone(),
                r.start_on.clone(),
                r.end_on.clone(),
                r.declared_on.clone(),
            ]
        })
        .collect();
    add_sheet(&mut workbook, SHEET_TIES, &TIE_COLUMNS, &ties)?;
    let sanctions: Vec<Vec<String>> = book
        .sanctions
        .iter()
        .map(|r| {
            vec![
                r.id_number.clone(),
                name_of(&r.id_number),
                r.kind.clone(),
                r.reason.clone(),
                r.decided_on.clone(),
            ]
        })
        .collect();
    add_sheet(
        &mut workbook,
        SHEET_SANCTIONS,
        &SANCTION_COLUMNS,
        &sanctions,
    )?;
    add_instructions(&mut workbook)?;
    Ok(workbook.save_to_buffer()?)
}

fn expert_cells(e: &ExpertRow) -> Vec<String> {
    vec![
        e.id_number.clone(),
        e.name.clone(),
        e.gender.clone(),
        e.phone.clone(),
        e.email.clone(),
        e.title.clone(),
        e.education.clone(),
        e.level.clone(),
        e.industries.clone(),
        e.qualification_no.clone(),
        e.qualified_from.clone(),
        e.qualified_until.clone(),
        e.winner_manager.clone(),
        e.status.clone(),
        e.note.clone(),
    ]
}

fn add_sheet(
    workbook: &mut Workbook,
    sheet: &str,
    columns: &[Column],
    rows: &[Vec<String>],
) -> Result<(), DocsError> {
    let headers: Vec<&str> = columns.iter().map(|c| c.header).collect();
    let worksheet = add_table_sheet(workbook, sheet, &headers, rows)?;
    let text = Format::new().set_num_format("@");
    let last_row = VALIDATED_ROWS.max(row_num(rows.len() + 1)?);
    for (i, column) in columns.iter().enumerate() {
        let c = col_num(i)?;
        worksheet.set_column_format(c, &text)?;
        if let Kind::Choice(values) = column.kind {
            let validation = DataValidation::new()
                .allow_list_strings(values)?
                .set_error_title("输入值无效")?
                .set_error_message(format!("请从下拉列表中选择：{}", values.join("、")))?;
            worksheet.add_data_validation(1, c, last_row, c, &validation)?;
        }
    }
    Ok(())
}

/// The instructions sheet: general notes, then one row per column.
fn add_instructions(workbook: &mut Workbook) -> Result<(), DocsError> {
    const ALL: &str = "全部";
    let mut rows: Vec<[String; 4]> = vec![
        [
            ALL.into(),
            String::new(),
            String::new(),
            "请勿修改各工作表第1行的列名；列的顺序可以调整，增加的其他列在导入时忽略。空行在导入时跳过。".into(),
        ],
        [
            ALL.into(),
            String::new(),
            String::new(),
            "日期填写为 2026-11-25 格式，也可填写 2026/11/25、2026年11月25日或 Excel 日期。".into(),
        ],
        [
            ALL.into(),
            COL_ID_NUMBER.into(),
            "是".into(),
            format!(
                "身份证号请以文本格式填写（本表各列已设为文本格式），以免 Excel 将其改写为科学计数法并丢失末几位。\
                 “{SHEET_EMPLOYMENT}”“{SHEET_TRAINING}”“{SHEET_TIES}”“{SHEET_SANCTIONS}”中的身份证号须已在“{SHEET_EXPERTS}”工作表中列出。"
            ),
        ],
    ];
    let describe = |column: &Column| -> String {
        let mut text = match column.header {
            COL_NAME if column.optional => {
                format!("仅供核对，可不填；填写的须与“{SHEET_EXPERTS}”工作表中的姓名一致。")
            }
            COL_INDUSTRIES => {
                "国民经济行业分类（GB/T 4754）门类字母，多个以顿号分隔，如 C、M。".into()
            }
            COL_WINNER_MANAGER => "是否为政府质量奖获奖组织的管理人员。".into(),
            COL_END_ON => "尚未结束的留空（也可填写“至今”）。".into(),
            COL_RELATION => "近亲属任职单位须注明关系，如配偶、父母、子女。".into(),
            _ => String::new(),
        };
        match column.kind {
            Kind::Choice(values) => {
                text.push_str(&format!("可选值：{}。", values.join("、")));
            }
            Kind::Date => text.push_str("日期，如 2026-11-25。"),
            _ => {}
        }
        text
    };
    let sheets: [(&str, &[Column]); 5] = [
        (SHEET_EXPERTS, &EXPERT_COLUMNS),
        (SHEET_EMPLOYMENT, &EMPLOYMENT_COLUMNS),
        (SHEET_TRAINING, &TRAINING_COLUMNS),
        (SHEET_TIES, &TIE_COLUMNS),
        (SHEET_SANCTIONS, &SANCTION_COLUMNS),
    ];
    for (sheet, columns) in sheets {
        for column in columns {
            // Explained once for all sheets above.
            if column.header == COL_ID_NUMBER {
                continue;
            }
            rows.push([
                sheet.into(),
                column.header.into(),
                if column.required { "是" } else { "" }.into(),
                describe(column),
            ]);
        }
    }

    let worksheet = workbook.add_worksheet();
    worksheet.set_name(SHEET_INSTRUCTIONS)?;
    let header = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color("#E7ECF3")
        .set_border_bottom(FormatBorder::Thin);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let titles = ["工作表", "列名", "必填", "填写要求"];
    let mut widths: Vec<usize> = titles.iter().map(|t| display_width(t)).collect();
    for (c, title) in titles.iter().enumerate() {
        worksheet.write_string_with_format(0, col_num(c)?, *title, &header)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            worksheet.write_string_with_format(row_num(r + 1)?, col_num(c)?, value, &wrap)?;
            widths[c] = widths[c].max(display_width(value));
        }
    }
    for (c, width) in widths.iter().enumerate() {
        worksheet.set_column_width(col_num(c)?, (*width as f64 + 2.0).clamp(8.0, 70.0))?;
    }
    worksheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Reads a workbook written by [`experts_xlsx`] (or filled in by hand after
/// its model): `.xlsx`, and also `.xls` and `.ods`.
///
/// Sheets are found by name and columns by header text in their first row;
/// every column of a sheet must be present except 姓名 on the sheets other
/// than the experts sheet, which is only checked against the experts sheet.
/// Only the experts sheet is required. Fully empty rows are skipped, values
/// are trimmed, identity card numbers upper-cased, dates normalised to
/// `YYYY-MM-DD` and an end date of 至今 becomes empty.
///
/// All problems are collected; the book is returned only when there are none.
pub fn read_experts_xlsx(bytes: &[u8]) -> Result<ExpertBook, Vec<SheetError>> {
    let mut workbook = match calamine::open_workbook_auto_from_rs(Cursor::new(bytes)) {
        Ok(workbook) => workbook,
        Err(_) => {
            return Err(vec![SheetError {
                sheet: String::new(),
                row: 0,
                column: String::new(),
                message: "无法读取该文件，请上传 Excel 工作簿（.xlsx）。".into(),
            }]);
        }
    };
    let sheet_names = workbook.sheet_names();
    let mut errors = Vec::new();
    let mut load = |sheet: &str, columns: &[Column], errors: &mut Vec<SheetError>| {
        let name = sheet_names.iter().find(|n| n.trim() == sheet)?;
        match workbook.worksheet_range(name) {
            Ok(range) => Some(read_sheet(sheet, &range, columns, errors)),
            Err(_) => {
                errors.push(SheetError {
                    sheet: sheet.into(),
                    row: 0,
                    column: String::new(),
                    message: "无法读取该工作表。".into(),
                });
                Some(None)
            }
        }
    };

    let experts = match load(SHEET_EXPERTS, &EXPERT_COLUMNS, &mut errors) {
        Some(rows) => rows,
        None => {
            errors.push(SheetError {
                sheet: SHEET_EXPERTS.into(),
                row: 0,
                column: String::new(),
                message: format!("缺少“{SHEET_EXPERTS}”工作表。"),
            });
            None
        }
    };
    let employment = load(SHEET_EMPLOYMENT, &EMPLOYMENT_COLUMNS, &mut errors).flatten();
    let training = load(SHEET_TRAINING, &TRAINING_COLUMNS, &mut errors).flatten();
    let ties = load(SHEET_TIES, &TIE_COLUMNS, &mut errors).flatten();
    let sanctions = load(SHEET_SANCTIONS, &SANCTION_COLUMNS, &mut errors).flatten();

    // Identity card numbers of the experts sheet, with row and name.
    let mut known: HashMap<String, (usize, String)> = HashMap::new();
    let mut book = ExpertBook::default();
    for row in experts.iter().flatten() {
        let [
            id_number,
            name,
            gender,
            phone,
            email,
            title,
            education,
            level,
            industries,
            qualification_no,
            qualified_from,
            qualified_until,
            winner_manager,
            status,
            note,
        ]: [String; 15] = row.cells.clone().try_into().expect("one value per column");
        if !id_number.is_empty() {
            if let Some((first, _)) = known.get(&id_number) {
                errors.push(SheetError {
                    sheet: SHEET_EXPERTS.into(),
                    row: row.row,
                    column: COL_ID_NUMBER.into(),
                    message: format!("身份证号“{id_number}”与第{first}行重复。"),
                });
            } else {
                known.insert(id_number.clone(), (row.row, name.clone()));
            }
        }
        book.experts.push(ExpertRow {
            id_number,
            name,
            gender,
            phone,
            email,
            title,
            education,
            level,
            industries,
            qualification_no,
            qualified_from,
            qualified_until,
            winner_manager,
            status,
            note,
        });
    }

    // Rows of the other sheets must belong to an expert of the experts sheet;
    // the check is left out when that sheet could not be read.
    let check_experts = experts.is_some();
    let belongs = |sheet: &str, row: &SheetRow, errors: &mut Vec<SheetError>| {
        let id = &row.cells[0];
        if !check_experts || id.is_empty() {
            return;
        }
        match known.get(id) {
            None => errors.push(SheetError {
                sheet: sheet.into(),
                row: row.row,
                column: COL_ID_NUMBER.into(),
                message: format!("身份证号“{id}”不在“{SHEET_EXPERTS}”工作表中。"),
            }),
            Some((_, name)) => {
                let given = &row.cells[1];
                if !given.is_empty() && given != name {
                    errors.push(SheetError {
                        sheet: sheet.into(),
                        row: row.row,
                        column: COL_NAME.into(),
                        message: format!(
                            "姓名“{given}”与“{SHEET_EXPERTS}”工作表中该身份证号的姓名“{name}”不一致。"
                        ),
                    });
                }
            }
        }
    };

    for row in employment.iter().flatten() {
        belongs(SHEET_EMPLOYMENT, row, &mut errors);
        let [
            id_number,
            _,
            employer_name,
            employer_credit_code,
            position,
            start_on,
            end_on,
        ]: [String; 7] = row.cells.clone().try_into().expect("one value per column");
        book.employment.push(EmploymentRow {
            id_number,
            employer_name,
            employer_credit_code,
            position,
            start_on,
            end_on,
        });
    }
    for row in training.iter().flatten() {
        belongs(SHEET_TRAINING, row, &mut errors);
        let [
            id_number,
            _,
            kind,
            course,
            association,
            held_on,
            result,
            certificate_no,
        ]: [String; 8] = row.cells.clone().try_into().expect("one value per column");
        book.training.push(TrainingRow {
            id_number,
            kind,
            course,
            association,
            held_on,
            result,
            certificate_no,
        });
    }
    for row in ties.iter().flatten() {
        belongs(SHEET_TIES, row, &mut errors);
        let [
            id_number,
            _,
            kind,
            party_name,
            party_credit_code,
            relation,
            start_on,
            end_on,
            declared_on,
        ]: [String; 9] = row.cells.clone().try_into().expect("one value per column");
        book.ties.push(TieRow {
            id_number,
            kind,
            party_name,
            party_credit_code,
            relation,
            start_on,
            end_on,
            declared_on,
        });
    }
    for row in sanctions.iter().flatten() {
        belongs(SHEET_SANCTIONS, row, &mut errors);
        let [id_number, _, kind, reason, decided_on]: [String; 5] =
            row.cells.clone().try_into().expect("one value per column");
        book.sanctions.push(SanctionRow {
            id_number,
            kind,
            reason,
            decided_on,
        });
    }

    if errors.is_empty() {
        Ok(book)
    } else {
        errors.sort_by(|a, b| {
            sheet_order(&a.sheet)
                .cmp(&sheet_order(&b.sheet))
                .then(a.row.cmp(&b.row))
        });
        Err(errors)
    }
}

fn sheet_order(sheet: &str) -> usize {
    [
        SHEET_EXPERTS,
        SHEET_EMPLOYMENT,
        SHEET_TRAINING,
        SHEET_TIES,
        SHEET_SANCTIONS,
    ]
    .iter()
    .position(|s| *s == sheet)
    .unwrap_or(0)
}

/// A non-empty data row: its Excel row number and one value per column of the
/// sheet's definition (empty for a missing optional column).
struct SheetRow {
    row: usize,
    cells: Vec<String>,
}

/// Reads the rows of one sheet; `None` when required columns are missing.
fn read_sheet(
    sheet: &str,
    range: &Range<Data>,
    columns: &[Column],
    errors: &mut Vec<SheetError>,
) -> Option<Vec<SheetRow>> {
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let mut rows = range.rows();
    let header_row = first_row + 1;
    let header: Vec<String> = rows
        .next()
        .map(|cells| cells.iter().map(header_text).collect())
        .unwrap_or_default();

    let mut positions = Vec::with_capacity(columns.len());
    let mut complete = true;
    for column in columns {
        let wanted = normalise_header(column.header);
        let found: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| **h == wanted)
            .map(|(i, _)| i)
            .collect();
        if found.len() > 1 {
            errors.push(SheetError {
                sheet: sheet.into(),
                row: header_row,
                column: column.header.into(),
                message: format!("“{}”列出现了{}次。", column.header, found.len()),
            });
            complete = false;
        } else if found.is_empty() && !column.optional {
            errors.push(SheetError {
                sheet: sheet.into(),
                row: header_row,
                column: column.header.into(),
                message: format!("缺少“{}”列。", column.header),
            });
            complete = false;
        }
        positions.push(found.first().copied());
    }
    if !complete {
        return None;
    }

    let mut out = Vec::new();
    for (i, cells) in rows.enumerate() {
        if cells.iter().all(is_blank) {
            continue;
        }
        let row = header_row + 1 + i;
        let mut values = Vec::with_capacity(columns.len());
        for (column, position) in columns.iter().zip(&positions) {
            let cell = position.and_then(|p| cells.get(p)).unwrap_or(&Data::Empty);
            let value = read_cell(cell, column.kind).and_then(|value| {
                if value.is_empty() && column.required {
                    Err("不能为空。".to_owned())
                } else {
                    Ok(value)
                }
            });
            match value {
                Ok(value) => values.push(value),
                Err(message) => {
                    errors.push(SheetError {
                        sheet: sheet.into(),
                        row,
                        column: column.header.into(),
                        message,
                    });
                    values.push(String::new());
                }
            }
        }
        out.push(SheetRow { row, cells: values });
    }
    Some(out)
}

fn header_text(cell: &Data) -> String {
    match cell {
        Data::String(s) => normalise_header(s),
        _ => String::new(),
    }
}

/// Header text without spaces or required-field marks, with ASCII brackets
/// as their full-width forms.
fn normalise_header(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊')
        .map(|c| match c {
            '(' => '（',
            ')' => '）',
            c => c,
        })
        .collect()
}

fn is_blank(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// Reads a cell as the column's kind; the error is a message in Chinese.
fn read_cell(cell: &Data, kind: Kind) -> Result<String, String> {
    match kind {
        Kind::Text => cell_text(cell),
        Kind::Id => Ok(cell_text(cell)?.to_uppercase()),
        Kind::Date => cell_date(cell),
        Kind::OpenEnd => match cell_text(cell)?.as_str() {
            "至今" | "今" | "现在" => Ok(String::new()),
            _ => cell_date(cell),
        },
        Kind::Choice(values) => {
            let text = cell_text(cell)?;
            if text.is_empty() || values.contains(&text.as_str()) {
                Ok(text)
            } else {
                Err(format!(
                    "“{text}”不是可选的值，应为：{}。",
                    values.join("、")
                ))
            }
        }
    }
}

/// Excel keeps 15 significant digits of a number; more are lost.
const EXACT_DIGITS: f64 = 1e15;

const NUMBER_TOO_LONG: &str =
    "数字超过15位，Excel 已将15位以后的数字改为0；请将该列设为文本格式后重新填写。";

fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 {
                if f.abs() >= EXACT_DIGITS {
                    return Err(NUMBER_TOO_LONG.into());
                }
                format!("{f:.0}")
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Data::DateTime(dt) => {
            let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
            if dt.is_datetime() && (hh, mm, ss) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{d:02}")
            } else if dt.is_datetime() {
                format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}")
            } else {
                dt.as_f64().to_string()
            }
        }
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
        Data::Error(e) => return Err(format!("单元格为错误值 {e}。")),
    })
}

const DATE_FORMAT: &str = "日期格式应为 2026-11-25。";

/// Reads a date cell as `YYYY-MM-DD`; empty stays empty.
fn cell_date(cell: &Data) -> Result<String, String> {
    let invalid = |shown: &str| format!("“{shown}”不是有效的日期，{DATE_FORMAT}");
    match cell {
        Data::Empty => Ok(String::new()),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format_date(i32::from(y), u32::from(m), u32::from(d))
                .ok_or_else(|| invalid(&dt.as_f64().to_string()))
        }
        Data::Int(_) | Data::Float(_) => {
            let value = match cell {
                Data::Int(i) => *i as f64,
                Data::Float(f) => *f,
                _ => unreachable!(),
            };
            let shown = cell_text(cell).unwrap_or_else(|_| value.to_string());
            // 20261125 typed as a number, else an Excel serial date.
            parse_date_text(&shown)
                .or_else(|| serial_date(value))
                .ok_or_else(|| invalid(&shown))
        }
        Data::DateTimeIso(s) => {
            let date = s.trim().split('T').next().unwrap_or_default();
            parse_date_text(date).ok_or_else(|| invalid(s.trim()))
        }
        _ => {
            let text = cell_text(cell)?;
            if text.is_empty() {
                return Ok(text);
            }
            parse_date_text(&text).ok_or_else(|| invalid(&text))
        }
    }
}

/// An Excel serial date (1900 date system) as `YYYY-MM-DD`.
fn serial_date(value: f64) -> Option<String> {
    if !(1.0..2_958_466.0).contains(&value) {
        return None;
    }
    let (y, m, d, ..) =
        ExcelDateTime::new(value.floor(), ExcelDateTimeType::DateTime, false).to_ymd_hms_milli();
    format_date(i32::from(y), u32::from(m), u32::from(d))
}

/// Parses `2026-11-25`, `2026/11/25`, `2026.11.25`, `2026年11月25日` (month
/// and day with one or two digits) and `20261125`.
fn parse_date_text(text: &str) -> Option<String> {
    let text = text.trim();
    let digits = |s: &str, min: usize, max: usize| -> Option<u32> {
        if (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let parts: Vec<&str> = if let Some(rest) = text.strip_suffix('日') {
        let (year, rest) = rest.split_once('年')?;
        let (month, day) = rest.split_once('月')?;
        vec![year.trim(), month.trim(), day.trim()]
    } else if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        vec![&text[..4], &text[4..6], &text[6..]]
    } else {
        let separator = ['-', '/', '.'].into_iter().find(|s| text.contains(*s))?;
        text.split(separator).collect()
    };
    let [year, month, day] = parts.as_slice() else {
        return None;
    };
    let year = digits(year, 4, 4)?;
    format_date(
        i32::try_from(year).ok()?,
        digits(month, 1, 2)?,
        digits(day, 1, 2)?,
    )
}

/// A valid calendar date from 1900 on as `YYYY-MM-DD`.
fn format_date(year: i32, month: u32, day: u32) -> Option<String> {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    ((1900..=9999).contains(&year) && (1..=days).contains(&day))
        .then(|| format!("{year:04}-{month:02}-{day:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_every_accepted_form() {
        for text in [
            "2026-11-25",
            "2026/11/25",
            "2026.11.25",
            "2026年11月25日",
            "20261125",
            " 2026-11-25 ",
        ] {
            assert_eq!(
                parse_date_text(text).as_deref(),
                Some("2026-11-25"),
                "{text}"
            );
        }
        assert_eq!(parse_date_text("2026-1-5").as_deref(), Some("2026-01-05"));
        assert_eq!(
            parse_date_text("2026年1月5日").as_deref(),
            Some("2026-01-05")
        );
        assert_eq!(parse_date_text("2024-02-29").as_deref(), Some("2024-02-29"));
        for text in [
            "2026-02-29",
            "2026-13-01",
            "2026-11",
            "26-11-25",
            "2026-11-25-1",
            "明天",
            "2026年11月",
            "1899-12-31",
        ] {
            assert_eq!(parse_date_text(text), None, "{text}");
        }
    }

    #[test]
    fn serial_dates() {
        assert_eq!(serial_date(46351.0).as_deref(), Some("2026-11-25"));
        assert_eq!(serial_date(46351.75).as_deref(), Some("2026-11-25"));
        assert_eq!(serial_date(0.5), None);
        assert_eq!(serial_date(3e6), None);
        assert_eq!(
            cell_date(&Data::Float(20261125.0)).as_deref(),
            Ok("2026-11-25")
        );
        assert_eq!(
            cell_date(&Data::DateTimeIso("2026-11-25T00:00:00".into())).as_deref(),
            Ok("2026-11-25")
        );
    }

    #[test]
    fn numbers_as_text() {
        assert_eq!(
            cell_text(&Data::Float(110101199003077.0)).as_deref(),
            Ok("110101199003077")
        );
        assert_eq!(cell_text(&Data::Float(2.5)).as_deref(), Ok("2.5"));
        assert!(cell_text(&Data::Float(440102199001011000.0)).is_err());
        assert_eq!(
            read_cell(&Data::String(" 44010219900101123x ".into()), Kind::Id).as_deref(),
            Ok("44010219900101123X")
        );
    }

    #[test]
    fn header_normalisation() {
        assert_eq!(normalise_header(" 颁发机构(协会) *"), COL_ASSOCIATION);
        assert_eq!(normalise_header("身份证号"), COL_ID_NUMBER);
    }

    #[test]
    fn error_display() {
        let error = SheetError {
            sheet: SHEET_EXPERTS.into(),
            row: 3,
            column: COL_NAME.into(),
            message: "不能为空。".into(),
        };
        assert_eq!(error.to_string(), "“专家”工作表第3行“姓名”列：不能为空。");
        let error = SheetError {
            sheet: String::new(),
            row: 0,
            column: String::new(),
            message: "无法读取。".into(),
        };
        assert_eq!(error.to_string(), "无法读取。");
    }
}
