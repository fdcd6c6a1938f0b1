//! Errors that carry their context: a failed tell names the actor and its
//! reason, converts with `?` whatever the message, and a handler that asks
//! another actor propagates one flat `Result`.

use std::cell::Cell;
use std::error::Error;

use typact::prelude::*;

#[derive(Default)]
struct Log {
    lines: u32,
}

#[actor]
impl Log {
    /// A message that is `Send` but not `Sync`.
    #[handler]
    fn line(&mut self, text: Cell<u32>) {
        self.lines += text.get();
    }

    #[handler]
    fn lines(&self) -> u32 {
        self.lines
    }

    #[handler]
    fn parse(&self, text: String) -> Result<u32, ParseError> {
        text.parse().map_err(|_| ParseError::Invalid(text))
    }
}

#[derive(Debug, PartialEq)]
enum ParseError {
    Invalid(String),
    Ask(AskError),
}

impl From<AskError> for ParseError {
    fn from(err: AskError) -> Self {
        ParseError::Ask(err)
    }
}

async fn stopped(name: Option<&str>) -> ActorRef<Log> {
    let builder = Log::default().builder();
    let log = match name {
        Some(name) => builder.name(name).spawn(),
        None => builder.spawn(),
    };
    log.stop();
    log.wait_for_stop().await;
    log
}

#[tokio::test]
async fn a_tell_error_names_the_actor() {
    let log = stopped(Some("audit")).await;
    let err = log.tell(Lines).await.unwrap_err();
    assert_eq!(err.actor_type(), "Log");
    assert_eq!(err.actor_name(), Some("audit"));
    assert_eq!(err.actor_id(), log.id());
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!("Log(audit){}", log.id())),
        "{shown}"
    );
    let debug = format!("{err:?}");
    assert!(debug.contains("Log(audit)#"), "{debug}");
    assert!(debug.contains("reason: the actor has stopped"), "{debug}");
    assert!(debug.contains("Lines"), "{debug}");

    let unnamed = stopped(None).await;
    let err = unnamed.try_tell(Lines);
    assert!(err.is_err());
    let err = unnamed.tell(Lines).await.unwrap_err();
    assert_eq!(err.actor_name(), None);
    assert_eq!(
        err.to_string().split(' ').next(),
        Some(&*format!("Log{}", unnamed.id()))
    );
}

#[tokio::test]
async fn a_tell_error_hands_the_message_back() {
    let log = stopped(None).await;
    let mut err = log.tell(Line { text: Cell::new(3) }).await.unwrap_err();
    err.message_mut().text.set(4);
    assert_eq!(err.into_inner().text.get(), 4);
    let err = log
        .recipient::<Line>()
        .tell(Line { text: Cell::new(5) })
        .await
        .unwrap_err();
    assert_eq!(err.actor_type(), "Log");
    assert_eq!(err.into_inner().text.get(), 5);
}

/// `?` into a boxed error works for a message that is not `Sync`.
async fn send_line(log: &ActorRef<Log>) -> Result<(), Box<dyn Error + Send + Sync>> {
    log.tell(Line { text: Cell::new(1) }).await?;
    Ok(())
}

#[tokio::test]
async fn a_tell_error_converts_with_question_mark_for_any_message() {
    let log = Log::default().spawn();
    send_line(&log).await.unwrap();
    assert_eq!(log.lines().await, Ok(1));
    let log = stopped(None).await;
    let err = send_line(&log).await.unwrap_err();
    assert!(err.to_string().contains("has stopped"), "{err}");
}

/// Asks the log and propagates with `?`, then is asked flat.
struct Front {
    log: ActorRef<Log>,
}

#[actor]
impl Front {
    #[handler]
    async fn double(&mut self, text: String) -> Result<u32, ParseError> {
        let n = self.log.parse(text).flatten().await?;
        Ok(2 * n)
    }
}

#[tokio::test]
async fn a_handler_propagates_a_flat_result() {
    let log = Log::default().spawn();
    let front = Front { log: log.clone() }.spawn();
    let ok: Result<u32, ParseError> = front.double("21".into()).flatten().await;
    assert_eq!(ok, Ok(42));
    assert_eq!(
        front.double("x".into()).flatten().await,
        Err(ParseError::Invalid("x".into()))
    );
    log.stop();
    log.wait_for_stop().await;
    assert_eq!(
        front.double("1".into()).flatten().await,
        Err(ParseError::Ask(AskError::Stopped))
    );
    front.stop();
    front.wait_for_stop().await;
    assert_eq!(
        front.double("1".into()).flatten().await,
        Err(ParseError::Ask(AskError::Stopped))
    );
}

#[tokio::test]
async fn an_ask_error_is_a_plain_enum_of_its_kind() {
    let log = stopped(Some("audit")).await;
    let err = log.lines().await.unwrap_err();
    // `AskError` carries the kind only: it is matched like any enum.
    assert!(matches!(err, AskError::Stopped));
    assert_eq!(err, AskError::Stopped);
    assert_ne!(err, AskError::Timeout);
    assert_eq!(err.to_string(), "the actor stopped before it replied");
    // Through a recipient and a blocking ask too.
    let err = log.recipient::<Lines>().ask(Lines).await.unwrap_err();
    assert!(matches!(err, AskError::Stopped));
    let blocking = log.clone();
    let err = tokio::task::spawn_blocking(move || blocking.blocking_ask(Lines))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(err, AskError::Stopped);
}

/// `?` from an ask into a boxed error keeps the kind's message.
async fn count(log: &ActorRef<Log>) -> Result<u32, Box<dyn Error + Send + Sync>> {
    Ok(log.lines().await?)
}

#[tokio::test]
async fn an_ask_error_converts_through_question_mark() {
    let log = stopped(Some("audit")).await;
    let err = count(&log).await.unwrap_err();
    assert_eq!(err.to_string(), "the actor stopped before it replied");
}
