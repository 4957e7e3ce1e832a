//! Excel workbooks for tabular exports.

use rust_xlsxwriter::{ColNum, Format, FormatAlign, IgnoreError, RowNum, Workbook, Worksheet};

use crate::DocsError;

/// One row of the award sessions export (届次).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionRow {
    /// Award programme, e.g. 清远市政府质量奖.
    pub programme: String,
    /// Session title, e.g. 2026年度清远市政府质量奖（第四届）.
    pub title: String,
    /// Award year.
    pub year: i32,
    /// Current stage, e.g. 申报.
    pub stage: String,
    /// Rule set (管理办法) the session follows.
    pub rule_set: String,
    /// Date the call for applications was published, if it was.
    pub call_published: Option<String>,
    /// Deadline for applications, if set.
    pub applications_deadline: Option<String>,
}

/// Column headers of [`sessions_xlsx`].
pub const SESSION_HEADERS: [&str; 7] = [
    "项目",
    "届次",
    "年度",
    "当前阶段",
    "适用办法",
    "申报通知发布日期",
    "申报截止日期",
];

/// Exports award sessions as a workbook with one sheet named 届次.
pub fn sessions_xlsx(rows: &[SessionRow]) -> Result<Vec<u8>, DocsError> {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            vec![
                row.programme.clone(),
                row.title.clone(),
                row.year.to_string(),
                row.stage.clone(),
                row.rule_set.clone(),
                row.call_published.clone().unwrap_or_default(),
                row.applications_deadline.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table_xlsx("届次", &SESSION_HEADERS, &rows)
}

/// Writes a single-sheet workbook: a bold, frozen header row followed by
/// `rows`, with column widths fitted to the content and an auto-filter.
///
/// A cell that is a plain number (a count, a year, a score such as `85.50`) is written as a
/// number with as many decimals as it was given, so that it sums and sorts; every other cell
/// is written as text, so that telephone numbers, codes with leading zeros and identity or
/// credit codes survive unchanged (see [`plain_number`]). `sheet` must be a valid Excel
/// sheet name (at most 31 characters, none of `[]:*?/\`).
pub fn table_xlsx(
    sheet: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, DocsError> {
    let mut workbook = Workbook::new();
    add_table_sheet(&mut workbook, sheet, headers, rows)?;
    Ok(workbook.save_to_buffer()?)
}

/// `value` as a number and its count of decimals, if it is a plain number a person would sum
/// or sort: an optional minus, at most nine integer digits without a leading zero, and at
/// most four decimals. Anything longer or with a leading zero (mobile and telephone numbers,
/// postcodes such as `0763`, ID numbers, codes like `007`) stays text.
pub fn plain_number(value: &str) -> Option<(f64, usize)> {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let int_ok = !int.is_empty()
        && int.len() <= 9
        && int.bytes().all(|b| b.is_ascii_digit())
        && (int == "0" || !int.starts_with('0'));
    let frac_ok =
        frac.is_none_or(|f| !f.is_empty() && f.len() <= 4 && f.bytes().all(|b| b.is_ascii_digit()));
    if !(int_ok && frac_ok) {
        return None;
    }
    value
        .parse::<f64>()
        .ok()
        .map(|n| (n, frac.map_or(0, str::len)))
}

/// The Excel number format showing `decimals` decimals.
fn number_format(decimals: usize) -> String {
    if decimals == 0 {
        "0".to_owned()
    } else {
        format!("0.{}", "0".repeat(decimals))
    }
}

/// Adds a sheet laid out like [`table_xlsx`] to `workbook` and returns it for
/// further settings.
pub(crate) fn add_table_sheet<'a>(
    workbook: &'a mut Workbook,
    sheet: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<&'a mut Worksheet, DocsError> {
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet)?;

    let header_format = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color("#E7ECF3")
        .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
    let text_format = Format::new().set_num_format("@");

    let columns = headers
        .len()
        .max(rows.iter().map(Vec::len).max().unwrap_or(0));
    let mut widths: Vec<usize> = vec![0; columns];

    for (col, header) in headers.iter().enumerate() {
        worksheet.write_string_with_format(0, col_num(col)?, *header, &header_format)?;
        widths[col] = widths[col].max(display_width(header));
    }
    for (r, row) in rows.iter().enumerate() {
        let r = row_num(r + 1)?;
        for (col, value) in row.iter().enumerate() {
            match plain_number(value) {
                Some((n, decimals)) => {
                    let format = Format::new().set_num_format(number_format(decimals));
                    worksheet.write_number_with_format(r, col_num(col)?, n, &format)?;
                }
                None => {
                    worksheet.write_string_with_format(r, col_num(col)?, value, &text_format)?;
                }
            }
            widths[col] = widths[col].max(display_width(value));
        }
    }
    for (col, width) in widths.iter().enumerate() {
        let width = (*width as f64 + 2.0).clamp(8.0, 60.0);
        worksheet.set_column_width(col_num(col)?, width)?;
    }

    worksheet.set_freeze_panes(1, 0)?;
    if columns > 0 {
        let last_col = col_num(columns - 1)?;
        let last_row = row_num(rows.len())?;
        worksheet.autofilter(0, 0, last_row, last_col)?;
        if !rows.is_empty() {
            worksheet.ignore_error_range(
                1,
                0,
                last_row,
                last_col,
                IgnoreError::NumberStoredAsText,
            )?;
        }
    }

    Ok(worksheet)
}

/// Approximate column width in Excel character units: wide (CJK) characters
/// count twice.
pub(crate) fn display_width(text: &str) -> usize {
    text.lines()
        .map(|line| line.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum())
        .max()
        .unwrap_or(0)
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

pub(crate) fn row_num(index: usize) -> Result<RowNum, DocsError> {
    RowNum::try_from(index)
        .map_err(|_| DocsError::Xlsx(rust_xlsxwriter::XlsxError::RowColumnLimitError))
}

pub(crate) fn col_num(index: usize) -> Result<ColNum, DocsError> {
    ColNum::try_from(index)
        .map_err(|_| DocsError::Xlsx(rust_xlsxwriter::XlsxError::RowColumnLimitError))
}
