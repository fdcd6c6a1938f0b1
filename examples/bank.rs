//! A bank without a lock: accounts are actors, and transfers between them run
//! concurrently through a coordinator that answers with deferred replies.
//!
//! Each `Account` owns its balance. Its `withdraw` handler checks the balance
//! and debits it in one step, since nothing else can touch the balance
//! between the two, so a balance never goes negative; a withdrawal it cannot
//! cover is refused with a typed error. The `Bank` coordinator takes each
//! transfer with `#[handler(deferred)]`: it hands the `ReplyTo` to a spawned
//! task, which asks the two accounts and answers, while the bank goes on with
//! its mailbox. Eight clients then make random transfers at once (a seeded
//! xorshift, no `rand`), and at the end the money is all there.
//!
//! Run it with `cargo run --example bank`.

use std::error::Error;
use std::fmt;

use typact::prelude::*;

const ACCOUNTS: usize = 6;
const OPENING_BALANCE: i64 = 1_000;
const CLIENTS: u64 = 8;
const TRANSFERS_PER_CLIENT: u64 = 250;
const MAX_AMOUNT: u64 = 400;

/// A tiny seeded random number generator (xorshift64).
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        // Zero is the one state xorshift never leaves.
        XorShift(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A withdrawal the balance does not cover.
#[derive(Clone, Debug, PartialEq, Eq)]
struct InsufficientFunds {
    account: usize,
    balance: i64,
    requested: i64,
}

impl fmt::Display for InsufficientFunds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "account #{} holds {}, cannot pay {}",
            self.account, self.balance, self.requested
        )
    }
}

impl Error for InsufficientFunds {}

/// Why a transfer did not happen.
#[derive(Clone, Debug, PartialEq, Eq)]
enum TransferError {
    /// The payer's balance does not cover the amount.
    InsufficientFunds(InsufficientFunds),
    /// The payer and the payee are the same account.
    SameAccount,
    /// No account has this number.
    NoSuchAccount(usize),
    /// An account stopped before it answered.
    Unavailable(AskError),
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransferError::InsufficientFunds(e) => write!(f, "insufficient funds: {e}"),
            TransferError::SameAccount => f.write_str("payer and payee are the same account"),
            TransferError::NoSuchAccount(n) => write!(f, "no account #{n}"),
            TransferError::Unavailable(e) => write!(f, "account unavailable: {e}"),
        }
    }
}

impl Error for TransferError {}

impl From<InsufficientFunds> for TransferError {
    fn from(e: InsufficientFunds) -> Self {
        TransferError::InsufficientFunds(e)
    }
}

impl From<AskError> for TransferError {
    fn from(e: AskError) -> Self {
        TransferError::Unavailable(e)
    }
}

/// The balances right after a transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Receipt {
    payer_balance: i64,
    payee_balance: i64,
}

/// One account. A signed balance, so that the check below is what keeps it
/// from going negative, not the type.
struct Account {
    number: usize,
    balance: i64,
}

#[actor]
impl Account {
    /// Takes `amount` out if the balance covers it, and returns the new
    /// balance.
    #[handler]
    fn withdraw(&mut self, amount: i64) -> Result<i64, InsufficientFunds> {
        if amount > self.balance {
            return Err(InsufficientFunds {
                account: self.number,
                balance: self.balance,
                requested: amount,
            });
        }
        self.balance -= amount;
        Ok(self.balance)
    }

    /// Puts `amount` in, and returns the new balance.
    #[handler]
    fn deposit(&mut self, amount: i64) -> i64 {
        self.balance += amount;
        self.balance
    }

    /// The current balance.
    #[handler]
    fn balance(&self) -> i64 {
        self.balance
    }
}

/// What the bank saw.
#[derive(Clone, Copy, Debug, Default)]
struct Stats {
    completed: u64,
    refused: u64,
    /// The most transfers the bank had started but not yet settled.
    peak_in_flight: u32,
}

/// The transfer coordinator.
struct Bank {
    accounts: Vec<ActorRef<Account>>,
    in_flight: u32,
    stats: Stats,
}

#[actor]
impl Bank {
    /// Moves `amount` from account `from` to account `to`.
    ///
    /// Returns at once: a spawned task asks the two accounts and answers
    /// through `reply`, so the bank never waits on an account and takes the
    /// next transfer meanwhile.
    #[handler(deferred)]
    fn transfer(
        &mut self,
        from: usize,
        to: usize,
        amount: i64,
        reply: ReplyTo<Result<Receipt, TransferError>>,
        ctx: &mut Context<Self>,
    ) {
        let (Some(payer), Some(payee)) = (self.accounts.get(from), self.accounts.get(to)) else {
            let missing = if from >= self.accounts.len() {
                from
            } else {
                to
            };
            reply.send(Err(TransferError::NoSuchAccount(missing)));
            return;
        };
        if from == to {
            reply.send(Err(TransferError::SameAccount));
            return;
        }
        let (payer, payee) = (payer.clone(), payee.clone());
        self.in_flight += 1;
        self.stats.peak_in_flight = self.stats.peak_in_flight.max(self.in_flight);
        let bank = ctx.myself();
        tokio::spawn(async move {
            let result = move_money(&payer, &payee, amount).await;
            // Settle before answering, so that once a client has its answer
            // the bank's statistics include it.
            let _ = bank.tell(Settled { ok: result.is_ok() }).await;
            reply.send(result);
        });
    }

    /// A transfer task finished.
    #[handler]
    fn settled(&mut self, ok: bool) {
        self.in_flight -= 1;
        if ok {
            self.stats.completed += 1;
        } else {
            self.stats.refused += 1;
        }
    }

    /// The accounts, by number.
    #[handler]
    fn accounts(&self) -> Vec<ActorRef<Account>> {
        self.accounts.clone()
    }

    /// What the bank saw so far. (The message would be named `Stats` after
    /// the method, which is taken by the reply type, hence `name`.)
    #[handler(name = GetStats)]
    fn stats(&self) -> Stats {
        self.stats
    }
}

/// Withdraws from `payer`, then deposits into `payee`; refunds the payer if
/// the payee is gone.
async fn move_money(
    payer: &ActorRef<Account>,
    payee: &ActorRef<Account>,
    amount: i64,
) -> Result<Receipt, TransferError> {
    let payer_balance = payer.withdraw(amount).await??;
    match payee.deposit(amount).await {
        Ok(payee_balance) => Ok(Receipt {
            payer_balance,
            payee_balance,
        }),
        Err(e) => {
            payer.deposit(amount).await?;
            Err(e.into())
        }
    }
}

/// Makes `TRANSFERS_PER_CLIENT` random transfers; returns how many went
/// through and how many were refused for insufficient funds.
async fn client(bank: ActorRef<Bank>, seed: u64) -> Result<(u64, u64), AskError> {
    let mut rng = XorShift::new(seed);
    let (mut ok, mut refused) = (0, 0);
    for _ in 0..TRANSFERS_PER_CLIENT {
        let n = ACCOUNTS as u64;
        let from = rng.below(n);
        // Any other account.
        let to = (from + 1 + rng.below(n - 1)) % n;
        let amount = 1 + rng.below(MAX_AMOUNT) as i64;
        match bank.transfer(from as usize, to as usize, amount).await? {
            Ok(_) => ok += 1,
            Err(TransferError::InsufficientFunds(_)) => refused += 1,
            Err(other) => panic!("unexpected transfer error: {other}"),
        }
    }
    Ok((ok, refused))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let accounts = (0..ACCOUNTS)
        .map(|number| {
            Account {
                number,
                balance: OPENING_BALANCE,
            }
            .spawn()
        })
        .collect();
    let bank = Bank {
        accounts,
        in_flight: 0,
        stats: Stats::default(),
    }
    .spawn();
    let expected_total = ACCOUNTS as i64 * OPENING_BALANCE;
    println!("{ACCOUNTS} accounts of {OPENING_BALANCE} each, {expected_total} in all");

    // One transfer, and the typed errors.
    let receipt = bank.transfer(0, 1, 250).await??;
    println!(
        "transfer 250 from #0 to #1: ok, balances now {} and {}",
        receipt.payer_balance, receipt.payee_balance
    );
    assert_eq!(
        receipt,
        Receipt {
            payer_balance: 750,
            payee_balance: 1_250
        }
    );
    let too_much = bank.transfer(0, 2, 5_000).await?;
    match &too_much {
        Err(e) => println!("transfer 5000 from #0 to #2: refused: {e}"),
        Ok(_) => println!("transfer 5000 from #0 to #2: unexpectedly went through"),
    }
    assert_eq!(
        too_much,
        Err(TransferError::InsufficientFunds(InsufficientFunds {
            account: 0,
            balance: 750,
            requested: 5_000
        }))
    );
    assert_eq!(
        bank.transfer(3, 3, 1).await?,
        Err(TransferError::SameAccount)
    );
    assert_eq!(
        bank.transfer(3, 99, 1).await?,
        Err(TransferError::NoSuchAccount(99))
    );

    // Random transfers from many clients at once.
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| tokio::spawn(client(bank.clone(), 0x9E37_79B9_7F4A_7C15 ^ (c + 1))))
        .collect();
    let (mut ok, mut refused) = (0, 0);
    for c in clients {
        let (o, r) = c.await??;
        ok += o;
        refused += r;
    }
    println!(
        "{CLIENTS} clients x {TRANSFERS_PER_CLIENT} random transfers: {ok} done, {refused} refused for insufficient funds"
    );

    let stats = bank.stats().await?;
    println!(
        "the bank had up to {} transfers in flight at once (deferred replies keep its mailbox moving)",
        stats.peak_in_flight
    );
    // The first transfer and the first refusal above count too.
    assert_eq!(stats.completed, ok + 1);
    assert_eq!(stats.refused, refused + 1);

    let mut balances = Vec::new();
    for account in bank.accounts().await? {
        balances.push(account.balance().await?);
    }
    let total: i64 = balances.iter().sum();
    println!("balances: {balances:?}, total {total}");
    assert_eq!(total, expected_total, "money was created or destroyed");
    assert!(
        balances.iter().all(|&b| b >= 0),
        "a balance went negative: {balances:?}"
    );
    println!("invariants hold: total conserved, no negative balance");
    Ok(())
}
