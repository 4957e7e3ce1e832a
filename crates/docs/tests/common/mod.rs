//! Reading typeset PDFs back with poppler's tools, shared by the document tests.

#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};

/// Runs a poppler tool on a PDF, if the tool is installed. Each call writes
/// its own temporary file, so tests running side by side never read each
/// other's document.
pub fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> Option<String> {
    let mut file = tempfile::Builder::new()
        .prefix("qaward-docs-")
        .suffix(".pdf")
        .tempfile()
        .ok()?;
    file.write_all(pdf).ok()?;
    file.flush().ok()?;
    let mut command = Command::new(tool);
    command.args(args).arg(file.path());
    if tool == "pdftotext" {
        command.arg("-");
    }
    let output = command.stderr(Stdio::null()).output().ok()?;
    assert!(output.status.success(), "{tool} failed");
    Some(String::from_utf8(output.stdout).expect("UTF-8 output"))
}

/// The text of a PDF through pdftotext, if installed.
pub fn pdftotext(pdf: &[u8]) -> Option<String> {
    poppler("pdftotext", &["-enc", "UTF-8"], pdf)
}

/// pdftotext may break lines and insert spaces between CJK glyphs.
pub fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}
