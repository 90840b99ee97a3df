//! Integration tests of the `ttx` command line: one binary, a small builder, golden
//! snapshots of diagnostics and previews.

mod attack;
mod bad_inputs;
mod bounded;
mod browser;
mod console;
mod crash;
mod diskfull;
mod invite;
mod library;
mod lsp;
mod lsp_client;
mod lsp_neovim;
mod new;
mod pipes;
mod program;
mod publish;
mod report;
mod run;
mod schema;
mod serve;
mod serve_refusals;
mod served;
mod shipped;
mod show;
mod simulate;
mod support;
mod tour;
mod validate;
