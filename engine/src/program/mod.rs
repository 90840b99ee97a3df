//! The program: the series of exercises of one organisation. The [`ledger`] of action
//! items, the [`status`] computed from it, the [`dashboard`], and anonymized publication
//! ([`anonymize`], [`publish`]), and an exercise on [`record`]: a journal read back.

pub mod anonymize;
pub mod changes;
pub mod dashboard;
pub mod fold;
pub mod invitation;
pub mod leak_check;
pub mod ledger;
pub mod names;
pub mod publish;
pub mod record;
pub mod status;
