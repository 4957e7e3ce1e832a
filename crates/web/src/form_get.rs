//! A GET on an address that only takes a form's POST (a refresh after posting, a bookmarked
//! action, a link copied from the address bar) goes to the page the form lives on, never to
//! the browser's bare "405".

use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

/// Whether `path` matches the route `pattern` (`{x}` matches one segment).
fn matches(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    let q: Vec<&str> = path.trim_matches('/').split('/').collect();
    p.len() == q.len()
        && p.iter()
            .zip(&q)
            .all(|(a, b)| (a.starts_with('{') && a.ends_with('}') && !b.is_empty()) || a == b)
}

/// Whether some GET route answers `path`.
fn has_page(path: &str) -> bool {
    static GETS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    GETS.get_or_init(|| {
        crate::routes::route_list()
            .into_iter()
            .filter(|(m, _)| *m == "GET")
            .map(|(_, p)| p)
            .collect()
    })
    .iter()
    .any(|p| matches(p, path))
}

/// Forms whose page is not the address above them: (form's route, page's route, with the same
/// `{…}` segments kept in order).
const PAGES: &[(&str, &str)] = &[
    (
        "/office/sessions/{sid}/teams",
        "/office/sessions/{sid}/review",
    ),
    (
        "/office/sessions/{sid}/teams/publish",
        "/office/sessions/{sid}/review",
    ),
    (
        "/office/sessions/{sid}/assignment",
        "/office/sessions/{sid}/review",
    ),
    (
        "/office/sessions/{sid}/onsite",
        "/office/sessions/{sid}/ranking",
    ),
    (
        "/office/sessions/{sid}/proposal",
        "/office/sessions/{sid}/decision",
    ),
    (
        "/office/sessions/{sid}/proposal/submit",
        "/office/sessions/{sid}/decision",
    ),
    (
        "/office/sessions/{sid}/meeting",
        "/office/sessions/{sid}/decision",
    ),
    (
        "/office/sessions/{sid}/meeting/votes",
        "/office/sessions/{sid}/decision",
    ),
    (
        "/office/sessions/{sid}/meeting/confirm",
        "/office/sessions/{sid}/decision",
    ),
    (
        "/office/sessions/{sid}/notice",
        "/office/sessions/{sid}/decision",
    ),
    (
        "/office/sessions/{sid}/notice/close",
        "/office/sessions/{sid}/decision",
    ),
    (
        "/office/sessions/{sid}/approval",
        "/office/sessions/{sid}/award",
    ),
    (
        "/office/sessions/{sid}/commendation",
        "/office/sessions/{sid}/award",
    ),
    (
        "/office/sessions/{sid}/certificates",
        "/office/sessions/{sid}/award",
    ),
    (
        "/office/sessions/{sid}/budget",
        "/office/sessions/{sid}/payments",
    ),
    ("/office/sessions/{sid}/windows", "/office/sessions/{sid}"),
    (
        "/office/applications/{aid}/payment",
        "/office/applications/{aid}",
    ),
    (
        "/office/applications/{aid}/plaque",
        "/office/applications/{aid}",
    ),
    (
        "/office/review/applications/{aid}/team",
        "/office/applications/{aid}",
    ),
    (
        "/office/review/applications/{aid}/onsite/release",
        "/office/applications/{aid}",
    ),
    ("/office/programmes", "/office"),
    ("/org/{oid}/applications", "/org/{oid}"),
    ("/org/{oid}/users", "/org/{oid}"),
    (
        "/county/applications/{aid}/letter",
        "/county/applications/{aid}",
    ),
    ("/logout", "/"),
];

/// The page a GET on `path` should go to, when `path` takes only POST.
pub fn page_of(path: &str) -> String {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    for (form, page) in PAGES {
        if matches(form, path) {
            let vals: Vec<&str> = form
                .trim_matches('/')
                .split('/')
                .zip(&segs)
                .filter(|(p, _)| p.starts_with('{'))
                .map(|(_, v)| *v)
                .collect();
            let mut vals = vals.into_iter();
            let out: Vec<String> = page
                .trim_matches('/')
                .split('/')
                .map(|p| {
                    if p.starts_with('{') {
                        vals.next().unwrap_or_default().to_owned()
                    } else {
                        p.to_owned()
                    }
                })
                .collect();
            return format!("/{}", out.join("/"));
        }
    }
    let mut s = segs;
    while s.len() > 1 {
        s.pop();
        let up = format!("/{}", s.join("/"));
        if has_page(&up) {
            return up;
        }
    }
    "/dashboard".into()
}

/// The layer: a 405 to a GET becomes a redirect to the form's page.
pub async fn redirect_get(req: Request, next: Next) -> Response {
    let get = req.method() == Method::GET;
    let path = req.uri().path().to_owned();
    let resp = next.run(req).await;
    if get && resp.status() == StatusCode::METHOD_NOT_ALLOWED {
        return Redirect::to(&page_of(&path)).into_response();
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_address_leads_to_its_page() {
        assert_eq!(page_of("/county/3/forward"), "/county/3");
        assert_eq!(page_of("/applications/7/withdraw"), "/applications/7");
        assert_eq!(
            page_of("/office/sessions/2/meeting/votes"),
            "/office/sessions/2/decision"
        );
        assert_eq!(
            page_of("/office/review/applications/9/team"),
            "/office/applications/9"
        );
        assert_eq!(page_of("/notifications/5/read"), "/notifications");
        assert_eq!(page_of("/logout"), "/");
    }
}
