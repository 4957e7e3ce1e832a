//! PDF documents typeset with typst.
//!
//! Templates are typst files compiled into the binary. The data for a document
//! is serialised to JSON and handed to the template through `sys.inputs.data`;
//! the template decodes it with `json(bytes(sys.inputs.data))`. User-supplied
//! text therefore only ever reaches typst as string values and is never parsed
//! as markup.

use std::path::{Path, PathBuf};

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Dict, Duration, Value};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

use crate::DocsError;

/// The font family every template uses.
pub const FONT_FAMILY: &str = "Noto Sans CJK SC";

/// Regular and bold subsets of Noto Sans CJK SC shipped inside the binary
/// (ASCII, CJK punctuation, full-width forms and all GB2312 characters).
const BUNDLED_FONTS: [&[u8]; 2] = [
    include_bytes!("../fonts/NotoSansCJKsc-Regular-subset.otf"),
    include_bytes!("../fonts/NotoSansCJKsc-Bold-subset.otf"),
];

/// Complete Noto CJK collections as installed by Debian's `fonts-noto-cjk`.
/// Used in addition to the bundled subsets when present.
pub const SYSTEM_FONT_FILES: &[&str] = &[
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
];

/// Typst files shared by all templates, importable by their file name.
const SHARED_FILES: &[(&str, &str)] = &[("common.typ", include_str!("../templates/common.typ"))];

/// Directory under which templates appear in typst's virtual file system.
const TEMPLATE_DIR: &str = "/templates";

/// The documents the engine can produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Template {
    /// 申报通知: the public call for applications of one award session.
    CallNotice,
    /// 申报回执: the receipt of a submitted application.
    Receipt,
    /// 评审报告: a review team's report on one application, with the score
    /// of every item and the team's findings (资料评审 under Art. 15 of the
    /// measures, later also 现场评审); the title comes from the data.
    ReviewReport,
    /// 综合评价报告: the comprehensive evaluation of one on-site applicant (Art. 17): the
    /// scores, the final score and its basis, the overall analysis and the advanced practices.
    EvaluationReport,
    /// 获奖证书: one winner's certificate, A4 landscape, with the QR code of its public
    /// verification page (Art. 19).
    Certificate,
    /// 表彰决定: the government's decision commending the winners (Art. 19).
    Commendation,
}

impl Template {
    /// Every template, in a stable order.
    pub const ALL: &'static [Template] = &[
        Template::CallNotice,
        Template::Receipt,
        Template::ReviewReport,
        Template::EvaluationReport,
        Template::Certificate,
        Template::Commendation,
    ];

    /// File name of the template in the virtual file system.
    pub fn file_name(self) -> &'static str {
        match self {
            Template::CallNotice => "call-notice.typ",
            Template::Receipt => "receipt.typ",
            Template::ReviewReport => "review-report.typ",
            Template::EvaluationReport => "evaluation-report.typ",
            Template::Certificate => "certificate.typ",
            Template::Commendation => "commendation.typ",
        }
    }

    fn text(self) -> &'static str {
        match self {
            Template::CallNotice => include_str!("../templates/call-notice.typ"),
            Template::Receipt => include_str!("../templates/receipt.typ"),
            Template::ReviewReport => include_str!("../templates/review-report.typ"),
            Template::EvaluationReport => include_str!("../templates/evaluation-report.typ"),
            Template::Certificate => include_str!("../templates/certificate.typ"),
            Template::Commendation => include_str!("../templates/commendation.typ"),
        }
    }
}

/// A typst source file known to the engine.
struct TemplateFile {
    id: FileId,
    text: &'static str,
    source: Source,
}

/// Typesets templates into PDF.
///
/// Construction loads and indexes the fonts, which takes a moment when the
/// system's Noto CJK collections are present; build one engine at start-up and
/// share it (it is `Send + Sync`, wrap it in an `Arc`). Rendering is
/// synchronous and CPU-bound; async callers should use `spawn_blocking`.
pub struct PdfEngine {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    files: Vec<TemplateFile>,
}

impl std::fmt::Debug for PdfEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfEngine")
            .field("fonts", &self.fonts.len())
            .field("templates", &self.files.len())
            .finish()
    }
}

impl PdfEngine {
    /// Creates an engine with the bundled fonts plus, when installed, the
    /// system's Noto CJK fonts (see [`SYSTEM_FONT_FILES`]).
    pub fn new() -> Result<Self, DocsError> {
        Self::with_system_fonts(true)
    }

    /// Creates an engine; `system_fonts` decides whether the system's Noto CJK
    /// collections are loaded in addition to the bundled subsets.
    pub fn with_system_fonts(system_fonts: bool) -> Result<Self, DocsError> {
        let mut fonts = Vec::new();
        if system_fonts {
            for path in SYSTEM_FONT_FILES {
                fonts.extend(load_font_file(Path::new(path)));
            }
            // Simplified Chinese faces first: on equal matches typst picks the
            // earliest font, and fallback should prefer SC glyph forms.
            fonts.sort_by_key(|font| !font.info().family.ends_with(" SC"));
        }
        // The bundled subsets come last so that the complete system font of
        // the same family wins whenever it is installed.
        for data in BUNDLED_FONTS {
            fonts.extend(Font::iter(Bytes::new(data)));
        }
        if fonts.is_empty() {
            return Err(DocsError::NoFonts);
        }
        let book = LazyHash::new(FontBook::from_fonts(&fonts));

        let mut files = Vec::new();
        let shared = SHARED_FILES.iter().copied();
        let templates = Template::ALL.iter().map(|t| (t.file_name(), t.text()));
        for (name, text) in shared.chain(templates) {
            let id = file_id(name);
            files.push(TemplateFile {
                id,
                text,
                source: Source::new(id, text.to_owned()),
            });
        }

        Ok(Self { book, fonts, files })
    }

    /// Number of font faces available to templates.
    pub fn font_count(&self) -> usize {
        self.fonts.len()
    }

    /// Renders `template` with `data` (available to the template as
    /// `json(bytes(sys.inputs.data))`) and returns the PDF bytes.
    pub fn render(
        &self,
        template: Template,
        data: &serde_json::Value,
    ) -> Result<Vec<u8>, DocsError> {
        self.render_counted(template, data).map(|(pdf, _)| pdf)
    }

    /// Like [`PdfEngine::render`], also returning the number of pages typeset.
    pub fn render_counted(
        &self,
        template: Template,
        data: &serde_json::Value,
    ) -> Result<(Vec<u8>, usize), DocsError> {
        let json = serde_json::to_string(data)?;
        let mut inputs = Dict::new();
        inputs.insert("data".into(), Value::Str(json.into()));
        let world = RenderWorld {
            engine: self,
            library: LazyHash::new(Library::builder().with_inputs(inputs).build()),
            main: file_id(template.file_name()),
        };

        let result = match typst::compile::<PagedDocument>(&world).output {
            Ok(document) => typst_pdf::pdf(&document, &PdfOptions::default())
                .map(|pdf| (pdf, document.pages().len()))
                .map_err(|diags| DocsError::Export(world.describe(&diags))),
            Err(diags) => Err(DocsError::Compile(world.describe(&diags))),
        };
        typst::comemo::evict(10);
        result
    }

    fn file(&self, id: FileId) -> Option<&TemplateFile> {
        self.files.iter().find(|file| file.id == id)
    }
}

/// Reads a font file, returning all faces it contains (none when the file is
/// missing or unreadable).
fn load_font_file(path: &Path) -> Vec<Font> {
    match std::fs::read(path) {
        Ok(data) => Font::iter(Bytes::new(data)).collect(),
        Err(_) => Vec::new(),
    }
}

fn file_id(name: &str) -> FileId {
    let path = format!("{TEMPLATE_DIR}/{name}");
    let vpath = VirtualPath::new(&path).expect("template paths are valid virtual paths");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

/// The typst world of a single render: the shared engine plus this render's
/// library, which carries the document data in `sys.inputs`.
struct RenderWorld<'a> {
    engine: &'a PdfEngine,
    library: LazyHash<Library>,
    main: FileId,
}

impl RenderWorld<'_> {
    /// Turns diagnostics into readable messages with file and line.
    fn describe(&self, diags: &[SourceDiagnostic]) -> Vec<String> {
        diags
            .iter()
            .map(|diag| {
                let mut message = diag.message.to_string();
                if let Some(location) = self.location(diag) {
                    message = format!("{location}: {message}");
                }
                for hint in &diag.hints {
                    message.push_str(" (hint: ");
                    message.push_str(&hint.v);
                    message.push(')');
                }
                message
            })
            .collect()
    }

    fn location(&self, diag: &SourceDiagnostic) -> Option<String> {
        let id = diag.span.id()?;
        let file = self.engine.file(id)?;
        let range = self.range(diag.span)?;
        let line = file.source.lines().byte_to_line(range.start)?;
        let name = id.get().vpath().get_without_slash().to_owned();
        Some(format!("{name}:{}", line + 1))
    }
}

impl World for RenderWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.engine.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        match self.engine.file(id) {
            Some(file) => Ok(file.source.clone()),
            None => Err(not_found(id)),
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        match self.engine.file(id) {
            Some(file) => Ok(Bytes::from_string(file.text)),
            None => Err(not_found(id)),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.engine.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(PathBuf::from(id.get().vpath().get_with_slash()))
}
