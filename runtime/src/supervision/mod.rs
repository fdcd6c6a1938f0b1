//! Supervision: restarting failed actors with fresh state, behind typed
//! references that stay valid across restarts.
//!
//! - [`strategy`]: which children restart ([`Strategy`]), whether a child
//!   restarts at all ([`Restart`]), and the per-failure [`Directive`].
//! - [`backoff`]: the delays between restarts.
//! - [`error`]: [`SupervisorError`], and [`Ignore`] for a declined start.
//! - [`spec`]: the supervisor's record of a child and what
//!   [`SupervisorClient::children`] reports of it.
//! - [`slot`]: the child's lasting part (cell and mailbox);
//!   [`handover`]: how its mailbox passes between its tasks and the slot;
//!   [`child`]: the child's task.
//! - [`supervisor`]: the [`Supervisor`] actor: starting, failures,
//!   restarts, giving up; [`admin`]: child administration and the ways one
//!   child's instance ends; [`starting`]: starts that do not block the
//!   supervisor; [`builder`] and [`client`]: declaring a
//!   supervisor and talking to it.

mod admin;
mod backoff;
mod builder;
pub(crate) mod child;
mod client;
mod error;
mod handover;
pub(crate) mod slot;
mod spec;
mod starting;
mod strategy;
mod supervisor;

pub use backoff::Backoff;
pub use builder::{ChildBuilder, SupervisorBuilder};
pub use client::{ChildKey, SupervisorClient};
pub use error::{Ignore, SupervisorError};
pub use spec::{ChildCounts, ChildInfo, ChildState};
pub use strategy::{Directive, Restart, Strategy};
pub use supervisor::Supervisor;
