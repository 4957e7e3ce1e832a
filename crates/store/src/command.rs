//! The one write path. Every state change of the system is a command run by
//! [`Store::command`]:
//!
//! ```text
//! let mut tx = write lock first          (Store::write: BEGIN IMMEDIATE / the audit head's row lock)
//! let facts = load(&mut tx, …)            every fact the rule needs, read through the transaction
//! match core::<stage>::decide(&rules, &facts, input) {
//!     Ok(change)  => apply(&mut tx, change) + tx.audit(entry)
//!     Err(refusal) => tx.refuse(entry, refusal)        recorded in the same transaction
//! }
//! commit
//! ```
//!
//! Nothing read before the transaction opens may decide anything. A refusal is committed with
//! its audit entry (the transaction has written nothing else) and returned as
//! [`Error::Refused`]; any other error rolls the whole command back.

use crate::{Error, NewEntry, Result, Store, Tx};
use qaward_core::refusal::Refusal;

impl Store {
    /// Run `body` as one command in one writing transaction at `now`, and commit. `body`
    /// loads the facts through the transaction it is given, lets the core decide, and either
    /// applies the change with its audit entry or records the refusal with [`Tx::refuse`] /
    /// [`Tx::decided`].
    pub async fn command<T>(
        &self,
        now: jiff::Timestamp,
        body: impl AsyncFnOnce(&mut Tx) -> Result<T>,
    ) -> Result<T> {
        let mut tx = self.write(now).await?;
        match body(&mut tx).await {
            Ok(t) => {
                tx.commit().await?;
                Ok(t)
            }
            Err(Error::Refused(r)) if tx.refusal_recorded => {
                tx.commit().await?;
                Err(Error::Refused(r))
            }
            Err(e) => Err(e),
        }
    }
}

impl Tx {
    /// Record `refusal` in the audit log with `entry` (its action gets `.refused`), in this
    /// transaction, and give the error to return from the command: the command commits the
    /// record, and nothing else (a refusal comes before any change).
    pub async fn refuse(&mut self, entry: NewEntry, refusal: Refusal) -> Error {
        let mut entry = entry.refused(&refusal);
        if !entry.action.ends_with(".refused") {
            entry.action.push_str(".refused");
        }
        match self.audit(entry).await {
            Ok(_) => {
                self.refusal_recorded = true;
                Error::Refused(refusal)
            }
            Err(e) => e,
        }
    }

    /// The core's decision: the change, or the refusal recorded with `entry` (see
    /// [`Tx::refuse`]).
    pub async fn decided<T>(
        &mut self,
        decision: std::result::Result<T, Refusal>,
        entry: impl FnOnce() -> NewEntry,
    ) -> Result<T> {
        match decision {
            Ok(t) => Ok(t),
            Err(r) => Err(self.refuse(entry(), r).await),
        }
    }
}
