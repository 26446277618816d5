//! ac-mock's integration tests, one binary: every module speaks raw HTTP (or raw sockets) to
//! an in-process server or to the built `ac-mock` binary, through the helpers in `common`.

#![allow(missing_docs, clippy::unwrap_used)]

mod common;

mod accounts;
mod addresses;
mod automations;
mod binary;
mod binary_ops;
mod brandings;
mod bulk_import;
mod campaigns;
mod contact_deals;
mod contact_lists;
mod contacts;
mod deals;
mod ecom;
mod entity_fields;
mod fidelity;
mod fields;
mod forms;
mod groups;
mod infrastructure;
mod journal;
mod lists;
mod notes;
mod ops;
mod robustness;
mod saved_responses;
mod scale;
mod scores;
mod segments;
mod server;
mod tags;
mod tasks;
mod tracking;
mod users;
mod webhooks;
mod webhooks_out;
