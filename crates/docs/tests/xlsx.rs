use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use qaward_docs::{SessionRow, sessions_xlsx, table_xlsx};

fn read_sheet(bytes: Vec<u8>, sheet: &str) -> Vec<Vec<String>> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("valid xlsx");
    assert_eq!(workbook.sheet_names(), vec![sheet.to_owned()]);
    let range = workbook.worksheet_range(sheet).expect("sheet");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[test]
fn sessions_round_trip() {
    let rows = vec![
        SessionRow {
            programme: "清远市政府质量奖".into(),
            title: "2026年度清远市政府质量奖（第四届）".into(),
            year: 2026,
            stage: "申报".into(),
            rule_set: "清远市政府质量奖管理办法（清府办〔2020〕11号）".into(),
            call_published: Some("2026-09-01".into()),
            applications_deadline: Some("2026-12-31".into()),
        },
        SessionRow {
            programme: "清远市政府质量奖".into(),
            title: "2024年度清远市政府质量奖（第三届）".into(),
            year: 2024,
            stage: "已结束".into(),
            rule_set: "清远市政府质量奖管理办法".into(),
            call_published: None,
            applications_deadline: None,
        },
    ];
    let bytes = sessions_xlsx(&rows).expect("xlsx");
    let cells = read_sheet(bytes, "届次");
    assert_eq!(
        cells[0],
        [
            "项目",
            "届次",
            "年度",
            "当前阶段",
            "适用办法",
            "申报通知发布日期",
            "申报截止日期"
        ]
    );
    assert_eq!(
        cells[1],
        [
            "清远市政府质量奖",
            "2026年度清远市政府质量奖（第四届）",
            "2026",
            "申报",
            "清远市政府质量奖管理办法（清府办〔2020〕11号）",
            "2026-09-01",
            "2026-12-31"
        ]
    );
    assert_eq!(cells[2][1], "2024年度清远市政府质量奖（第三届）");
    assert_eq!(cells[2][5], "");
    assert_eq!(cells.len(), 3);
}

#[test]
fn table_keeps_text_verbatim() {
    let rows = vec![vec![
        "0763-0000000".to_owned(),
        "007".to_owned(),
        "=1+1".to_owned(),
    ]];
    let bytes = table_xlsx("导出", &["电话", "编号", "公式"], &rows).expect("xlsx");
    let cells = read_sheet(bytes, "导出");
    assert_eq!(cells[1], ["0763-0000000", "007", "=1+1"]);
}

#[test]
fn numbers_are_numbers_and_codes_stay_text() {
    let rows = vec![vec![
        "85.50".to_owned(),
        "12".to_owned(),
        "13800138000".to_owned(),
        "91441800MA4UTEST0X".to_owned(),
        "0.5".to_owned(),
        "-3".to_owned(),
    ]];
    let bytes = table_xlsx(
        "导出",
        &["得分", "份数", "手机", "代码", "比例", "差额"],
        &rows,
    )
    .expect("xlsx");
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("valid xlsx");
    let range = workbook.worksheet_range("导出").expect("sheet");
    let row: Vec<Data> = range.rows().nth(1).expect("a row").to_vec();
    assert_eq!(row[0], Data::Float(85.5));
    assert_eq!(row[1], Data::Float(12.0));
    assert_eq!(row[2], Data::String("13800138000".into()));
    assert_eq!(row[3], Data::String("91441800MA4UTEST0X".into()));
    assert_eq!(row[4], Data::Float(0.5));
    assert_eq!(row[5], Data::Float(-3.0));
}

#[test]
fn empty_table_has_header_only() {
    let bytes = sessions_xlsx(&[]).expect("xlsx");
    let cells = read_sheet(bytes, "届次");
    assert_eq!(cells.len(), 1);
}

#[test]
fn invalid_sheet_name_is_an_error() {
    assert!(table_xlsx("a/b", &["x"], &[]).is_err());
}
