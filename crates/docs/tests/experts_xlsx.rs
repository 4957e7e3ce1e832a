use std::io::Cursor;

use calamine::{Reader, Xlsx};
use qaward_docs::experts_xlsx::{
    COL_HELD_ON, COL_ID_NUMBER, COL_LEVEL, COL_NAME, COL_QUALIFIED_FROM, COL_QUALIFIED_UNTIL,
    EMPLOYMENT_HEADERS, EXPERT_HEADERS, SANCTION_HEADERS, SHEET_EMPLOYMENT, SHEET_EXPERTS,
    SHEET_INSTRUCTIONS, SHEET_SANCTIONS, SHEET_TIES, SHEET_TRAINING, TRAINING_HEADERS,
};
use qaward_docs::{
    EmploymentRow, ExpertBook, ExpertRow, SanctionRow, SheetError, TieRow, TrainingRow,
    experts_xlsx, read_experts_xlsx,
};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

fn expert(id_number: &str, name: &str) -> ExpertRow {
    ExpertRow {
        id_number: id_number.into(),
        name: name.into(),
        gender: "女".into(),
        phone: "13800000000".into(),
        email: "expert@example.invalid".into(),
        title: "高级工程师".into(),
        education: "硕士研究生".into(),
        level: "评审员".into(),
        industries: "C、M".into(),
        qualification_no: "GDZLJ-2024-0012".into(),
        qualified_from: "2024-03-01".into(),
        qualified_until: "2027-02-28".into(),
        winner_manager: "否".into(),
        status: "在库".into(),
        note: "第一行\n第二行".into(),
    }
}

fn sample() -> ExpertBook {
    ExpertBook {
        experts: vec![
            expert("44180219800101001X", "张三"),
            ExpertRow {
                level: "评审组长".into(),
                winner_manager: "是".into(),
                ..expert("441802198502020021", "李四")
            },
            ExpertRow {
                id_number: "441802199003030032".into(),
                name: "王五".into(),
                ..ExpertRow::default()
            },
        ],
        employment: vec![
            EmploymentRow {
                id_number: "44180219800101001X".into(),
                employer_name: "清远市某检测研究院".into(),
                employer_credit_code: "12441800000000000A".into(),
                position: "副院长".into(),
                start_on: "2015-07-01".into(),
                end_on: String::new(),
            },
            EmploymentRow {
                id_number: "44180219800101001X".into(),
                employer_name: "广东某电器有限公司".into(),
                employer_credit_code: "0012345".into(),
                position: "质量部经理".into(),
                start_on: "2008-03-01".into(),
                end_on: "2015-06-30".into(),
            },
        ],
        training: vec![TrainingRow {
            id_number: "441802198502020021".into(),
            kind: "考核".into(),
            course: "卓越绩效评价准则评审员考核".into(),
            association: "广东省质量协会".into(),
            held_on: "2023-10-20".into(),
            result: "合格".into(),
            certificate_no: "GDQA-2023-077".into(),
        }],
        ties: vec![TieRow {
            id_number: "441802198502020021".into(),
            kind: "近亲属任职单位".into(),
            party_name: "清远市某精密制造有限公司".into(),
            party_credit_code: "91441800MA00000001".into(),
            relation: "配偶".into(),
            start_on: "2019-01-01".into(),
            end_on: String::new(),
            declared_on: "2026-09-10".into(),
        }],
        sanctions: vec![SanctionRow {
            id_number: "441802199003030032".into(),
            kind: "警告".into(),
            reason: "评审意见提交逾期。".into(),
            decided_on: "2025-05-06".into(),
        }],
    }
}

#[test]
fn round_trip() {
    let book = sample();
    let bytes = experts_xlsx(&book).expect("xlsx");
    if let Ok(path) = std::env::var("QAWARD_SAMPLE_EXPERTS_XLSX") {
        std::fs::write(path, &bytes).expect("write sample");
    }
    let read = read_experts_xlsx(&bytes).unwrap_or_else(|errors| panic!("{errors:#?}"));
    assert_eq!(read, book);

    let workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("valid xlsx");
    assert_eq!(
        workbook.sheet_names(),
        [
            SHEET_EXPERTS,
            SHEET_EMPLOYMENT,
            SHEET_TRAINING,
            SHEET_TIES,
            SHEET_SANCTIONS,
            SHEET_INSTRUCTIONS
        ]
    );
}

#[test]
fn other_sheets_show_the_expert_name() {
    let bytes = experts_xlsx(&sample()).expect("xlsx");
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("valid xlsx");
    let range = workbook.worksheet_range(SHEET_EMPLOYMENT).expect("sheet");
    let header: Vec<String> = range
        .rows()
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header, EMPLOYMENT_HEADERS);
    assert_eq!(
        range.get((1, 1)).map(|c| c.to_string()).as_deref(),
        Some("张三")
    );
}

#[test]
fn blank_form_reads_back_empty() {
    let bytes = experts_xlsx(&ExpertBook::default()).expect("xlsx");
    assert_eq!(read_experts_xlsx(&bytes), Ok(ExpertBook::default()));
}

/// A cell of a hand-made workbook.
enum Cell {
    Text(&'static str),
    Number(f64),
    Date(u16, u8, u8),
    Empty,
}

/// A sheet of a hand-made workbook: name, headers, rows.
type Sheet<'a> = (&'a str, &'a [&'a str], Vec<Vec<Cell>>);

fn workbook(sheets: &[Sheet]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let date_format = Format::new().set_num_format("yyyy/m/d");
    for (name, headers, rows) in sheets {
        let sheet = workbook.add_worksheet();
        sheet.set_name(*name).expect("name");
        for (c, header) in headers.iter().enumerate() {
            sheet.write_string(0, c as u16, *header).expect("header");
        }
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(text) => sheet.write_string(r, c, *text).map(|_| ()),
                    Cell::Number(n) => sheet.write_number(r, c, *n).map(|_| ()),
                    Cell::Date(y, m, d) => {
                        let date = ExcelDateTime::from_ymd(*y, *m, *d).expect("date");
                        sheet
                            .write_datetime_with_format(r, c, &date, &date_format)
                            .map(|_| ())
                    }
                    Cell::Empty => Ok(()),
                }
                .expect("cell");
            }
        }
    }
    workbook.save_to_buffer().expect("save")
}

/// A full experts row with the given id and name, in [`EXPERT_HEADERS`] order.
fn expert_cells(id: Cell, name: &'static str) -> Vec<Cell> {
    let mut cells = vec![id, Cell::Text(name)];
    cells.extend(EXPERT_HEADERS[2..].iter().map(|_| Cell::Empty));
    cells
}

fn errors(bytes: &[u8]) -> Vec<SheetError> {
    match read_experts_xlsx(bytes) {
        Ok(book) => panic!("expected errors, got {book:#?}"),
        Err(errors) => {
            for error in &errors {
                eprintln!("{error}");
            }
            errors
        }
    }
}

#[test]
fn missing_required_column() {
    let headers: Vec<&str> = EXPERT_HEADERS
        .iter()
        .copied()
        .filter(|h| *h != COL_NAME)
        .collect();
    let mut row = vec![Cell::Text("44180219800101001X")];
    row.extend(headers[1..].iter().map(|_| Cell::Empty));
    let bytes = workbook(&[(SHEET_EXPERTS, &headers, vec![row])]);
    let errors = errors(&bytes);
    assert_eq!(
        errors,
        [SheetError {
            sheet: SHEET_EXPERTS.into(),
            row: 1,
            column: COL_NAME.into(),
            message: "缺少“姓名”列。".into(),
        }]
    );
    assert_eq!(
        errors[0].to_string(),
        "“专家”工作表第1行“姓名”列：缺少“姓名”列。"
    );
}

#[test]
fn missing_experts_sheet() {
    let bytes = workbook(&[(SHEET_TRAINING, &TRAINING_HEADERS, vec![])]);
    let errors = errors(&bytes);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].sheet, SHEET_EXPERTS);
    assert_eq!(errors[0].row, 0);
}

#[test]
fn empty_required_cell() {
    let bytes = workbook(&[(
        SHEET_EXPERTS,
        &EXPERT_HEADERS,
        vec![
            expert_cells(Cell::Text("44180219800101001X"), "张三"),
            expert_cells(Cell::Text("441802198502020021"), ""),
            expert_cells(Cell::Text("  "), "王五"),
        ],
    )]);
    let errors = errors(&bytes);
    let found: Vec<(&str, usize, &str, &str)> = errors
        .iter()
        .map(|e| {
            (
                e.sheet.as_str(),
                e.row,
                e.column.as_str(),
                e.message.as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (SHEET_EXPERTS, 3, COL_NAME, "不能为空。"),
            (SHEET_EXPERTS, 4, COL_ID_NUMBER, "不能为空。"),
        ]
    );
    assert_eq!(
        errors[0].to_string(),
        "“专家”工作表第3行“姓名”列：不能为空。"
    );
}

#[test]
fn excel_dates_and_numeric_ids() {
    // Columns in another order, an extra column, an empty row, the other
    // sheets partly absent.
    let headers = [
        "序号",
        COL_NAME,
        COL_QUALIFIED_UNTIL,
        COL_ID_NUMBER,
        COL_QUALIFIED_FROM,
    ];
    let mut headers: Vec<&str> = headers.to_vec();
    let rest: Vec<&str> = EXPERT_HEADERS
        .iter()
        .copied()
        .filter(|h| !headers.contains(h))
        .collect();
    headers.extend(rest.iter().copied());
    let row = |id: Cell, name, until: Cell, from: Cell| {
        let mut cells = vec![Cell::Number(1.0), Cell::Text(name), until, id, from];
        cells.extend(rest.iter().map(|_| Cell::Empty));
        cells
    };
    let training_headers: Vec<&str> = TRAINING_HEADERS
        .iter()
        .copied()
        .filter(|h| *h != COL_NAME)
        .collect();
    let mut training = vec![Cell::Number(110101199003077.0)];
    training.extend(training_headers[1..].iter().map(|h| {
        if *h == COL_HELD_ON {
            Cell::Text("2026年3月5日")
        } else {
            Cell::Empty
        }
    }));
    let bytes = workbook(&[
        (
            SHEET_EXPERTS,
            &headers,
            vec![
                row(
                    Cell::Number(110101199003077.0),
                    " 赵六 ",
                    Cell::Date(2027, 2, 28),
                    Cell::Number(46351.0),
                ),
                headers.iter().map(|_| Cell::Empty).collect(),
                row(
                    Cell::Text("441802199003030032"),
                    "王五",
                    Cell::Text("2027/2/28"),
                    Cell::Text("2024年3月1日"),
                ),
            ],
        ),
        (SHEET_TRAINING, &training_headers, vec![training]),
    ]);
    let book = read_experts_xlsx(&bytes).unwrap_or_else(|errors| panic!("{errors:#?}"));
    assert_eq!(book.experts.len(), 2);
    let first = &book.experts[0];
    assert_eq!(first.id_number, "110101199003077");
    assert_eq!(first.name, "赵六");
    assert_eq!(first.qualified_until, "2027-02-28");
    assert_eq!(first.qualified_from, "2026-11-25");
    let second = &book.experts[1];
    assert_eq!(second.qualified_until, "2027-02-28");
    assert_eq!(second.qualified_from, "2024-03-01");
    assert_eq!(book.training.len(), 1);
    assert_eq!(book.training[0].id_number, "110101199003077");
    assert_eq!(book.training[0].held_on, "2026-03-05");
    assert!(book.employment.is_empty() && book.ties.is_empty() && book.sanctions.is_empty());
}

#[test]
fn invalid_values_are_reported_with_their_place() {
    let mut book = sample();
    book.experts[0].qualified_from = "明年三月".into();
    book.experts[1].level = "首席专家".into();
    book.experts[2].id_number = "44180219800101001X".into();
    book.employment[0].id_number = "440000000000000000".into();
    book.training[0].kind = "讲座".into();
    book.sanctions.clear();
    let bytes = experts_xlsx(&book).expect("xlsx");
    let errors = errors(&bytes);
    let places: Vec<(&str, usize, &str)> = errors
        .iter()
        .map(|e| (e.sheet.as_str(), e.row, e.column.as_str()))
        .collect();
    assert_eq!(
        places,
        [
            (SHEET_EXPERTS, 2, COL_QUALIFIED_FROM),
            (SHEET_EXPERTS, 3, COL_LEVEL),
            (SHEET_EXPERTS, 4, COL_ID_NUMBER),
            (SHEET_EMPLOYMENT, 2, COL_ID_NUMBER),
            (SHEET_TRAINING, 2, "培训或考核"),
        ]
    );
    assert!(errors[0].message.contains("日期格式应为 2026-11-25"));
    assert!(errors[1].message.contains("评审组长"));
    assert!(errors[2].message.contains("与第2行重复"));
    assert_eq!(
        errors[3].message,
        "身份证号“440000000000000000”不在“专家”工作表中。"
    );
}

#[test]
fn name_on_other_sheets_must_match() {
    let bytes = workbook(&[
        (
            SHEET_EXPERTS,
            &EXPERT_HEADERS,
            vec![expert_cells(Cell::Text("44180219800101001X"), "张三")],
        ),
        (
            SHEET_SANCTIONS,
            &SANCTION_HEADERS,
            vec![
                // Lower-case x is the same number.
                vec![
                    Cell::Text("44180219800101001x"),
                    Cell::Text("张三"),
                    Cell::Text("警告"),
                ],
                vec![
                    Cell::Text("44180219800101001X"),
                    Cell::Text("李四"),
                    Cell::Text("警告"),
                ],
            ],
        ),
    ]);
    let errors = errors(&bytes);
    let places: Vec<(&str, usize, &str)> = errors
        .iter()
        .map(|e| (e.sheet.as_str(), e.row, e.column.as_str()))
        .collect();
    assert_eq!(places, [(SHEET_SANCTIONS, 3, COL_NAME)]);
}

#[test]
fn long_numeric_id_is_refused() {
    let bytes = workbook(&[(
        SHEET_EXPERTS,
        &EXPERT_HEADERS,
        vec![expert_cells(Cell::Number(441802198001010011.0), "张三")],
    )]);
    let errors = errors(&bytes);
    assert_eq!(errors.len(), 1);
    assert_eq!(
        (errors[0].row, errors[0].column.as_str()),
        (2, COL_ID_NUMBER)
    );
    assert!(errors[0].message.contains("文本格式"));
}

#[test]
fn not_a_workbook() {
    let errors = errors(b"not a spreadsheet");
    assert_eq!(errors.len(), 1);
    assert!(errors[0].sheet.is_empty());
}
