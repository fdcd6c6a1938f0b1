//! The live picture (`typact::inspect`): every live actor with its
//! path, parent, state, mailbox, counters and summary; history; messages
//! typed in as JSON, with errors that say what is wrong and change
//! nothing. The inspector is process-wide, so each test looks only at the
//! actors it spawned (by id or by path).

use std::time::Duration;

use typact::inspect::{self, ActorState, InspectError};
use typact::prelude::*;
use typact::wire::WireError;

#[derive(Default)]
struct Account {
    balance: i64,
}

#[actor(inspect)]
impl Account {
    #[handler]
    fn deposit(&mut self, amount: i64) -> i64 {
        self.balance += amount;
        self.balance
    }

    #[handler]
    fn balance(&self) -> i64 {
        self.balance
    }

    #[handler]
    fn crash(&mut self) {
        panic!("crash on purpose");
    }

    #[inspect]
    fn summary(&self) -> String {
        format!("balance {}", self.balance)
    }
}

/// An actor without JSON messages or summary.
#[derive(Default)]
struct Plain;

#[actor]
impl Plain {
    #[handler]
    fn ping(&self) {}
}

fn quiet() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.to_string().contains("on purpose") {
                default(info);
            }
        }));
    });
}

#[tokio::test(flavor = "current_thread")]
async fn a_snapshot_lists_live_actors_with_their_counters() {
    inspect::enable();
    let account = Account::default()
        .builder()
        .name("alice")
        .capacity(16)
        .spawn();
    for _ in 0..5 {
        account.deposit(10).await.unwrap();
    }
    let me = inspect::get(account.id()).expect("listed");
    assert_eq!(me.type_name, "Account");
    assert_eq!(me.name.as_deref(), Some("alice"));
    assert_eq!(me.state, ActorState::Running);
    assert_eq!(me.handled, 5);
    assert_eq!(me.mailbox_capacity, Some(16));
    assert_eq!(me.mailbox_len, 0);
    assert!(me.counted);
    assert!(me.has_summary);
    assert_eq!(me.messages.len(), 3);
    assert_eq!(me.messages[0].method, "deposit");
    assert_eq!(me.messages[0].fields, &[("amount", "i64")]);
    assert!(
        inspect::snapshot().iter().any(|s| s.id == account.id()),
        "the full snapshot has it too"
    );
    let summaries = inspect::summaries(&[account.id()], Duration::from_secs(5)).await;
    assert_eq!(summaries[0].1.as_deref(), Some("balance 50"));

    // Stopped actors leave the picture.
    account.stop();
    account.wait_for_stop().await;
    assert!(inspect::get(account.id()).is_none());
}

#[tokio::test(flavor = "current_thread")]
async fn queued_messages_show_as_mailbox_depth() {
    inspect::enable();
    let account = Account::default().builder().capacity(64).spawn();
    // Queued while the test holds the only thread: none handled yet.
    for _ in 0..7 {
        account.try_tell(Deposit { amount: 1 }).unwrap();
    }
    assert_eq!(inspect::get(account.id()).unwrap().mailbox_len, 7);
    assert_eq!(account.balance().await.unwrap(), 7);
    assert_eq!(inspect::get(account.id()).unwrap().mailbox_len, 0);

    let plain = Plain.builder().unbounded().spawn();
    for _ in 0..4 {
        plain.try_tell(Ping).unwrap();
    }
    let snap = inspect::get(plain.id()).unwrap();
    assert_eq!(snap.mailbox_len, 4);
    assert_eq!(snap.mailbox_capacity, None);
    assert!(snap.messages.is_empty());
    assert!(!snap.has_summary);
}

#[tokio::test(flavor = "current_thread")]
async fn json_messages_change_state_and_bad_input_changes_nothing() {
    inspect::enable();
    let account = Account::default().spawn();
    let id = account.id();
    inspect::tell_json(id, "deposit", r#"{"amount": 5}"#).unwrap();
    let reply = inspect::ask_json(id, "deposit", r#"{"amount": 10}"#, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(reply, "15");
    // A fieldless message needs no JSON.
    let reply = inspect::ask_json(id, "balance", "", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(reply, "15");

    // An unknown message lists the ones it handles.
    let err = inspect::tell_json(id, "withdraw", "{}").unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(&err, InspectError::Wire(WireError::UnknownMessage { known, .. }) if known == &["deposit", "balance", "crash"]),
        "{err:?}"
    );
    assert!(text.contains("deposit, balance, crash"), "{text}");

    // JSON that does not fit names the field.
    let err = inspect::tell_json(id, "deposit", r#"{"amount": "lots"}"#).unwrap_err();
    assert!(err.to_string().contains("amount"), "{err}");
    let err = inspect::tell_json(id, "deposit", r#"{}"#).unwrap_err();
    assert!(err.to_string().contains("missing field `amount`"), "{err}");

    // Nothing of the above arrived.
    assert_eq!(account.balance().await.unwrap(), 15);

    // An actor without JSON says how to get it.
    let plain = Plain.spawn();
    let err = inspect::tell_json(plain.id(), "ping", "").unwrap_err();
    assert!(err.to_string().contains("#[actor(inspect)]"), "{err}");
}

#[tokio::test(flavor = "current_thread")]
async fn history_keeps_the_last_messages_when_switched_on() {
    inspect::enable();
    let account = Account::default().spawn();
    let id = account.id();
    account.deposit(1).await.unwrap();
    assert!(inspect::history(id).unwrap().is_empty(), "off by default");
    assert!(inspect::set_history(id, 3));
    for amount in 1..=5 {
        account.deposit(amount).await.unwrap();
    }
    account.tell(Deposit { amount: 100 }).await.unwrap();
    account.balance().await.unwrap();
    let history = inspect::history(id).unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0].message, "Account::deposit");
    assert_eq!(history[0].detail.as_deref(), Some(r#"{"amount":5}"#));
    assert!(history[0].ask);
    assert_eq!(history[1].detail.as_deref(), Some(r#"{"amount":100}"#));
    assert!(!history[1].ask);
    assert_eq!(history[2].message, "Account::balance");
    assert_eq!(inspect::get(id).unwrap().history, Some(3));
    assert!(inspect::set_history(id, 0));
    assert!(inspect::history(id).unwrap().is_empty());
}

#[tokio::test(flavor = "current_thread")]
async fn supervised_children_show_their_parent_path_and_restarts() {
    quiet();
    inspect::enable();
    let root = Supervisor::builder()
        .name("inspect-bank")
        .intensity(10, Duration::from_secs(60));
    let child = root.child(Account::default).name("carol").add();
    let root = root.spawn().await.unwrap();
    child.deposit(3).await.unwrap();
    let _ = child.crash().await;
    // The restarted instance serves again (and starts from scratch).
    assert_eq!(child.balance().await.unwrap(), 0);

    let snap = inspect::find("/inspect-bank/carol").expect("listed by path");
    assert_eq!(snap.id, child.id());
    assert_eq!(snap.parent, Some(root.id()));
    assert_eq!(snap.restarts, 1);
    assert_eq!(snap.state, ActorState::Running);
    assert_eq!(
        inspect::resolve("/inspect-bank/carol"),
        Some(child.id()),
        "a path resolves to its id"
    );
    assert_eq!(
        inspect::resolve(&format!("#{}", child.id().as_u64())),
        Some(child.id())
    );

    // Stop and kill by id.
    assert!(inspect::kill(child.id()));
    let _ = child.balance().await;
    assert!(inspect::stop(root.id()));
    root.wait_for_stop().await;
    assert!(inspect::find("/inspect-bank/carol").is_none());
    assert!(!inspect::stop(root.id()));
}
