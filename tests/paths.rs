//! Paths through the supervision tree: built from the names of the
//! supervisors and children, unique among live actors, kept across a
//! restart, freed at the stop, shown in `Display`, and typed lookups.

#[allow(dead_code, reason = "the shared helpers: this file uses `within` only")]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use typact::prelude::*;
use typact::{LookupError, PathError, SupervisorError};

#[derive(Default)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[handler]
    fn add(&mut self, by: u64) -> u64 {
        self.count += by;
        self.count
    }

    #[handler]
    fn crash(&mut self) {
        panic!("crashed on purpose");
    }

    #[handler]
    fn my_path(&self, ctx: &mut Context<Self>) -> Option<String> {
        let myself = ctx.myself();
        assert_eq!(ctx.path(), myself.path());
        ctx.path().map(ToString::to_string)
    }
}

/// Spawns a named helper of its own when it starts.
#[derive(Default)]
struct Boss {
    helper: Option<ActorRef<Counter>>,
}

#[actor]
impl Boss {
    #[on_start]
    fn hire(&mut self, ctx: &mut Context<Self>) {
        self.helper = Some(ctx.spawn_with(Counter::default().builder().name("helper")));
        // An unnamed child has no path.
        let _ = ctx.spawn(Counter::default());
    }

    #[handler]
    fn helper(&self) -> ActorRef<Counter> {
        self.helper.clone().expect("hired at start")
    }
}

fn quiet_panics() {
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

#[tokio::test]
async fn paths_are_built_from_the_tree() {
    let ui = Supervisor::builder().name("ui");
    let counter = ui.child(Counter::default).name("counter-1").add();
    let anonymous = ui.child(Counter::default).add();
    let app = Supervisor::builder().name("paths-app");
    let ui = app.child(ui.into_factory()).name("ui").add();
    let boss = app.child(Boss::default).name("boss").add();
    let app = app.spawn().await.unwrap();

    assert_eq!(app.path().unwrap(), "/paths-app");
    assert_eq!(ui.path().unwrap(), "/paths-app/ui");
    let path = counter.path().unwrap();
    assert_eq!(path, "/paths-app/ui/counter-1");
    assert_eq!(path.name(), "counter-1");
    assert_eq!(path.parent().as_deref(), Some("/paths-app/ui"));
    assert_eq!(
        path.segments().collect::<Vec<_>>(),
        ["paths-app", "ui", "counter-1"]
    );
    assert_eq!(path.depth(), 3);
    assert_eq!(anonymous.path(), None, "an unnamed child has no path");
    assert_eq!(
        counter.my_path().await.unwrap().as_deref(),
        Some("/paths-app/ui/counter-1")
    );

    // Children spawned with `ctx.spawn_with` under a named parent.
    let helper = boss.helper().await.unwrap();
    assert_eq!(helper.path().unwrap(), "/paths-app/boss/helper");

    // Shown in `Debug` (and so in logs and errors).
    let shown = format!("{counter:?}");
    assert!(
        shown.starts_with("ActorRef(Counter(/paths-app/ui/counter-1)#"),
        "{shown}"
    );
}

#[tokio::test]
async fn lookup_path_is_typed() {
    let sup = Supervisor::builder().name("paths-lookup");
    let counter = sup.child(Counter::default).name("counter").add();
    let _sup = sup.spawn().await.unwrap();
    let registry = typact::registry();

    let found = registry
        .lookup_path::<Counter>("/paths-lookup/counter")
        .unwrap();
    assert_eq!(found, counter);
    assert_eq!(found.add(2).await.unwrap(), 2);

    let err = registry
        .lookup_path::<Boss>("/paths-lookup/counter")
        .unwrap_err();
    assert_eq!(
        err,
        LookupError::WrongType {
            name: "/paths-lookup/counter".into(),
            registered: "Counter",
            requested: "Boss",
        }
    );
    assert!(matches!(
        registry.lookup_path::<Counter>("/paths-lookup/nobody"),
        Err(LookupError::NotFound { .. })
    ));
    // The supervisor itself is at the root.
    assert!(registry.lookup_path::<Supervisor>("/paths-lookup").is_ok());
}

#[tokio::test]
async fn a_restart_keeps_the_path() {
    quiet_panics();
    let starts = Arc::new(AtomicU32::new(0));
    let counted = starts.clone();
    let sup = Supervisor::builder().name("paths-restart");
    let counter = sup
        .child(move || {
            counted.fetch_add(1, Ordering::SeqCst);
            Counter::default()
        })
        .name("counter")
        .add();
    let _sup = sup.spawn().await.unwrap();
    let id = counter.id();
    counter.add(5).await.unwrap();
    assert!(counter.crash().await.is_err());
    // A fresh instance answers, behind the same ref, at the same path.
    assert_eq!(counter.add(1).await.unwrap(), 1);
    assert_eq!(starts.load(Ordering::SeqCst), 2);
    assert_eq!(counter.path().unwrap(), "/paths-restart/counter");
    let found = typact::registry()
        .lookup_path::<Counter>("/paths-restart/counter")
        .unwrap();
    assert_eq!(found.id(), id);
}

#[tokio::test]
async fn a_path_is_unique_among_live_actors() {
    let first = Supervisor::builder().name("paths-unique");
    let _first = first.spawn().await.unwrap();

    // A second root of the same name does not start.
    let err = Supervisor::builder()
        .name("paths-unique")
        .spawn()
        .await
        .unwrap_err();
    let StopReason::StartFailed(error) = err.reason() else {
        panic!("expected a failed start, got {err:?}");
    };
    let error = error.downcast_ref::<PathError>().expect("a path error");
    assert!(matches!(error, PathError::Taken { path, .. } if &**path == "/paths-unique"));
    assert!(error.to_string().contains("/paths-unique"));

    // Two children of one name under one supervisor: the second fails.
    let sup = Supervisor::builder().name("paths-siblings");
    sup.child(Counter::default).name("twin").add();
    let second = sup.child(Counter::default).name("twin").add();
    let err = sup.spawn().await.unwrap_err();
    assert!(err.to_string().contains("/paths-siblings/twin"), "{err}");
    assert_eq!(second.path(), None);

    // A dynamic child of a taken name is refused; the first keeps it.
    let sup = Supervisor::builder()
        .name("paths-dynamic")
        .spawn()
        .await
        .unwrap();
    let one = sup.child(Counter::default).name("w").start().await.unwrap();
    let err = sup
        .child(Counter::default)
        .name("w")
        .start()
        .await
        .unwrap_err();
    assert!(
        matches!(err, SupervisorError::ChildStartFailed { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("/paths-dynamic/w"), "{err}");
    assert_eq!(one.path().unwrap(), "/paths-dynamic/w");
    assert_eq!(one.add(1).await.unwrap(), 1);
}

#[tokio::test]
async fn a_stop_frees_the_path() {
    let sup = Supervisor::builder().name("paths-free");
    let counter = sup.child(Counter::default).name("c").add();
    let sup = sup.spawn().await.unwrap();
    assert!(
        typact::registry()
            .lookup_path::<Counter>("/paths-free/c")
            .is_ok()
    );
    sup.stop();
    sup.wait_for_stop().await;
    assert!(!counter.is_alive());
    // Freed as part of the stop: the names can be taken again at once.
    assert!(
        typact::registry()
            .lookup_path::<Counter>("/paths-free/c")
            .is_err()
    );
    assert!(
        typact::registry()
            .lookup_path::<Supervisor>("/paths-free")
            .is_err()
    );
    let again = Supervisor::builder().name("paths-free");
    let counter = again.child(Counter::default).name("c").add();
    let _again = again.spawn().await.unwrap();
    assert_eq!(counter.path().unwrap(), "/paths-free/c");
}

#[tokio::test]
async fn actors_outside_a_named_tree_have_no_path() {
    let plain = Counter::default().builder().name("plain").spawn();
    assert_eq!(plain.path(), None);
    let sup = Supervisor::builder();
    let child = sup.child(Counter::default).name("child").add();
    let sup = sup.spawn().await.unwrap();
    assert_eq!(sup.path(), None);
    assert_eq!(child.path(), None);
    let as_ref: Ref<Counting> = child.to_ref();
    assert_eq!(as_ref.path(), None);
}

typact::protocol_of!(Counting = counter::Add);

#[tokio::test]
async fn a_nested_supervisors_restart_keeps_its_childrens_paths() {
    quiet_panics();
    // The inner supervisor gives up at the first failure; the outer one
    // restarts it, and with it its children, behind the same refs.
    let inner = Supervisor::builder().intensity(0, std::time::Duration::from_secs(60));
    let counter = inner.child(Counter::default).name("counter").add();
    let outer = Supervisor::builder().name("paths-nested");
    let inner = outer.child(inner.into_factory()).name("inner").add();
    let _outer = outer.spawn().await.unwrap();
    assert_eq!(counter.path().unwrap(), "/paths-nested/inner/counter");
    let before = (inner.id(), counter.id());

    assert!(counter.crash().await.is_err());
    // The restarted tree answers at the same paths.
    let found = common::within("the restarted child", async {
        loop {
            if let Ok(found) =
                typact::registry().lookup_path::<Counter>("/paths-nested/inner/counter")
                && found.add(1).await.is_ok()
            {
                return found;
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert_eq!((inner.id(), found.id()), before);
    assert_eq!(inner.path().unwrap(), "/paths-nested/inner");
    assert!(
        typact::registry()
            .lookup_path::<Supervisor>("/paths-nested/inner")
            .is_ok()
    );
}
