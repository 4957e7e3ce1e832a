//! Every route of the application, by area. Each handler authorizes through `Ctx::authorize`
//! before it reads or writes anything.

pub mod account;
pub mod admin;
pub mod applications;
pub mod attachments;
pub mod audit;
pub mod awards;
pub mod conduct;
pub mod decision;
pub mod experts;
pub mod notifications;
pub mod office;
pub mod onsite;
pub mod opinions;
pub mod post_award;
pub mod public;
pub mod recusal;
pub mod report_jobs;
pub mod review;
pub mod revocation;
pub mod scoped;
pub mod scoring;
pub(crate) mod upload;

use crate::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

/// The routes. The route × role matrix test walks [`ROUTES`].
pub fn router(state: AppState) -> Router {
    // Uploads stream to the file store; their body limit is the largest file plus the form.
    let upload_limit = DefaultBodyLimit::max(
        usize::try_from(state.config.max_file + 1_048_576).unwrap_or(usize::MAX),
    );
    Router::new()
        .route("/", get(public::home))
        .route("/healthz", get(public::healthz))
        .route("/static/app.css", get(public::css))
        .route("/sessions/{id}", get(public::session_page))
        .route("/sessions/{id}/call.pdf", get(public::call_pdf))
        .route("/rules/{id}", get(public::rule_set_page))
        .route("/lang/{lang}", get(account::set_lang))
        .route("/login", get(account::login_page).post(account::login))
        .route("/logout", post(account::logout))
        .route("/dashboard", get(scoped::dashboard))
        .route("/notifications", get(notifications::list))
        .route("/notifications/{nid}/read", post(notifications::mark_read))
        .route(
            "/account/password",
            get(account::password_page).post(account::change_password),
        )
        .route("/office", get(office::programmes))
        .route("/office/programmes/new", get(office::new_programme_page))
        .route("/office/programmes", post(office::create_programme))
        .route("/office/programmes/{pid}", get(office::programme_page))
        .route(
            "/office/programmes/{pid}/rulesets",
            post(office::load_rule_set),
        )
        .route(
            "/office/programmes/{pid}/sessions",
            post(office::create_session),
        )
        .route("/office/sessions/{sid}", get(office::session_page))
        .route("/office/sessions/{sid}/windows", post(office::set_windows))
        .route(
            "/office/sessions/{sid}/advance",
            get(office::advance_page).post(office::advance),
        )
        .route("/office/sessions.xlsx", get(office::sessions_xlsx))
        .route("/static/app.js", get(public::js))
        .route(
            "/register",
            get(applications::register_page).post(applications::register),
        )
        .route("/org/{oid}/applications", post(applications::start))
        .route("/org/{oid}/users", post(applications::add_user))
        .route("/applications/{aid}", get(applications::task_list))
        .route(
            "/applications/{aid}/s/{key}",
            get(applications::section_get).post(applications::section_post),
        )
        .route(
            "/applications/{aid}/s/{key}/autosave",
            post(applications::autosave),
        )
        .route(
            "/applications/{aid}/submit",
            get(applications::submit_page).post(applications::submit),
        )
        .route("/applications/{aid}/receipt", get(applications::receipt))
        .route(
            "/applications/{aid}/receipt.pdf",
            get(applications::receipt_pdf),
        )
        .route("/applications/{aid}/withdraw", post(applications::withdraw))
        .route(
            "/applications/{aid}/evidence",
            get(attachments::evidence_page)
                .post(attachments::upload)
                .layer(upload_limit),
        )
        .route("/attachments/{att}", get(attachments::download))
        .route("/attachments/{att}/remove", post(attachments::remove))
        .route(
            "/county/applications/{aid}/letter",
            post(attachments::county_letter).layer(upload_limit),
        )
        .route("/county/{cid}", get(review::county_page))
        .route("/county/{cid}/forward", post(review::county_forward))
        .route(
            "/county/applications/{aid}",
            get(review::county_review_page).post(review::county_decide),
        )
        .route(
            "/office/sessions/{sid}/applications",
            get(review::office_list),
        )
        .route(
            "/office/sessions/{sid}/applications.xlsx",
            get(review::office_list_xlsx),
        )
        .route(
            "/office/applications/{aid}",
            get(review::office_review_page).post(review::office_decide),
        )
        .route("/department/{did}", get(scoped::department_page))
        .route(
            "/office/sessions/{sid}/opinions",
            get(opinions::office_page).post(opinions::office_create),
        )
        .route(
            "/office/opinions/{rid}/remind",
            post(opinions::office_remind),
        )
        .route(
            "/department/requests/{rid}",
            get(opinions::department_page).post(opinions::department_answer),
        )
        .route("/org/{oid}", get(scoped::organisation_page))
        .route("/discipline/audit", get(audit::discipline_log))
        .route(
            "/admin/users",
            get(admin::users_page).post(admin::create_user),
        )
        .route("/admin/users/{uid}/state", post(admin::set_user_state))
        .route(
            "/admin/security",
            get(admin::security_page).post(admin::set_security),
        )
        .route("/admin/audit", get(audit::admin_log))
        .route("/office/sessions/{sid}/review", get(scoring::office_page))
        .route("/office/sessions/{sid}/teams", post(scoring::create_team))
        .route("/office/teams/{tid}/remove", post(scoring::remove_team))
        .route(
            "/office/sessions/{sid}/teams/publish",
            post(scoring::publish_teams),
        )
        .route("/office/sessions/{sid}/assignment", post(scoring::propose))
        .route(
            "/office/assignment-runs/{run}/accept",
            post(scoring::accept),
        )
        .route(
            "/office/review/applications/{aid}/team",
            post(scoring::assign),
        )
        .route(
            "/office/sessions/{sid}/review.xlsx",
            get(scoring::export_xlsx),
        )
        .route("/office/sessions/{sid}/ranking", get(scoring::ranking))
        .route(
            "/office/sessions/{sid}/onsite",
            post(scoring::decide_onsite),
        )
        .route("/review", get(scoring::desk))
        .route(
            "/review/sessions/{sid}/declaration",
            get(scoring::declaration_page).post(scoring::declaration_sign),
        )
        .route("/review/applications/{aid}", get(scoring::application))
        .route(
            "/review/applications/{aid}/conflict",
            post(scoring::declare_conflict),
        )
        .route(
            "/review/applications/{aid}/score",
            get(scoring::scorebook).post(scoring::score_save),
        )
        .route(
            "/review/applications/{aid}/score/autosave",
            post(scoring::score_autosave),
        )
        .route(
            "/review/applications/{aid}/score/submit",
            post(scoring::score_submit),
        )
        .route(
            "/review/applications/{aid}/consensus",
            get(scoring::consensus).post(scoring::consensus_save),
        )
        .route("/review/applications/{aid}/report", get(scoring::report))
        .route(
            "/review/applications/{aid}/report.pdf",
            get(scoring::report_pdf),
        )
        .route(
            "/office/programmes/{pid}/experts",
            get(experts::pool_page).post(experts::add_expert),
        )
        .route(
            "/office/programmes/{pid}/experts.xlsx",
            get(experts::pool_xlsx),
        )
        .route(
            "/office/programmes/{pid}/experts/import",
            post(experts::import).layer(upload_limit),
        )
        .route(
            "/office/experts/{eid}",
            get(experts::profile_page).post(experts::update_expert),
        )
        .route("/office/experts/{eid}/history", post(experts::add_history))
        .route(
            "/office/experts/{eid}/employment/{row}/end",
            post(experts::end_job),
        )
        .route("/office/experts/{eid}/sanctions", post(experts::sanction))
        .route(
            "/review/applications/{aid}/onsite/plan",
            get(onsite::plan_page).post(onsite::plan_save),
        )
        .route(
            "/review/applications/{aid}/onsite/visit",
            get(onsite::visit_page).post(onsite::visit_save),
        )
        .route(
            "/review/applications/{aid}/onsite/score",
            get(scoring::onsite_scorebook).post(scoring::onsite_score_save),
        )
        .route(
            "/review/applications/{aid}/onsite/score/autosave",
            post(scoring::onsite_score_autosave),
        )
        .route(
            "/review/applications/{aid}/onsite/score/submit",
            post(scoring::onsite_score_submit),
        )
        .route(
            "/review/applications/{aid}/onsite/consensus",
            get(scoring::onsite_consensus).post(scoring::onsite_consensus_save),
        )
        .route(
            "/review/applications/{aid}/onsite/report",
            get(scoring::onsite_report),
        )
        .route(
            "/review/applications/{aid}/onsite/report.pdf",
            get(scoring::onsite_report_pdf),
        )
        .route(
            "/review/applications/{aid}/evaluation",
            get(onsite::evaluation_page).post(onsite::evaluation_save),
        )
        .route(
            "/review/applications/{aid}/evaluation.pdf",
            get(onsite::evaluation_pdf),
        )
        .route("/applications/{aid}/onsite", get(onsite::applicant_page))
        .route(
            "/applications/{aid}/practices/{practice}/secret",
            post(onsite::mark_secret),
        )
        .route("/office/sessions/{sid}/final", get(onsite::final_page))
        .route(
            "/office/review/applications/{aid}/onsite/release",
            post(onsite::release),
        )
        .route("/sessions/{id}/notice", get(public::notice_page))
        .route(
            "/sessions/{id}/objections/new",
            get(public::objection_new)
                .post(public::objection_create)
                .layer(DefaultBodyLimit::max(
                    usize::try_from(state.config.max_file * 5 + 1_048_576).unwrap_or(usize::MAX),
                )),
        )
        .route(
            "/objections/track",
            get(public::track_page).post(public::track),
        )
        .route("/office/sessions/{sid}/decision", get(decision::page))
        .route(
            "/office/sessions/{sid}/proposal",
            post(decision::save_proposal),
        )
        .route(
            "/office/sessions/{sid}/proposal/submit",
            post(decision::submit_proposal),
        )
        .route(
            "/office/sessions/{sid}/meeting",
            post(decision::save_meeting),
        )
        .route(
            "/office/sessions/{sid}/meeting/votes",
            post(decision::save_votes),
        )
        .route(
            "/office/sessions/{sid}/meeting/confirm",
            post(decision::confirm_meeting),
        )
        .route(
            "/office/sessions/{sid}/notice",
            post(decision::publish_notice),
        )
        .route(
            "/office/sessions/{sid}/notice/close",
            post(decision::close_notice),
        )
        .route(
            "/office/sessions/{sid}/objections",
            get(decision::objections_page),
        )
        .route(
            "/office/objections/{oid}",
            get(decision::objection_page).post(decision::objection_step),
        )
        .route(
            "/office/objections/{oid}/files/{fid}",
            get(decision::objection_file),
        )
        .route("/office/sessions/{sid}/award", get(awards::award_page))
        .route(
            "/office/sessions/{sid}/approval",
            post(awards::record_approval),
        )
        .route(
            "/office/sessions/{sid}/commendation",
            post(awards::record_commendation),
        )
        .route(
            "/office/sessions/{sid}/commendation.pdf",
            get(awards::commendation_pdf),
        )
        .route(
            "/office/sessions/{sid}/certificates",
            post(awards::issue_certificates),
        )
        .route(
            "/applications/{aid}/certificate.pdf",
            get(awards::certificate_pdf),
        )
        .route(
            "/office/applications/{aid}/plaque",
            post(awards::record_plaque),
        )
        .route(
            "/office/sessions/{sid}/payments",
            get(awards::payments_page),
        )
        .route(
            "/office/sessions/{sid}/payments.xlsx",
            get(awards::payments_xlsx),
        )
        .route(
            "/office/applications/{aid}/payment",
            post(awards::record_payment),
        )
        .route(
            "/office/sessions/{sid}/budget",
            post(awards::add_budget_line),
        )
        .route(
            "/office/sessions/{sid}/announcements",
            get(awards::announcements_page).post(awards::post_announcement),
        )
        .route(
            "/office/sessions/{sid}/announcements/publish",
            post(awards::publish_announcement),
        )
        .route("/verify", get(awards::verify_lookup))
        .route("/verify/{serial}", get(awards::verify))
        .route(
            "/office/programmes/{pid}/revocations",
            get(revocation::list_page)
                .post(revocation::open_case)
                .layer(DefaultBodyLimit::max(
                    usize::try_from(state.config.max_file * 5 + 1_048_576).unwrap_or(usize::MAX),
                )),
        )
        .route(
            "/office/sessions/{sid}/report-jobs",
            get(report_jobs::list_page).post(report_jobs::start),
        )
        .route("/office/report-jobs/{jid}", get(report_jobs::job_page))
        .route(
            "/office/report-jobs/{jid}/progress",
            get(report_jobs::progress),
        )
        .route(
            "/office/report-jobs/{jid}/reports.zip",
            get(report_jobs::download),
        )
        .route("/revocations/{rvid}", get(revocation::case_page))
        .route(
            "/revocations/{rvid}/files/{file}",
            get(revocation::case_file),
        )
        .route(
            "/office/revocations/{rvid}/submit",
            post(revocation::submit),
        )
        .route(
            "/office/revocations/{rvid}/decision",
            post(revocation::decide),
        )
        .route(
            "/office/revocations/{rvid}/publish",
            post(revocation::publish),
        )
        .route(
            "/office/revocations/{rvid}/returns",
            post(revocation::record_return),
        )
        .route("/applications/{aid}/conduct", get(conduct::applicant_list))
        .route(
            "/applications/{aid}/conduct/{eid}",
            get(conduct::applicant_form).post(conduct::applicant_save),
        )
        .route("/review/conduct", get(conduct::reviewer_list))
        .route(
            "/review/applications/{aid}/conduct",
            get(conduct::reviewer_form).post(conduct::reviewer_save),
        )
        .route("/discipline/conduct", get(conduct::discipline_page))
        .route("/discipline/ratings/{rid}", get(conduct::rating_page))
        .route(
            "/complaints",
            get(conduct::complaints_page)
                .post(conduct::file_complaint)
                .layer(DefaultBodyLimit::max(
                    usize::try_from(state.config.max_file * 5 + 1_048_576).unwrap_or(usize::MAX),
                )),
        )
        .route("/complaints/{cid}", get(conduct::own_complaint))
        .route(
            "/complaints/{cid}/files/{file}",
            get(conduct::complaint_file),
        )
        .route(
            "/discipline/complaints/{cid}",
            get(conduct::handle_page).post(conduct::handle_step),
        )
        .route("/discipline/audit.csv", get(audit::discipline_csv))
        .route("/discipline/audit.xlsx", get(audit::discipline_xlsx))
        .route(
            "/applications/{aid}/post-award",
            get(post_award::winner_page),
        )
        .route(
            "/applications/{aid}/reports/{year}",
            get(post_award::report_form_page)
                .post(post_award::report_save)
                .layer(DefaultBodyLimit::max(
                    usize::try_from(state.config.max_file * 5 + 1_048_576).unwrap_or(usize::MAX),
                )),
        )
        .route("/reports/{report}", get(post_award::report_page))
        .route(
            "/reports/{report}/files/{file}",
            get(post_award::report_file),
        )
        .route(
            "/office/sessions/{sid}/reports",
            get(post_award::office_reports),
        )
        .route(
            "/office/sessions/{sid}/reports.xlsx",
            get(post_award::office_reports_xlsx),
        )
        .route("/county/{cid}/reports", get(post_award::county_reports))
        .route(
            "/office/programmes/{pid}/title-cases",
            get(post_award::cases_page)
                .post(post_award::open_case)
                .layer(DefaultBodyLimit::max(
                    usize::try_from(state.config.max_file * 5 + 1_048_576).unwrap_or(usize::MAX),
                )),
        )
        .route(
            "/office/title-cases/{tcid}",
            get(post_award::case_page).post(post_award::case_step),
        )
        .route(
            "/office/title-cases/{tcid}/files/{file}",
            get(post_award::case_file),
        )
        .route(
            "/forgery-report",
            get(post_award::forgery_page)
                .post(post_award::forgery_report)
                .layer(DefaultBodyLimit::max(
                    usize::try_from(state.config.max_file * 5 + 1_048_576).unwrap_or(usize::MAX),
                )),
        )
        .route(
            "/office/applications/{aid}/managers",
            get(post_award::managers_page).post(post_award::add_manager),
        )
        .route("/office/recusals/{rid}", get(recusal::page))
        .route("/office/recusals/{rid}/substitute", post(recusal::choose))
        .fallback(public::not_found)
        .with_state(state)
}

/// Method and path pattern of every route, for the authorization matrix test.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/healthz"),
    ("GET", "/static/app.css"),
    ("GET", "/sessions/{id}"),
    ("GET", "/sessions/{id}/call.pdf"),
    ("GET", "/rules/{id}"),
    ("GET", "/lang/{lang}"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/dashboard"),
    ("GET", "/notifications"),
    ("POST", "/notifications/{nid}/read"),
    ("GET", "/account/password"),
    ("POST", "/account/password"),
    ("GET", "/office"),
    ("GET", "/office/programmes/new"),
    ("POST", "/office/programmes"),
    ("GET", "/office/programmes/{pid}"),
    ("POST", "/office/programmes/{pid}/rulesets"),
    ("POST", "/office/programmes/{pid}/sessions"),
    ("GET", "/office/sessions/{sid}"),
    ("POST", "/office/sessions/{sid}/windows"),
    ("GET", "/office/sessions/{sid}/advance"),
    ("POST", "/office/sessions/{sid}/advance"),
    ("GET", "/office/sessions.xlsx"),
    ("GET", "/static/app.js"),
    ("GET", "/register"),
    ("POST", "/register"),
    ("POST", "/org/{oid}/applications"),
    ("POST", "/org/{oid}/users"),
    ("GET", "/applications/{aid}"),
    ("GET", "/applications/{aid}/s/{key}"),
    ("POST", "/applications/{aid}/s/{key}"),
    ("POST", "/applications/{aid}/s/{key}/autosave"),
    ("GET", "/applications/{aid}/submit"),
    ("POST", "/applications/{aid}/submit"),
    ("GET", "/applications/{aid}/receipt"),
    ("GET", "/applications/{aid}/receipt.pdf"),
    ("POST", "/applications/{aid}/withdraw"),
    ("GET", "/applications/{aid}/evidence"),
    ("POST", "/applications/{aid}/evidence"),
    ("GET", "/attachments/{att}"),
    ("POST", "/attachments/{att}/remove"),
    ("POST", "/county/applications/{aid}/letter"),
    ("GET", "/county/{cid}"),
    ("POST", "/county/{cid}/forward"),
    ("GET", "/county/applications/{aid}"),
    ("POST", "/county/applications/{aid}"),
    ("GET", "/office/sessions/{sid}/applications"),
    ("GET", "/office/sessions/{sid}/applications.xlsx"),
    ("GET", "/office/applications/{aid}"),
    ("POST", "/office/applications/{aid}"),
    ("GET", "/department/{did}"),
    ("GET", "/office/sessions/{sid}/opinions"),
    ("POST", "/office/sessions/{sid}/opinions"),
    ("POST", "/office/opinions/{rid}/remind"),
    ("GET", "/department/requests/{rid}"),
    ("POST", "/department/requests/{rid}"),
    ("GET", "/org/{oid}"),
    ("GET", "/discipline/audit"),
    ("GET", "/admin/users"),
    ("POST", "/admin/users"),
    ("POST", "/admin/users/{uid}/state"),
    ("GET", "/admin/security"),
    ("POST", "/admin/security"),
    ("GET", "/admin/audit"),
    ("GET", "/office/sessions/{sid}/review"),
    ("POST", "/office/sessions/{sid}/teams"),
    ("POST", "/office/teams/{tid}/remove"),
    ("POST", "/office/sessions/{sid}/teams/publish"),
    ("POST", "/office/sessions/{sid}/assignment"),
    ("POST", "/office/assignment-runs/{run}/accept"),
    ("POST", "/office/review/applications/{aid}/team"),
    ("GET", "/office/sessions/{sid}/review.xlsx"),
    ("GET", "/office/sessions/{sid}/ranking"),
    ("POST", "/office/sessions/{sid}/onsite"),
    ("GET", "/review"),
    ("GET", "/review/sessions/{sid}/declaration"),
    ("POST", "/review/sessions/{sid}/declaration"),
    ("GET", "/review/applications/{aid}"),
    ("POST", "/review/applications/{aid}/conflict"),
    ("GET", "/review/applications/{aid}/score"),
    ("POST", "/review/applications/{aid}/score"),
    ("POST", "/review/applications/{aid}/score/autosave"),
    ("POST", "/review/applications/{aid}/score/submit"),
    ("GET", "/review/applications/{aid}/consensus"),
    ("POST", "/review/applications/{aid}/consensus"),
    ("GET", "/review/applications/{aid}/report"),
    ("GET", "/review/applications/{aid}/report.pdf"),
    ("GET", "/office/programmes/{pid}/experts"),
    ("POST", "/office/programmes/{pid}/experts"),
    ("GET", "/office/programmes/{pid}/experts.xlsx"),
    ("POST", "/office/programmes/{pid}/experts/import"),
    ("GET", "/office/experts/{eid}"),
    ("POST", "/office/experts/{eid}"),
    ("POST", "/office/experts/{eid}/history"),
    ("POST", "/office/experts/{eid}/employment/{row}/end"),
    ("POST", "/office/experts/{eid}/sanctions"),
    ("GET", "/review/applications/{aid}/onsite/plan"),
    ("POST", "/review/applications/{aid}/onsite/plan"),
    ("GET", "/review/applications/{aid}/onsite/visit"),
    ("POST", "/review/applications/{aid}/onsite/visit"),
    ("GET", "/review/applications/{aid}/onsite/score"),
    ("POST", "/review/applications/{aid}/onsite/score"),
    ("POST", "/review/applications/{aid}/onsite/score/autosave"),
    ("POST", "/review/applications/{aid}/onsite/score/submit"),
    ("GET", "/review/applications/{aid}/onsite/consensus"),
    ("POST", "/review/applications/{aid}/onsite/consensus"),
    ("GET", "/review/applications/{aid}/onsite/report"),
    ("GET", "/review/applications/{aid}/onsite/report.pdf"),
    ("GET", "/review/applications/{aid}/evaluation"),
    ("POST", "/review/applications/{aid}/evaluation"),
    ("GET", "/review/applications/{aid}/evaluation.pdf"),
    ("GET", "/applications/{aid}/onsite"),
    ("POST", "/applications/{aid}/practices/{practice}/secret"),
    ("GET", "/office/sessions/{sid}/final"),
    ("POST", "/office/review/applications/{aid}/onsite/release"),
    ("GET", "/sessions/{id}/notice"),
    ("GET", "/sessions/{id}/objections/new"),
    ("POST", "/sessions/{id}/objections/new"),
    ("GET", "/objections/track"),
    ("POST", "/objections/track"),
    ("GET", "/office/sessions/{sid}/decision"),
    ("POST", "/office/sessions/{sid}/proposal"),
    ("POST", "/office/sessions/{sid}/proposal/submit"),
    ("POST", "/office/sessions/{sid}/meeting"),
    ("POST", "/office/sessions/{sid}/meeting/votes"),
    ("POST", "/office/sessions/{sid}/meeting/confirm"),
    ("POST", "/office/sessions/{sid}/notice"),
    ("POST", "/office/sessions/{sid}/notice/close"),
    ("GET", "/office/sessions/{sid}/objections"),
    ("GET", "/office/objections/{oid}"),
    ("POST", "/office/objections/{oid}"),
    ("GET", "/office/objections/{oid}/files/{fid}"),
    ("GET", "/office/sessions/{sid}/award"),
    ("POST", "/office/sessions/{sid}/approval"),
    ("POST", "/office/sessions/{sid}/commendation"),
    ("GET", "/office/sessions/{sid}/commendation.pdf"),
    ("POST", "/office/sessions/{sid}/certificates"),
    ("GET", "/applications/{aid}/certificate.pdf"),
    ("POST", "/office/applications/{aid}/plaque"),
    ("GET", "/office/sessions/{sid}/payments"),
    ("GET", "/office/sessions/{sid}/payments.xlsx"),
    ("POST", "/office/applications/{aid}/payment"),
    ("POST", "/office/sessions/{sid}/budget"),
    ("GET", "/office/sessions/{sid}/announcements"),
    ("POST", "/office/sessions/{sid}/announcements"),
    ("POST", "/office/sessions/{sid}/announcements/publish"),
    ("GET", "/verify"),
    ("GET", "/verify/{serial}"),
    ("GET", "/office/programmes/{pid}/revocations"),
    ("POST", "/office/programmes/{pid}/revocations"),
    ("GET", "/revocations/{rvid}"),
    ("GET", "/revocations/{rvid}/files/{file}"),
    ("POST", "/office/revocations/{rvid}/submit"),
    ("POST", "/office/revocations/{rvid}/decision"),
    ("POST", "/office/revocations/{rvid}/publish"),
    ("POST", "/office/revocations/{rvid}/returns"),
    ("GET", "/office/sessions/{sid}/report-jobs"),
    ("POST", "/office/sessions/{sid}/report-jobs"),
    ("GET", "/office/report-jobs/{jid}"),
    ("GET", "/office/report-jobs/{jid}/progress"),
    ("GET", "/office/report-jobs/{jid}/reports.zip"),
    ("GET", "/applications/{aid}/conduct"),
    ("GET", "/applications/{aid}/conduct/{eid}"),
    ("POST", "/applications/{aid}/conduct/{eid}"),
    ("GET", "/review/conduct"),
    ("GET", "/review/applications/{aid}/conduct"),
    ("POST", "/review/applications/{aid}/conduct"),
    ("GET", "/discipline/conduct"),
    ("GET", "/discipline/ratings/{rid}"),
    ("GET", "/complaints"),
    ("POST", "/complaints"),
    ("GET", "/complaints/{cid}"),
    ("GET", "/complaints/{cid}/files/{file}"),
    ("GET", "/discipline/complaints/{cid}"),
    ("POST", "/discipline/complaints/{cid}"),
    ("GET", "/discipline/audit.csv"),
    ("GET", "/discipline/audit.xlsx"),
    ("GET", "/applications/{aid}/post-award"),
    ("GET", "/applications/{aid}/reports/{year}"),
    ("POST", "/applications/{aid}/reports/{year}"),
    ("GET", "/reports/{report}"),
    ("GET", "/reports/{report}/files/{file}"),
    ("GET", "/office/sessions/{sid}/reports"),
    ("GET", "/office/sessions/{sid}/reports.xlsx"),
    ("GET", "/county/{cid}/reports"),
    ("GET", "/office/programmes/{pid}/title-cases"),
    ("POST", "/office/programmes/{pid}/title-cases"),
    ("GET", "/office/title-cases/{tcid}"),
    ("POST", "/office/title-cases/{tcid}"),
    ("GET", "/office/title-cases/{tcid}/files/{file}"),
    ("GET", "/forgery-report"),
    ("POST", "/forgery-report"),
    ("GET", "/office/applications/{aid}/managers"),
    ("POST", "/office/applications/{aid}/managers"),
    ("GET", "/office/recusals/{rid}"),
    ("POST", "/office/recusals/{rid}/substitute"),
];
