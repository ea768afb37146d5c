//! Integration tests: the real router on 127.0.0.1:0 over a per-test MariaDB database
//! (`#[sqlx::test]` creates and migrates one per test), driven over HTTP.

mod accounts;
mod alerts;
mod assets;
mod catalog;
mod categories;
mod chat;
mod courses;
mod database;
mod helpers;
mod listing_reports;
mod listings;
mod moderation;
mod notifications;
mod orders;
mod payments;
mod photos;
mod profile;
mod recovery;
mod sanctions;
mod search;
mod security;
mod shell;
mod sns;
mod verification;
mod withdrawal;
