//! Multipart forms with evidence files: the text fields kept to show them again, each file
//! streamed to the file store and typed by content, the CSRF token checked.

use crate::AppState;
use crate::ctx::{Ctx, FormData};
use crate::error::AppError;
use axum::body::Body;
use axum::extract::multipart::Field;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use qaward_store::attachments::{UploadError, Written};
use qaward_store::post_award::EvidenceFile;

/// The most files one form carries.
pub(crate) const MAX_FILES: usize = 5;

/// A multipart form read whole: its text fields, its files written to the file store, and
/// the problem with a file, if any. The CSRF token is checked.
pub(crate) struct Upload {
    /// The text fields in order.
    pub(crate) text: Vec<(String, String)>,
    /// The files written: (name as uploaded, what was written).
    pub(crate) files: Vec<(String, Written)>,
    /// What was wrong with a file; the files before it are kept.
    pub(crate) file_error: Option<String>,
}

impl Upload {
    /// A text field, trimmed; empty when absent.
    pub(crate) fn get(&self, k: &str) -> String {
        self.text
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }
    /// The text fields as a form, to show them again.
    pub(crate) fn form(&self) -> FormData {
        FormData::from_pairs(self.text.clone())
    }
}

/// Read a multipart form whose files are fields named `file` (at most [`MAX_FILES`]), each
/// streamed to the file store and typed by content.
pub(crate) async fn read_upload(
    st: &AppState,
    c: &Ctx,
    req: axum::extract::Request,
) -> Result<Upload, AppError> {
    use axum::extract::FromRequest;
    let page = c.page();
    let Ok(mut mp) = axum::extract::Multipart::from_request(req, st).await else {
        return Err(AppError::BadForm(Box::new(page)));
    };
    let mut csrf_ok = false;
    let mut up = Upload {
        text: Vec::new(),
        files: Vec::new(),
        file_error: None,
    };
    let too_large = |limit: u64| {
        format!(
            "{}{}MB",
            page.t("“附件”：文件过大，每个文件不超过"),
            limit / 1_048_576
        )
    };
    let bad_type =
        page.t("“附件”：只接受 PDF、JPG、PNG 格式的文件（按文件内容判断，而非文件名）。");
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                up.file_error = Some(too_large(st.config.max_file));
                break;
            }
            Err(_) => return Err(AppError::BadForm(Box::new(c.page()))),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "csrf" {
            let t = field.text().await.unwrap_or_default();
            csrf_ok = !c.csrf.is_empty() && t == c.csrf;
            if !csrf_ok {
                return Err(AppError::BadForm(Box::new(c.page())));
            }
            continue;
        }
        if !csrf_ok {
            return Err(AppError::BadForm(Box::new(c.page())));
        }
        if name != "file" {
            up.text.push((name, field.text().await.unwrap_or_default()));
            continue;
        }
        let filename = field.file_name().unwrap_or_default().to_owned();
        if filename.is_empty() || up.file_error.is_some() {
            continue;
        }
        if up.files.len() >= MAX_FILES {
            up.file_error = Some(format!(
                "{}{MAX_FILES}",
                page.t("“附件”：每次最多上传的文件数为")
            ));
            continue;
        }
        match store_field(st, field).await? {
            Ok(w) => up.files.push((filename, w)),
            Err(FileFault::TooLarge(limit)) => up.file_error = Some(too_large(limit)),
            Err(FileFault::Cut) => up.file_error = Some(too_large(st.config.max_file)),
            Err(FileFault::Empty) => up.file_error = Some(page.t("“附件”：文件是空的。")),
            Err(FileFault::BadType) => up.file_error = Some(bad_type.clone()),
        }
    }
    if !csrf_ok {
        return Err(AppError::BadForm(Box::new(c.page())));
    }
    Ok(up)
}

/// Why one uploaded file was not stored.
pub(crate) enum FileFault {
    /// Over the limit (bytes).
    TooLarge(u64),
    /// Not a PDF, JPG or PNG by its content.
    BadType,
    /// Nothing in it.
    Empty,
    /// The request broke off in the middle of the file.
    Cut,
}

/// Stream one multipart file field into the file store as it arrives: the stored file, or why
/// it was refused (then nothing of it stays).
pub(crate) async fn store_field(
    st: &AppState,
    mut field: Field<'_>,
) -> Result<Result<Written, FileFault>, AppError> {
    let internal = |e: std::io::Error| AppError::Internal(e.to_string());
    let mut sink = st.files.sink(st.config.max_file).await.map_err(internal)?;
    loop {
        let fault = match field.chunk().await {
            Ok(Some(chunk)) => match sink.push(&chunk).await.map_err(internal)? {
                Ok(()) => continue,
                Err(UploadError::TooLarge(limit)) => FileFault::TooLarge(limit),
                Err(_) => FileFault::BadType,
            },
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                FileFault::TooLarge(st.config.max_file)
            }
            Err(_) => FileFault::Cut,
        };
        sink.abandon().await;
        return Ok(Err(fault));
    }
    Ok(match sink.finish().await.map_err(internal)? {
        Ok(w) => Ok(w),
        Err(UploadError::Empty) => Err(FileFault::Empty),
        Err(UploadError::TooLarge(limit)) => Err(FileFault::TooLarge(limit)),
        Err(_) => Err(FileFault::BadType),
    })
}

/// Send a stored evidence file as a download named `<prefix>-<id>` (and its own name).
pub(crate) async fn send_file(
    st: &AppState,
    c: &Ctx,
    f: &EvidenceFile,
    prefix: &str,
) -> Result<Response, AppError> {
    let disposition = format!(
        "attachment; filename=\"{prefix}-{}\"; filename*=UTF-8''{}",
        f.id,
        urlencoding::encode(&f.filename)
    );
    stream_stored(st, c, &f.filename, &f.sha256, &f.mime, f.size, disposition).await
}

/// Stream a file of the file store (`name` as people know it) as the answer, never kept by
/// shared caches. A body the store lacks is a page naming the file, not a 500.
pub(crate) async fn stream_stored(
    st: &AppState,
    c: &Ctx,
    name: &str,
    sha256: &str,
    mime: &str,
    size: i64,
    disposition: String,
) -> Result<Response, AppError> {
    let body = open_stored(st, c, name, sha256).await?;
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (header::CONTENT_LENGTH, size.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        Body::from_stream(tokio_util::io::ReaderStream::new(body)),
    )
        .into_response())
}

/// Open a body of the file store for reading; one that is missing is
/// [`AppError::FileMissing`] naming `name`.
pub(crate) async fn open_stored(
    st: &AppState,
    c: &Ctx,
    name: &str,
    sha256: &str,
) -> Result<tokio::fs::File, AppError> {
    match tokio::fs::File::open(st.files.path(sha256)).await {
        Ok(f) => Ok(f),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(AppError::FileMissing(
            format!("{name}（SHA-256 {}…）", &sha256[..sha256.len().min(12)]),
            Box::new(c.page()),
        )),
        Err(e) => Err(AppError::Internal(format!("file {sha256}: {e}"))),
    }
}
