//! Supervision: restarts behind stable references, strategies, intensity,
//! backoff, nesting, dynamic children, watches and links.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use typact::prelude::*;
use typact::{Backoff, Restart, Strategy, Supervisor, SupervisorError};

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, s: impl Into<String>) {
        self.0.lock().unwrap().push(s.into());
    }
    fn get(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

struct Worker {
    name: &'static str,
    log: Log,
    handled: u32,
}

impl Worker {
    fn factory(name: &'static str, log: &Log, starts: &Arc<AtomicU32>) -> impl FnMut() -> Worker + Send + 'static {
        let log = log.clone();
        let starts = starts.clone();
        move || {
            starts.fetch_add(1, Ordering::SeqCst);
            Worker { name, log: log.clone(), handled: 0 }
        }
    }
}

#[actor]
impl Worker {
    #[on_start]
    fn start(&mut self) {
        self.log.push(format!("{} start", self.name));
    }

    #[on_stop]
    fn stopped(&mut self, reason: &StopReason) {
        self.log.push(format!("{} stop: {reason}", self.name));
    }

    #[handler]
    fn work(&mut self) -> u32 {
        self.handled += 1;
        self.handled
    }

    #[handler]
    fn crash(&mut self) -> u32 {
        panic!("{} crashed", self.name)
    }

    #[handler]
    fn quit(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

#[tokio::test]
async fn one_for_one_restarts_behind_the_same_ref() {
    let log = Log::default();
    let starts = Arc::new(AtomicU32::new(0));
    let sup = Supervisor::builder().backoff(Backoff::none());
    let a = sup.child(Worker::factory("a", &log, &starts)).add();
    let b = sup.child(Worker::factory("b", &log, &Arc::new(AtomicU32::new(0)))).add();
    let sup = sup.spawn().await.unwrap();
    let id = a.id();

    assert_eq!(a.work().await, Ok(1));
    assert_eq!(a.work().await, Ok(2));
    assert_eq!(b.work().await, Ok(1));
    assert_eq!(a.crash().await, Err(AskError::Panicked));
    assert_eq!(a.work().await, Ok(1), "fresh state after the restart");
    assert_eq!(a.id(), id);
    assert_eq!(b.work().await, Ok(2), "the sibling was not restarted");
    assert_eq!(starts.load(Ordering::SeqCst), 2);

    sup.stop();
    assert!(sup.wait_for_stop().await.is_normal());
    assert!(a.wait_for_stop().await.is_normal());
    assert!(!b.is_alive());
    let log = log.get();
    // Children stop in reverse order.
    let pos = |s: &str| log.iter().rposition(|e| e.starts_with(s)).unwrap();
    assert!(pos("b stop") < pos("a stop"), "{log:?}");
}

#[tokio::test(start_paused = true)]
async fn intensity_exceeded_fails_the_supervisor() {
    let log = Log::default();
    let starts = Arc::new(AtomicU32::new(0));
    let sup = Supervisor::builder().intensity(2, Duration::from_secs(10)).backoff(Backoff::none());
    let a = sup.child(Worker::factory("a", &log, &starts)).add();
    let sup = sup.spawn().await.unwrap();
    for _ in 0..3 {
        assert_eq!(a.crash().await, Err(AskError::Panicked));
    }
    match sup.wait_for_stop().await {
        StopReason::Failed(err) => {
            let err = err.downcast_ref::<SupervisorError>().expect("a SupervisorError");
            assert!(matches!(err, SupervisorError::IntensityExceeded { restarts: 2, .. }), "{err}");
        }
        other => panic!("expected Failed, got {other:?}"),
    }
    // The supervisor stopped its children before it failed.
    assert!(a.wait_for_stop().await.is_normal());
    assert_eq!(a.work().await, Err(AskError::Stopped));
}

#[tokio::test]
async fn dynamic_children() {
    let log = Log::default();
    let sup = Supervisor::builder().backoff(Backoff::none()).spawn().await.unwrap();
    let starts = Arc::new(AtomicU32::new(0));
    let w = sup.child(Worker::factory("dyn", &log, &starts)).restart(Restart::Transient).start().await.unwrap();
    assert_eq!(w.work().await, Ok(1));
    assert_eq!(sup.children().await.unwrap(), vec![w.id()]);
    assert_eq!(w.crash().await, Err(AskError::Panicked));
    assert_eq!(w.work().await, Ok(1));
    w.quit().await.unwrap();
    assert!(w.wait_for_stop().await.is_normal());
    assert_eq!(sup.children().await.unwrap(), vec![]);
}

#[tokio::test]
async fn one_for_all_restarts_everyone() {
    let log = Log::default();
    let (sa, sb, sc) = (Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)), Arc::new(AtomicU32::new(0)));
    let sup = Supervisor::builder().strategy(Strategy::OneForAll).backoff(Backoff::none());
    let a = sup.child(Worker::factory("a", &log, &sa)).add();
    let b = sup.child(Worker::factory("b", &log, &sb)).add();
    let c = sup.child(Worker::factory("c", &log, &sc)).restart(Restart::Temporary).add();
    let _sup = sup.spawn().await.unwrap();
    assert_eq!(a.work().await, Ok(1));
    assert_eq!(c.work().await, Ok(1));
    assert_eq!(b.crash().await, Err(AskError::Panicked));
    assert_eq!(a.work().await, Ok(1));
    assert_eq!(b.work().await, Ok(1));
    assert_eq!(c.work().await, Err(AskError::Stopped), "temporary children are not restarted");
    assert_eq!((sa.load(Ordering::SeqCst), sb.load(Ordering::SeqCst), sc.load(Ordering::SeqCst)), (2, 2, 1));
}
