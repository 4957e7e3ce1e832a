//! QAward pure domain: rule sets, criteria, citations. No IO beyond reading a
//! policy file on request.

pub mod anchor;
pub mod application;
pub mod assignment;
pub mod audit;
pub mod authz;
pub mod award;
pub mod citation;
pub mod clock;
pub mod county;
pub mod credit_code;
pub mod criteria;
pub mod decision;
pub mod eligibility;
pub mod experts;
pub mod id_number;
pub mod industry;
pub mod labels;
pub mod password;
pub mod post_award;
pub mod privacy;
pub mod refusal;
pub mod registration;
pub mod revocation;
pub mod rulefile;
pub mod rules;
pub mod scoring;
pub mod session;
pub mod signin;
