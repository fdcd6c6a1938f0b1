//! The real network: one zenoh session per node.
//!
//! Node `n` of cluster `c` receives tells on the subscriber
//! `typact/c/n/<n>/in` and requests on the queryable `typact/c/n/<n>/rq`;
//! its liveliness tokens live under `typact/c/`. Sends are reliable puts
//! with `CongestionControl::Block` at `Priority::Data`, requests are
//! queries at the same priority and congestion control, so zenoh keeps a
//! node's sends and requests to one peer in one ordered stream.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use zenoh::pubsub::Publisher;
use zenoh::qos::{CongestionControl, Priority};
use zenoh::query::{ConsolidationMode, QueryTarget};
use zenoh::sample::SampleKind;
use zenoh::{Session, Wait};

use super::{
    BoxFuture, Guard, Inbound, PendingReply, ReplyFn, Responder, TokenEvent, Transport,
    TransportError,
};

/// One node's zenoh session.
///
/// Made by [`NodeBuilder::zenoh`](crate::NodeBuilder::zenoh), which opens
/// it on the node's own runtime.
pub struct ZenohTransport {
    /// Taken out at `close`, on the node's runtime: zenoh's handles must
    /// not be dropped on a current-thread runtime.
    session: std::sync::Mutex<Option<Session>>,
    publishers: std::sync::Mutex<HashMap<String, Arc<Publisher<'static>>>>,
    node: String,
    prefix: String,
}

impl fmt::Debug for ZenohTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZenohTransport")
            .field("node", &self.node)
            .field("prefix", &self.prefix)
            .field("zid", &self.session().map(|s| s.zid()))
            .finish_non_exhaustive()
    }
}

fn err(e: impl fmt::Display) -> TransportError {
    TransportError::Other(e.to_string())
}

/// A zenoh reply as a request's answer.
fn outcome(reply: &zenoh::query::Reply) -> Result<Vec<u8>, TransportError> {
    match reply.result() {
        Ok(sample) => Ok(sample.payload().to_bytes().into_owned()),
        Err(e) => {
            let text = e.payload().try_to_string().unwrap_or_default();
            if text == "Timeout" {
                Err(TransportError::Timeout)
            } else {
                Err(TransportError::Other(text.into_owned()))
            }
        }
    }
}

/// The one answer a request gets: the first reply, else (when the query
/// ends without one) `Unreachable`.
struct Answer(std::sync::Mutex<Option<ReplyFn>>);

impl Answer {
    fn give(&self, result: Result<Vec<u8>, TransportError>) {
        let then = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(then) = then {
            then(result);
        }
    }
}

impl Drop for Answer {
    fn drop(&mut self) {
        self.give(Err(TransportError::Unreachable));
    }
}

impl ZenohTransport {
    /// Opens a session with `config`, as node `node` of `cluster`. Must be
    /// called on a multi-thread tokio runtime (zenoh's requirement), which
    /// also runs the node's tasks.
    ///
    /// # Errors
    ///
    /// What zenoh reports when the session cannot open (bad certificates,
    /// an address in use, ...).
    pub async fn open(
        config: zenoh::Config,
        cluster: &str,
        node: &str,
    ) -> Result<Self, TransportError> {
        let session = zenoh::open(config).await.map_err(err)?;
        Ok(ZenohTransport {
            session: std::sync::Mutex::new(Some(session)),
            publishers: std::sync::Mutex::new(HashMap::new()),
            node: node.to_owned(),
            prefix: format!("typact/{cluster}/"),
        })
    }

    /// The zenoh session, for what this crate does not wrap; `None` once
    /// closed.
    pub fn session(&self) -> Option<Session> {
        self.session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn live(&self) -> Result<Session, TransportError> {
        self.session().ok_or(TransportError::Closed)
    }

    /// The publisher of the tells to `to`, declared on first use: its key
    /// is resolved once, not at every put.
    async fn publisher(&self, to: &str) -> Result<Arc<Publisher<'static>>, TransportError> {
        let known = self
            .publishers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(to)
            .cloned();
        if let Some(publisher) = known {
            return Ok(publisher);
        }
        let publisher = Arc::new(
            self.live()?
                .declare_publisher(self.key(&format!("n/{to}/in")))
                .congestion_control(CongestionControl::Block)
                .priority(Priority::Data)
                .await
                .map_err(err)?,
        );
        self.publishers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(to.to_owned(), publisher.clone());
        Ok(publisher)
    }

    fn key(&self, rel: &str) -> String {
        format!("{}{rel}", self.prefix)
    }

    fn strip<'k>(&self, key: &'k str) -> &'k str {
        key.strip_prefix(&self.prefix).unwrap_or(key)
    }
}

impl Transport for ZenohTransport {
    fn node(&self) -> &str {
        &self.node
    }

    fn start(&self, inbound: Arc<dyn Inbound>) -> BoxFuture<'_, Result<(), TransportError>> {
        Box::pin(async move {
            let tells = inbound.clone();
            self.live()?
                .declare_subscriber(self.key(&format!("n/{}/in", self.node)))
                .callback(move |sample| {
                    tells.frame(sample.payload().to_bytes().into_owned(), None);
                })
                .background()
                .await
                .map_err(err)?;
            self.live()?
                .declare_queryable(self.key(&format!("n/{}/rq", self.node)))
                .callback(move |query| {
                    let bytes = query
                        .payload()
                        .map(|p| p.to_bytes().into_owned())
                        .unwrap_or_default();
                    // Replying is synchronous in zenoh (its future is a
                    // ready one): the reply goes out from the thread that
                    // has it, the served actor's, without a task between.
                    let responder = Responder::new(move |reply| {
                        let key = query.key_expr().clone();
                        if let Err(e) = query.reply(key, reply).wait() {
                            tracing::debug!("typact-remote: reply not sent: {e}");
                        }
                    });
                    inbound.frame(bytes, Some(responder));
                })
                .background()
                .await
                .map_err(err)?;
            Ok(())
        })
    }

    fn send(&self, to: &str, frame: Vec<u8>) -> BoxFuture<'_, Result<(), TransportError>> {
        let to = to.to_owned();
        Box::pin(async move {
            let publisher = self.publisher(&to).await?;
            publisher.put(frame).await.map_err(err)
        })
    }

    fn request(
        &self,
        to: &str,
        frame: Vec<u8>,
        timeout: Duration,
    ) -> BoxFuture<'_, Result<PendingReply, TransportError>> {
        // The future of `request_then`'s answer.
        let (tx, rx) = tokio::sync::oneshot::channel();
        let sent = self.request_then(
            to,
            frame,
            timeout,
            Box::new(move |answer| {
                let _ = tx.send(answer);
            }),
        );
        Box::pin(async move {
            sent.await;
            let pending: PendingReply =
                Box::pin(async move { rx.await.unwrap_or(Err(TransportError::Unreachable)) });
            Ok(pending)
        })
    }

    fn request_then(
        &self,
        to: &str,
        frame: Vec<u8>,
        timeout: Duration,
        then: ReplyFn,
    ) -> BoxFuture<'_, ()> {
        let key = self.key(&format!("n/{to}/rq"));
        Box::pin(async move {
            let once = Arc::new(Answer(std::sync::Mutex::new(Some(then))));
            let session = match self.live() {
                Ok(session) => session,
                Err(e) => return once.give(Err(e)),
            };
            // The reply is handed over on zenoh's receiving thread, where it
            // arrives; a query that ends without one (no queryable of that
            // node) drops the callback, and the last `Answer` says so.
            let answer = once.clone();
            let sent = session
                .get(key)
                .payload(frame)
                .target(QueryTarget::BestMatching)
                .consolidation(ConsolidationMode::None)
                .congestion_control(CongestionControl::Block)
                .priority(Priority::Data)
                .timeout(timeout)
                .callback(move |reply| answer.give(outcome(&reply)))
                .await;
            if let Err(e) = sent {
                once.give(Err(err(e)));
            }
        })
    }

    fn declare_token(&self, key: &str) -> BoxFuture<'_, Result<Guard, TransportError>> {
        let key = self.key(key);
        Box::pin(async move {
            let token = self
                .live()?
                .liveliness()
                .declare_token(key)
                .await
                .map_err(err)?;
            Ok(Box::new(token) as Guard)
        })
    }

    fn tokens(&self, prefix: &str) -> BoxFuture<'_, Result<Vec<String>, TransportError>> {
        let key = self.key(&format!("{prefix}**"));
        Box::pin(async move {
            let replies = self
                .live()?
                .liveliness()
                .get(key)
                .timeout(Duration::from_secs(2))
                .await
                .map_err(err)?;
            let mut keys = Vec::new();
            while let Ok(reply) = replies.recv_async().await {
                if let Ok(sample) = reply.result() {
                    keys.push(self.strip(sample.key_expr().as_str()).to_owned());
                }
            }
            keys.sort();
            keys.dedup();
            Ok(keys)
        })
    }

    fn watch_tokens(
        &self,
        prefix: &str,
        events: mpsc::UnboundedSender<TokenEvent>,
    ) -> BoxFuture<'_, Result<Guard, TransportError>> {
        let key = self.key(&format!("{prefix}**"));
        let strip = self.prefix.clone();
        Box::pin(async move {
            let subscriber = self
                .live()?
                .liveliness()
                .declare_subscriber(key)
                .history(true)
                .callback(move |sample| {
                    let key = sample.key_expr().as_str();
                    let key = key.strip_prefix(&strip).unwrap_or(key).to_owned();
                    let event = match sample.kind() {
                        SampleKind::Put => TokenEvent::Join(key),
                        SampleKind::Delete => TokenEvent::Leave(key),
                    };
                    let _ = events.send(event);
                })
                .await
                .map_err(err)?;
            Ok(Box::new(subscriber) as Guard)
        })
    }

    fn close(&self) -> BoxFuture<'_, ()> {
        let session = self
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let publishers = std::mem::take(
            &mut *self
                .publishers
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        Box::pin(async move {
            drop(publishers);
            if let Some(session) = session
                && let Err(e) = session.close().await
            {
                tracing::debug!("typact-remote: closing the zenoh session: {e}");
            }
        })
    }
}
