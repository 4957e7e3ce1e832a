//! The `qaward` binary's library: setting up a programme with the shipped rules, and building
//! the fictional demonstration data.

pub mod bench;
pub mod config;
pub mod demo;
pub mod demo_2024;
pub mod demo_conduct;
pub mod demo_post_award;
pub mod demo_recusal;
pub mod demo_review;
pub mod demo_revocation;
pub mod setup;
