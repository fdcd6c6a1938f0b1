//! A `pub` actor with `pub` handlers in a module: the generated messages and
//! client methods take the handlers' visibility and are usable from outside.
mod bank {
    use typact::prelude::*;

    /// An account.
    #[derive(Default)]
    pub struct Account {
        balance: u64,
    }

    #[actor]
    impl Account {
        /// Adds `amount` and returns the new balance.
        #[handler]
        pub fn deposit(&mut self, amount: u64) -> u64 {
            self.balance += amount;
            self.balance
        }

        /// The balance.
        #[handler]
        pub fn balance(&self) -> u64 {
            self.balance
        }

        /// Visible in this crate only.
        #[handler]
        pub(crate) fn audit(&self) -> bool {
            true
        }
    }
}

use bank::{Account, Balance, Deposit};
use typact::prelude::*;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), AskError> {
    let account: ActorRef<Account> = Account::default().spawn();
    assert_eq!(account.ask(Deposit { amount: 7 }).await?, 7);
    assert_eq!(account.deposit(3).await?, 10);
    assert_eq!(account.ask(Balance).await?, 10);
    assert!(account.ask(bank::Audit).await?);
    assert!(account.audit().await?);
    Ok(())
}
