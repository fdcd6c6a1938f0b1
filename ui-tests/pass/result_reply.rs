//! A handler returning `Result`: the `Result` is the reply, and an ask
//! resolves to `Result<Result<T, E>, AskError>`.
use typact::prelude::*;

#[derive(Debug, PartialEq)]
enum BankError {
    Insufficient { balance: u64 },
}

#[derive(Default)]
struct Account {
    balance: u64,
}

#[actor]
impl Account {
    #[handler]
    fn deposit(&mut self, amount: u64) -> u64 {
        self.balance += amount;
        self.balance
    }

    #[handler]
    fn withdraw(&mut self, amount: u64) -> Result<u64, BankError> {
        if amount > self.balance {
            return Err(BankError::Insufficient {
                balance: self.balance,
            });
        }
        self.balance -= amount;
        Ok(self.balance)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), AskError> {
    let account = Account::default().spawn();
    assert_eq!(account.deposit(10).await?, 10);
    assert_eq!(account.withdraw(4).await?, Ok(6));
    let reply: Result<u64, BankError> = account.ask(Withdraw { amount: 7 }).await?;
    assert_eq!(reply, Err(BankError::Insufficient { balance: 6 }));
    Ok(())
}
