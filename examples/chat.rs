//! A chat: one actor per user and per room, with messages fanned out through
//! `Recipient<Deliver>`.
//!
//! A room keeps a `Recipient<Deliver>` for each member: it can deliver a line
//! to any actor that handles `Deliver`, without knowing its type. Users join,
//! speak and leave through their own actors; an `Archive` actor of another
//! type joins a room the same way and keeps a log. A room never waits for a
//! member (`try_tell`), so a user waiting on a room cannot deadlock with a
//! room waiting on that user's full mailbox; it drops a member whose actor
//! has stopped the next time a delivery to it fails. The example prints the transcript, then
//! checks what every user received.
//!
//! Run it with `cargo run --example chat`.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

use typact::prelude::*;

/// A line of a room, delivered to a member.
#[derive(Clone, Debug)]
struct Deliver {
    room: Arc<str>,
    /// The author, or `*` for the room's own notices.
    from: Arc<str>,
    text: Arc<str>,
}

impl Message for Deliver {
    type Reply = ();
}

impl fmt::Display for Deliver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if &*self.from == "*" {
            write!(f, "#{} * {}", self.room, self.text)
        } else {
            write!(f, "#{} <{}> {}", self.room, self.from, self.text)
        }
    }
}

/// Why a user could not speak.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ChatError {
    /// Only members may post to a room.
    NotAMember { room: Arc<str> },
    /// The room has stopped.
    RoomGone(AskError),
}

impl fmt::Display for ChatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChatError::NotAMember { room } => write!(f, "not a member of #{room}"),
            ChatError::RoomGone(e) => write!(f, "the room is gone: {e}"),
        }
    }
}

impl Error for ChatError {}

struct Member {
    name: Arc<str>,
    inbox: Recipient<Deliver>,
}

/// A chat room.
struct Room {
    name: Arc<str>,
    members: Vec<Member>,
}

#[actor]
impl Room {
    /// Adds a member, and tells the others.
    #[handler]
    fn add_member(&mut self, name: Arc<str>, inbox: Recipient<Deliver>) {
        self.notice(format!("{name} joined"));
        self.members.push(Member { name, inbox });
    }

    /// Removes the member behind `id`, and tells the others.
    #[handler]
    fn remove_member(&mut self, id: ActorId) {
        if let Some(i) = self.members.iter().position(|m| m.inbox.id() == id) {
            let gone = self.members.remove(i);
            self.notice(format!("{} left", gone.name));
        }
    }

    /// Posts `text` from the member behind `author` to every other member;
    /// returns how many received it.
    #[handler]
    fn post(&mut self, author: ActorId, text: String) -> Result<usize, ChatError> {
        let Some(from) = self.member_name(author) else {
            println!("#{:<6} refused {text:?}: not a member", self.name);
            return Err(ChatError::NotAMember {
                room: self.name.clone(),
            });
        };
        let line = Deliver {
            room: self.name.clone(),
            from: from.clone(),
            text: text.into(),
        };
        let (to, gone) = self.fan_out(&line, Some(author));
        print_line(&self.name, &format!("<{from}> {}", line.text), &to);
        self.drop_members(gone);
        Ok(to.len())
    }

    /// The members' names, in the order they joined.
    #[handler]
    fn members(&self) -> Vec<Arc<str>> {
        self.members.iter().map(|m| m.name.clone()).collect()
    }
}

impl Room {
    fn member_name(&self, id: ActorId) -> Option<Arc<str>> {
        let member = self.members.iter().find(|m| m.inbox.id() == id)?;
        Some(member.name.clone())
    }

    /// A notice from the room itself, to every member.
    fn notice(&mut self, text: String) {
        let line = Deliver {
            room: self.name.clone(),
            from: "*".into(),
            text: text.into(),
        };
        let (to, gone) = self.fan_out(&line, None);
        print_line(&self.name, &format!("* {}", line.text), &to);
        self.drop_members(gone);
    }

    /// Delivers `line` to every member but `except`, without waiting: a
    /// member whose mailbox is full misses it. Returns who received it, and
    /// the members whose actors have stopped.
    fn fan_out(&self, line: &Deliver, except: Option<ActorId>) -> (Vec<Arc<str>>, Vec<ActorId>) {
        let mut received = Vec::new();
        let mut gone = Vec::new();
        for m in &self.members {
            if Some(m.inbox.id()) == except {
                continue;
            }
            match m.inbox.try_tell(line.clone()) {
                Ok(()) => received.push(m.name.clone()),
                Err(TryTellError::Full(_)) => println!("  ({} is too slow; missed a line)", m.name),
                Err(TryTellError::Closed(_)) => gone.push(m.inbox.id()),
            }
        }
        (received, gone)
    }

    /// Drops the members whose actors have stopped, and tells the others.
    fn drop_members(&mut self, gone: Vec<ActorId>) {
        for id in gone {
            if let Some(i) = self.members.iter().position(|m| m.inbox.id() == id) {
                let lost = self.members.remove(i);
                self.notice(format!("{} disconnected", lost.name));
            }
        }
    }
}

/// One line of the transcript: the room, what it delivered, and to whom.
fn print_line(room: &str, line: &str, to: &[Arc<str>]) {
    let to = if to.is_empty() {
        "nobody".to_owned()
    } else {
        to.join(", ")
    };
    println!("#{room:<6} {line:<28} -> {to}");
}

/// A user's session.
struct User {
    name: Arc<str>,
    inbox: Vec<String>,
}

impl User {
    fn new(name: &str) -> Self {
        User {
            name: name.into(),
            inbox: Vec::new(),
        }
    }
}

#[actor]
impl User {
    /// A line from a room.
    #[handler(message)]
    fn deliver(&mut self, line: Deliver) {
        self.inbox.push(line.to_string());
    }

    /// Joins `room`, which will deliver to this actor.
    #[handler]
    async fn join(
        &mut self,
        room: ActorRef<Room>,
        ctx: &mut Context<Self>,
    ) -> Result<(), ChatError> {
        let inbox = ctx.myself().recipient::<Deliver>();
        room.add_member(self.name.clone(), inbox)
            .await
            .map_err(ChatError::RoomGone)
    }

    /// Leaves `room`.
    #[handler]
    async fn leave(
        &mut self,
        room: ActorRef<Room>,
        ctx: &mut Context<Self>,
    ) -> Result<(), ChatError> {
        room.remove_member(ctx.id())
            .await
            .map_err(ChatError::RoomGone)
    }

    /// Posts `text` to `room`; returns how many received it.
    #[handler]
    async fn say(
        &mut self,
        room: ActorRef<Room>,
        text: String,
        ctx: &mut Context<Self>,
    ) -> Result<usize, ChatError> {
        room.post(ctx.id(), text)
            .await
            .map_err(ChatError::RoomGone)?
    }

    /// Every line received so far.
    #[handler]
    fn inbox(&self) -> Vec<String> {
        self.inbox.clone()
    }
}

/// Keeps every line of the rooms it joined: another type, the same
/// `Recipient<Deliver>`.
#[derive(Default)]
struct Archive {
    log: Vec<String>,
}

#[actor]
impl Archive {
    #[handler(message)]
    fn deliver(&mut self, line: Deliver) {
        self.log.push(line.to_string());
    }

    #[handler]
    fn log(&self) -> Vec<String> {
        self.log.clone()
    }
}

fn room(name: &str) -> ActorRef<Room> {
    Room {
        name: name.into(),
        members: Vec::new(),
    }
    .spawn()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let (rust, tokio) = (room("rust"), room("tokio"));
    let [alice, bob, carol, dave] = ["alice", "bob", "carol", "dave"].map(|n| User::new(n).spawn());
    let archive = Archive::default().spawn();

    println!("--- transcript (what each room delivered, to whom)");
    rust.add_member("archive".into(), archive.recipient())
        .await?;
    alice.join(rust.clone()).await??;
    bob.join(rust.clone()).await??;
    carol.join(rust.clone()).await??;
    alice.join(tokio.clone()).await??;
    dave.join(tokio.clone()).await??;
    dave.join(rust.clone()).await??;

    assert_eq!(alice.say(rust.clone(), "hello, #rust".into()).await??, 4);
    assert_eq!(bob.say(rust.clone(), "hi alice".into()).await??, 4);
    assert_eq!(dave.say(tokio.clone(), "anyone here?".into()).await??, 1);
    assert_eq!(alice.say(tokio.clone(), "yes, me".into()).await??, 1);

    carol.leave(rust.clone()).await??;
    assert_eq!(bob.say(rust.clone(), "bye carol".into()).await??, 3);
    assert_eq!(
        carol.say(rust.clone(), "wait, I'm back".into()).await?,
        Err(ChatError::NotAMember {
            room: "rust".into()
        })
    );

    // Dave's session ends without leaving: the rooms find out at their next
    // delivery to him.
    let dave_inbox = dave.inbox().await?;
    dave.stop();
    dave.wait_for_stop().await;
    assert_eq!(alice.say(tokio.clone(), "dave?".into()).await??, 0);
    assert_eq!(alice.say(rust.clone(), "dave's gone".into()).await??, 2);

    // The mailboxes are FIFO, and every delivery above was enqueued before
    // the ask that triggered it returned, so these asks see all of them.
    let inboxes = [
        ("alice", alice.inbox().await?),
        ("bob", bob.inbox().await?),
        ("carol", carol.inbox().await?),
        ("dave", dave_inbox),
        ("archive", archive.log().await?),
    ];
    println!("--- received");
    for (name, lines) in &inboxes {
        println!("{name:>7}: {} lines", lines.len());
    }

    let expected: [(&str, &[&str]); 5] = [
        (
            "alice",
            &[
                "#rust * bob joined",
                "#rust * carol joined",
                "#tokio * dave joined",
                "#rust * dave joined",
                "#rust <bob> hi alice",
                "#tokio <dave> anyone here?",
                "#rust * carol left",
                "#rust <bob> bye carol",
                "#tokio * dave disconnected",
                "#rust * dave disconnected",
            ],
        ),
        (
            "bob",
            &[
                "#rust * carol joined",
                "#rust * dave joined",
                "#rust <alice> hello, #rust",
                "#rust * carol left",
                "#rust <alice> dave's gone",
                "#rust * dave disconnected",
            ],
        ),
        (
            "carol",
            &[
                "#rust * dave joined",
                "#rust <alice> hello, #rust",
                "#rust <bob> hi alice",
            ],
        ),
        (
            "dave",
            &[
                "#rust <alice> hello, #rust",
                "#rust <bob> hi alice",
                "#tokio <alice> yes, me",
                "#rust * carol left",
                "#rust <bob> bye carol",
            ],
        ),
        (
            "archive",
            &[
                "#rust * alice joined",
                "#rust * bob joined",
                "#rust * carol joined",
                "#rust * dave joined",
                "#rust <alice> hello, #rust",
                "#rust <bob> hi alice",
                "#rust * carol left",
                "#rust <bob> bye carol",
                "#rust <alice> dave's gone",
                "#rust * dave disconnected",
            ],
        ),
    ];
    for ((name, got), (expected_name, want)) in inboxes.iter().zip(expected) {
        assert_eq!(*name, expected_name);
        assert_eq!(got, want, "{name} received the wrong lines");
    }
    assert_eq!(
        rust.members().await?,
        ["archive", "alice", "bob"].map(Arc::from)
    );
    assert_eq!(tokio.members().await?, [Arc::from("alice")]);
    println!("every member received exactly the lines posted while it was in the room");
    Ok(())
}
