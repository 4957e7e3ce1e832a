//! One integration-test binary: the real router on a real database (SQLite by default,
//! PostgreSQL when QAWARD_TEST_BACKEND=postgres), driven the way people use it.

mod helpers;

mod applications;
mod attachments;
mod audit;
mod auth;
mod awards;
mod backup;
mod bench;
mod browser;
mod cli;
mod conduct;
mod decision;
mod experts;
mod home;
mod i18n;
mod mail;
mod matrix;
mod onsite;
mod opinions;
mod ops;
mod post_award;
mod races;
mod recusal;
mod report_jobs;
mod review;
mod revocation;
mod schema;
mod sessions;
