//! Documents people expect on paper or in a spreadsheet.
//!
//! - [`pdf`]: PDF documents typeset by typst from embedded templates, with a
//!   bundled Chinese font so that output is readable on any machine.
//! - [`xlsx`]: Excel workbooks for tabular exports.
//! - [`experts_xlsx`]: the expert pool as an Excel workbook, exported for
//!   editing and read back with errors that point at sheet, row and column.

pub mod experts_xlsx;
pub mod pdf;
pub mod qr;
pub mod xlsx;

pub use experts_xlsx::{
    EmploymentRow, ExpertBook, ExpertRow, SanctionRow, SheetError, TieRow, TrainingRow,
    experts_xlsx, read_experts_xlsx,
};
pub use pdf::{PdfEngine, Template};
pub use qr::qr_svg;
pub use xlsx::{SessionRow, sessions_xlsx, table_xlsx};

/// Errors produced while generating documents.
#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    /// No font could be loaded, not even the bundled one.
    #[error("no usable font could be loaded")]
    NoFonts,
    /// The data handed to a template could not be serialised to JSON.
    #[error("document data could not be serialised: {0}")]
    Data(#[from] serde_json::Error),
    /// Typst rejected the template or the data; holds the diagnostics.
    #[error("typesetting failed: {}", .0.join("; "))]
    Compile(Vec<String>),
    /// The typeset document could not be written as PDF.
    #[error("PDF export failed: {}", .0.join("; "))]
    Export(Vec<String>),
    /// The spreadsheet could not be written.
    #[error("spreadsheet export failed: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}
